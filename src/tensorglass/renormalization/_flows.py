"""Real-space renormalisation over super-blocks of N0^3 blocks.

Each step combines N0^3 blocks of side L_n into one of side L_{n+1} = N0 L_n;
``n_steps = log_N0(R/L1) = ell/ln(N0)``.  The flows are iterated step by step
and compared with the closed forms the papers integrate them to.

Representation: the recursions contract index pairs, ``chi_ijmn M_mnpq
chi_pqkl``; with the internal Mandel matrices this contraction *is* the matrix
product.  In Zhou's unweighted notation (which 000/001 write) the plain
product under-counts the off-diagonal pairs; the functions take whatever
matrices they are given and say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError


def _check_steps(n0, ell):
    if not (isinstance(n0, (int, np.integer)) and n0 >= 2):
        raise ParameterError("N0", n0, "an integer N0 >= 2 (blocks per super-block edge)")
    if not (math.isfinite(ell) and ell > 0):
        raise ParameterError("ln_r_over_l1", ell, "ln(R/L1) > 0")
    steps = ell / math.log(n0)
    return int(round(steps)), steps


@dataclass(frozen=True)
class MatrixFlow:
    """History of a 6x6 flow: ``chi[n]`` for n = 0..n_steps, and the closed form."""

    steps: np.ndarray
    chi: np.ndarray
    closed_form: np.ndarray


def super_block_flow(chi_l1, m_per_log, n0: int, ell: float) -> MatrixFlow:
    """Iterate ``chi' = chi - chi M chi`` (000 Eq. 3.7; 001 Eq. 3.3 without its
    irrelevant last term) with ``M = ln(N0) m_per_log`` per step.

    The closed form (000 Eq. 3.8; 001 Eq. 3.8) is
    ``chi^-1(R) = chi^-1(L1) + M log_N0(R/L1) = chi^-1(L1) + m ell``.  The
    discrete recursion agrees with it to first order in ``M chi`` per step:
    ``(chi - chi M chi)^-1 = chi^-1 + M + M chi M + ...``, so the two differ
    at O(ln(N0) ||m chi||) relative and agree as N0 -> 1 (tested).
    ``m_per_log`` is the non-elastic matrix per unit ln(R/L1), e.g.
    ``2 [A..F]`` of 001 Eq. (4.2).
    """
    n, _ = _check_steps(n0, ell)
    mstep = math.log(n0) * np.asarray(m_per_log, dtype=float)
    chi = np.asarray(chi_l1, dtype=float)
    hist = [chi]
    closed = [chi]
    inv0 = np.linalg.inv(chi)
    for k in range(1, n + 1):
        chi = chi - chi @ mstep @ chi
        hist.append(chi)
        closed.append(np.linalg.inv(inv0 + k * mstep))
    return MatrixFlow(np.arange(n + 1), np.array(hist), np.array(closed))


@dataclass(frozen=True)
class RelaxationResonanceFlow:
    steps: np.ndarray
    chi_rel: np.ndarray
    chi_res: np.ndarray

    @property
    def ratio(self):
        """``chi_rel/chi_res`` (scalar flows) or eigen-wise for commuting matrices."""
        return self.chi_rel / self.chi_res


def relaxation_resonance_flow(chi_rel, chi_res, m_step, n_steps: int) -> RelaxationResonanceFlow:
    """Iterate the split recursion of 001 Eq. (3.2)/(3.3) (= 000 Eq. 3.2):

        rel' = rel - rel M (rel + 2 res)                 (001 Eq. 3.2)
        res' = res - res M res - (res M rel - rel M res) (from Eq. 3.3 minus 3.2)

    For scalars (or commuting matrices) the second is ``res' = res - M res^2``.
    The increment of ``chi_rel`` vanishes where ``chi_rel = -2 chi_res``, which
    001 Eq. (3.4) calls a stable fixed point.  It is not a fixed point of the
    joint flow: with ``q = rel/res`` and ``tau = ln(1 + M res_0 l)`` the
    continuum flow is ``dq/dtau = -q (q + 1)``, whose fixed points are q = 0
    and q = -1 (:func:`relaxation_resonance_ratio_flow`).
    Works on scalars or on 6x6 matrices.
    """
    if not (isinstance(n_steps, (int, np.integer)) and n_steps >= 1):
        raise ParameterError("n_steps", n_steps, "an integer >= 1")
    rel = np.asarray(chi_rel, dtype=float)
    res = np.asarray(chi_res, dtype=float)
    m = np.asarray(m_step, dtype=float)
    mat = rel.ndim == 2
    mul = (lambda a, b: a @ b) if mat else (lambda a, b: a * b)
    rels, ress = [rel], [res]
    with np.errstate(over="ignore", invalid="ignore"):
        _iterate_split(rel, res, m, n_steps, mul, rels, ress)
    return RelaxationResonanceFlow(np.arange(n_steps + 1), np.array(rels), np.array(ress))


def _iterate_split(rel, res, m, n_steps, mul, rels, ress):
    """The loop of :func:`relaxation_resonance_flow`; a flow that runs away
    (|q| -> infinity) leaves inf/nan in the history, which callers inspect."""
    for _ in range(n_steps):
        rel_new = rel - mul(mul(rel, m), rel + 2 * res)
        res_new = res - mul(mul(res, m), res) - (mul(mul(res, m), rel) - mul(mul(rel, m), res))
        rel, res = rel_new, res_new
        rels.append(rel)
        ress.append(res)


def relaxation_resonance_ratio_flow(q0, tau):
    """Closed-form solution of ``dq/dtau = -q(q+1)``:
    ``q(tau) = q0 / ((1 + q0) e^tau - q0)``.  Fixed points 0 and -1; for
    ``M chi_res > 0`` (tau increasing) q -> 0 from any q0 > -1, so
    ``chi_rel/chi_res`` does not flow to -2."""
    tau = np.asarray(tau, dtype=float)
    return q0 / ((1 + q0) * np.exp(tau) - q0)


def relaxation_stationary_ratio() -> float:
    """The ratio at which the increment of 001 Eq. (3.2) vanishes: rel + 2 res = 0."""
    return -2.0


def dyson_resonance(chi_res_bare_inverse, chi_el_inverse):
    """001 Eq. (3.9): ``(chi_res)^-1 = (chi_res)_0^-1 - (chi_el)^-1``."""
    return np.asarray(chi_res_bare_inverse, float) - np.asarray(chi_el_inverse, float)


def dyson_total_inverse(m_log, chi_el_inverse):
    """001 Eq. (3.8) with (3.10): at the point chi_rel = -2 chi_res the total
    non-elastic ``chi = -chi_res``; with ``(chi_res)_0^-1 = -M log_N0(R/L1)``
    this gives ``chi^-1 = M log_N0(R/L1) + (chi_el)^-1``."""
    chi_res_inv = dyson_resonance(-np.asarray(m_log, float), chi_el_inverse)
    return -chi_res_inv


@dataclass(frozen=True)
class ImChiFlow:
    """Flow of ``Im chi~_l`` and ``Im chi~_t`` (002 Eq. 4.1) and its closed form."""

    steps: np.ndarray
    im_chi_l: np.ndarray
    im_chi_t: np.ndarray
    closed_l: np.ndarray
    closed_t: np.ndarray
    target_ratio: float  # c_l^2/c_t^2

    @property
    def ratio(self):
        return self.im_chi_l / self.im_chi_t

    @property
    def gamma_ratio(self):
        """``gamma_l/gamma_t = sqrt(Im chi_l/Im chi_t)`` (002 Eq. 4.6 with 2.11)."""
        return np.sqrt(self.ratio)


def im_chi_flow(alpha: float, k_ratio: float, im_chi_l1_l: float, im_chi_l1_t: float,
                n0: int, ell: float, k_l_over_k_t: float = 1.0) -> ImChiFlow:
    """Iterate 002 Eq. (4.1),
    ``Im chi(L_{n+1}) = Im chi(L_n) + (2 ln N0/(rho c^2)) K [Im chi(L_n)]^2``,
    for both polarisations, in units ``rho c_t^2 = 1`` (so ``rho c_l^2 =
    1/(1-alpha)``), with ``K_t = k_ratio < 0`` and ``K_l = k_l_over_k_t K_t``.

    002 Eq. (4.6), ``Im chi_l/Im chi_t = c_l^2/c_t^2``, needs two assumptions:
    ``K_l = K_t`` and ``2|K| ell >> rho c^2/Im chi(L1)``.  The closed form
    (002 Eq. 4.3) gives the approach:
    ``ratio = (c_l^2/c_t^2) (1 + c_t^2/(2|K| ell x_t)) / (1 + c_l^2/(2|K| ell x_l))``,
    an O(1/(|K| ell)) correction.
    """
    from ..tensors import check_alpha
    alpha = check_alpha(alpha)
    if not (math.isfinite(k_ratio) and k_ratio < 0):
        raise ParameterError("K", k_ratio, "K = Re chi/Im chi < 0 (002 Sec. 4: the flow converges only for K < 0)")
    for nm, v in (("im_chi_l1_l", im_chi_l1_l), ("im_chi_l1_t", im_chi_l1_t)):
        if not (math.isfinite(v) and v > 0):
            raise ParameterError(nm, v, f"{nm} > 0 (Im chi~ is positive in 002's sign convention)")
    n, _ = _check_steps(n0, ell)
    cl2 = 1.0 / (1.0 - alpha)
    a_t = 2 * math.log(n0) * k_ratio
    a_l = 2 * math.log(n0) * k_ratio * k_l_over_k_t / cl2
    for nm, a, x in (("l", a_l, im_chi_l1_l), ("t", a_t, im_chi_l1_t)):
        if abs(a) * x >= 1.0:
            raise ParameterError(
                "K", k_ratio,
                f"2 ln(N0) |K| Im chi(L1)/(rho c^2) < 1 for the perturbative step of 002 Eq. (4.1) "
                f"(polarisation {nm}: {abs(a) * x:.3g})", "use a smaller |K|, Im chi(L1) or N0")
    xl, xt = [im_chi_l1_l], [im_chi_l1_t]
    for _ in range(n):
        xl.append(xl[-1] + a_l * xl[-1] ** 2)
        xt.append(xt[-1] + a_t * xt[-1] ** 2)
    steps = np.arange(n + 1)
    closed_l = 1.0 / (1.0 / im_chi_l1_l - a_l * steps)
    closed_t = 1.0 / (1.0 / im_chi_l1_t - a_t * steps)
    return ImChiFlow(steps, np.array(xl), np.array(xt), closed_l, closed_t, cl2)


def im_chi_ratio_closed_form(alpha, k_abs_ell, x_l, x_t):
    """002 Eq. (4.3) at scale R: ``Im chi_l/Im chi_t`` as a function of
    ``|K| ell`` and the starting values (units rho c_t^2 = 1)."""
    cl2 = 1.0 / (1.0 - alpha)
    return (1.0 / x_t + 2 * k_abs_ell) / (1.0 / x_l + 2 * k_abs_ell / cl2)
