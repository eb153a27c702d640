"""Avalanche eigen-analysis (001 Sec. IV, 000 Sec. IV) and its published numbers."""

import numpy as np
import pytest

from tensorglass import avalanche as av
from tensorglass.errors import ParameterError
from tensorglass.materials import builtin_materials
from tensorglass.reference import published


@pytest.mark.parametrize("eps", [0.05, 0.3, 0.58, 0.9, 0.99])
def test_published_averages_are_radius_weighted_averages(eps):
    pub = av.direction_averages_published(eps)
    w = av.direction_averages_radius_weighted(eps)
    for k in pub:
        assert abs(pub[k] - w[k]) < 1e-10


@pytest.mark.parametrize("eps", [0.3, 0.6, 0.9])
def test_published_averages_are_not_the_volume_averages(eps):
    pub = av.direction_averages_published(eps)
    vol = av.direction_averages_volume(eps, 20.0)
    assert abs(pub["nx2"] - vol["nx2"]) > 1e-4


def test_sphere_limit_is_isotropic():
    a = av.direction_averages_published(1e-6)
    assert np.isclose(a["nx2"], 1 / 3) and np.isclose(a["nx4"], 1 / 5) and np.isclose(a["ny2nz2"], 1 / 15)


@pytest.mark.parametrize("eps", [0.2, 0.7])
def test_volume_method_is_consistent_and_independent_of_ell(eps):
    m20 = av.inverse_susceptibility(eps, 0.7, 20.0, "volume")
    m5 = av.inverse_susceptibility(eps, 0.7, 5.0, "volume")
    np.testing.assert_allclose(m20, m5, atol=1e-13)
    np.testing.assert_allclose(m20 - av.elastic_inverse_zhou(0.7), av.volume_average_matrix(eps, 0.7, 20.0), atol=1e-10)


def test_elastic_inverse_is_plain_inverse_of_zhou_stiffness():
    from tensorglass.tensors import IsotropicElasticity
    for alpha in (0.5, 0.7, 0.9):
        med = IsotropicElasticity(1 / np.sqrt(1 - alpha), 1.0)
        np.testing.assert_allclose(np.linalg.inv(med.stiffness_zhou()), av.elastic_inverse_zhou(alpha), atol=1e-12)


@pytest.mark.parametrize("eps", [0.1, 0.5, 0.95])
def test_closed_form_eigenpairs_of_000_eq_4_7(eps):
    m = av.inverse_susceptibility(eps, 0.65, 20.0)
    md = av.decompose(m)
    closed = sorted([md.hard_xy, md.hard_xy, md.hard_symmetric, md.dilation, md.yy_minus_zz, md.shear_yz])
    np.testing.assert_allclose(closed, np.linalg.eigvalsh(m), atol=1e-10)
    v = np.array([md.coeff_dilation, 0, 0, 1, 0, 1])
    np.testing.assert_allclose(m @ v, md.dilation * v, atol=1e-10)
    v = np.array([md.coeff_hard, 0, 0, 1, 0, 1])
    np.testing.assert_allclose(m @ v, md.hard_symmetric * v, atol=1e-10)


def test_eccentricity_and_strain_are_inverse():
    e = np.array([0.0, 0.1, 0.228, 1.44])
    np.testing.assert_allclose(av.strain_from_eccentricity(av.eccentricity_from_strain(e)), e, atol=1e-12)
    assert av.eccentricity_from_strain_000(1.0) > 1  # 000's typo is not an eccentricity


@pytest.mark.parametrize("key,mode,strain", [
    ("001.alpha07.eps1", "dilation", False), ("001.alpha07.eps2", "yy_minus_zz", False),
    ("001.alpha07.eps3", "shear_yz", False), ("001.alpha07.e1", "dilation", True),
    ("001.alpha07.e3", "shear_yz", True)])
def test_001_critical_values_at_alpha_07(key, mode, strain):
    """001 Figs. 6-8 and text, alpha = 0.7, with ln(R/L1) = 20."""
    ref = published(key)
    got = (av.critical_strains if strain else av.critical_eccentricities)(0.7, 20.0)[mode]
    assert abs(got - ref["published"]) <= ref["tolerance"], (key, got)


def test_001_table_rows_with_consistent_alpha_are_reproduced():
    """001 Sec. IV table, ln(R/L1) = 20: every row whose printed alpha equals
    1 - c_t^2/c_l^2 of its printed velocities is reproduced to the printed digits."""
    checked = 0
    for m in builtin_materials():
        if not m.in_001_table:
            continue
        ref_alpha = published(f"001.table.{m.name}.alpha")
        if abs(m.alpha - ref_alpha["published"]) > ref_alpha["tolerance"]:
            continue
        got = av.critical_strains(m.alpha, 20.0)
        for tag, mode in (("e_crit1", "dilation"), ("e_crit2", "yy_minus_zz"), ("e_crit3", "shear_yz")):
            ref = published(f"001.table.{m.name}.{tag}")
            assert abs(got[mode] - ref["published"]) <= ref["tolerance"], (m.name, tag, got[mode])
            checked += 1
    assert checked >= 12


def test_001_table_rows_follow_the_printed_alpha():
    for m in builtin_materials():
        if m.in_001_table:
            a = published(f"001.table.{m.name}.alpha")["published"]
            got = av.critical_strains(a, 20.0)
            for tag, mode in (("e_crit1", "dilation"), ("e_crit2", "yy_minus_zz"), ("e_crit3", "shear_yz")):
                ref = published(f"001.table.{m.name}.{tag}")
                assert abs(got[mode] - ref["published"]) <= ref["tolerance"] + 1e-3, (m.name, tag)


def test_001_text_ell_does_not_reproduce_table():
    got = av.critical_strains(0.7, np.log(1e-3 / 50e-10))
    assert abs(got["dilation"] - 0.432) < 0.001 and abs(got["yy_minus_zz"] - 0.325) < 0.001
    assert got["shear_yz"] is None


@pytest.mark.parametrize("method", ["volume", "000", "000-corrected"])
def test_other_readings_never_soften(method):
    assert all(v is None for v in av.critical_eccentricities(0.7, 20.0, method).values())


def test_soft_modes_change_sign_from_positive():
    eps = av.critical_eccentricities(0.7, 20.0)["dilation"]
    before, after = av.soft_eigenvalues(np.array([eps - 1e-4, eps + 1e-4]), 0.7, 20.0)[:, 0]
    assert before > 0 > after


def test_brittle_directions_are_unit_vectors():
    d = av.brittle_directions(0.7, 20.0)
    for v in d.values():
        assert np.isclose(np.linalg.norm(v), 1.0)
    assert d["yy_minus_zz"] == pytest.approx([0, 0, 0, -2**-0.5, 0, 2**-0.5])


@pytest.mark.parametrize("kwargs", [dict(alpha=0.2), dict(alpha=1.0), dict(ell=0.0), dict(ell=-3.0),
                                    dict(method="bogus")])
def test_bad_parameters_raise_one_line_errors(kwargs):
    args = dict(alpha=0.7, ell=20.0, method="published")
    args.update(kwargs)
    with pytest.raises(ParameterError) as exc:
        av.critical_strains(args["alpha"], args["ell"], args["method"])
    assert "\n" not in str(exc.value) and "need" in str(exc.value)


def test_eccentricity_out_of_range():
    with pytest.raises(ParameterError):
        av.direction_averages_published(1.0)
