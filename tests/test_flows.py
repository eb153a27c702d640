"""Renormalisation flows: iterated step by step against their closed forms."""

import math

import numpy as np
import pytest

from tensorglass import avalanche as av
from tensorglass import renormalization as rg
from tensorglass.errors import ParameterError


def _m():
    return 2.0 * av.zhou_matrix_from_abcdef(av.abcdef(av.direction_averages_published(0.4), 0.7))


def test_super_block_flow_approaches_closed_form_as_steps_shrink():
    chi0 = 0.1 * np.linalg.inv(av.elastic_inverse_zhou(0.7))
    f8 = rg.super_block_flow(chi0, _m(), 8, 20.0)
    f2 = rg.super_block_flow(chi0, _m(), 2, 20.0)
    # one step reproduces (chi^-1 + M)^-1 to second order
    one = f2.chi[1]
    np.testing.assert_allclose(np.linalg.inv(one), np.linalg.inv(chi0) + math.log(2) * _m(), rtol=1e-2, atol=1e-2)
    e2 = np.abs(f2.chi[-1] - f2.closed_form[-1]).max()
    e8 = np.abs(f8.chi[-1] - f8.closed_form[-1]).max()
    assert e2 < 1e-3 and e2 < e8  # smaller steps, closer to the continuum closed form


def test_super_block_flow_matrix_product_in_mandel_is_tensor_contraction():
    from tensorglass.tensors import mandel_to_tensor4, zhou_to_mandel
    chi = zhou_to_mandel(0.1 * np.linalg.inv(av.elastic_inverse_zhou(0.7)))
    m = zhou_to_mandel(_m())
    one = rg.super_block_flow(chi, m, 2, math.log(2)).chi[1]
    c, mm = mandel_to_tensor4(chi), mandel_to_tensor4(m * math.log(2))
    expected = c - np.einsum("ijmn,mnpq,pqkl->ijkl", c, mm, c)
    np.testing.assert_allclose(mandel_to_tensor4(one), expected, atol=1e-12)


@pytest.mark.parametrize("q0", [-0.8, -0.3, 0.5, 2.0])
def test_relaxation_resonance_ratio_follows_closed_form(q0):
    m, s0, n = 1e-3, 1.0, 4000
    f = rg.relaxation_resonance_flow(q0, s0, m, n)
    tau = np.log(1 + m * s0 * f.steps)
    closed = rg.relaxation_resonance_ratio_flow(q0, tau)
    assert np.abs(f.ratio - closed).max() < 2e-3
    assert abs(f.ratio[-1]) < abs(q0)  # flows towards 0


def test_minus_two_is_not_a_fixed_point_of_the_joint_flow():
    """001 Eq. (3.4) claims chi_rel = -2 chi_res is a stable fixed point."""
    f = rg.relaxation_resonance_flow(-2.0, 1.0, 1e-3, 50)
    assert abs(f.ratio[-1] + 2.0) > 1e-3
    # it only zeroes the chi_rel increment
    assert f.chi_rel[1] == pytest.approx(f.chi_rel[0], abs=1e-15)
    # -1 and 0 are the fixed points
    for q in (-1.0, 0.0):
        g = rg.relaxation_resonance_flow(q if q else 0.0, 1.0, 1e-3, 50)
        assert np.allclose(g.ratio, q, atol=1e-12)


def test_matrix_split_flow_sums_to_total_flow():
    m = _m() * 0.01
    rel = -0.3 * np.eye(6)
    res = 0.2 * np.eye(6) + 0.01 * np.ones((6, 6))
    f = rg.relaxation_resonance_flow(rel, res, m, 1)
    tot = rel + res
    np.testing.assert_allclose(f.chi_rel[1] + f.chi_res[1], tot - tot @ m @ tot, atol=1e-14)


def test_dyson_identity():
    m_log = 40 * av.zhou_matrix_from_abcdef(av.abcdef(av.direction_averages_published(0.5), 0.7))
    el = av.elastic_inverse_zhou(0.7)
    np.testing.assert_allclose(rg.dyson_total_inverse(m_log, el), m_log + el, atol=1e-14)
    np.testing.assert_allclose(rg.dyson_resonance(-m_log, el), -m_log - el, atol=1e-14)


def test_im_chi_flow_matches_closed_form_and_limit():
    alpha = 0.57
    f = rg.im_chi_flow(alpha, -0.02, 0.4, 0.3, 2, 20.0)
    assert np.abs(f.im_chi_t - f.closed_t).max() / f.closed_t.max() < 5e-3
    target = 1 / (1 - alpha)
    far = rg.im_chi_ratio_closed_form(alpha, 1e5, 0.4, 0.3)
    near = rg.im_chi_ratio_closed_form(alpha, 1e2, 0.4, 0.3)
    assert abs(far - target) < 1e-3 * target
    # O(1/(|K| ell)) approach: 1000x more |K| ell, ~1000x smaller deviation
    assert 300 < abs(near - target) / abs(far - target) < 3000


def test_im_chi_ratio_needs_equal_k():
    f = rg.im_chi_flow(0.57, -1.0, 0.4, 0.4, 2, 200.0, k_l_over_k_t=0.5)
    assert abs(f.ratio[-1] / f.target_ratio - 2.0) < 0.05


@pytest.mark.parametrize("kwargs", [dict(k_ratio=0.5), dict(k_ratio=-50.0), dict(n0=1), dict(ell=-1.0)])
def test_im_chi_flow_bad_input(kwargs):
    args = dict(alpha=0.6, k_ratio=-1.0, im_chi_l1_l=0.5, im_chi_l1_t=0.5, n0=2, ell=20.0)
    args.update(kwargs)
    with pytest.raises(ParameterError):
        rg.im_chi_flow(**args)
