"""Bevzenko-Lubchenko single site and mean field (004 Secs. II-III)."""

import math

import numpy as np
import pytest
from scipy import stats

from tensorglass import meanfield as mf
from tensorglass.errors import ParameterError


def test_sphere_average_of_exponential_statistically():
    """<exp(z cos)> over the 5-sphere = 8 I_2(z)/z^2: seeded Monte Carlo,
    z-test, two-sided p > 0.01 for each z (fixed seed, so deterministic)."""
    rng = np.random.default_rng(20261122)
    v = rng.normal(size=(200000, 6))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    for z in (0.5, 2.0, 5.0):
        samples = np.exp(z * v[:, 0])
        zscore = (samples.mean() - math.exp(mf.log_sphere_average_exp(z))) / (samples.std() / math.sqrt(len(samples)))
        assert 2 * stats.norm.sf(abs(zscore)) > 0.01, (z, zscore)


def test_log_sphere_average_series_and_asymptote():
    z = np.array([1e-3, 2e-3])
    np.testing.assert_allclose(mf.log_sphere_average_exp(z), z**2 / 12 - z**4 / 1152, rtol=1e-9)
    big = 400.0
    assert abs(mf.log_sphere_average_exp(big) - (big - 2.5 * math.log(big) + math.log(8 / math.sqrt(2 * math.pi)))) < 1e-2


def test_langevin6_derivative_numerically():
    h = np.array([0.3, 2.0, 9.0])
    d = (mf.langevin6(h + 1e-6) - mf.langevin6(h - 1e-6)) / 2e-6
    np.testing.assert_allclose(mf._bevzenko_lubchenko.langevin6_derivative(h), d, rtol=1e-6)


def test_single_site_limits():
    # phi g = 0.05 uses the Bessel function itself; the remainder is the z^4/1152 term
    diff = mf.single_site_free_energy(0.1, 0.5, 1.0) - mf.single_site_small_field(0.1, 0.5, 1.0)
    assert diff == pytest.approx(0.05**4 / 1152, rel=1e-3)
    g = np.array([60.0, 90.0])
    exact = mf.single_site_free_energy(g, g, 1.0)
    corrected = mf.single_site_large_field(g, g, 1.0)
    printed = mf.single_site_large_field(g, g, 1.0, as_printed=True)
    assert np.abs(exact - corrected).max() < 0.05
    assert abs(np.ptp(exact - printed)) > 1.0  # Eq. (16) misses half of the logarithm
    assert mf.critical_g(2.0) ** 2 == pytest.approx(12.0)
    assert mf.small_g_free_energy(1e-3) / 1e-6 == pytest.approx(0.25, rel=1e-6)


@pytest.mark.parametrize("t,jc,js", [(0.05, 1.0, 0.83), (0.1, 1.0, 1.5), (0.2, 1.5, 1.0), (0.12, 0.9, 1.0)])
def test_mean_field_state_is_the_global_minimum(t, jc, js):
    st = mf.mean_field_state(t, jc, js)
    hc, hs, gmin = mf.mean_field_minimum_numerical(t, jc, js)
    assert abs(st.free_energy / t - gmin) < 1e-8
    assert abs(abs(st.h_c) - hc) < 1e-3 and abs(st.h_s - hs) < 1e-3
    # only the larger coupling orders
    assert (st.m_shear == 0) if jc > js else (st.m_compression == 0)


def test_curie_temperature_and_continuity():
    tc = mf.curie_temperature(0.8, 1.2)
    assert tc == pytest.approx(0.2)
    assert mf.mean_field_state(tc * 1.001, 0.8, 1.2).m_shear == 0.0
    m_below = mf.mean_field_state(tc * 0.999, 0.8, 1.2).m_shear
    assert 0 < m_below < 0.1  # continuous transition
    a2, a4 = mf.landau_coefficients(6.0)
    assert a2 == pytest.approx(0.0) and a4 == pytest.approx(1 / 1152)


def test_heat_capacity_is_du_dt_and_jumps_by_four():
    jc, js = 1.0, 0.6
    for t in (0.05, 0.1, 0.15):
        h = 1e-5
        du = (mf.mean_field_state(t + h, jc, js).energy - mf.mean_field_state(t - h, jc, js).energy) / (2 * h)
        assert mf.mean_field_state(t, jc, js).heat_capacity == pytest.approx(du, rel=1e-5)
    assert mf.heat_capacity_jump() == pytest.approx(4.0, abs=1e-4)
    assert mf.mean_field_state(0.2, jc, js).heat_capacity == 0.0


def test_ordering_sector():
    assert mf.ordering_sector(1.2, 1.0) == "compression"
    assert mf.ordering_sector(0.8, 1.0) == "shear"
    assert mf.ordering_sector(1.0, 1.0) == "degenerate"


def test_f_of_g_curvature_and_c_max():
    g0, d2 = mf.f0_second_derivative_min()
    assert g0**2 == pytest.approx(6.0, abs=1e-3)
    assert d2 == pytest.approx(-5 / 3, abs=1e-3)
    assert mf.largest_c_with_nonconcave_f() == pytest.approx(5 / 6, abs=1e-3)
    assert mf.barrier_above_common_tangent(0.9) is None  # convex above c = 5/6
    b = mf.barrier_above_common_tangent(0.05)
    assert 0.5 < b[0] < 2.0


def test_f0_is_quadratic_below_kink():
    g = np.array([0.5, 1.5, 2.4])
    np.testing.assert_allclose(mf.f0_mean_field(g), g**2 / 2, atol=1e-12)


@pytest.mark.parametrize("args", [(0.0, 1.0, 1.0), (-1.0, 1.0, 1.0), (0.1, -1.0, 1.0), (0.1, 1.0, float("nan"))])
def test_bad_mean_field_input(args):
    with pytest.raises(ParameterError):
        mf.mean_field_state(*args)
