"""Checks of 002: D. Zhou, J. Phys.: Condens. Matter 32, 055704 (2020): universal ratio gamma_l/gamma_t."""

from __future__ import annotations

import math

import numpy as np

from ... import gamma_ratio as gr
from ... import renormalization as rg
from ... import susceptibility as sus
from .common import DISCREPANCY, HBAR, KB, REPRODUCED, pub, within


def c_002_fit9_slope(ctx, e):
    """002 Sec. 5 and Fig. 1: slope through the origin, 9 materials (no PS, As2S3, LaSF-7, PMMA) (``002.fit9.slope``)."""
    f = ctx.fit(("As2S3", "PMMA", "PS", "LaSF-7"))
    return f.slope, DISCREPANCY if not within(f.slope, e["published"], e["tolerance"]) else REPRODUCED, (
        "the 9 materials 002 names (13 minus PS, As2S3, LaSF-7, PMMA) give slope "
        f"{f.slope:.4f} (rounds to 1.07), r = {f.pearson_r:.3f}; no subset of 8-10 of the 13 materials gives both "
        f"{e['published']} and r = {pub('002.fit9.r')} (searched exhaustively): an error in the paper or an "
        "unstated data choice")


def c_002_fit9_r(ctx, e):
    """002 Sec. 5 and Fig. 1: correlation coefficient r, 9 materials (``002.fit9.r``)."""
    f = ctx.fit(("As2S3", "PMMA", "PS", "LaSF-7"))
    return f.pearson_r, None, "see 002.fit9.slope: not reproduced by any subset of the 13 materials"


def c_002_pmma_deviation(ctx, e):
    """002 Sec. 5 text: PMMA deviates from theory by about (percent) (``002.pmma.deviation``)."""
    m = ctx.materials["PMMA"]
    exp = pub("002.table.PMMA.gamma_ratio_exp")
    return 100 * gr.relative_deviation(m.velocity_ratio, exp), None, f"(c_l/c_t - {exp})/{exp}, printed ratio"


def c_002_eq2_9_prefactor(ctx, e):
    """002 Eq. (2.9): prefactor of the digamma formula for Re chi, units n_0 M^2 (``002.eq2.9.prefactor``)."""
    w = np.array([0.05, 0.5, 2.0, 8.0])
    kk = sus.ttls_re_chi_kramers_kronig(w, 1.0)
    dg = sus.ttls_re_chi_digamma(w, 1.0)
    err = float(np.abs(kk - dg).max())
    return 0.5, DISCREPANCY, (
        f"convention: the Kramers-Kronig transform of Eq. (2.7) (numerical, agreeing with the digamma form to "
        f"{err:.0e}) gives Re chi(T) - Re chi(0) = -(n0 M^2/2)[Re psi(1/2 + i beta w/2pi) - ln(beta w/2pi)]. "
        "002's 1/4 is the prefactor of Delta v/v = Re chi/(2 rho v^2), not of Re chi; its ln(1/(beta w)) differs "
        "from ln(2pi/(beta w)) by a constant that no measurement sees")


def c_002_eq2_10(ctx, e):
    """002 Eq. (2.10): Re chi for beta hbar omega << 1: -(n0 M^2/4) ln(1/(beta hbar omega)) (``002.eq2.10``)."""
    w = 1e-6
    slope = float((sus.ttls_re_chi_digamma(w, 1.0) - sus.ttls_re_chi_digamma(w * 10, 1.0)) / math.log(10))
    return -slope, DISCREPANCY, (
        "sign and logarithm reproduced (Re chi < 0 for beta hbar omega << 1); the coefficient of ln(1/(beta w)) "
        "from the transform is n0 M^2/2, twice 002's (same convention slip as Eq. 2.9)")


def c_002_betahw(ctx, e):
    """002 Sec. 2: beta hbar omega for omega ~ 1e6 rad/s, T ~ 1 K (``002.betahw``)."""
    v = HBAR * 1e6 / (KB * 1.0)
    order = e["published"]
    return v, REPRODUCED if order / 10 < v < order * 10 else DISCREPANCY, (
        "hbar omega/k_B T at omega = 1e6 s^-1, T = 1 K (same order of magnitude)")


def c_002_ultrasonic(ctx, e):
    """002 Sec. 4: beta hbar omega << 1 throughout 10 MHz <= f <= 1 GHz, 0.1 K <= T <= 17 K (``002.ultrasonic``)."""
    v = 2 * math.pi * HBAR * 1e9 / (KB * 0.1)
    return v, DISCREPANCY, (f"at f = 1 GHz, T = 0.1 K, beta hbar omega = {v:.2f}, not << 1: the stated window "
                            "includes a corner where the approximation of Eq. (2.10) fails (error in the paper)")


def c_002_ell(ctx, e):
    """002 Sec. 4: ln(R/L1) for R ~ 1e-3 m, L1 ~ 50 A ('of order 20') (``002.ell``)."""
    v = math.log(1e-3 / 50e-10)
    return v, DISCREPANCY, ("parameter misstated: the stated R ~ 1e-3 m, L1 ~ 50 A give 12.2, not 'of order 20' "
                            "(001 says 12 for the same values; 000's 20 needs R = 1 m)")


def c_002_eq4_6(ctx, e):
    """002 Eq. (4.6): Im chi_l/Im chi_t at scale R (``002.eq4.6``)."""
    alpha = ctx.silica.alpha
    target = 1 / (1 - alpha)
    f = rg.im_chi_flow(alpha, -1.0, 0.5, 0.5, 2, 20.0)
    big = rg.im_chi_ratio_closed_form(alpha, 1e4, 0.5, 0.5)
    return f"{f.ratio[-1]:.4f} at |K| ell = 20 vs c_l^2/c_t^2 = {target:.4f}", REPRODUCED, (
        "reproduced only as a limit: Eq. (4.6) needs K_l = K_t and 2|K| ell >> rho c^2/Im chi(L1), which the paper "
        "states but does not derive. The approach is O(1/(|K| ell)): at |K| ell = 1e4 the ratio is "
        f"{big:.5f} (a-SiO2, Im chi(L1) = 0.5 rho c_t^2 for both)")


def c_002_eq4_3(ctx, e):
    """002 Eq. (4.3): closed form of the Im chi recursion (``002.eq4.3``)."""
    f = rg.im_chi_flow(0.7, -0.05, 0.5, 0.5, 2, 20.0)
    dev = float(np.abs(f.im_chi_t - f.closed_t).max() / f.closed_t.max())
    return f"iterated vs closed form: {dev:.1e} relative", REPRODUCED, (
        "exact for the continuum flow; the step-by-step iteration of Eq. (4.1) agrees to second order in the "
        "per-step change (|K| = 0.05, N0 = 2 here)")


def table_002(ctx, e):
    """002 Table 1: gamma_l/gamma_t from the gamma columns, c_l/c_t (002 Eq. 4.7) and their relative deviation."""
    return ctx.table_ratio(e, e.get("kind"))


TABLES = {"002.table.": table_002}
