"""The sweep points of the bl-phase study (run on the workers).

``pt_point``: one lattice (model, L, Poisson ratio, cutoff, k = 0
convention) at ``n_t`` temperatures by the engine's parallel tempering
(:func:`tensorglass.montecarlo.parallel_tempering`, one round = one sweep
of every slot, then swaps of neighbouring temperatures), with
``replicas`` independent tempering sets (2 for the overlap P(q)).  The
ordering observables are the engine's (:mod:`tensorglass.montecarlo`'s
structure factor, recorded by every measured sweep), read off each
measurement here and reduced to block means:

* ordering set K*: the recorded shell where the Weiss spectrum
  lambda_max(J(k) - J(r=0)) is largest (:func:`~tensorglass.montecarlo.weiss_ordering_shell`;
  the self term is excluded from H, so the lattice Weiss T_c is that maximum
  divided by n).  K* = {0} for the nearest-neighbour model; for bl6 the
  shell |k| = 2 pi/L or, where the undamped uniform coupling wins, k = 0.
  It is fixed by the model (not chosen from the data), so the order
  parameter is the same function of the spins at every temperature.
* order parameter m^2 = sum_{k in K*} |s(k)|^2 / N^2 (the engine's
  ``mode_amplitude`` squared; trace over the n components); Binder ratio
  <m^4>/<m^2>^2.  For K* = {0} this is |M|^2/N^2, the convention of the
  Wolff reference.
* second-moment correlation length about K* (the engine's
  ``correlation_length``): xi = sqrt(S(K*)/S(K_nb) - 1) / (2 sin(pi/L)),
  S the per-mode average of |s(k)|^2/N over a shell (``shell_mean``) and
  K_nb the next recorded shell outward (|m|^2 = 1 for K* = {0}, |m|^2 = 2
  for K* = the |m|^2 = 1 shell).  This departs from the engine's summary,
  which averages the six neighbours of each member of K* and so, for
  K* = shell 1, includes k = 0: under k0 = "average" the uniform mode has
  its own, undamped coupling, which would pull xi of a modulated phase down.
* compression weight: the share of component 0 (compression in 004's A3
  basis) in the ordering-mode intensity, <S_00(K*)>/<tr S(K*)> (the
  engine's ``compression_fraction``, from its shell-averaged matrices).
* overlaps of two replicas at the same T: site overlap
  q = (1/N) sum_i s_i^(1).s_i^(2) (the 6-vector dot product; its
  distribution P(q) is kept as a histogram) and the translation-invariant
  mode overlap q_mode = sum_k Tr(Q1_k Q2_k)/sqrt(sum Tr Q1_k^2 sum Tr Q2_k^2)
  with Q_k = Re s(k) s(k)^+ over K* (the engine's ``spin_fourier``; 1 when
  both replicas chose the same ordering modes and polarisations, whatever
  their phases).

Per temperature the point stores 20 block means of each measured series
(e, e^2, m^2, m^4, S(K*), S(K_nb), S_0(K*)), from which the analysis
forms C, U, xi/L with jackknife or bootstrap errors, plus tau_int of e and
m^2 (window c = 8), so that a block shorter than 2 tau_int is flagged.

``mf_point``: the all-to-all model of 004 Eq. (21) (exact mean field) at
one N over a T grid via :func:`tensorglass.montecarlo.run_mean_field`,
with the same block layout (the energy per spin is
-(1/2) N (J_c m_c^2 + J_s m_s^2) from the order parameters).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..errors import ParameterError

N_BLOCKS = 20
Q_BINS = 41
QM_BINS = 20


def _tau(x):
    from ..montecarlo import integrated_autocorrelation_time
    return float(integrated_autocorrelation_time(np.asarray(x, float), c=8.0))


def _blocks(x, nb=N_BLOCKS):
    x = np.asarray(x, float)
    b = x.size // nb
    return x[: nb * b].reshape(nb, b).mean(axis=1).tolist()


def temperature_grid(t_lo, t_hi, n_t):
    """Temperatures equally spaced in beta (parallel-tempering friendly)."""
    return (1.0 / np.linspace(1.0 / t_lo, 1.0 / t_hi, int(n_t)))


def ordering_modes(model):
    """The ordering set of ``model`` on the engine's recorded shells.

    Returns ``{"shell", "neighbour_shell", "t_weiss", "k_star", "n_modes",
    "on_shell"}``: the shell index (into
    :data:`tensorglass.montecarlo.SHELL_NORMS`) of K*, the next shell
    outward (for xi), the lattice Weiss T_c, |k*| and the number of wave
    vectors in K* (+-k counted separately: 1 for k = 0, 6 for |m|^2 = 1)."""
    from ..montecarlo import SHELL_NORMS, stencil, weiss_ordering_shell, weiss_temperature
    shell, on_shell = weiss_ordering_shell(model)
    if shell + 1 >= len(SHELL_NORMS):
        raise ParameterError("ordering modes", f"|m|^2 = {SHELL_NORMS[shell]}",
                             f"a Weiss maximum on |m|^2 < {SHELL_NORMS[-1]} (the recorded shells)",
                             "the correlation length needs the next shell outward")
    st = stencil(model.L)
    L = model.L
    n_modes = sum(1 if np.all(np.mod(st.m[i], L) == np.mod(-st.m[i], L)) else 2 for i in st.shells[shell])
    return {"shell": shell, "neighbour_shell": shell + 1, "t_weiss": weiss_temperature(model),
            "k_star": float(2 * np.pi / L * math.sqrt(SHELL_NORMS[shell])), "n_modes": int(n_modes),
            "on_shell": on_shell}


def mode_observables(trace, mats, st, shell, nb_shell):
    """The study's series from one of the engine's measurements (``trace``:
    tr S(k) on the stencil, ``mats``: shell-averaged S matrices): m^2 (the
    squared ``mode_amplitude``), S(K*) and S(K_nb) (``shell_mean``) and the
    compression part S_00(K*)."""
    from ..montecarlo import mode_amplitude, shell_mean
    return {"m2": float(mode_amplitude(np.asarray(trace)[None, :], st, shell)[0]) ** 2,
            "sk": float(shell_mean(trace, st, shell)), "snb": float(shell_mean(trace, st, nb_shell)),
            "s0": float(mats[shell][0, 0])}


def _mode_matrix(sk):
    """Q_k = Re s(k) s(k)^+ for the rows of ``sk`` (nK, n)."""
    return np.real(sk[:, :, None] * np.conj(sk[:, None, :]))


def pt_point(params: dict, seed: int) -> dict:
    """One parallel-tempering run (see the module docstring)."""
    from ..montecarlo import RunParameters, new_tempering, parallel_tempering, spin_fourier, stencil
    model_name = params.get("model", "bl6")
    L = int(params["L"])
    temps = temperature_grid(params["t_lo"], params["t_hi"], params["n_t"])
    sweeps, therm = int(params["sweeps"]), int(params["thermalize"])
    replicas = int(params.get("replicas", 1))
    # each slot is a chain of the engine whose thermalisation (where the sampler tunes its width or step, then
    # freezes it) is the study's; the engine measures every sweep past it
    kw = {"model": model_name, "L": L, "sampler": params.get("sampler", "metropolis"), "sweeps": sweeps,
          "thermalize": therm}
    if model_name == "nn":
        kw["components"] = int(params.get("components", 3))
    else:
        kw.update(poisson=float(params["poisson"]), cutoff=float(params.get("cutoff", 1.0)),
                  k0=str(params.get("k0", "average")))
    base = RunParameters(temperature=float(temps[0]), seed=0, **kw)
    plist = [replace(base, temperature=float(t)) for t in temps]
    model = base.build()
    n, n_sites = model.n_components, model.n_sites
    om = ordering_modes(model)
    shell, nb_shell = om["shell"], om["neighbour_shell"]
    st = stencil(L)
    rows = list(st.shells[shell])
    seeds = np.random.SeedSequence(seed).spawn(replicas)
    sets = [new_tempering(plist, model, int(s.generate_state(1)[0] >> 1)) for s in seeds]
    nt = len(temps)
    series = [[{k: [] for k in ("e", "m2", "sk", "snb", "s0")} for _ in range(nt)] for _ in range(replicas)]
    q_hist = np.zeros((nt, Q_BINS))
    qm_hist = np.zeros((nt, QM_BINS))
    q_abs, q2, qm = [[] for _ in range(nt)], [[] for _ in range(nt)], [[] for _ in range(nt)]
    for sweep in range(sweeps):
        for r, (states, exchange) in enumerate(sets):
            parallel_tempering(plist, model, 1, states=states, exchange=exchange)
            for j, s in enumerate(states):
                if s.energy:  # measured by the engine (past thermalisation), before this round's swaps
                    d = series[r][j]
                    d["e"].append(s.energy[-1])
                    for k, v in mode_observables(s.structure_trace[-1], s.structure_shells[-1], st, shell,
                                                 nb_shell).items():
                        d[k].append(v)
                for name in ("energy", "magnetisation", "structure_shells", "structure_trace"):
                    getattr(s, name).clear()  # consumed: keep memory flat
        if replicas == 2 and sweep >= therm:
            for j in range(nt):
                a, b = sets[0][0][j].spins(), sets[1][0][j].spins()
                q = float(np.sum(a * b)) / n_sites
                q_hist[j] += np.histogram([q], bins=Q_BINS, range=(-1, 1))[0]
                q_abs[j].append(abs(q))
                q2[j].append(q * q)
                qa = _mode_matrix(spin_fourier(a.reshape(L, L, L, n), L, st)[rows])
                qb = _mode_matrix(spin_fourier(b.reshape(L, L, L, n), L, st)[rows])
                num = float(np.sum(qa * qb))
                den = math.sqrt(float(np.sum(qa * qa)) * float(np.sum(qb * qb)))
                v = num / den if den > 0 else 0.0
                qm[j].append(v)
                qm_hist[j] += np.histogram([v], bins=QM_BINS, range=(0, 1))[0]
    acc0 = [[sum(ss[0][j].accepted for ss in sets), sum(ss[0][j].attempted for ss in sets)] for j in range(nt)]
    swaps_acc = sum(ex.accepted for _, ex in sets)
    swaps_tried = sum(ex.tried for _, ex in sets)
    blocks, taus = {}, {"e": [], "m2": []}
    for key in ("e", "m2", "sk", "snb", "s0"):
        blocks[key] = [_blocks(series[0][j][key]) for j in range(nt)]
    blocks["e2"] = [_blocks(np.square(series[0][j]["e"])) for j in range(nt)]
    blocks["m4"] = [_blocks(np.square(series[0][j]["m2"])) for j in range(nt)]
    for j in range(nt):
        taus["e"].append(_tau(series[0][j]["e"]))
        taus["m2"].append(_tau(series[0][j]["m2"]))
    n_meas = len(series[0][0]["e"])
    # a frozen-pattern picture: the z = 0 slice of replica 0 at the lowest T (slot 0)
    low = sets[0][0][0].spins().reshape(L, L, L, n)[:, :, 0, :]
    extra = {"temperatures": temps.tolist(), "blocks": blocks, "tau": taus, "n_meas": n_meas,
             "block_length": n_meas // N_BLOCKS,
             "swap_rates": (swaps_acc / np.maximum(swaps_tried, 1)).tolist(),
             "acceptance": [a / max(b, 1) for a, b in acc0], "slice": low.tolist(),
             "n_components": n, "n_sites": n_sites, "ordering_set_size": om["n_modes"], "k_star": om["k_star"],
             "ordering_on_recorded_shell": om["on_shell"]}
    if replicas == 2:
        extra.update({"q_hist": q_hist.tolist(), "q_mode_hist": qm_hist.tolist(),
                      "q_abs": [float(np.mean(x)) for x in q_abs], "q2": [float(np.mean(x)) for x in q2],
                      "q_mode": [float(np.mean(x)) for x in qm]})
    max_tau = max(max(taus["e"]), max(taus["m2"]))
    return {"t_weiss": om["t_weiss"], "k_star": om["k_star"],
            "min_swap_rate": float(np.min(extra["swap_rates"])) if nt > 1 else 1.0,
            "max_tau": max_tau, "_extra": extra}


def mf_point(params: dict, seed: int) -> dict:
    """All-to-all model of 004 Eq. (21) at one N over a temperature grid."""
    from ..montecarlo import run_mean_field
    n_spins = int(params["n_spins"])
    j_c, j_s = float(params["j_compr"]), float(params["j_shear"])
    temps = temperature_grid(params["t_lo"], params["t_hi"], params["n_t"])
    sweeps, therm = int(params["sweeps"]), int(params["thermalize"])
    ss = np.random.SeedSequence(seed).spawn(len(temps))
    blocks = {k: [] for k in ("e", "e2", "m2", "m4")}
    taus = {"e": [], "m2": []}
    for j, t in enumerate(temps):
        mc, ms = run_mean_field(n_spins, float(t), j_c, j_s, sweeps, int(ss[j].generate_state(1)[0] >> 1),
                                thermalize=therm)
        e = -0.5 * n_spins * (j_c * mc**2 + j_s * ms**2)
        m = mc if j_c >= j_s else ms
        for key, x in (("e", e), ("e2", e * e), ("m2", m * m), ("m4", m**4)):
            blocks[key].append(_blocks(x))
        taus["e"].append(_tau(e))
        taus["m2"].append(_tau(m * m))
    return {"max_tau": max(max(taus["e"]), max(taus["m2"])),
            "_extra": {"temperatures": temps.tolist(), "blocks": blocks, "tau": taus, "n_meas": sweeps,
                       "block_length": sweeps // N_BLOCKS, "n_sites": n_spins}}
