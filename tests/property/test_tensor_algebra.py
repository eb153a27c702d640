"""Property tests for the tensor algebra and conventions."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tensorglass.gamma_ratio import ISOTROPIC_LOWER_BOUND, orientation_averaged_couplings
from tensorglass.interaction import bl_coupling_matrix, tilde_lambda
from tensorglass.tensors import (
    IsotropicElasticity,
    bl_a3_matrix,
    bl_to_mandel,
    mandel_to_bl,
    mandel_to_tensor,
    mandel_to_tensor4,
    mandel_to_zhou,
    tensor4_to_mandel,
    tensor_to_mandel,
    zhou_to_mandel,
)

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
mat3 = arrays(np.float64, (3, 3), elements=finite)
vec6 = arrays(np.float64, (6,), elements=finite)
mat6 = arrays(np.float64, (6, 6), elements=finite)
direction = arrays(np.float64, (3,), elements=finite).filter(lambda v: np.linalg.norm(v) > 1e-3)
alpha = st.floats(0.26, 0.99)
poisson = st.floats(-0.95, 0.49)


def _sym(a):
    return 0.5 * (a + a.T)


def _sym6(m):
    return 0.5 * (m + m.T)


@given(mat3)
def test_mandel_vector_round_trip(t):
    s = _sym(t)
    np.testing.assert_allclose(mandel_to_tensor(tensor_to_mandel(s)), s, atol=1e-12)


@given(mat3, mat3)
def test_mandel_dot_is_double_contraction(a, b):
    a, b = _sym(a), _sym(b)
    assert np.isclose(tensor_to_mandel(a) @ tensor_to_mandel(b), np.sum(a * b), atol=1e-9)


@given(mat6)
def test_mandel_matrix_round_trip(m):
    np.testing.assert_allclose(tensor4_to_mandel(mandel_to_tensor4(m)), m, atol=1e-12)


@given(mat6, mat6)
def test_mandel_product_is_tensor_contraction(m, n):
    a, b = mandel_to_tensor4(m), mandel_to_tensor4(n)
    contracted = np.einsum("ijmn,mnkl->ijkl", a, b)
    np.testing.assert_allclose(tensor4_to_mandel(contracted), m @ n, atol=1e-9)


@given(mat6)
def test_zhou_round_trip(m):
    m = _sym6(m)
    np.testing.assert_allclose(zhou_to_mandel(mandel_to_zhou(m)), m, atol=1e-12)


@given(mat6, mat3)
def test_bilinear_form_invariant_across_conventions(m, d):
    """a:C:a is the same number in Mandel and in the tensor form."""
    d = _sym(d)
    c = mandel_to_tensor4(_sym6(m))
    v = tensor_to_mandel(d)
    assert np.isclose(v @ _sym6(m) @ v, np.einsum("ij,ijkl,kl->", d, c, d), rtol=1e-9, atol=1e-9)


@given(mat3, st.floats(0.1, 10), st.floats(0.1, 10))
def test_bl_a3_basis_makes_elastic_energy_unit(d, k, mu):
    """004 Eq. (A3): d.Lambda.d = g.g (Eqs. 9-13)."""
    d = _sym(d)
    med = IsotropicElasticity.from_bulk_shear(k, mu)
    g = mandel_to_bl(tensor_to_mandel(d), med.bulk_modulus, med.mu)
    energy = np.einsum("ij,ijkl,kl->", d, med.stiffness_tensor(), d)
    assert np.isclose(g @ g, energy, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(bl_to_mandel(g, med.bulk_modulus, med.mu), tensor_to_mandel(d), atol=1e-9)
    assert np.isclose(g[0], np.sqrt(med.bulk_modulus) * np.trace(d))


@given(st.floats(0.1, 10), st.floats(0.1, 10))
def test_a3_matrix_is_invertible(k, mu):
    assert abs(np.linalg.det(bl_a3_matrix(k, mu))) > 0


@given(direction, alpha)
def test_tilde_lambda_index_symmetries(n, a):
    t = tilde_lambda(n, a)
    np.testing.assert_allclose(t, t.transpose(1, 0, 2, 3), atol=1e-12)
    np.testing.assert_allclose(t, t.transpose(0, 1, 3, 2), atol=1e-12)
    np.testing.assert_allclose(t, t.transpose(2, 3, 0, 1), atol=1e-12)


@given(direction, alpha, arrays(np.float64, (3, 3), elements=st.floats(-1, 1)))
def test_tilde_lambda_is_rotation_covariant(n, a, m):
    q, _ = np.linalg.qr(m + 3 * np.eye(3))
    t = tilde_lambda(n, a)
    rotated = np.einsum("ia,jb,kc,ld,abcd->ijkl", q, q, q, q, t)
    np.testing.assert_allclose(tilde_lambda(q @ n, a), rotated, atol=1e-10)


@given(direction, poisson)
def test_bl_coupling_is_a_rank3_projector(k, s):
    """004 Sec. III: J(k)^2 = J(k), trace 3, eigenvalues (1,1,1,0,0,0)."""
    j = bl_coupling_matrix(k, IsotropicElasticity.from_poisson(s))
    np.testing.assert_allclose(j @ j, j, atol=1e-9)
    np.testing.assert_allclose(np.linalg.eigvalsh(j), [0, 0, 0, 1, 1, 1], atol=1e-9)


@given(mat3)
def test_orientation_averaged_gamma_ratio_bound(t):
    t = _sym(t)
    if np.sum(t * t) < 1e-6:
        return
    gl2, gt2 = orientation_averaged_couplings(t)
    assert np.sqrt(gl2 / gt2) >= ISOTROPIC_LOWER_BOUND - 1e-9
    tr, tt = np.trace(t), np.sum(t * t)
    assert np.isclose(gl2, (2 * tt + tr**2) / 15, rtol=1e-9)
    assert np.isclose(gt2, (3 * tt - tr**2) / 30, rtol=1e-9, atol=1e-12)


@given(st.floats(0.5, 10), st.floats(0.1, 0.8))
def test_elastic_constructors_round_trip(c_l, ratio):
    ratio = min(ratio, 0.86)
    m = IsotropicElasticity(c_l, ratio * c_l, 2.0)
    m2 = IsotropicElasticity.from_lame(m.lame_lambda, m.mu, 2.0)
    m3 = IsotropicElasticity.from_bulk_poisson(m.bulk_modulus, m.poisson_ratio, 2.0)
    for other in (m2, m3):
        assert np.isclose(other.c_l, m.c_l) and np.isclose(other.c_t, m.c_t)
    assert m.velocity_ratio >= ISOTROPIC_LOWER_BOUND
    np.testing.assert_allclose(np.linalg.inv(m.stiffness_mandel()), m.compliance_mandel(), atol=1e-12)
