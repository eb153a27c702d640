"""Monte Carlo runs: frozen parameters, a checkpointable state, and the loop.

The driver owns one ``numpy.random.Generator`` (PCG64) seeded from the run
seed; it pre-draws every random number a kernel needs.  The complete state
(spins, generator state, sweep counter, time series) can be saved and
restored, so a resumed run is bit-identical to one never interrupted.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ..errors import ParameterError
from . import _hmc, _kernels, _local
from ._lattice import lattice_energy
from ._models import MODELS, SpinModel, build_model
from ._stats import jackknife, mean_with_error, warn_if_short

SAMPLERS = ("hmc", "metropolis", "local")


@dataclass(frozen=True)
class RunParameters:
    """Everything that defines a run (validated at construction)."""

    model: str
    L: int
    temperature: float
    sweeps: int
    seed: int
    sampler: str = "hmc"
    components: int | None = None
    c_l: float | None = None
    c_t: float | None = None
    poisson: float | None = None
    k0: str = "average"
    cutoff: float = 1.0          # Gaussian UV cutoff of the long-range models (lattice units)
    thermalize: int = 0
    step_size: float = 0.0       # HMC; 0 = automatic
    n_leapfrog: int = 10         # HMC
    delta: float = 0.0           # Metropolis/local proposal width; 0 = automatic (local: tuned while thermalising)
    overrelax: int | None = None  # over-relaxation sweeps per sweep; None = sampler default (local: 2 short-range, else 0)
    field: tuple = ()            # uniform site field h (site term -h.s), n components; () = none

    def __post_init__(self):
        if self.model not in MODELS:
            raise ParameterError("model", self.model, "one of " + ", ".join(MODELS))
        if not (isinstance(self.L, (int, np.integer)) and self.L >= 2):
            raise ParameterError("L", self.L, "an integer L >= 2")
        if not (isinstance(self.temperature, (int, float)) and math.isfinite(self.temperature) and self.temperature > 0):
            raise ParameterError("T", self.temperature, "T > 0")
        if not (isinstance(self.sweeps, (int, np.integer)) and self.sweeps >= 1):
            raise ParameterError("sweeps", self.sweeps, "an integer >= 1")
        if not (isinstance(self.seed, (int, np.integer)) and self.seed >= 0):
            raise ParameterError("seed", self.seed, "an integer >= 0")
        if self.sampler not in SAMPLERS:
            raise ParameterError("sampler", self.sampler, "one of " + ", ".join(SAMPLERS))
        if self.n_leapfrog < 1:
            raise ParameterError("n_leapfrog", self.n_leapfrog, "an integer >= 1")
        if self.overrelax is not None and (not isinstance(self.overrelax, (int, np.integer)) or self.overrelax < 0
                                           or (self.overrelax and self.sampler == "hmc")):
            raise ParameterError("overrelax", self.overrelax, "an integer >= 0, with the metropolis or local sampler")
        if not (isinstance(self.delta, (int, float)) and math.isfinite(self.delta) and self.delta >= 0):
            raise ParameterError("delta", self.delta, "a proposal width >= 0 (0 = automatic)")
        if self.thermalize < 0 or self.thermalize >= self.sweeps:
            raise ParameterError("thermalize", self.thermalize, f"0 <= thermalize < sweeps = {self.sweeps}")

    def field_vector(self, n):
        if not self.field:
            return np.zeros(n)
        f = np.asarray(self.field, dtype=float)
        if f.shape != (n,) or not np.all(np.isfinite(f)):
            raise ParameterError("field", self.field, f"{n} finite components (one per spin component)")
        return f

    def build(self) -> SpinModel:
        return build_model(self.model, self.L, poisson=self.poisson, c_l=self.c_l, c_t=self.c_t,
                           components=self.components, k0=self.k0, cutoff=self.cutoff)


@dataclass
class RunState:
    """Runtime state of one chain (mutable)."""

    params: RunParameters
    coords: np.ndarray                 # HMC: embedding x (L,L,L,n); Metropolis: spins (N, n)
    rng: np.random.Generator
    sweep: int = 0
    energy: list = field(default_factory=list)
    magnetisation: list = field(default_factory=list)
    accepted: int = 0
    attempted: int = 0

    def spins(self):
        x = self.coords.reshape(-1, self.coords.shape[-1])
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    def generator_state(self) -> dict:
        return self.rng.bit_generator.state


def new_state(params: RunParameters, model: SpinModel | None = None) -> RunState:
    model = params.build() if model is None else model
    rng = np.random.Generator(np.random.PCG64(params.seed))
    n = model.n_components
    g = rng.standard_normal((model.L, model.L, model.L, n))
    if params.sampler in ("metropolis", "local"):
        coords = (g / np.linalg.norm(g, axis=-1, keepdims=True)).reshape(-1, n)
    else:
        coords = g  # the radial weight exp(-|x|^2/2) is the HMC embedding's own
    return RunState(params, np.ascontiguousarray(coords), rng)


def _auto_step(params: RunParameters, model: SpinModel):
    n_sites = model.n_sites
    return params.step_size or min(0.35, 1.2 * n_sites ** (-0.25) * min(1.0, math.sqrt(params.temperature)))


def advance(state: RunState, model: SpinModel, n_sweeps: int, on_sweep=None, stop=None) -> None:
    """Run ``n_sweeps`` more sweeps, measuring after each.  ``on_sweep(state)``
    is called after every sweep (progress, checkpoints); ``stop()`` returning
    True ends the loop early after a complete sweep."""
    p = state.params
    beta = 1.0 / p.temperature
    n = model.n_components
    hext = p.field_vector(n)
    for _ in range(n_sweeps):
        if p.sampler == "local":
            _local_step(state, model, beta, hext)
            e = None
        elif p.sampler == "hmc":
            mom = state.rng.standard_normal(state.coords.shape)
            u = state.rng.random()
            ok, e = _hmc.hmc_step(model.kernel, state.coords, mom, u, beta, _auto_step(p, model), p.n_leapfrog, hext)
            state.accepted += int(ok)
            state.attempted += 1
        else:
            nsite = state.coords.shape[0]
            gauss = state.rng.standard_normal((nsite, n))
            unif = state.rng.random(nsite)
            delta = p.delta or min(2.0, 1.5 * math.sqrt(p.temperature))
            state.accepted += _kernels.metropolis_sweep(state.coords, model.kernel.jr, model.L, gauss, unif, beta, delta,
                                                        hext)
            state.attempted += nsite
            for _ in range(p.overrelax or 0):
                _kernels.overrelaxation_sweep(state.coords, model.kernel.jr, model.L, hext)
            e = None
        state.sweep += 1
        s = state.spins()
        if e is None:
            e = lattice_energy(model.kernel, s.reshape(model.L, model.L, model.L, n)) - float(np.sum(s @ hext))
        if state.sweep > p.thermalize:
            state.energy.append(e / model.n_sites)
            state.magnetisation.append(s.mean(axis=0))
        if on_sweep is not None:
            on_sweep(state)
        if stop is not None and stop():
            break


# Default over-relaxation sweeps per Metropolis sweep of the local sampler: 2 for short-range kernels (exact
# microcanonical reflections, always accepted); 0 for long-range ones, whose only exact reflection (about the
# near field, accepted by the clock filter) was accepted 0.2-5 % of the time for bl6 near T_c: not worth its cost.
LOCAL_OVERRELAX_SHORT = 2
LOCAL_TARGET_ACCEPTANCE = 0.4
LOCAL_TUNING_GAIN = 0.5


def local_delta(state: RunState, n_sites: int) -> float:
    """Proposal width of the local sampler at the current sweep.

    A width given in the parameters is used as is.  Otherwise, while
    thermalising, ``log delta = log delta0 + g (accepted - a* attempted)/N``:
    a Robbins-Monro (integral) controller towards acceptance a* = 0.4 whose
    value is a function of the saved counters alone, so a run resumed during
    thermalisation continues bit-identically.  When thermalisation ends the
    width is frozen into ``state.params.delta`` (hence recorded in the
    summary and the checkpoint); production uses that fixed width, so the
    production chain is an exact, time-homogeneous Markov chain."""
    p = state.params
    if p.delta:
        return p.delta
    delta0 = min(1.0, 0.5 * math.sqrt(p.temperature))
    if p.thermalize == 0:
        return delta0
    drift = LOCAL_TUNING_GAIN * (state.accepted - LOCAL_TARGET_ACCEPTANCE * state.attempted) / n_sites
    return float(min(max(delta0 * math.exp(max(min(drift, 50.0), -50.0)), 1e-3), 4.0))


def _local_step(state: RunState, model: SpinModel, beta: float, hext) -> None:
    """One sweep of the exact local sampler (:mod:`._local`): Metropolis with
    sparse near fields and the clock filter for the far tail, then
    over-relaxation sweeps."""
    p = state.params
    nsite, n = state.coords.shape
    delta = local_delta(state, nsite)
    gauss = state.rng.standard_normal((nsite, n))
    unif = state.rng.random(nsite)
    seed = _local.stream_seed(state.rng)
    tables = _local.tables_for(model.kernel)
    n_or = p.overrelax if p.overrelax is not None else (LOCAL_OVERRELAX_SHORT if tables.short_range else 0)
    acc, _, _ = _local.sweep(state.coords, tables, hext, beta, delta, gauss, unif, seed, n_or)
    state.accepted += acc
    state.attempted += nsite
    if not p.delta and p.thermalize and state.sweep + 1 == p.thermalize:
        state.params = replace(p, delta=local_delta(state, nsite))


def summarize(state: RunState, model: SpinModel, warn: bool = True) -> dict:
    """Observables with error bars and autocorrelation times.

    Per measured sweep: ``e`` (energy per spin), ``m_c = |<s_1>|`` (compression,
    component 1) and ``m_s = |<s_2..n>|`` (shear, components 2..n), spatial
    averages.  Reported: means with errors from tau_int; specific heat
    ``C = beta^2 N var(e)`` and susceptibilities ``chi = beta N var(m)`` with
    jackknife errors; Binder ratios ``<m^4>/<m^2>^2``; the mean magnetisation
    vector; for coupled-blocks the static stress-stress susceptibility
    ``chi_ab = beta/V (<T_a T_b> - <T_a><T_b>)`` of the total Mandel stress.
    Warns (:class:`ShortRunWarning`) below 50 tau_int."""
    p = state.params
    beta = 1.0 / p.temperature
    n_sites = model.n_sites
    e = np.asarray(state.energy, float)
    m = np.asarray(state.magnetisation, float)
    if e.size < 2:
        raise ParameterError("sweeps", e.size, "at least 2 measured sweeps after thermalisation")
    es = mean_with_error(e)
    mc = np.abs(m[:, 0])
    ms = np.linalg.norm(m[:, 1:], axis=1) if m.shape[1] > 1 else np.zeros_like(mc)
    mcs, mss = mean_with_error(mc), mean_with_error(ms)
    tau = max(es.tau_int, mcs.tau_int, mss.tau_int)
    if warn:
        warn_if_short(tau, e.size)
    c, c_err = jackknife(lambda x: beta**2 * n_sites * np.var(x), e, tau=tau)

    def chi(x):
        return beta * n_sites * (np.mean(x**2) - np.mean(x) ** 2)

    def binder(x):
        return np.mean(x**4) / np.mean(x**2) ** 2
    out = {
        "model": p.model, "L": p.L, "temperature": p.temperature, "sampler": p.sampler, "seed": p.seed,
        "sweeps": int(state.sweep), "measurements": int(e.size),
        "acceptance": state.accepted / max(state.attempted, 1),
        "energy_per_spin": es.as_dict(),
        "specific_heat": {"mean": float(c), "error": float(c_err)},
        "m_compression": mcs.as_dict(),
        "m_shear": mss.as_dict(),
        "chi_compression": dict(zip(("mean", "error"), map(float, jackknife(chi, mc, tau=tau)))),
        "chi_shear": dict(zip(("mean", "error"), map(float, jackknife(chi, ms, tau=tau)))),
        "binder_compression": dict(zip(("mean", "error"), map(float, jackknife(binder, mc, tau=tau)))),
        "binder_shear": dict(zip(("mean", "error"), map(float, jackknife(binder, ms, tau=tau)))),
        "magnetisation": {"mean": m.mean(axis=0).tolist(),
                          "error": [mean_with_error(m[:, a]).error for a in range(m.shape[1])]},
        "tau_int": tau,
        "units": "energies in units of the coupling scale of J(k), k_B = 1; per spin",
        "parameters": asdict(p),
    }
    if p.model == "coupled-blocks":
        # static stress-stress susceptibility chi_ab = beta/V (<T_a T_b> - <T_a><T_b>), T = sum_i s_i (Mandel)
        cov, cov_err = jackknife(lambda x: beta * n_sites * np.cov(x.T, bias=True), m, tau=tau)
        out["stress_susceptibility_mandel"] = {"mean": np.asarray(cov).tolist(), "error": np.asarray(cov_err).tolist()}
    return out


def run_mean_field(n_spins: int, temperature: float, j_compr: float, j_shear: float, sweeps: int, seed: int,
                   thermalize: int = 200):
    """Sample the all-to-all Hamiltonian of 004 Eq. (21) exactly (O(1) per
    update).  Returns the time series of the compression and shear order
    parameters |M_1|/N and |M_{2..6}|/N."""
    for name, v in (("n_spins", n_spins), ("sweeps", sweeps)):
        if not (isinstance(v, (int, np.integer)) and v >= 1):
            raise ParameterError(name, v, "an integer >= 1")
    if not (temperature > 0):
        raise ParameterError("T", temperature, "T > 0")
    rng = np.random.Generator(np.random.PCG64(seed))
    s = rng.standard_normal((n_spins, 6))
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    total = s.sum(axis=0)
    couplings = np.array([j_compr] + [j_shear] * 5, dtype=float)
    beta = 1.0 / temperature
    mc, ms = [], []
    for sweep in range(thermalize + sweeps):
        gauss = rng.standard_normal((n_spins, 6))
        unif = rng.random(n_spins)
        _kernels.mean_field_sweep(s, total, couplings, gauss, unif, beta, 0.5)
        if sweep >= thermalize:
            mc.append(abs(total[0]) / n_spins)
            ms.append(float(np.linalg.norm(total[1:])) / n_spins)
    return np.array(mc), np.array(ms)


def parallel_tempering(params_list, model: SpinModel, rounds: int, sweeps_per_round: int = 1, seed: int = 0):
    """Replica exchange over the temperatures of ``params_list`` (same model,
    sampler and seed base): each round advances every replica, then proposes
    swaps of neighbouring temperatures with probability
    ``min(1, exp((beta_i - beta_j)(E_i - E_j)))``.  Returns the replica
    states (index = temperature slot) and the swap acceptance per pair."""
    states = [new_state(p, model) for p in params_list]
    rng = np.random.Generator(np.random.PCG64(seed))
    betas = np.array([1.0 / p.temperature for p in params_list])
    acc = np.zeros(len(states) - 1)
    tried = np.zeros(len(states) - 1)
    for r in range(rounds):
        for st in states:
            advance(st, model, sweeps_per_round)
        start = r % 2
        for i in range(start, len(states) - 1, 2):
            e_i = states[i].energy[-1] * model.n_sites if states[i].energy else 0.0
            e_j = states[i + 1].energy[-1] * model.n_sites if states[i + 1].energy else 0.0
            tried[i] += 1
            if rng.random() < math.exp(min(0.0, (betas[i] - betas[i + 1]) * (e_i - e_j))):
                states[i].coords, states[i + 1].coords = states[i + 1].coords, states[i].coords
                acc[i] += 1
    return states, acc / np.maximum(tried, 1)


def run_finite_states(model: SpinModel, vectors, site_energies, temperature, sweeps, seed, thermalize=100):
    """Reference Metropolis for finite state spaces (e.g. two-level blocks
    whose states carry different random stress tensors): ``vectors`` has
    shape (N, K, n), ``site_energies`` (N, K).  Returns the energy per site
    after each sweep (coupling plus site energies)."""
    vectors = np.ascontiguousarray(vectors, dtype=float)
    site_energies = np.ascontiguousarray(site_energies, dtype=float)
    nsite, k_states, n = vectors.shape
    if nsite != model.n_sites or n != model.n_components or site_energies.shape != (nsite, k_states) or k_states < 2:
        raise ParameterError("vectors", vectors.shape, f"shape ({model.n_sites}, K >= 2, {model.n_components}) "
                             "with site_energies (N, K)")
    rng = np.random.Generator(np.random.PCG64(seed))
    state = rng.integers(0, k_states, nsite)
    spins = np.ascontiguousarray(vectors[np.arange(nsite), state])
    beta = 1.0 / temperature
    out = []
    for sweep in range(thermalize + sweeps):
        choices = rng.integers(0, k_states - 1, nsite)
        unif = rng.random(nsite)
        _kernels.metropolis_sweep_finite(state, spins, vectors, site_energies, model.kernel.jr, model.L, choices, unif,
                                         beta)
        if sweep >= thermalize:
            e = lattice_energy(model.kernel, spins.reshape(model.L, model.L, model.L, n))
            out.append((e + site_energies[np.arange(nsite), state].sum()) / nsite)
    return np.array(out)
