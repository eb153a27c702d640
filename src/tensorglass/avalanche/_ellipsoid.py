"""Geometry of the uniaxially strained sample and the direction averages.

A sphere of radius R stretched by ``e_xx = e`` becomes a prolate ellipsoid
with semi-axes ``(1+e)R, R, R``.  Its xy and xz cross sections have
eccentricity ``eps = sqrt(e^2 + 2e)/(1+e)`` (001 Sec. II D; 000 Sec. IV
prints ``sqrt((e^2+2e)/(1+e))``, a typo: that expression exceeds 1 for
e > 0.62 and is not an eccentricity).

Three kinds of direction average of a function ``f(n)`` appear:

``published``
    the closed forms of 001 Eq. (4.5) (= 000 Eq. 4.5).  They are *not* the
    averages that 001 Eq. (4.4) defines; they equal angular averages weighted
    by ``1/r_max(n) ~ sqrt(1 - eps^2 n_x^2)`` (AUDIT.md; checked in tests).
``volume``
    the ``1/r^3`` volume average of 001 Eq. (4.4) over the ellipsoid minus a
    ball of radius L1, ``int dOmega f ln(r_max/L1) / int dOmega ln(r_max/L1)``,
    which depends on ``ell = ln(R/L1)``.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError


def check_eccentricity(eps):
    eps = np.asarray(eps, dtype=float)
    if np.any(~np.isfinite(eps)) or np.any(eps < 0) or np.any(eps >= 1):
        raise ParameterError("eccentricity", eps.tolist() if eps.ndim else float(eps), "0 <= eccentricity < 1")
    return eps


def check_ell(ell):
    if not (isinstance(ell, (int, float, np.floating)) and math.isfinite(ell) and ell > 0):
        raise ParameterError("ln_r_over_l1", ell, "ln(R/L1) > 0 (the sample must be larger than the starting block)",
                             "e.g. 20 for R = 1 m, L1 = 50 A")
    return float(ell)


def eccentricity_from_strain(e):
    """001 Sec. II D: ``eps = sqrt(e^2+2e)/(1+e)`` for ``e_xx = e >= 0``."""
    e = np.asarray(e, dtype=float)
    if np.any(e < 0):
        raise ParameterError("strain", e.tolist() if e.ndim else float(e), "e_xx >= 0 (a stretch)")
    return np.sqrt(e**2 + 2 * e) / (1 + e)


def eccentricity_from_strain_000(e):
    """000 Sec. IV as printed, ``sqrt((e^2+2e)/(1+e))`` (a typo; can exceed 1)."""
    e = np.asarray(e, dtype=float)
    return np.sqrt((e**2 + 2 * e) / (1 + e))


def strain_from_eccentricity(eps):
    """Inverse of :func:`eccentricity_from_strain`: ``e = 1/sqrt(1-eps^2) - 1``."""
    eps = check_eccentricity(eps)
    return 1.0 / np.sqrt(1.0 - eps**2) - 1.0


def _derived(nx2, nx4, nyz):
    """Complete the set with the identities 001 uses without printing them
    (AUDIT.md): <n_y^2> = (1-<n_x^2>)/2, <n_y^4> = 3<n_y^2 n_z^2>,
    <n_x^2 n_y^2> = (<n_x^2> - <n_x^4>)/2.  All follow from symmetry about x."""
    return {"nx2": nx2, "nx4": nx4, "ny2nz2": nyz, "ny2": (1 - nx2) / 2, "ny4": 3 * nyz,
            "nx2ny2": (nx2 - nx4) / 2}


def _published_closed_form(eps):
    s = np.sqrt(1 - eps**2)
    a = np.arcsin(eps)
    den = eps * s + a
    nx2 = (eps * s * (-1 + 2 * eps**2) + a) / (4 * eps**2 * den)
    nx4 = (eps * s * (-3 - 2 * eps**2 + 8 * eps**4) + 3 * a) / (24 * eps**4 * den)
    nyz = (eps * s * (-3 + 10 * eps**2 + 8 * eps**4) + 3 * (1 - 4 * eps**2 + 8 * eps**4) * a) / (192 * eps**4 * den)
    return nx2, nx4, nyz


def _weighted_quadrature(weight_fn, n=96):
    """Averages of n_x^2, n_x^4, n_y^2 n_z^2 over the sphere with a weight
    depending on u = n_x only; phi-averages done exactly
    (<cos^2 phi sin^2 phi> = 1/8).  ``weight_fn(u)`` may return (..., n) for
    several weights at once."""
    u, w = np.polynomial.legendre.leggauss(n)
    wt = w * weight_fn(u)
    z = wt.sum(axis=-1)
    return (wt @ u**2) / z, (wt @ u**4) / z, (wt @ ((1 - u**2) ** 2 / 8)) / z


def direction_averages_published(eps):
    """001 Eq. (4.5) closed forms (``consin`` read as ``arcsin``), completed
    with the unprinted identities; ``eps`` scalar or array in [0, 1).

    The closed forms cancel catastrophically near eps = 0; there the
    weighted-average representation they equal is used (the two agree for
    eps >= 0.05, tested)."""
    eps = check_eccentricity(eps)
    small = eps < 0.05
    nx2, nx4, nyz = (np.asarray(x, dtype=float) for x in _published_closed_form(np.where(small, 0.5, eps)))
    if np.any(small):
        e = eps[small][..., None]
        nx2[small], nx4[small], nyz[small] = _weighted_quadrature(lambda u: np.sqrt(1 - e**2 * u**2))
    if eps.ndim == 0:
        nx2, nx4, nyz = float(nx2), float(nx4), float(nyz)
    return _derived(nx2, nx4, nyz)


def direction_averages_radius_weighted(eps):
    """Angular averages weighted by ``1/r_max(n)``, i.e. by
    ``sqrt(1 - eps^2 n_x^2)``: what 001 Eq. (4.5) actually computes."""
    eps = float(check_eccentricity(eps))
    return _derived(*_weighted_quadrature(lambda u: np.sqrt(1 - eps**2 * u**2)))


def radius_ratio(eps, u):
    """``r_max(n)/R`` on the ellipsoid for ``n_x = u``: semi-axes (1+e)R, R, R."""
    a2 = 1.0 / (1.0 - eps**2)  # ((1+e))^2
    return 1.0 / np.sqrt(u**2 / a2 + (1 - u**2))


def direction_averages_volume(eps, ell):
    """001 Eq. (4.4) as defined: ``int_V d^3r f(n)/r^3 / int_V d^3r /r^3`` over
    the ellipsoid with the ball ``r < L1`` removed; ``ell = ln(R/L1)``."""
    eps = float(check_eccentricity(eps))
    ell = check_ell(ell)
    return _derived(*_weighted_quadrature(lambda u: ell + np.log(radius_ratio(eps, u))))
