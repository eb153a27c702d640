"""Checks of 001: D. Zhou, Real Space Renormalization (Jan 2023 version): avalanches and critical strains."""

from __future__ import annotations

import math

import numpy as np

from ... import avalanche as av
from ... import renormalization as rg
from ...tensors import IsotropicElasticity, tensor4_to_zhou
from ...tensors import mandel_to_tensor4 as _mandel_to_tensor4
from .common import (
    ABSOLUTE,
    ELL_001_TEXT,
    ELL_TABLE,
    RHO_BK7,
    RHO_SIO2,
    count_sign_changes,
    critical_length,
    critical_length_tolerance,
    no_value,
)


def c_001_alpha07_eps1(ctx, e):
    """001 Fig. 6: critical eccentricity 1 at alpha = 0.7 (``001.alpha07.eps1``)."""
    return ctx.alpha07(e, "dilation", False)


def c_001_alpha07_eps2(ctx, e):
    """001 Fig. 7: critical eccentricity 2 at alpha = 0.7 (``001.alpha07.eps2``)."""
    return ctx.alpha07(e, "yy_minus_zz", False)


def c_001_alpha07_eps3(ctx, e):
    """001 Fig. 8: critical eccentricity 3 at alpha = 0.7 (``001.alpha07.eps3``)."""
    return ctx.alpha07(e, "shear_yz", False)


def c_001_alpha07_e1(ctx, e):
    """001 Sec. IV text: critical strain e1 at alpha = 0.7 (``001.alpha07.e1``)."""
    return ctx.alpha07(e, "dilation", True)


def c_001_alpha07_e2(ctx, e):
    """001 Sec. IV text: critical strain e^(2) = 0.178 at alpha = 0.7 (``001.alpha07.e2``).

    The paper derives the strain from its printed eccentricity 0.529; the
    tolerance carries that rounding: |de/deps| x 0.0005 plus half a unit of 0.178."""
    eps, strains = ctx.crit_alpha07
    val = strains["yy_minus_zz"]
    x = eps["yy_minus_zz"]
    slope = x / (1.0 - x * x) ** 1.5  # de/deps of e = 1/sqrt(1 - eps^2) - 1 (001 Sec. II D)
    tol = {"tolerance": slope * 0.0005 + 0.0005, "tolerance_kind": ABSOLUTE,
           "tolerance_source": (f"input rounding: the eccentricity printed to 3 decimals moves e by {slope * 0.0005:.2g}, "
                                "plus half a unit of the printed strain (0.0005)")}
    note = (f"the unrounded crossing eps = {x:.4f} gives e = {val:.4f}; 0.178 is reachable within the rounding of the "
            "printed eccentricity 0.529 from which the paper computes it")
    return val, note, tol


def c_001_alpha07_e3(ctx, e):
    """001 Sec. IV text: critical strain e3 at alpha = 0.7 (``001.alpha07.e3``)."""
    return ctx.alpha07(e, "shear_yz", True)


def c_001_range(ctx, e):
    """001 abstract and Sec. V: the observable critical strains e^(1), e^(2) of the 12 materials lie in 0.15-0.25 (``001.range``)."""
    return _observable_range(ctx), (f"smallest and largest e^(1), e^(2) of the 12 materials at ln(R/L1) = {ctx.ell:.3g}, method as "
                      "published; e^(3) lies above 1")


def _observable_range(ctx):
    """Smallest and largest e^(1), e^(2) over the 12 materials of 001's table."""
    vals = [v for d in ctx.crit_by_material.values() for k, v in d.items() if k != "shear_yz"]
    if any(v is None for v in vals):
        return no_value(f"a material's e^(1) or e^(2) does not cross below eps = 1 at ln(R/L1) = {ctx.ell:.3g}")
    return [min(vals), max(vals)]


def c_001_ell(ctx, e):
    """001 Sec. IV text: ln(R/L1) for R = 1 mm, L1 = 50 A ('approximately 12') (``001.ell``)."""
    c12 = av.critical_strains(0.7, ELL_001_TEXT)
    return ELL_001_TEXT, (
        f"ln(1 mm/50 A) = {ELL_001_TEXT:.2f} as stated, but 001's table and critical values are reproduced only "
        f"with ln(R/L1) = 20 (000's R = 1 m); with {ELL_001_TEXT:.1f} the crossings move to e = "
        f"{c12['dilation']:.3f} and {c12['yy_minus_zz']:.3f}, and the yz mode does not cross: a parameter the text "
        "misstates")


def c_001_fig3(ctx, e):
    """001 Fig. 3: C'^-1 at eps = 0, 'order 0.1 rho c_t^2' (``001.fig3``)."""
    v = ctx.fig_eigen_at_zero("hard_xy")
    return v, ctx.FIG_NOTE.format(val=v)


def c_001_fig6(ctx, e):
    """001 Fig. 6: the fourth eigenvalue at eps = 0, '~0.6 rho c_t^2' (``001.fig6``)."""
    v = ctx.fig_eigen_at_zero("dilation")
    return v, ctx.FIG_NOTE_SHORT.format(val=v)


def c_001_fig7(ctx, e):
    """001 Fig. 7: the fifth eigenvalue (D'-E')^-1 at eps = 0, '~0.2 rho c_t^2' (``001.fig7``)."""
    v = ctx.fig_eigen_at_zero("yy_minus_zz")
    return v, ctx.FIG_NOTE_SHORT.format(val=v)


def c_001_fig8(ctx, e):
    """001 Fig. 8: the sixth eigenvalue F'^-1 at eps = 0, '~0.1 rho c_t^2' (``001.fig8``)."""
    v = ctx.fig_eigen_at_zero("shear_yz")
    return v, ctx.FIG_NOTE_SHORT.format(val=v)


def c_001_fig4(ctx, e):
    """001 Fig. 4: the third eigenvalue 2/(A'+D'+E'+sqrt(Delta)) from eps = 0 to 1, '0.2 to 0.02' (``001.fig4``)."""
    eps, md = ctx.modes_curve
    v = 1.0 / np.array([m.hard_symmetric for m in md])
    return [float(v[0]), float(v[-1])], (
        "positive throughout, as published; 10x above the printed range, as in Figs. 3, 6-8 (2/ell factor)")


def c_001_fig5(ctx, e):
    """001 Fig. 5: the third eigenvector's coefficient stays between -2 and -6 (``001.fig5``)."""
    _, md = ctx.modes_curve
    c = np.array([m.coeff_hard for m in md])
    return [float(c.max()), float(c.min())], "negative for all eps in [0, 1), as published; largest and smallest value"


def c_001_fig9(ctx, e):
    """001 Fig. 9: the sixth eigenvector's coefficient stays between 0.4 and 1 (``001.fig9``)."""
    eps, md = ctx.modes_curve
    c = np.array([m.coeff_dilation for m in md])
    i = int(np.argmin(c))
    return [float(c.min()), float(c.max())], (
        f"positive for all eps, as published, but its minimum is {c.min():.2f} (at eps = {eps[i]:.2f}), below the "
        "printed lower end 0.4; the value at the critical eccentricity 0.580 is "
        f"{av.modes(ctx.crit_alpha07[0]['dilation'], 0.7, ctx.ell).coeff_dilation:.2f}; a minor plotting discrepancy")


def c_001_eq3_4(ctx, e):
    """001 Eq. (3.4): the stable fixed point chi_rel/chi_res = -2 of the relaxation/resonance flow (``001.eq3.4``)."""
    flow = rg.relaxation_resonance_flow(-2.0, 1.0, 1e-3, 3000)
    q = flow.ratio
    runaway = int(np.argmax(~np.isfinite(q) | (np.abs(q) > 1e3)))
    flow2 = rg.relaxation_resonance_flow(-0.5, 1.0, 1e-3, 20000)
    return float(flow2.ratio[-1]), (
        "error in the paper: -2 makes the increment of chi_rel in Eq. (3.2) vanish, but chi_res flows too "
        "(Eq. 3.3 minus 3.2 gives res' = res - M res^2). For q = chi_rel/chi_res the joint flow is "
        "dq/dtau = -q(q+1), tau = ln(1 + M chi_res0 l): fixed points 0 (stable) and -1, not -2. Iterating from q = -2 "
        f"(M chi_res = 1e-3) the ratio runs away (|q| > 1e3 after {runaway} steps); the computed value is where q = -0.5 "
        "flows after 20000 steps, towards 0")


def c_001_eq3_6(ctx, e):
    """001 Eq. (3.6): L_c < (hbar omega_c/rho c^2)^(1/3) ~ 27 A, omega_c ~ 1e15 (``001.eq3.6``)."""
    m = ctx.materials["a-SiO2"]
    v = critical_length(RHO_SIO2, m.c_t * 1e3)
    tol = critical_length_tolerance(e["tolerance"], RHO_SIO2, m.c_t * 1e3, None, 50.0, 5.0)
    return v, (
        f"the text gives no rho or c; with a-SiO2's rho = 2.2 g/cm^3 and c_t = 3.80 km/s the bound is {v:.2f} A "
        f"({critical_length(RHO_BK7, 3.8e3):.2f} A with BK7's density). 000 prints 4.6 A for the same formula: the two "
        "versions disagree and neither follows from stated parameters; the conclusion L_c < L1 = 50 A holds either way"), tol


def c_001_eq4_5(ctx, e):
    """001 Eq. (4.4)-(4.5): the closed-form averages equal the 1/r^3 volume averages of Eq. (4.4) (``001.eq4.5``)."""
    eps = 0.5
    pub_ = av.direction_averages_published(eps)
    vol = av.direction_averages_volume(eps, ELL_TABLE)
    w = av.direction_averages_radius_weighted(eps)
    dev = max(abs(pub_[k] - w[k]) for k in pub_)
    eps_v = av.critical_eccentricities(0.7, ELL_TABLE, "volume")
    return float(pub_["nx2"] - vol["nx2"]), (
        "error in the paper: the closed forms equal angular averages weighted by 1/r_max(n) (agreement "
        f"{dev:.1e}), not the 1/r^3 volume averages Eq. (4.4) defines (at eps = {eps}, ell = 20: <n_x^2> = "
        f"{pub_['nx2']:.4f} vs {vol['nx2']:.4f}). With the averages as defined, the non-elastic matrix does not "
        "depend on L1 or R and "
        + ("no eigenvalue changes sign below eps = 1" if all(v is None for v in eps_v.values()) else
           "the crossings move to eps = " + ", ".join(f"{v:.3f}" for v in eps_v.values() if v is not None)))


def c_001_eq4_6(ctx, e):
    """001 Eq. (4.6): inverse elastic susceptibility = plain inverse of Eq. (2.10)'s unweighted 6x6 matrix (``001.eq4.6``)."""
    alpha = 0.7
    med = IsotropicElasticity(1 / math.sqrt(1 - alpha), 1.0)
    plain = np.linalg.inv(med.stiffness_zhou())
    err = float(np.abs(plain - av.elastic_inverse_zhou(alpha)).max())
    shear_compliance = float(tensor4_to_zhou(_mandel_to_tensor4(med.compliance_mandel()))[1, 1])
    return err, (
        "Eq. (4.6) is the plain matrix inverse of the unweighted 6x6 form of Eq. (2.10). Convention note: this is "
        f"not the tensor compliance (its shear entries are 1/mu where the compliance has {shear_compliance:.3g}/mu "
        "per unweighted component); the published method is reproduced with Zhou's convention as printed")


def c_001_primes(ctx, e):
    """001 Sec. IV below Eq. (4.6): C' = C + alpha/(4alpha-1)/(2 ell) as printed (``001.primes``).

    Computed: the shear (xy) entry of (chi_el)^-1 of Eq. (4.6), which is what C' must add."""
    val = float(av.elastic_inverse_zhou(0.7)[1, 1])
    return val, ("typo: the shear entries of (chi_el)^-1 are 1, so C' = C + 1/(2 ell); the second 'B' = F + ...' must "
                 "read D' = D + alpha/(4alpha-1)/(2 ell); with these the table is reproduced")


def c_001_eq4_1_norm(ctx, e):
    """001 Eq. (4.1) vs 000 Eq. (4.1): normalisation of M, 1/(2 pi rho c_t^2) against 1/(8 pi rho c_t^2) (``001.eq4.1.norm``)."""
    return None, (
        "a convention, not a result: 001 Eq. (3.7) has M = L^3[-2 sum Lambda] and Eq. (4.1) 1/(2 pi rho c_t^2); 000 Eq. "
        "(3.6) has -sum Lambda and Eq. (4.1) 1/(8 pi rho c_t^2). Only 001's normalisation, with its elastic term, "
        "reproduces 001's numbers (001.table)")


def c_001_eccentricity(ctx, e):
    """001 Sec. II D: eccentricity of a sphere stretched by e_xx = e, sqrt(e^2+2e)/(1+e), at e = 0.3 (``001.eccentricity``).

    Computed from the definition: semi-axes (1.3, 1, 1), sqrt(1 - (b/a)^2), and through av.eccentricity_from_strain."""
    axes = np.sort(np.linalg.eigvalsh(np.diag([1.3, 1.0, 1.0])))
    direct = math.sqrt(1.0 - (axes[0] / axes[-1]) ** 2)
    lib = float(av.eccentricity_from_strain(0.3))
    return direct, f"geometry: semi-axes 1.3, 1, 1; the package's eccentricity_from_strain gives {lib:.6f}"


def c_001_eq3_10(ctx, e):
    """001 Eq. (3.9)-(3.10): Dyson step at chi_rel = -2 chi_res (``001.eq3.10``)."""
    alpha = 0.7
    m_log = 40.0 * av.zhou_matrix_from_abcdef(av.abcdef(av.direction_averages_published(0.5), alpha))
    el = av.elastic_inverse_zhou(alpha)
    err = float(np.abs(rg.dyson_total_inverse(m_log, el) - av.inverse_susceptibility(0.5, alpha, 20.0)).max())
    return err, ("algebraically consistent given the premise chi_rel = -2 chi_res, which the flow does not support "
                 "(see 001.eq3.4)")


def table_001(ctx, e):
    """001 Sec. IV table: alpha = 1 - c_t^2/c_l^2 from the printed velocities and the three critical strains
    (001 Eqs. 4.3-4.7 with the closed-form averages of Eq. 4.5, ln(R/L1) = 20)."""
    return ctx.table_avalanche(e, e.get("kind"))


TABLES = {"001.table.": table_001}


def c_001_experiment_range(ctx, e):
    """001 Sec. IV: the critical strains 'agree' with measured ones 'of order 0.1 ~ 0.3' (``001.experiment_range``)."""
    return _observable_range(ctx), ("the smallest and largest computed e^(1), e^(2) of the 12 materials; but see the external comparison: metallic glasses yield "
                          "at a shear strain near 0.027, far below, and the cited experiments are at room temperature, "
                          "outside the T < 60 K range of the theory (000.sec1.temperature)")


def c_001_alpha_average(ctx, e):
    """001 Sec. IV: 'the average value of alpha = 0.7' (``001.alpha_average``)."""
    a = np.array([m.alpha for m in ctx.materials.values() if m.in_001_table])
    return float(a.mean()), (f"mean of 1 - c_t^2/c_l^2 over the 12 materials of the table (from the printed velocities; "
                             f"range {a.min():.3f}-{a.max():.3f})")


def c_001_chi_order(ctx, e):
    """001 Sec. IV (end): chi ~ rho c^2/ln(R/L1) is 'one order of magnitude smaller' than chi_el for ln ~ 12 (``001.chi_order``)."""
    return math.log10(1.0 / ELL_001_TEXT), f"1/ln(1 mm/50 A) = 1/{ELL_001_TEXT:.1f}"


def c_001_alpha_sensitivity(ctx, e):
    """001 Sec. IV: the critical strains are 'not very sensitive' to alpha (``001.alpha_sensitivity``)."""
    h = 0.01
    up, dn = av.critical_strains(0.7 + h, ctx.ell), av.critical_strains(0.7 - h, ctx.ell)
    el = {k: (math.log(up[k]) - math.log(dn[k])) / (math.log(0.7 + h) - math.log(0.7 - h)) if up[k] and dn[k] else
          float("nan") for k in up}
    val = el["dilation"]
    return val, (f"d ln e/d ln alpha at alpha = 0.7 (central difference): {el['dilation']:.2f} (e^(1)), "
                 f"{el['yy_minus_zz']:.2f} (e^(2)), {el['shear_yz']:.2f} (e^(3)); across the table's alpha = 0.57-0.75 "
                 "e^(1) moves by a few percent")


def c_001_sec4_crossing(ctx, e):
    """001 Sec. IV, Figs. 3-8: three eigenvalues change sign, three stay positive (``001.sec4.crossing``)."""
    pos, cross, _ = count_sign_changes("published")
    return cross, f"method as published, alpha = 0.7, ell = 20: {cross} sign changes, {pos} eigenvalues stay positive"
