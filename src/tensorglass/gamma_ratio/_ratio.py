"""The Meissner-Berret ratio gamma_l/gamma_t of the TTLS-phonon couplings.

The coupled-block model predicts ``gamma_l/gamma_t = c_l/c_t`` (002 Eq. 4.6;
003 Sec. IV), but only in the limit the renormalisation flow approaches when
``|K| ell`` is large (see :mod:`tensorglass.renormalization`).  Statistics of
the comparison with Meissner & Berret's data follow 002 Sec. 5 and 003
Sec. IV: a least-squares line through the origin, ``theory = slope x
experiment``, and Pearson's linear correlation coefficient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..tensors import check_velocities

#: Lower bound of both gamma_l/gamma_t (orientation averaging of any coupling
#: tensor) and c_l/c_t (positive bulk modulus): 2/sqrt(3).
ISOTROPIC_LOWER_BOUND = 2.0 / math.sqrt(3.0)


def predicted_gamma_ratio(c_l, c_t):
    """002 Eq. (4.6): ``gamma_l/gamma_t = c_l/c_t``."""
    c_l, c_t = check_velocities(c_l, c_t)
    return c_l / c_t


def relative_deviation(theory, experiment):
    """``(theo - exp)/exp`` as in the last column of 002 Table 1 (a fraction)."""
    return (np.asarray(theory, float) - np.asarray(experiment, float)) / np.asarray(experiment, float)


@dataclass(frozen=True)
class OriginFit:
    """Least-squares line ``y = slope * x`` through the origin, with Pearson's r."""

    slope: float
    slope_error: float
    pearson_r: float
    rms_residual: float
    n: int


def fit_through_origin(x, y) -> OriginFit:
    """Fit ``y = slope x``; ``slope = sum(xy)/sum(x^2)``.  The error is the
    usual standard error ``sqrt(sum r^2/(n-1) / sum x^2)``; ``pearson_r`` is
    the linear correlation coefficient of (x, y) that 002 and 003 quote."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.size < 3:
        raise ValueError(f"need matching x and y with at least 3 points, got {x.size} and {y.size}")
    slope = float(x @ y / (x @ x))
    res = y - slope * x
    err = math.sqrt(float(res @ res) / (x.size - 1) / float(x @ x))
    r = float(np.corrcoef(x, y)[0, 1])
    return OriginFit(slope, err, r, math.sqrt(float(np.mean(res**2))), int(x.size))


@dataclass(frozen=True)
class ModelComparison:
    """RMS deviation of measured ratios from two models: ``c_l/c_t`` and a
    single constant fitted to the data (the null model)."""

    rms_velocity_model: float
    rms_constant_model: float
    constant: float
    n: int


def compare_with_constant_model(measured, c_l_over_c_t) -> ModelComparison:
    """Does ``c_l/c_t`` explain the measured ratios better than one constant?"""
    m = np.asarray(measured, dtype=float)
    p = np.asarray(c_l_over_c_t, dtype=float)
    const = float(m.mean())
    return ModelComparison(math.sqrt(float(np.mean((m - p) ** 2))),
                           math.sqrt(float(np.mean((m - const) ** 2))), const, int(m.size))


def orientation_averaged_couplings(stress):
    """Orientation-averaged squared couplings of a defect with stress tensor
    ``T`` (3x3) to a longitudinal and a transverse plane wave:
    ``gamma_l^2 = <(n.T.n)^2>`` and ``gamma_t^2 = <(n.T.m)^2>`` (m a unit
    polarisation perpendicular to n), by quadrature over directions.

    For every symmetric T, ``gamma_l/gamma_t >= 2/sqrt(3)``, with equality
    for traceless T; so the ratio of orientation-averaged couplings is
    bounded below like ``c_l/c_t`` is for a positive bulk modulus."""
    from ..interaction import sphere_quadrature
    t = np.asarray(stress, dtype=float)
    t = 0.5 * (t + t.T)
    n, w = sphere_quadrature(12, 24)
    # two orthonormal polarisations perpendicular to each n
    trial = np.where(np.abs(n[:, :1]) < 0.9, np.array([[1.0, 0, 0]]), np.array([[0, 1.0, 0]]))
    m1 = trial - n * np.sum(trial * n, axis=1, keepdims=True)
    m1 /= np.linalg.norm(m1, axis=1, keepdims=True)
    m2 = np.cross(n, m1)
    tn = n @ t
    gl2 = w @ np.sum(tn * n, axis=1) ** 2
    gt2 = w @ (0.5 * (np.sum(tn * m1, axis=1) ** 2 + np.sum(tn * m2, axis=1) ** 2))
    return float(gl2), float(gt2)
