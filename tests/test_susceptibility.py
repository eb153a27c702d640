"""Single-block susceptibilities (002 Sec. 2; 001 Eq. 2.7)."""

import math

import numpy as np
import pytest

from tensorglass import susceptibility as sus
from tensorglass.errors import ParameterError


@pytest.mark.parametrize("temperature", [0.3, 1.0, 4.0])
def test_digamma_formula_is_kramers_kronig_transform(temperature):
    w = np.array([1e-3, 0.02, 0.3, 1.0, 3.0, 20.0]) * temperature
    np.testing.assert_allclose(sus.ttls_re_chi_kramers_kronig(w, temperature),
                               sus.ttls_re_chi_digamma(w, temperature), atol=1e-8)


def test_low_frequency_limit_eq_2_10():
    w = np.array([1e-6, 1e-5, 1e-4])
    re = sus.ttls_re_chi_digamma(w, 1.0)
    assert np.all(re < 0)
    slope = np.diff(re) / np.diff(np.log(w))
    np.testing.assert_allclose(slope, 0.5, rtol=1e-6)  # -(n0M^2/2) ln(1/(beta w)): coefficient 1/2, not 002's 1/4
    lim = sus.ttls_re_chi_low_frequency(w, 1.0)
    const = re - lim  # difference tends to the constant (1/2)(gamma + 2 ln 2 - ln 2 pi)... finite
    assert np.ptp(const) < 1e-6


def test_printed_002_form_has_half_the_slope():
    w = np.array([1e-5, 1e-4])
    re = sus.ttls_re_chi_002(w, 1.0)
    assert np.isclose(np.diff(re)[0] / np.log(10), 0.25, rtol=1e-6)


def test_im_chi_limits():
    assert np.isclose(sus.ttls_im_chi(100.0, 1.0), math.pi / 4)
    assert np.isclose(sus.ttls_im_chi(1e-6, 1.0), math.pi / 4 * 0.5e-6, rtol=1e-6)


def _random_block(seed, n=4, degenerate=False):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    if degenerate:
        e[1] = e[0]
    a = rng.normal(size=(6, n, n)) + 1j * rng.normal(size=(6, n, n))
    return e, a + np.conj(a.transpose(0, 2, 1))


@pytest.mark.parametrize("seed,degenerate", [(0, False), (1, False), (2, True)])
def test_multilevel_susceptibility_is_free_energy_curvature(seed, degenerate):
    e, t = _random_block(seed, degenerate=degenerate)
    temp = 0.8
    rel, res = sus.multilevel_susceptibility(e, t, temp)
    h = 2e-4
    hess = np.zeros((6, 6))
    for a in range(6):
        for b in range(6):
            ea, eb = np.eye(6)[a] * h, np.eye(6)[b] * h
            hess[a, b] = (sus.free_energy(e, t, temp, ea + eb) - sus.free_energy(e, t, temp, ea - eb)
                          - sus.free_energy(e, t, temp, -ea + eb) + sus.free_energy(e, t, temp, -ea - eb)) / (4 * h * h)
    np.testing.assert_allclose(rel + res, hess, atol=2e-4 * np.abs(hess).max())


def test_multilevel_parts_are_negative_semidefinite():
    e, t = _random_block(5)
    rel, res = sus.multilevel_susceptibility(e, t, 1.3)
    assert np.linalg.eigvalsh(rel).max() < 1e-12
    assert np.linalg.eigvalsh(res).max() < 1e-12


def test_two_level_system_closed_form():
    """TLS with splitting E: diagonal coupling d gives rel = -beta d^2 sech^2(beta E/2)/4;
    off-diagonal coupling m gives res = -2 m^2 tanh(beta E/2)/E."""
    E, T, d, m = 1.3, 0.7, 0.4, 0.25
    t = np.zeros((1, 2, 2))
    t[0] = [[d / 2, m], [m, -d / 2]]
    rel, res = sus.multilevel_susceptibility([-E / 2, E / 2], t, T)
    b = 1 / T
    assert np.isclose(rel[0, 0], -b * d**2 / (4 * np.cosh(b * E / 2) ** 2))
    assert np.isclose(res[0, 0], -2 * m**2 * np.tanh(b * E / 2) / E)


def test_bad_inputs():
    with pytest.raises(ParameterError):
        sus.ttls_im_chi(-1.0, 1.0)
    with pytest.raises(ParameterError):
        sus.ttls_re_chi_digamma(1.0, 0.0)
    with pytest.raises(ParameterError):
        sus.multilevel_susceptibility([0, 1], np.zeros((6, 3, 3)), 1.0)
    with pytest.raises(ParameterError):
        sus.multilevel_susceptibility([0, 1], np.array([[[0, 1], [0, 0]]] * 6, float), 1.0)
