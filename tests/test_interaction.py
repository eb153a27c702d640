"""Stress-stress interaction (000, 001, 003) and the BL coupling (004)."""

import math

import numpy as np
import pytest

from tensorglass import interaction as ia
from tensorglass.tensors import IsotropicElasticity

ALPHA = 0.7


@pytest.mark.parametrize("x", [(12.0, 0, 0), (3.0, 4.0, 12.0), (-5.0, 7.0, 8.0), (6.0, -6.0, 6.0)])
def test_k_space_form_transforms_into_real_space_form(x):
    """The numerical transform of 000 Eq. (2.14) equals -tildeLambda/(8 pi r^3)
    (001 Eq. 2.12-2.13) for r >> sigma, after removing the O(sigma^2/r^2)
    smoothing by Richardson extrapolation.  Independent of tildeLambda's algebra."""
    x = np.asarray(x, float)
    exact = ia.stress_stress_interaction(x, ALPHA)
    i1 = ia.regularised_transform(x, ALPHA, 1.0)
    i2 = ia.regularised_transform(x, ALPHA, 1.0 / math.sqrt(2))
    assert np.abs(2 * i2 - i1 - exact).max() < 1e-8 * np.abs(exact).max()
    # without extrapolation the smoothing error is visible and of the expected size
    assert 1e-4 < np.abs(i1 - exact).max() / np.abs(exact).max() < 0.2


def test_contact_term_is_angular_average_of_k_form():
    avg = ia.sphere_average(lambda k: ia.stress_stress_interaction_k(k, ALPHA))
    np.testing.assert_allclose(avg, ia.contact_term(ALPHA), atol=1e-14)
    # 000 Eq. (D12)'s 1/4 is not it
    assert not np.allclose(avg, ia.contact_term(ALPHA, d12_coefficient=0.25))


def test_tilde_lambda_averages_to_zero_and_003_printed_form_does_not():
    z = ia.sphere_average(lambda n: ia.tilde_lambda(n, ALPHA))
    assert np.abs(z).max() < 1e-13
    p = ia.sphere_average(lambda n: ia.tilde_lambda_003_printed(n, ALPHA))
    assert np.abs(p).max() > 0.1
    t = ia.tilde_lambda_003_printed(np.array([0.3, 0.2, 0.9]), ALPHA)
    assert np.abs(t - t.transpose(2, 3, 0, 1)).max() > 0.1


def test_tilde_lambda_explicit_component():
    """xxxx component along n = x: 1/4*4*(1-3) + alpha/2*(-3+18-15) = -2."""
    t = ia.tilde_lambda(np.array([1.0, 0, 0]), ALPHA)
    assert np.isclose(t[0, 0, 0, 0], -2.0)
    assert np.isclose(t[1, 1, 1, 1], 1 + 0.5 * ALPHA * (-3))


def test_joffrin_levelut_relation():
    """AUDIT: tildeLambda = -(1/2) sym(JL1) + (1/4) JL2; JL is not i<->j symmetric."""
    rng = np.random.default_rng(3)
    for n in rng.normal(size=(5, 3)):
        jl1, jl2 = ia.joffrin_levelut_parts(n, ALPHA)
        np.testing.assert_allclose(ia.tilde_lambda(n, ALPHA), -0.5 * ia.symmetrize_minor(jl1) + 0.25 * jl2, atol=1e-13)
        jl = ia.joffrin_levelut(n, ALPHA)
        assert np.abs(jl - jl.transpose(1, 0, 2, 3)).max() > 1e-3


def test_bl_angular_average_appendix_b():
    for med in (IsotropicElasticity(5.8, 3.8), IsotropicElasticity.from_poisson(0.35)):
        avg = ia.sphere_average(lambda k, med=med: ia.bl_coupling_matrix(k, med))
        np.testing.assert_allclose(avg, ia.bl_coupling_angular_average_exact(med), atol=1e-12)
        assert np.isclose(np.trace(avg), 3.0)
        ratio = avg[0, 0] / avg[1, 1]
        assert np.isclose(ratio, ia.j_compr_over_j_shear(med))


def test_b3_inverse_has_factor_mu():
    med = IsotropicElasticity(4.0, 2.1)
    k = np.array([0.48, 0.6, 0.64])
    a = np.einsum("ijlm,j,m->il", med.stiffness_tensor(), k, k)
    c = (med.lame_lambda + med.mu) / (med.lame_lambda + 2 * med.mu)
    np.testing.assert_allclose(a @ (np.eye(3) - c * np.outer(k, k)), med.mu * np.eye(3), atol=1e-12)


def test_j_ratio_forms_and_isotropic_point():
    med = IsotropicElasticity(5.8, 3.8)
    forms = ia.j_ratio_forms(med)
    assert max(forms.values()) - min(forms.values()) < 1e-12
    iso = IsotropicElasticity.from_poisson(0.2)
    assert np.isclose(ia.j_compr_over_j_shear(iso), 1.0)
    assert np.isclose(iso.velocity_ratio, math.sqrt(8 / 3))


def test_elastic_dipole_eigenvalues():
    np.testing.assert_allclose(np.linalg.eigvalsh(ia.elastic_dipole_coupling([1.0, 2.0, -2.0])), [0, 0, 1], atol=1e-14)


def test_zero_vector_is_rejected():
    with pytest.raises(ValueError):
        ia.tilde_lambda(np.zeros(3), ALPHA)
    with pytest.raises(ValueError):
        ia.stress_stress_interaction(np.zeros(3), ALPHA)
