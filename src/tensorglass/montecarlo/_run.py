"""Monte Carlo runs: frozen parameters, a checkpointable state, and the loop.

The driver owns one ``numpy.random.Generator`` (PCG64) seeded from the run
seed; it pre-draws every random number a kernel needs.  The complete state
(spins, generator state, sweep counter, time series) can be saved and
restored, so a resumed run is bit-identical to one never interrupted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError
from . import _hmc, _ising, _kernels, _local
from ._lattice import lattice_energy, local_fields
from ._models import MODELS, SpinModel, build_model
from ._observables import SHELL_NORMS, measure, ordered_spins, ordering_mode, stencil
from ._summary import sampler_report, summarize_states  # noqa: F401  (sampler_report re-exported)

SAMPLERS = ("auto", "hmc", "metropolis", "local", "ising")
STARTS = ("random", "ordered")


@dataclass(frozen=True)
class RunParameters:
    """Everything that defines a run (validated at construction)."""

    model: str
    L: int
    temperature: float
    sweeps: int
    seed: int
    sampler: str = "auto"       # see resolve_sampler
    components: int | None = None
    c_l: float | None = None
    c_t: float | None = None
    poisson: float | None = None
    k0: str = "average"
    cutoff: float = 1.0          # Gaussian UV cutoff of the long-range models (lattice units)
    thermalize: int = 0
    step_size: float = 0.0       # HMC; 0 = tuned during thermalisation (dual averaging), then frozen
    trajectory: float = 0.0      # HMC: mean trajectory time (jittered over [0.5, 1.5] x this); 0 = the kinetic
    #                              energy's default (_hmc.DEFAULT_TRAJECTORY: 2 Gaussian, 8 linear)
    kinetic: str = "auto"        # HMC kinetic energy: "gaussian", "linear" or "auto" (linear for n >= 4)
    delta: float = 0.0           # Metropolis/local proposal width; 0 = automatic (local: tuned while thermalising)
    overrelax: int | None = None  # over-relaxation sweeps per sweep; None = sampler default (local: 2 short-range, else 0)
    field: tuple = ()            # uniform site field h (site term -h.s), n components; () = none
    order_shell: int | None = None  # order-parameter shell (0, 1, 2: |m|^2); None = the model's Weiss ordering shell
    start: str = "random"        # "random" (infinite T) or "ordered" (the ordering mode at full amplitude)

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
        if not (isinstance(self.step_size, (int, float)) and math.isfinite(self.step_size) and self.step_size >= 0):
            raise ParameterError("step_size", self.step_size, "step_size >= 0 (0: tuned during thermalisation)")
        if not (isinstance(self.trajectory, (int, float)) and math.isfinite(self.trajectory)
                and 0 <= self.trajectory <= 100):
            raise ParameterError("trajectory", self.trajectory,
                                 "0 < trajectory <= 100 (HMC time units), or 0 for the kinetic energy's default")
        if self.kinetic not in ("auto", *_hmc.KINETIC_ENERGIES):
            raise ParameterError("kinetic", self.kinetic, "one of auto, " + ", ".join(_hmc.KINETIC_ENERGIES))
        if self.overrelax is not None and (not isinstance(self.overrelax, (int, np.integer)) or self.overrelax < 0
                                           or (self.overrelax and self.sampler in ("hmc", "ising"))):
            raise ParameterError("overrelax", self.overrelax, "an integer >= 0, with the metropolis or local sampler")
        if not (isinstance(self.delta, (int, float)) and math.isfinite(self.delta) and self.delta >= 0):
            raise ParameterError("delta", self.delta, "a proposal width >= 0 (0 = automatic)")
        if self.thermalize < 0 or self.thermalize >= self.sweeps:
            raise ParameterError("thermalize", self.thermalize, f"0 <= thermalize < sweeps = {self.sweeps}")
        if self.order_shell is not None and (not isinstance(self.order_shell, (int, np.integer))
                                             or self.order_shell not in range(len(SHELL_NORMS))):
            raise ParameterError("order_shell", self.order_shell, "0, 1 or 2 (|m|^2 of k = 2 pi m/L)",
                                 "or leave it unset for the model's Weiss ordering shell")
        if self.start not in STARTS:
            raise ParameterError("start", self.start, "one of " + ", ".join(STARTS))

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
    """Runtime state of one chain (mutable).

    ``sampler_state`` holds the resolved sampler (``"sampler"``) and, for
    HMC, the step size (tuned or frozen), the dual-averaging state and the
    acceptance of the tuning phase: everything a checkpoint needs to
    resume bit-identically (plain floats and ints, JSON-safe)."""

    params: RunParameters
    coords: np.ndarray                 # HMC: unit spins (L,L,L,n); Metropolis, Ising: spins (N, n)
    rng: np.random.Generator
    sweep: int = 0
    energy: list = field(default_factory=list)
    magnetisation: list = field(default_factory=list)
    accepted: int = 0
    attempted: int = 0
    structure_shells: list = field(default_factory=list)   # per measurement: shell-averaged S, (3, n, n)
    structure_trace: list = field(default_factory=list)    # per measurement: tr S(k) on the stencil, (K,)
    last_energy: float | None = None                       # total energy after the latest sweep (measured or not)
    sampler_state: dict = field(default_factory=dict)
    order_shell: int | None = None                         # the run's order-parameter shell (fixed; see ordering_mode)
    structure_order: list = field(default_factory=list)    # per measurement: real S(k) of each member of it, (P, n, n)

    def spins(self):
        x = self.coords.reshape(-1, self.coords.shape[-1])
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    def generator_state(self) -> dict:
        return self.rng.bit_generator.state


def resolve_sampler(params: RunParameters, model: SpinModel) -> str:
    """The sampler a run uses: ``params.sampler``, or for ``"auto"`` the one
    that is exact and fastest for this model.

    * n = 1 (Ising spins, +-1): ``"ising"``, the exact heat bath (continuous
      samplers cannot move between two points; HMC is refused).
    * n >= 2, short-range kernels (``nn``): ``"local"`` (sparse exact fields
      and over-relaxation; 33-41 ESS/s for O(3) at beta_c, L = 16, 3.5-7.5x
      HMC at L = 16-32 in benchmarks/mc_speed.py).
    * n >= 2, long-range kernels: ``"hmc"`` (geodesic HMC, O(N log N) per
      trajectory; for bl6 near T_c 14-90x the ESS/s of ``"local"`` at
      L = 8-32, and 7-12x at 2 T_c, in benchmarks/mc_speed.py).  The dense ``"metropolis"`` is O(N^2) per sweep and stays
      the reference.

    Raises ParameterError when an explicit sampler cannot sample the model,
    and when an HMC setting (``kinetic``, ``trajectory``) is given to a run
    that does not use HMC (it would be ignored)."""
    sampler = _resolve(params, model)
    if sampler != "hmc" and (params.kinetic != "auto" or params.trajectory):
        name, value = ("kinetic", params.kinetic) if params.kinetic != "auto" else ("trajectory", params.trajectory)
        raise ParameterError(name, value, f"the default with the {sampler} sampler (it is an HMC setting)",
                             "drop it, or choose the hmc sampler")
    return sampler


def _resolve(params: RunParameters, model: SpinModel) -> str:
    n = model.n_components
    if params.sampler == "auto":
        if n == 1:
            return "ising"
        return "local" if _local.is_short_range(model.kernel.jr) else "hmc"
    if params.sampler == "ising" and n != 1:
        raise ParameterError("sampler", "ising", f"a sampler for n = {n} component spins: auto, hmc, local or metropolis",
                             "the ising heat bath needs one-component (+-1) spins")
    if params.sampler == "hmc" and n == 1:
        raise ParameterError("sampler", "hmc", "auto, ising, local or metropolis for n = 1 (+-1 spins)",
                             "HMC moves continuously on the sphere and cannot flip a one-component spin")
    return params.sampler


def new_state(params: RunParameters, model: SpinModel | None = None, seed_sequence=None) -> RunState:
    """A fresh chain; its generator is PCG64(params.seed), or PCG64 of
    ``seed_sequence`` (a ``numpy.random.SeedSequence``: independent chains)."""
    model = params.build() if model is None else model
    sampler = resolve_sampler(params, model)
    rng = np.random.Generator(np.random.PCG64(params.seed if seed_sequence is None else seed_sequence))
    n = model.n_components
    g = rng.standard_normal((model.L, model.L, model.L, n))
    s = g / np.linalg.norm(g, axis=-1, keepdims=True)   # uniform on the sphere; +-1 with equal weight for n = 1
    order_shell = ordering_mode(model, params.order_shell)["shell"]
    if params.start == "ordered":   # the normals are drawn either way: the generator's stream does not depend on the start
        s = ordered_spins(model, order_shell)
    sampler_state = {"sampler": sampler}
    if sampler == "hmc":
        coords = s
        if params.step_size:
            eps, source = float(params.step_size), "given"
        else:
            eps = _hmc.initial_step_size(model.kernel, 1.0 / params.temperature, params.field_vector(n))
            source = "tuned" if params.thermalize > 0 else "untuned (no thermalisation to tune in)"
        kinetic = _hmc.default_kinetic(n) if params.kinetic == "auto" else params.kinetic
        sampler_state.update({"step_size": eps, "step_size_source": source, "target_acceptance":
                              _hmc.TARGET_ACCEPTANCE, "kinetic": kinetic,
                              "trajectory": params.trajectory or _hmc.DEFAULT_TRAJECTORY[kinetic],
                              "integrator": _hmc.INTEGRATOR, "integrator_steps": 0, "tuning_accepted": 0,
                              "tuning_attempted": 0})
        if source == "tuned":
            sampler_state["dual_averaging"] = _hmc.DualAveraging.start(eps)
    else:
        coords = s.reshape(-1, n)
    return RunState(params, np.ascontiguousarray(coords), rng, sampler_state=sampler_state, order_shell=order_shell)


def _hmc_trajectory(state: RunState, model: SpinModel, beta, hext):
    """One HMC trajectory; during thermalisation (sweep < thermalize) it
    adapts the step size, and freezes it after the last thermalisation
    sweep.  Random numbers, in this order: jitter, normals, (linear kinetic
    energy: N Gamma(n - 1) momentum lengths), accept uniform.  A state
    without a "kinetic" entry was written before the linear kinetic energy
    existed, and continues with the Gaussian one it was started with."""
    p, ss = state.params, state.sampler_state
    if ss.get("integrator") != _hmc.INTEGRATOR:
        raise ParameterError("integrator", ss.get("integrator", "leapfrog"), f"'{_hmc.INTEGRATOR}' (this version's)",
                             "this HMC run was started by an earlier tensorglass with another integrator: finish it "
                             "with that version, or start a new run")
    tuning = "dual_averaging" in ss and state.sweep < p.thermalize
    eps = math.exp(ss["dual_averaging"]["log_eps"]) if tuning else ss["step_size"]
    jitter = state.rng.random()
    normals = state.rng.standard_normal(state.coords.shape)
    mags = None
    if ss.get("kinetic", "gaussian") == "linear":
        mags = state.rng.standard_gamma(state.coords.shape[-1] - 1, size=normals[..., 0].size)
    u = state.rng.random()
    steps = _hmc.integrator_steps(ss["trajectory"], eps, jitter)
    ok, e, prob = _hmc.hmc_step(model.kernel, state.coords, normals, u, beta, eps, steps, hext, magnitudes=mags)
    if tuning:
        da = ss["dual_averaging"]
        _hmc.DualAveraging.update(da, prob)
        ss["tuning_accepted"] += int(ok)
        ss["tuning_attempted"] += 1
        if state.sweep + 1 == p.thermalize:
            ss["step_size"] = math.exp(da["log_eps_bar"])
            del ss["dual_averaging"]
    else:
        state.accepted += int(ok)
        state.attempted += 1
        ss["integrator_steps"] += steps
    return e


def advance(state: RunState, model: SpinModel, n_sweeps: int, on_sweep=None, stop=None) -> None:
    """Run ``n_sweeps`` more sweeps, measuring after each.  ``on_sweep(state)``
    is called after every sweep (progress, checkpoints); ``stop()`` returning
    True ends the loop early after a complete sweep.  One HMC "sweep" is one
    trajectory (all spins move); HMC acceptance counts only the trajectories
    after tuning."""
    p = state.params
    beta = 1.0 / p.temperature
    n = model.n_components
    hext = p.field_vector(n)
    if "sampler" not in state.sampler_state:   # a state made by hand or an old checkpoint
        state.sampler_state["sampler"] = resolve_sampler(p, model)
    sampler = state.sampler_state["sampler"]
    if sampler == "hmc" and "step_size" not in state.sampler_state:
        state.sampler_state.update(new_state(p, model).sampler_state)
    if sampler == "ising":
        offsets, couplings = _ising.coupling_offsets(model.kernel.jr)
    for _ in range(n_sweeps):
        e = None
        if sampler == "hmc":
            e = _hmc_trajectory(state, model, beta, hext)
        elif sampler == "ising":
            nsite = state.coords.shape[0]
            unif = state.rng.random(nsite)
            spins = state.coords[:, 0]
            if not np.all(np.abs(spins) == 1.0):
                spins = np.sign(spins)
            fields = local_fields(model.kernel, spins.reshape(model.L, model.L, model.L, 1)).reshape(-1) + hext[0]
            spins = np.ascontiguousarray(spins)
            state.accepted += _ising.heat_bath_sweep(spins, fields, offsets, couplings, model.L, unif, beta)
            state.coords[:, 0] = spins
            state.attempted += nsite
        elif sampler == "local":
            _local_step(state, model, beta, hext)
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
        state.sweep += 1
        s = state.spins()
        if e is None:
            e = lattice_energy(model.kernel, s.reshape(model.L, model.L, model.L, n)) - float(np.sum(s @ hext))
        record(state, model, s, e)
        if on_sweep is not None:
            on_sweep(state)
        if stop is not None and stop():
            break


def record(state: RunState, model: SpinModel, spins, energy) -> None:
    """Measure after a sweep (past thermalisation): energy per spin, the
    magnetisation vector and the structure factor on the recorded shells
    (:mod:`._observables`)."""
    state.last_energy = float(energy)
    if state.order_shell is None:   # a state made by hand or read from an older file
        state.order_shell = ordering_mode(model, state.params.order_shell)["shell"]
    if state.sweep > state.params.thermalize:
        state.energy.append(energy / model.n_sites)
        state.magnetisation.append(spins.mean(axis=0))
        mats, trace, members = measure(spins, model.L, _stencil(model.L), state.order_shell)
        state.structure_shells.append(mats)
        state.structure_trace.append(trace)
        if len(state.structure_order) == len(state.structure_shells) - 1:   # older files: no member series
            state.structure_order.append(members)


_STENCILS: dict = {}


def _stencil(L):
    if L not in _STENCILS:
        _STENCILS[L] = stencil(L)
    return _STENCILS[L]


# Default over-relaxation sweeps per Metropolis sweep of the local sampler: 2 for short-range kernels (exact
# microcanonical reflections, always accepted); 0 for long-range ones, whose only exact reflection (about the
# near field, accepted by the clock filter) was accepted 0.2-5 % of the time for bl6 near T_c: not worth its cost.
# Measured (nn O(3), L = 16, beta_c, two chains of 10 CPU-s each, ESS/s of the slowest of E, |m| and m_k):
# 0, 1, 2, 3, 4, 6 reflection sweeps gave 6-7, 25-33, 33-41, 29-37, 16-33, 23-28: the energy decorrelates only
# through the Metropolis sweeps, so more reflections stop paying after two.
LOCAL_OVERRELAX_SHORT = 2
LOCAL_TARGET_ACCEPTANCE = 0.3  # acceptance x width^2 per CPU-s peaked near 0.3 (bl6, L = 16, T = 0.12)
LOCAL_TUNING_GAIN = 0.5


def local_delta(state: RunState, n_sites: int) -> float:
    """Proposal width of the local sampler at the current sweep.

    A width given in the parameters is used as is.  Otherwise, while
    thermalising, ``log delta = log delta0 + g (accepted - a* attempted)/N``:
    a Robbins-Monro (integral) controller towards acceptance a* = 0.3 whose
    value is a function of the saved counters alone, so a run resumed during
    thermalisation continues bit-identically.  When thermalisation ends the
    width is frozen into ``state.sampler_state["delta"]`` (hence recorded in
    the summary and the checkpoint, per chain: independent chains of one run
    keep equal parameters); production uses that fixed width, so the
    production chain is an exact, time-homogeneous Markov chain."""
    p = state.params
    if p.delta:
        return p.delta
    if "delta" in state.sampler_state:
        return state.sampler_state["delta"]
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
        state.sampler_state["delta"] = local_delta(state, nsite)
        state.sampler_state["delta_source"] = "tuned to acceptance 0.3 while thermalising, then frozen"


def summarize(state: RunState, model: SpinModel, warn: bool = True) -> dict:
    """Observables with error bars and autocorrelation times of one chain.

    Per measured sweep: ``e`` (energy per spin), ``m_c = |<s_1>|`` (compression,
    component 1) and ``m_s = |<s_2..n>|`` (shear, components 2..n), spatial
    averages, and the structure factor (see :mod:`._observables`).  Reported:
    means with errors from each observable's tau_int; specific heat
    ``C = beta^2 N var(e)`` and susceptibilities ``chi = beta N var(m)`` with
    jackknife errors; Binder ratios ``<m^4>/<m^2>^2``; the mean magnetisation
    vector; the ordering mode (``m_order``, ``chi_order``, ``binder_order``),
    ``xi``, ``xi_over_L``, ``structure_factor``, bl6's ``compression_weight``,
    ``t_c_weiss``, ``tau_int_by_observable``, split-R-hat of the chain's
    halves and ``flags``; for coupled-blocks the static stress-stress
    susceptibility ``chi_ab = beta/V (<T_a T_b> - <T_a><T_b>)`` of the total
    Mandel stress.  Warns (:class:`ShortRunWarning`) below 100 tau_int;
    refuses a frozen chain (:class:`FrozenChainError`)."""
    return summarize_states([state], model, warn=warn)


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


@dataclass
class Exchange:
    """State of the replica exchange itself (checkpointable): the swap
    generator, swaps accepted and tried per neighbouring pair, rounds done,
    and the bookkeeping of where each configuration ("replica") has been.

    ``labels[i]`` is the replica at temperature slot i (slots ordered from
    the lowest temperature up).  ``last_end[r]`` is the end replica r
    visited last (0 the coldest slot, 1 the hottest, -1 none yet);
    ``round_trips`` counts completed cold -> hot -> cold journeys;
    ``up[i]``/``down[i]`` count, after every round, the replicas at slot i
    that last visited the cold/hot end: the replica flow
    ``f(i) = up/(up + down)`` of Katzgraber, Trebst, Huse & Troyer,
    J. Stat. Mech. (2006) P03018, which falls from 1 to 0 along a ladder
    that lets replicas diffuse freely."""

    rng: np.random.Generator
    accepted: np.ndarray
    tried: np.ndarray
    rounds: int = 0
    labels: np.ndarray | None = None
    last_end: np.ndarray | None = None
    went_up: np.ndarray | None = None      # replica r has made a cold -> hot journey since its last cold visit
    round_trips: int = 0
    up: np.ndarray | None = None
    down: np.ndarray | None = None

    def __post_init__(self):
        k = len(self.accepted) + 1
        if self.labels is None:
            self.labels = np.arange(k)
        if self.last_end is None:
            self.last_end = np.full(k, -1)
        if self.went_up is None:
            self.went_up = np.zeros(k, bool)
        if self.up is None:
            self.up = np.zeros(k)
        if self.down is None:
            self.down = np.zeros(k)

    def rates(self):
        return self.accepted / np.maximum(self.tried, 1)

    def flow(self):
        """The replica flow f(i) per slot (NaN where no replica has yet visited an end)."""
        tot = self.up + self.down
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(tot > 0, self.up / np.maximum(tot, 1), np.nan)

    def note_ends(self):
        """Update the end visits, round trips and flow counts after a round."""
        k = len(self.labels)
        for slot, end in ((0, 0), (k - 1, 1)):
            r = self.labels[slot]
            if self.last_end[r] != end:
                if end == 1 and self.last_end[r] == 0:
                    self.went_up[r] = True
                elif end == 0 and self.went_up[r]:
                    self.round_trips += 1
                    self.went_up[r] = False
                self.last_end[r] = end
        ends = self.last_end[self.labels]
        self.up += ends == 0
        self.down += ends == 1

    def report(self, temperatures) -> dict:
        """Swap rates per pair, round trips and the replica flow, as stored in the summary."""
        t = [float(x) for x in temperatures]
        return {"pairs": [{"T_low": a, "T_high": b, "swap_rate": float(r), "tried": int(n)}
                          for a, b, r, n in zip(t, t[1:], self.rates(), self.tried)],
                "round_trips": int(self.round_trips), "rounds": int(self.rounds),
                "flow": [None if math.isnan(f) else float(f) for f in self.flow()],
                "flow_note": "fraction of the replicas at each temperature that last visited the coldest one "
                             "(1 at the cold end, 0 at the hot end)"}


def new_tempering(params_list, model: SpinModel, seed: int):
    """Fresh replicas and exchange: the swap generator is PCG64 of the first
    child of ``SeedSequence(seed)``, replica i's of child i + 1."""
    children = np.random.SeedSequence(seed).spawn(len(params_list) + 1)
    states = [new_state(p, model, seed_sequence=c) for p, c in zip(params_list, children[1:])]
    return states, Exchange(np.random.Generator(np.random.PCG64(children[0])), np.zeros(len(states) - 1),
                            np.zeros(len(states) - 1))


def parallel_tempering(params_list, model: SpinModel, rounds: int, sweeps_per_round: int = 1, seed: int = 0,
                       states=None, exchange: Exchange | None = None, on_round=None, stop=None):
    """Replica exchange over the temperatures of ``params_list`` (same model,
    sampler and seed base): each round advances every replica, then proposes
    swaps of neighbouring temperatures (even pairs on even rounds, odd pairs
    on odd rounds) with probability ``min(1, exp((beta_i - beta_j)(E_i - E_j)))``,
    E the total energy after the round (thermalisation sweeps included).
    The replicas' and the swaps' generators come from
    ``SeedSequence(seed).spawn`` (independent streams), unless ``states`` and
    ``exchange`` are given (a resumed run: both are continued in place).
    ``on_round()`` is called after every round; ``stop()`` returning True
    ends the loop after a complete round.  Returns the replica states (index
    = temperature slot) and the swap acceptance per pair; round trips and
    the replica flow are in ``exchange`` (:class:`Exchange`)."""
    if states is None:
        states, fresh = new_tempering(params_list, model, seed)
        exchange = fresh if exchange is None else exchange
    elif exchange is None:
        exchange = Exchange(np.random.Generator(np.random.PCG64(seed)), np.zeros(len(states) - 1),
                            np.zeros(len(states) - 1))
    temps = [p.temperature for p in params_list]
    if any(b <= a for a, b in zip(temps, temps[1:])):
        raise ParameterError("temperatures", temps, "strictly increasing temperatures (slot 0 the coldest)")
    betas = np.array([1.0 / t for t in temps])
    for _ in range(rounds):
        for st in states:
            advance(st, model, sweeps_per_round)
        for i in range(exchange.rounds % 2, len(states) - 1, 2):
            e_i, e_j = states[i].last_energy, states[i + 1].last_energy
            exchange.tried[i] += 1
            if exchange.rng.random() < math.exp(min(0.0, (betas[i] - betas[i + 1]) * (e_i - e_j))):
                states[i].coords, states[i + 1].coords = states[i + 1].coords, states[i].coords
                states[i].last_energy, states[i + 1].last_energy = e_j, e_i
                exchange.labels[i], exchange.labels[i + 1] = exchange.labels[i + 1], exchange.labels[i]
                exchange.accepted[i] += 1
        exchange.rounds += 1
        exchange.note_ends()
        if on_round is not None:
            on_round()
        if stop is not None and stop():
            break
    return states, exchange.rates()


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
