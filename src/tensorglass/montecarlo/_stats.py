"""Error bars and autocorrelation times of Monte Carlo time series.

``tau_int`` (convention: 0.5 for white noise, ``(1 + rho)/(2 (1 - rho))``
for an AR(1) series) uses Sokal's automatic window: the sum
``tau(M) = 1/2 + sum_{t=1}^{M} rho(t)`` stops at the smallest M with
``M >= c * 2 tau(M)``, c = 8 (Madras & Sokal, J. Stat. Phys. 50, 109 (1988);
emcee uses the same rule with c = 5, which is short near T_c where the
autocorrelation function has long tails).  Its statistical error is the
Madras-Sokal ``tau sqrt(2 (2M + 1)/n)``.  Errors of means are
``sqrt(2 tau_int var / n)``.  Non-linear estimators (specific heat,
susceptibilities, Binder ratios, xi) get jackknife errors over blocks
longer than 2 tau_int of the observables they are built from; with several
chains the blocks never straddle two chains.

An exactly constant series has no error bar: it is refused with
:class:`FrozenChainError` (a frozen chain), never reported with error 0.

Split-R-hat (Gelman et al., Bayesian Data Analysis, 3rd ed., Sec. 11.4):
every chain is cut in halves; with W the mean within-half variance and B/n
the variance of the half means, ``R = sqrt(((n-1)/n W + B/n) / W)``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import TensorglassError

#: a run shorter than this many tau_int is flagged (and warned about)
MIN_TAU_MULTIPLE = 100
#: Sokal window constant (in units of 2 tau_int)
SOKAL_C = 8.0


class ShortRunWarning(UserWarning):
    """A chain shorter than about 100 integrated autocorrelation times."""


class FrozenChainError(TensorglassError, ValueError):
    """A time series that never changes: the sampler is stuck, so no error bar can be given."""

    def __init__(self, observable: str, remedy: str = ""):
        self.observable = observable
        self.name = observable
        remedy = remedy or ("the chain is frozen (sampler acceptance 0 or a trapped state): use another sampler "
                            "(--sampler metropolis), a smaller step, or a higher temperature")
        super().__init__(f"the series of {observable} is exactly constant, so it has no error bar; {remedy}")


@dataclass(frozen=True)
class Stats:
    mean: float
    error: float
    tau_int: float
    n: int
    tau_error: float = float("nan")

    def as_dict(self):
        return {"mean": self.mean, "error": self.error, "tau_int": self.tau_int, "n": self.n}


def check_not_frozen(x, observable="the series"):
    x = np.asarray(x, dtype=float)
    if x.size >= 2 and np.ptp(x) == 0:
        raise FrozenChainError(observable)


def autocorrelation(x, c: float = SOKAL_C):
    """``(tau_int, error of tau_int, window M)`` of a 1-d series."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 4 or np.ptp(x) == 0:
        return 0.5, float("nan"), 0
    f = np.fft.rfft(x - x.mean(), n=2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n]
    acf /= acf[0]
    taus = np.cumsum(acf) - 0.5          # tau(M) = 1/2 + sum_{t=1}^{M} rho(t)
    window = np.arange(n) < c * 2 * taus
    m = int(np.argmin(window)) if not window.all() else n - 1
    tau = max(float(taus[m]), 0.5)
    return tau, tau * math.sqrt(2 * (2 * m + 1) / n), m


def integrated_autocorrelation_time(x, c: float = SOKAL_C) -> float:
    """tau_int of a 1-d series (0.5 for white noise); see the module docstring."""
    return autocorrelation(x, c)[0]


def mean_with_error(x, observable: str | None = None) -> Stats:
    """Mean, error of the mean and tau_int.  With ``observable`` named, an
    exactly constant series raises :class:`FrozenChainError`."""
    x = np.asarray(x, dtype=float)
    if observable is not None:
        check_not_frozen(x, observable)
    tau, tau_err, _ = autocorrelation(x)
    err = math.sqrt(2 * tau * np.var(x, ddof=1) / x.size) if x.size > 1 else float("nan")
    return Stats(float(x.mean()), err, tau, int(x.size), tau_err)


def chains_mean_with_error(chains, observable: str | None = None) -> Stats:
    """Mean over equal-weight chains (a list of 1-d series) with the error
    ``sqrt(sum err_i^2)/m`` and tau_int the largest of the chains'."""
    stats = [mean_with_error(x, observable) for x in chains]
    if len(stats) == 1:
        return stats[0]
    n = np.array([s.n for s in stats], float)
    mean = float(np.sum(n * [s.mean for s in stats]) / n.sum())
    err = float(math.sqrt(np.sum((n / n.sum()) ** 2 * np.square([s.error for s in stats]))))
    return Stats(mean, err, max(s.tau_int for s in stats), int(n.sum()),
                 max(s.tau_error for s in stats))


def jackknife(estimator, *series, tau=0.5, n_blocks: int = 20):
    """Jackknife estimate and error of ``estimator(*series)`` over blocks of
    at least 2 tau_int.  Each argument is one array (one chain) or a list of
    arrays (one per chain, equal lengths across the arguments); blocks never
    straddle two chains."""
    chains = [list(s) if isinstance(s, list) else [s] for s in series]
    n_chains = len(chains[0])
    n = min(len(c) for c in chains[0])
    block = max(int(math.ceil(2 * tau)), (n * n_chains) // n_blocks, 1)
    nb_per = n // block
    if nb_per * n_chains < 2:
        full = estimator(*[np.concatenate([np.asarray(c) for c in s]) for s in chains])
        return full, np.full_like(np.asarray(full, float), np.nan)
    cut = [np.concatenate([np.asarray(c[: nb_per * block]) for c in s]) for s in chains]
    nb = nb_per * n_chains
    full = estimator(*cut)
    vals = []
    for b in range(nb):
        keep = np.ones(nb * block, bool)
        keep[b * block:(b + 1) * block] = False
        vals.append(estimator(*[c[keep] for c in cut]))
    vals = np.asarray(vals)
    return full, np.sqrt((nb - 1) / nb * np.sum((vals - vals.mean(axis=0)) ** 2, axis=0))


def split_r_hat(chains) -> float:
    """Split-R-hat of a list of 1-d series (one per chain); a single chain is
    split in halves as well.  NaN when the halves have no variance."""
    n = min(len(x) for x in chains) // 2
    if n < 2:
        return float("nan")
    halves = []
    for x in chains:
        x = np.asarray(x, float)
        halves += [x[:n], x[len(x) - n:]]
    halves = np.array(halves)
    w = float(np.mean(np.var(halves, axis=1, ddof=1)))
    b = n * float(np.var(halves.mean(axis=1), ddof=1))
    if w == 0:
        return float("inf") if b > 0 else float("nan")
    return math.sqrt(((n - 1) / n * w + b / n) / w)


def warn_if_short(tau, n, what="energy"):
    if n < MIN_TAU_MULTIPLE * tau:
        warnings.warn(f"the run has {n} measurements, {n / max(tau, 1e-12):.1f} tau_int of the {what} "
                      f"(tau_int = {tau:.1f}); need about {MIN_TAU_MULTIPLE} tau_int for reliable error bars: "
                      "run longer", ShortRunWarning, stacklevel=3)
