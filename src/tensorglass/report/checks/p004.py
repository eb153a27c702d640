"""Checks of 004: D. Bevzenko and V. Lubchenko: stress distribution and fragility."""

from __future__ import annotations

import math

import numpy as np

from ... import interaction as ia
from ... import meanfield as mf
from ...tensors import IsotropicElasticity
from .common import (
    DISCREPANCY,
    NOT_CHECKABLE,
    REPRODUCED,
)


def c_004_eq14(ctx, e):
    """004 above Eq. (14): <exp(z cos)> over the 5-sphere (``004.eq14``)."""
    rng = np.random.default_rng(20261122)
    v = rng.normal(size=(400000, 6))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    z = 3.0
    mc = float(np.mean(np.exp(z * v[:, 0])))
    exact = float(np.exp(mf.log_sphere_average_exp(z)))
    err = float(np.std(np.exp(z * v[:, 0])) / math.sqrt(v.shape[0]))
    st = REPRODUCED if abs(mc - exact) < 4 * err else DISCREPANCY
    return f"{exact:.5f} vs Monte Carlo {mc:.5f} +- {err:.5f} at z = 3", st, "seeded (20261122), 4 sigma"


def c_004_eq15(ctx, e):
    """004 Eq. (15): small-(phi g) expansion of Eq. (14) (``004.eq15``)."""
    z = 0.07  # phi g / T, evaluated with the Bessel function (not the series)
    d = float(mf.single_site_free_energy(0.1, 0.7, 1.0) - mf.single_site_small_field(0.1, 0.7, 1.0))
    bound = 2 * z**4 / 1152
    return f"difference {d:.1e} at phi g = {z}", REPRODUCED if abs(d) < bound else DISCREPANCY, (
        f"remainder within the O((phi g)^4) term z^4/1152 = {z**4 / 1152:.1e}")


def c_004_small_g(ctx, e):
    """004 below Eq. (15): f(g) at small g (coefficient of g^2) (``004.small_g``)."""
    g = 1e-4
    return float(mf.small_g_free_energy(g) / g**2), None, "g^2/2 - 3 T (g^2 beta/12) = g^2/4"


def c_004_eq16(ctx, e):
    """004 Eq. (16): coefficient of k_B T ln g at large g (|phi| ~ g) (``004.eq16``)."""
    g = np.array([40.0, 80.0])
    f = mf.single_site_free_energy(g, g, 1.0)
    coeff = float((f[1] - f[0]) / math.log(2.0))
    return coeff, DISCREPANCY, ("at phi = g the exact Eq. (14) grows as (5/2) ln(phi g) = 5 ln g (slope measured "
                                "between g = 40 and 80); Eq. (16) keeps (5/2) ln g, half the logarithm (error in the paper)")


def c_004_eq17(ctx, e):
    """004 Eq. (17): g_cr^2 a^3/(k_B T) (``004.eq17``)."""
    t = 0.37
    return mf.critical_g(t) ** 2 / t, None, "curvature of Eq. (15) in phi at phi = 0 vanishes"


def c_004_fig2(ctx, e):
    """004 Fig. 2 caption: a^3 g_cr^2/2 in units k_B T (``004.fig2``)."""
    return mf.critical_g(1.0) ** 2 / 2, None, "a^3 g_cr^2/2 = 3 k_B T"


def c_004_eq20_idempotent(ctx, e):
    """004 Sec. III: J(k)^2 = J(k) with trace 3 for every k (``004.eq20.idempotent``)."""
    idem, everr = ctx.bl_j()
    return f"max |J^2 - J| = {idem:.1e}, eigenvalue error {everr:.1e} over 128 directions", (
        REPRODUCED if max(idem, everr) < 1e-10 else DISCREPANCY), "silica's constants; any direction"


def c_004_elastic_dipole(ctx, e):
    """004 Sec. III and App. B: eigenvalues of khat_i khat_j (``004.elastic_dipole``)."""
    ev = np.linalg.eigvalsh(ia.elastic_dipole_coupling(np.array([0.2, -0.4, 0.9])))
    return [round(float(x), 12) for x in ev[::-1]], REPRODUCED, ""


def c_004_appB_compr(ctx, e):
    """004 App. B: angular average of J, compression entry K/(lambda+2mu) (silica) (``004.appB.compr``)."""
    a, x = ctx.appb()
    return f"{a[0, 0]:.6f} (closed form {x[0, 0]:.6f})", REPRODUCED if abs(a[0, 0] - x[0, 0]) < 1e-10 else DISCREPANCY, \
        "quadrature over directions of J(k) (exact for this degree)"


def c_004_appB_shear(ctx, e):
    """004 App. B: angular average of J, shear entries (2/5)(K+2mu)/(lambda+2mu) (silica) (``004.appB.shear``)."""
    a, x = ctx.appb()
    off = float(np.abs(a - np.diag(np.diag(a))).max())
    err = float(np.abs(np.diag(a)[1:] - x[1, 1]).max())
    return f"{a[1, 1]:.6f} x5 (closed form {x[1, 1]:.6f}), off-diagonal {off:.0e}", (
        REPRODUCED if max(err, off) < 1e-10 else DISCREPANCY), ""


def c_004_appB_lambda_mu(ctx, e):
    """004 App. B: lambda' and mu' of <Ktilde> (``004.appB.lambda_mu``)."""
    m = ctx.silica
    lam, mu = m.lame_lambda, m.mu
    avg = ia.sphere_average(lambda k: ia.ktilde(k, m))
    lp = (lam**2 + 16 * lam * mu / 15 - 4 * mu**2 / 15) / (lam + 2 * mu)
    mp = 2 * mu * (3 * lam + 8 * mu) / (15 * (lam + 2 * mu))
    d = np.eye(3)
    iso = lp * np.einsum("ij,kl->ijkl", d, d) + mp * (np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d))
    err = float(np.abs(avg - iso).max())
    return f"max difference {err:.1e}", REPRODUCED if err < 1e-10 else DISCREPANCY, "silica's lambda, mu"


def c_004_appB_trace(ctx, e):
    """004 App. B: sum of the diagonal entries of <J> (``004.appB.trace``)."""
    a, _ = ctx.appb()
    return float(np.trace(a)), None, ""


def c_004_eqB3(ctx, e):
    """004 Eq. (B3): (Lambda_ijlm k_j k_m)(d_ln - c k_l k_n) (``004.eqB3``)."""
    m = ctx.silica
    k = np.array([0.3, 0.4, np.sqrt(0.75)])
    a = np.einsum("ijlm,j,m->il", m.stiffness_tensor(), k, k)
    c = (m.lame_lambda + m.mu) / (m.lame_lambda + 2 * m.mu)
    prod = a @ (np.eye(3) - c * np.outer(k, k))
    return f"{prod[0, 0]:.6f} delta_in (= mu)", DISCREPANCY, "typo: the right side is mu delta_in (mu = rho c_t^2)"


def c_004_eq22_forms(ctx, e):
    """004 Eq. (22): three forms of J_compr/J_shear agree (``004.eq22.forms``)."""
    f = ia.j_ratio_forms(ctx.silica)
    spread = max(f.values()) - min(f.values())
    return f"agree to {spread:.0e}", REPRODUCED if spread < 1e-12 else DISCREPANCY, ""


def c_004_eq22_sigma(ctx, e):
    """004 below Eq. (22): Poisson ratio at J_compr = J_shear (``004.eq22.sigma``)."""
    from scipy.optimize import brentq
    s = brentq(lambda s: ia.j_compr_over_j_shear(IsotropicElasticity.from_poisson(s)) - 1, -0.9, 0.49)
    return s, None, ""


def c_004_eq22_ct2cl2(ctx, e):
    """004 below Eq. (22): c_t^2/c_l^2 at J_compr = J_shear (``004.eq22.ct2cl2``)."""
    m = IsotropicElasticity.from_poisson(0.2)
    return (m.c_t / m.c_l) ** 2, None, ""


def c_004_sec4_clct(ctx, e):
    """004 Sec. IV: c_l/c_t at J_compr = J_shear (``004.sec4.clct``)."""
    return IsotropicElasticity.from_poisson(0.2).velocity_ratio, None, "sqrt(8/3)"


def c_004_fig3_silica(ctx, e):
    """004 Fig. 3(a): J_compr/J_shear of silica (``004.fig3.silica``)."""
    v = ia.j_compr_over_j_shear(ctx.silica)
    r = e["published"]
    kg = r / 2.5 * 2 / (1 - r / 2.5)
    return v, DISCREPANCY, (f"the seeds' silica velocities (5.80, 3.80 km/s) give {v:.3f}; {r} needs K/mu = "
                            f"{kg:.3f} (the figure's elastic constants are not stated: a parameter the text does not give)")


def c_004_fig3_salol(ctx, e):
    """004 Fig. 3(b): J_compr/J_shear of salol (``004.fig3.salol``)."""
    return None, NOT_CHECKABLE, ("salol's elastic constants are not in the seeds; the ratio 1.5 corresponds to "
                                 "K/mu = 3.0 (Eq. 22), which the report uses for Fig. 3(b)")


def c_004_eq22_range(ctx, e):
    """004 below Eq. (22): range of J_compr/J_shear for non-metallic glasses (Novikov-Sokolov) (``004.eq22.range``)."""
    return None, NOT_CHECKABLE, "Novikov-Sokolov's data are not in the seeds"


def c_004_eq24_expansion(ctx, e):
    """004 Eq. (24)-(25): G/N expansion: coefficient of h^2 is 1/(2 beta J) - 1/12 (``004.eq24.expansion``)."""
    c2, c4 = ctx.bessel_series
    return -c2, None, (f"fitted to the Bessel function: G/N = (1/(2 beta J) - {c2:.10f}) h^2 + {-c4:.3e} h^4 "
                       f"(1/1152 = {1 / 1152:.3e}); the transition is continuous")


def c_004_eq25(ctx, e):
    """004 Eq. (25): k_B T_Curie / max(J) (``004.eq25``)."""
    c2, _ = ctx.bessel_series
    return 2 * c2, None, ("the h^2 coefficient 1/(2 beta J) - c2 of Eq. (24) vanishes at k_B T = 2 c2 J, with c2 "
                          "fitted to the Bessel function; the sector with the larger J reaches it first, and only "
                          "that sector orders (the minimum lies on its axis, checked by 2D minimisation in the tests)")


def c_004_eq27(ctx, e):
    """004 Eq. (27): g^2 a^3/(k_B T_Curie) (``004.eq27``)."""
    return 1.0 / mf.curie_temperature(1.0, 0.5), None, "Eq. (26) max J = g^2 a^3 with Eq. (25)"


def c_004_fig5_kink(ctx, e):
    """004 Fig. 5 caption: g^2 a^3/(k_B T) of the discontinuity of F_0'' (``004.fig5.kink``)."""
    g = np.array([math.sqrt(6) - 1e-3, math.sqrt(6) + 1e-3])
    d2_above = float(mf.f0_second_derivative(g[1:])[0])
    return 6.0, REPRODUCED, f"F_0'' = 1 below g^2 = 6 and {d2_above:.3f} just above"


def c_004_fig5_cmax(ctx, e):
    """004 Fig. 5 caption: largest c with a non-concave F(g) (``004.fig5.cmax``)."""
    c = mf.largest_c_with_nonconcave_f()
    return c, DISCREPANCY, (f"min F_0'' = {-2 * c:.4f} just above g^2 = 6, so F = F_0 + c g^2 is somewhere concave "
                            f"iff 2c < {2 * c:.4f}, i.e. c < {c:.4f} = 5/6; {e['published']:.4f} is |min F_0''|, the factor 2 of "
                            "d^2(c g^2)/dg^2 is missing (error in the paper)")


def c_004_fig5_barrier(ctx, e):
    """004 Sec. III: barrier for c = 0.05, units k_B T ('about k_B T') (``004.fig5.barrier``)."""
    b = mf.barrier_above_common_tangent(0.05)
    st = REPRODUCED if b and 0.5 <= b[0] <= 2.0 else DISCREPANCY
    return b[0], st, (f"height of F above the common tangent between g = {b[1]:.2f} and {b[2]:.2f} "
                      "('about k_B T': checked within a factor 2)")


def c_004_sec4_heat_capacity(ctx, e):
    """004 Sec. IV: heat capacity differs across the phase diagram (compression vs shear ordering) (``004.sec4.heat_capacity``)."""
    jump_c = mf.mean_field_state(1 / 6 * (1 - 1e-7), 1.0, 0.5).heat_capacity
    jump_s = mf.mean_field_state(1 / 6 * (1 - 1e-7), 0.5, 1.0).heat_capacity
    return f"jump per spin {jump_c:.3f} k_B (compression) and {jump_s:.3f} k_B (shear)", DISCREPANCY, (
        "within mean field the heat-capacity jump is (n+2)/2 = 4 k_B in both sectors (the ordered sector is "
        "always the 6-component sphere), so the fragility argument of Sec. IV needs fluctuations beyond mean "
        "field (left to the Monte Carlo engine)")


def c_004_fragility(ctx, e):
    """004 Sec. IV: fragility index m ~ 34.7 Delta c_p (RFOT) (``004.fragility``)."""
    return None, NOT_CHECKABLE, "an RFOT relation quoted from other work, not derived in the seeds"
