"""Error bars and autocorrelation times of Monte Carlo time series.

``tau_int`` uses Sokal's automatic window (stop at the smallest M with
M >= c tau_int(M), c = 5), as emcee does; errors are
``sqrt(2 tau_int var / n)``.  Non-linear estimators (specific heat,
susceptibilities, Binder ratios) get jackknife errors over blocks longer
than 2 tau_int.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

MIN_TAU_MULTIPLE = 50


class ShortRunWarning(UserWarning):
    """A chain shorter than about 50 integrated autocorrelation times."""


@dataclass(frozen=True)
class Stats:
    mean: float
    error: float
    tau_int: float
    n: int

    def as_dict(self):
        return {"mean": self.mean, "error": self.error, "tau_int": self.tau_int, "n": self.n}


def integrated_autocorrelation_time(x, c: float = 5.0) -> float:
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 4 or np.var(x) == 0:
        return 0.5
    f = np.fft.rfft(x - x.mean(), n=2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n]
    acf /= acf[0]
    taus = 2.0 * np.cumsum(acf) - 1.0  # tau(M) = 1 + 2 sum_{t=1}^{M} rho(t), in units where tau = 1 is white noise
    window = np.arange(n) < c * taus
    m = int(np.argmin(window)) if not window.all() else n - 1
    return max(float(taus[m]) / 2.0, 0.5)


def mean_with_error(x) -> Stats:
    """Mean, error of the mean and tau_int (tau_int = 0.5 for white noise)."""
    x = np.asarray(x, dtype=float)
    tau = integrated_autocorrelation_time(x)
    err = math.sqrt(2 * tau * np.var(x, ddof=1) / x.size) if x.size > 1 else float("nan")
    return Stats(float(x.mean()), err, tau, int(x.size))


def jackknife(estimator, *series, tau=0.5, n_blocks: int = 20):
    """Jackknife estimate and error of ``estimator(*series)`` over blocks."""
    n = len(series[0])
    block = max(int(math.ceil(2 * tau)), n // n_blocks, 1)
    nb = n // block
    if nb < 2:
        return float(estimator(*series)), float("nan")
    cut = [np.asarray(s[: nb * block]) for s in series]
    full = estimator(*cut)
    vals = []
    for b in range(nb):
        keep = np.ones(nb * block, bool)
        keep[b * block:(b + 1) * block] = False
        vals.append(estimator(*[c[keep] for c in cut]))
    vals = np.asarray(vals)
    return full, np.sqrt((nb - 1) / nb * np.sum((vals - vals.mean(axis=0)) ** 2, axis=0))


def warn_if_short(tau, n, what="energy"):
    if n < MIN_TAU_MULTIPLE * tau:
        warnings.warn(f"the run has {n} measurements, {n / max(tau, 1e-12):.1f} tau_int of the {what} "
                      f"(tau_int = {tau:.1f}); need about {MIN_TAU_MULTIPLE} tau_int for reliable error bars: "
                      "run longer", ShortRunWarning, stacklevel=3)
