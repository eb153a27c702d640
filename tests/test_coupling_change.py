"""003 Sec. III and V: the coupling changes, their absorption factors, and the exact algebra behind the report.

Independent routes: the sympy sphere moments against numpy quadrature with
numerical derivatives; Eq. (5.3) against a finite-difference derivative of
Eq. (5.2); the printed Eq. (3.5) against the Joffrin-Levelut kernel.
"""

import numpy as np
import pytest
import sympy as sp

import tensorglass.interaction as ia
from tensorglass.report.checks import _symbolic as S
from tensorglass.report.checks.common import printed_half_unit, rounding_range, rounding_tolerance


def test_eq2_17_brace_is_the_directional_derivative():
    rng = np.random.default_rng(3)
    n, m = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    h = 1e-5
    num = (ia.tilde_lambda(n + h * m, 0.4) - ia.tilde_lambda(n - h * m, 0.4)) / (2 * h)
    assert np.abs(num - ia.tilde_lambda_change(n, m, 0.4)).max() < 1e-7


def test_eq5_3_is_the_derivative_of_eq5_2_and_eq5_4_the_moment_change():
    x = np.array([0.4, -1.1, 0.7])
    dx = np.array([0.3, 0.2, -0.5])
    h = 1e-6
    num = (ia.dipole_dipole_coupling(x + h * dx) - ia.dipole_dipole_coupling(x - h * dx)) / (2 * h)
    assert np.abs(num - ia.dipole_coupling_change(x, dx)).max() < 1e-8
    # a uniform stretch u = e x along z changes p_z by e p_z and leaves p_x
    grad = np.diag([0.0, 0.0, 0.01])
    assert np.allclose(ia.dipole_moment_change(grad, [1.0, 2.0, 3.0]), [0.0, 0.0, 0.03])


@pytest.mark.parametrize("kernel", ["A15", "JL"])
def test_sympy_eq3_5_agrees_with_quadrature(kernel):
    tilde = {"A15": ia.tilde_lambda, "JL": ia.joffrin_levelut}[kernel]
    for alpha, x in ((0.0, 0.0), (0.7, 1.3)):
        for pol in "lt":
            exact = float(S.eq3_5_polynomial(kernel, pol).subs({S.ALPHA: alpha, S.X: x}))
            num = ia.coupling_change_absorption_factor(lambda n, a=alpha: tilde(n, a), pol, x)
            assert num == pytest.approx(exact, rel=1e-6)


def test_printed_eq3_5_is_the_joffrin_levelut_kernel_and_not_the_corrected_one():
    """With one common constant (fixed by the longitudinal alpha^0 term), all other eleven printed coefficients
    follow from the JL kernel (A1) exactly; the corrected kernel (A15) misses seven of them."""
    printed = {"l": [55, 176, 688, 44, 176, 176], "t": [35, 112, 656, 28, 112, 112]}
    for kernel, expect in (("JL", True), ("A15", False)):
        scale = sp.Integer(55) / S.coefficients(S.eq3_5_polynomial(kernel, "l"))[0][0]
        same = all(scale * c == p for pol in "lt"
                   for c, p in zip(S.coefficients(S.eq3_5_polynomial(kernel, pol))[0], printed[pol]))
        assert same is expect


def test_eq3_7_ln_term_vanishes_for_kernels_with_zero_angular_average():
    for kernel in ("A15", "JL"):
        for pol in "lt":
            value, largest = S.eq3_7_coefficient(kernel, pol)
            assert value == 0 and largest == 0
    assert S.eq3_7_coefficient("2.15", "t")[0] == -4 * S.ALPHA / 3


def test_eq5_8_ratio_exact_and_numeric_and_not_94_53():
    for kw, rational in ((dict(moment_weight=2), sp.Rational(23, 16)), (dict(moment_weight=0), sp.Rational(11, 7))):
        exact = S.eq5_8_factor("l", **kw) / S.eq5_8_factor("t", **kw)
        assert exact == rational
        num = ia.dipole_absorption_angular_factor("l", **kw) / ia.dipole_absorption_angular_factor("t", **kw)
        assert num == pytest.approx(float(rational), rel=1e-10)
        assert abs(float(exact) - 94 / 53) > 0.1
    # the dipolar part of tildeLambda has the form of mu: the Delta-mu-only ratio is Eq. (3.5)'s at alpha = x = 0
    a15 = {p: S.eq3_5_polynomial("A15", p).subs({S.ALPHA: 0, S.X: 0}) for p in "lt"}
    assert a15["l"] / a15["t"] == sp.Rational(11, 7)


def test_input_rounding_propagation_on_a_known_ratio():
    lo, hi = rounding_range(lambda v: v[0] / v[1], [5.80, 3.80], [0.005, 0.005])
    assert lo == pytest.approx(5.795 / 3.805, abs=1e-15) and hi == pytest.approx(5.805 / 3.795, abs=1e-15)
    tol = rounding_tolerance(lambda v: v[0] / v[1], [5.80, 3.80], [0.005, 0.005], 0.005, "c_l, c_t")
    assert tol["tolerance"] == pytest.approx(5.805 / 3.795 - 5.80 / 3.80 + 0.005, abs=1e-15)
    # first-order branch (more inputs than corners): a linear function is exact
    lo, hi = rounding_range(lambda v: float(np.sum(v)), np.ones(10), 0.01)
    assert (lo, hi) == pytest.approx((9.9, 10.1))
    assert [printed_half_unit(v) for v in (0.745, 1.06, 40, 3.83e-5)] == pytest.approx([5e-4, 5e-3, 0.5, 5e-8])


def test_bad_polarization_is_a_parameter_error():
    from tensorglass.errors import ParameterError
    with pytest.raises(ParameterError):
        ia.dipole_absorption_angular_factor("x")
