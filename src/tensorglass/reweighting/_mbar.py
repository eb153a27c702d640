"""MBAR reweighting of tensorglass Monte Carlo runs (see the package docstring).

Every measured sweep n of every run carries its total energy E_n (coupling
plus field terms, the energy the chain was sampled with) and the ordering
mode's observables (:func:`tensorglass.montecarlo.order_series`).  The
runs' temperatures are the sampled states k, with N_k samples each (chains
and files at one temperature are pooled into one state).  pymbar solves the
MBAR equations (Shirts & Chodera, J. Chem. Phys. 129, 124105 (2008)) for
the dimensionless free energies f_k; the weight of sample n at an unsampled
inverse temperature beta is then

    w_n(beta) ∝ exp(-beta E_n) / sum_k N_k exp(f_k - beta_k E_n),

and every reported quantity is a ratio of weighted means: the energy per
spin e, the specific heat per spin C = beta^2 N (<e^2> - <e>^2), the
Binder ratio U = <m^4>/<m^2>^2 of the ordering-mode amplitude, its
susceptibility chi = beta N (<m^2> - <m>^2) and xi/L from
<S(k_ord)> / <S(k_ord + delta)>.

Errors: a bootstrap over blocks at least 2 tau_int long (tau_int the
largest of the energy's and the mode amplitude's, per state), resampled
within each state and each chain, with MBAR re-solved for every resample.

Refusals (:class:`ReweightError`, one line naming the temperature): a
temperature outside the sampled range; one between two sampled states whose
energy distributions do not overlap (MBAR overlap-matrix element below
``min_overlap``); one whose reweighted sample has fewer than ``min_neff``
effective members (Kish).
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp

from ..errors import ParameterError
from ..montecarlo import correlation_length, integrated_autocorrelation_time, order_series, stencil

# parameters that may differ between runs that are reweighted together (they change the sampler, not the
# Boltzmann distribution)
_FREE = {"temperature", "sweeps", "seed", "thermalize", "sampler", "step_size", "trajectory", "kinetic", "delta",
         "overrelax", "start"}


class ReweightError(ParameterError):
    """A reweighting request the runs cannot answer."""


@dataclass
class SampledState:
    """The measured series of one temperature (one or several chains)."""

    temperature: float
    n_sites: int
    L: int
    order_shell: int
    chains: list = field(default_factory=list)   # per chain: dict of arrays e, E, m, s_ord, s_nb
    sources: list = field(default_factory=list)

    @property
    def n_samples(self):
        return sum(len(c["E"]) for c in self.chains)

    def tau(self):
        """The largest tau_int of the energy and the mode amplitude over the chains."""
        return max(max(integrated_autocorrelation_time(c["E"]), integrated_autocorrelation_time(c["m"]))
                   for c in self.chains if len(c["E"]) > 3)


def _model_key(params: dict):
    return tuple(sorted((k, str(v)) for k, v in params.items() if k not in _FREE))


def sampled_states(run_states, sources=None) -> list[SampledState]:
    """Group chains (:class:`tensorglass.montecarlo.RunState`) by temperature
    into :class:`SampledState` s; all must be runs of one model."""
    from dataclasses import asdict
    from ..montecarlo import ordering_mode
    groups: dict = {}
    key0 = None
    for i, st in enumerate(run_states):
        p = asdict(st.params)
        key = _model_key(p)
        if key0 is None:
            key0, p0 = key, p
        elif key != key0:
            diff = sorted(k for k, v in p.items() if k not in _FREE and str(v) != str(p0[k]))
            raise ReweightError("files", sources[i] if sources else i, "runs of one model (equal "
                                + ", ".join(diff) + ")", "reweight runs of the same model, lattice and parameters only")
        if len(st.energy) < 4:
            continue
        model = st.params.build()
        shell = st.order_shell if st.order_shell is not None else ordering_mode(model, st.params.order_shell)["shell"]
        n_sites, L = model.n_sites, model.L
        sten = stencil(L)
        e = np.asarray(st.energy, float)
        m, s_ord, s_nb = order_series(np.asarray(st.structure_trace, float), sten, shell)
        t = float(st.params.temperature)
        g = groups.setdefault(t, SampledState(t, n_sites, L, shell))
        if g.order_shell != shell:
            raise ReweightError("order shell", shell, f"the shell of the other runs ({g.order_shell})",
                                "reweight runs with one order parameter")
        g.chains.append({"e": e, "E": e * n_sites, "m": m, "s_ord": s_ord, "s_nb": s_nb})
        g.sources.append(sources[i] if sources else f"chain {i}")
    if not groups:
        raise ReweightError("files", sources, "runs with at least 4 measured sweeps")
    return [groups[t] for t in sorted(groups)]


def _pymbar():
    logging.getLogger("pymbar").setLevel(logging.ERROR)
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        import pymbar
    return pymbar


def _pool(states, stride, rng=None, block=None):
    """Concatenate every state's (thinned) series; with ``rng``, a block
    bootstrap resample within each chain."""
    cols = {k: [] for k in ("e", "E", "m", "s_ord", "s_nb")}
    n_k = []
    for s, st, b in zip(states, stride, block if block is not None else [None] * len(states)):
        count = 0
        for c in s.chains:
            idx = np.arange(0, len(c["E"]), st)
            if rng is not None:
                nb = max(len(idx) // b, 1)
                starts = rng.integers(0, max(len(idx) - b, 0) + 1, nb)
                idx = idx[(starts[:, None] + np.arange(min(b, len(idx)))[None, :]).reshape(-1)]
            for k in cols:
                cols[k].append(c[k][idx])
            count += len(idx)
        n_k.append(count)
    return {k: np.concatenate(v) for k, v in cols.items()}, np.array(n_k)


def _solve(pymbar, betas, data, n_k, f_init=None):
    u_kn = betas[:, None] * data["E"][None, :]
    kw = {"initial_f_k": f_init} if f_init is not None else {}
    # pymbar's default protocol (hybr with continuation) stalled for minutes on tempering data here; the robust
    # one (adaptive, then L-BFGS-B) converges in about a second, and in a fifth of that from the full solution
    mbar = pymbar.MBAR(u_kn, n_k, verbose=False, solver_protocol="robust", **kw)
    return mbar


def _estimates(mbar, betas, data, n_k, targets, n_sites, L):
    f_k = mbar.f_k
    log_den = logsumexp(f_k[:, None] - betas[:, None] * data["E"][None, :] + np.log(n_k)[:, None], axis=0)
    out = []
    for b in targets:
        lw = -b * data["E"] - log_den
        w = np.exp(lw - lw.max())
        w /= w.sum()
        e = float(w @ data["e"])
        e2 = float(w @ data["e"] ** 2)
        m2, m4 = float(w @ data["m"] ** 2), float(w @ data["m"] ** 4)
        xi = correlation_length(float(w @ data["s_ord"]), float(w @ data["s_nb"]), L)
        m1 = float(w @ data["m"])
        out.append([e, b * b * n_sites * (e2 - e * e), m4 / m2**2, float(xi) / L, b * n_sites * (m2 - m1 * m1),
                    1.0 / float(w @ w)])
    return np.array(out)


QUANTITIES = ("energy_per_spin", "specific_heat", "binder_order", "xi_over_L", "chi_order")


def reweight(states: list[SampledState], temperatures, *, n_boot: int = 100, seed: int = 0,
             min_overlap: float = 0.03, min_neff: float = 50.0, keep_resamples: bool = False) -> dict:
    """MBAR estimates at ``temperatures`` from the sampled states (module
    docstring), plus the ordering mode's susceptibility ``chi_order = beta N
    (<m^2> - <m>^2)``.  Returns ``{"temperatures", <quantity>: {"mean",
    "error"} lists, "n_eff", "sampled": [{"T", "samples", "tau_int"}],
    "overlap" (neighbouring sampled states), ...}``; with
    ``keep_resamples`` also ``"resamples"``: {quantity: (n_boot, n_T)
    array} (e.g. for the error of a peak's position)."""
    pymbar = _pymbar()
    temps = np.asarray([float(t) for t in np.atleast_1d(temperatures)])
    if temps.size == 0 or not np.all(np.isfinite(temps)) or np.any(temps <= 0):
        raise ReweightError("T", temperatures, "temperatures > 0")
    if len(states) < 1:
        raise ReweightError("files", 0, "at least one run")
    t_s = np.array([s.temperature for s in states])
    lo, hi = t_s.min(), t_s.max()
    outside = temps[(temps < lo * (1 - 1e-12)) | (temps > hi * (1 + 1e-12))]
    if outside.size:
        raise ReweightError("T", float(outside[0]), f"inside the sampled range {lo:.6g} <= T <= {hi:.6g}",
                            "reweighting does not extrapolate: add a run beyond the sampled temperatures")
    betas = 1.0 / t_s
    taus = [s.tau() for s in states]
    stride = [max(1, int(tau)) for tau in taus]
    block = [max(2, int(math.ceil(2.0 * tau / st))) for tau, st in zip(taus, stride)]
    data, n_k = _pool(states, stride)
    mbar = _solve(pymbar, betas, data, n_k)
    overlap = mbar.compute_overlap()["matrix"] if len(states) > 1 else np.ones((1, 1))
    pairs = [{"T_low": float(t_s[k]), "T_high": float(t_s[k + 1]), "overlap": float(overlap[k, k + 1])}
             for k in range(len(states) - 1)]
    for t in temps:
        for pr in pairs:
            if pr["T_low"] < t < pr["T_high"] and pr["overlap"] < min_overlap:
                raise ReweightError("T", float(t), f"temperatures where the runs' energies overlap (MBAR overlap >= "
                                    f"{min_overlap})", f"the runs at T = {pr['T_low']:.6g} and {pr['T_high']:.6g} "
                                    f"overlap only {pr['overlap']:.3g}: add a run between them")
    n_sites, L = states[0].n_sites, states[0].L
    est = _estimates(mbar, betas, data, n_k, 1.0 / temps, n_sites, L)
    thin = [float(t) for t, ne in zip(temps, est[:, -1]) if ne < min_neff]
    if thin:
        raise ReweightError("T", thin[0], f"temperatures where the reweighted sample has >= {min_neff:g} effective "
                            f"members (here {est[list(temps).index(thin[0]), -1]:.1f})",
                            "add a run nearer this temperature, or run the nearby ones longer")
    rng = np.random.Generator(np.random.PCG64(seed))
    boots = []
    for _ in range(n_boot):
        d, nk = _pool(states, stride, rng, block)
        mb = _solve(pymbar, betas, d, nk, f_init=mbar.f_k)
        boots.append(_estimates(mb, betas, d, nk, 1.0 / temps, n_sites, L))
    boots = np.array(boots)
    err = boots.std(axis=0, ddof=1) if n_boot > 1 else np.full_like(est, np.nan)
    out = {"temperatures": temps.tolist()}
    for j, q in enumerate(QUANTITIES):
        out[q] = {"mean": est[:, j].tolist(), "error": err[:, j].tolist()}
    if keep_resamples:
        out["resamples"] = {q: boots[:, :, j] for j, q in enumerate(QUANTITIES)}
    out.update({
        "n_eff": est[:, -1].tolist(),
        "sampled": [{"T": s.temperature, "samples": int(s.n_samples), "tau_int": float(tau), "chains": len(s.chains),
                     "sources": s.sources} for s, tau in zip(states, taus)],
        "overlap": pairs, "order_shell": states[0].order_shell, "L": L,
        "method": "MBAR (pymbar " + pymbar.__version__ + "); errors: bootstrap over blocks >= 2 tau_int "
                  f"({n_boot} resamples, seed {seed})",
        "units": "energy and specific heat per spin, coupling units, k_B = 1",
    })
    return out


def reweight_files(paths, temperatures, **kw) -> dict:
    """:func:`reweight` of the runs stored in ``paths`` (files of
    ``tensorglass mc run``: chains and tempering replicas)."""
    from ..storage import load_chains
    states, sources = [], []
    for p in paths:
        chains = load_chains(p)
        states += chains
        sources += [f"{p}#chain{i}" for i in range(len(chains))]
    out = reweight(sampled_states(states, sources), temperatures, **kw)
    out["files"] = [str(p) for p in paths]
    return out
