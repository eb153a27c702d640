"""The summary of one or several independent chains of one run.

Every reported error uses the autocorrelation time of the series it is
built from; the run's ``tau_int`` is the largest over the symmetry-invariant
observables (energy, the ordering-mode amplitude, lambda_max of S on the
ordering shell, the two structure-factor values behind xi and, for bl6,
the compression and shear magnetisations).  Split-R-hat is computed for
every observable; its ``"max"`` and the flags use the invariant ones.  Flags (each
``{"flag", "message", "remedy"}``) mark chains that disagree (R-hat >
1.05), a low acceptance (< 0.2), fewer than 100 tau_int of data per chain,
and frozen chains (an exactly constant energy series or acceptance 0), which
are left out of the estimates; if every chain is frozen the run is refused
with :class:`FrozenChainError`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict

import numpy as np

from ..errors import ParameterError
from ._observables import (
    _self_conjugate,
    correlation_length,
    gaussian_binder,
    lambda_max,
    order_series,
    ordering_mode,
    stencil,
    weiss_temperature,
)
from ._stats import (
    MIN_TAU_MULTIPLE,
    FrozenChainError,
    ShortRunWarning,
    chains_mean_with_error,
    jackknife,
    split_r_hat,
)

R_HAT_MAX = 1.05
ACCEPTANCE_MIN = 0.2


def sampler_report(state) -> dict:
    """What the output records about the sampler: the resolved name and, for
    HMC, the frozen step size, how it was chosen, the mean number of
    integrator steps (two field evaluations each) per measured trajectory and the tuning-phase acceptance."""
    ss = dict(state.sampler_state)
    ss.pop("dual_averaging", None)
    if ss.get("sampler") == "hmc":
        ss["mean_integrator_steps"] = ss.get("integrator_steps", 0) / max(state.attempted, 1)
        ss["tuning_acceptance"] = ss.get("tuning_accepted", 0) / max(ss.get("tuning_attempted", 0), 1)
    return ss


def _pm(pair):
    return {"mean": float(pair[0]), "error": float(pair[1])}


def _is_frozen(state) -> bool:
    e = np.asarray(state.energy, float)
    return (state.attempted > 0 and state.accepted == 0) or (e.size >= 2 and np.ptp(e) == 0)


def summarize_states(states, model, warn: bool = True, swap_rates=None) -> dict:
    """Observables with error bars, tau_int per observable, split-R-hat and
    flags from one or more chains of the same run parameters."""
    p = states[0].params
    for st in states[1:]:
        if st.params != p:
            raise ParameterError("states", "chains of different runs", "chains of one run (equal RunParameters)",
                                 f"{st.params} differs from {p}")
    beta = 1.0 / p.temperature
    n_sites, n, L = model.n_sites, model.n_components, model.L
    lengths = [len(s.energy) for s in states]
    if min(lengths) < 2:
        raise ParameterError("sweeps", min(lengths), "at least 2 measured sweeps after thermalisation")
    flags = []
    live = [s for s in states if not _is_frozen(s)]
    if not live:
        raise FrozenChainError("energy_per_spin", f"all {len(states)} chains are frozen (acceptance "
                               f"{sum(s.accepted for s in states) / max(sum(s.attempted for s in states), 1):.3f}): "
                               "use another sampler (--sampler metropolis), a smaller step or a higher temperature")
    if len(live) < len(states):
        frozen = [i for i, s in enumerate(states) if _is_frozen(s)]
        flags.append({"flag": "frozen_chain",
                      "message": f"chain(s) {frozen} never moved (constant energy or acceptance 0) and were left out; "
                                 f"the results come from the other {len(live)}",
                      "remedy": "use another sampler (--sampler metropolis), a smaller step or a higher temperature"})
    n_meas = min(len(s.energy) for s in live)
    st = stencil(L)
    e = [np.asarray(s.energy, float)[:n_meas] for s in live]
    mag = [np.asarray(s.magnetisation, float).reshape(-1, n)[:n_meas] for s in live]
    shells = [np.asarray(s.structure_shells, float)[:n_meas] for s in live]
    trace = [np.asarray(s.structure_trace, float)[:n_meas] for s in live]
    if any(x.shape[0] != n_meas for x in shells + trace):
        raise ParameterError("structure factor", [x.shape[0] for x in shells],
                             f"one measurement per recorded sweep ({n_meas})", "the state was not recorded by advance()")
    lam = [lambda_max(x) for x in shells]                       # (T, n_shells)
    # the order parameter lives on one shell, fixed by the model (its Weiss ordering shell) or by the user, the
    # same at every temperature: a shell picked from the data switches to k = 0 in bl6's paramagnet (k0 =
    # "average"), and a crossing analysis across temperatures would then mix two observables
    fixed = {s.order_shell for s in live if getattr(s, "order_shell", None) is not None}
    if len(fixed) > 1:
        raise ParameterError("order_shell", sorted(fixed), "one order-parameter shell for all chains of a run")
    mode = ordering_mode(model, p.order_shell)
    order = fixed.pop() if fixed else mode["shell"]
    rows = list(st.shells[order])
    # the member of the fixed shell that the chains ordered along (members of one cubic orbit are equivalent)
    tr_mean = np.mean([x.mean(axis=0) for x in trace], axis=0)
    i_ord = rows[int(np.argmax(tr_mean[rows]))]
    i_model = st.index(mode["m"]) if order == mode["shell"] else i_ord
    m_k, s_ord, s_nb = (list(x) for x in zip(*(order_series(x, st, order) for x in trace)))
    mc_ = [np.abs(x[:, 0]) for x in mag]
    ms_ = [np.linalg.norm(x[:, 1:], axis=1) for x in mag] if n > 1 else None

    series = {"energy_per_spin": e, "m_compression": mc_, "m_order": m_k,
              "lambda_max_order": [x[:, order] for x in lam], "s_order": s_ord, "s_neighbour": s_nb}
    if ms_ is not None:
        series["m_shear"] = ms_
    stats = {k: chains_mean_with_error(v, k if k in ("energy_per_spin",) else None) for k, v in series.items()}
    tau_by = {k: s.tau_int for k, s in stats.items()}
    # the run's tau_int, R-hat and flags come from the observables invariant under the model's symmetry;
    # the components 1 and 2..n are the compression and shear sectors only for bl6 (004's A3 basis), for the
    # other models they are parts of a vector that may rotate freely without any physics being unconverged
    invariant = [k for k in series if p.model == "bl6" or k not in ("m_compression", "m_shear")]
    tau = max(tau_by[k] for k in invariant)
    r_hat = {k: split_r_hat(v) for k, v in series.items()}
    finite = [r_hat[k] for k in invariant if not math.isnan(r_hat[k])]
    r_hat["max"] = max(finite) if finite else float("nan")

    def chi(x):
        return beta * n_sites * (np.mean(x**2) - np.mean(x) ** 2)

    def binder(x):
        return np.mean(x**4) / np.mean(x**2) ** 2

    zeros = [np.zeros(n_meas) for _ in live]
    ms_use = ms_ if ms_ is not None else zeros
    out = {
        "model": p.model, "L": p.L, "temperature": p.temperature, "seed": p.seed,
        "sampler": (getattr(states[0], "sampler_state", None) or {}).get("sampler", p.sampler),  # resolved "auto"
        "sampler_state": [sampler_report(st) for st in states] if len(states) > 1 else sampler_report(states[0]),
        "sweeps": int(states[0].sweep), "measurements": int(n_meas * len(live)),
        "acceptance": sum(s.accepted for s in states) / max(sum(s.attempted for s in states), 1),
        "energy_per_spin": stats["energy_per_spin"].as_dict(),
        "specific_heat": _pm(jackknife(lambda x: beta**2 * n_sites * np.var(x), e,
                                       tau=tau_by["energy_per_spin"])),
        "m_compression": stats["m_compression"].as_dict(),
        "m_shear": stats["m_shear"].as_dict() if ms_ is not None else
        {"mean": 0.0, "error": 0.0, "tau_int": 0.5, "n": int(n_meas * len(live))},
        "chi_compression": _pm(jackknife(chi, mc_, tau=tau_by["m_compression"])),
        "chi_shear": _pm(jackknife(chi, ms_use, tau=tau_by.get("m_shear", 0.5))) if ms_ is not None
        else {"mean": 0.0, "error": 0.0},
        "binder_compression": _pm(jackknife(binder, mc_, tau=tau_by["m_compression"])),
        "binder_shear": _pm(jackknife(binder, ms_use, tau=tau_by.get("m_shear", 0.5))) if ms_ is not None
        else {"mean": float("nan"), "error": float("nan")},
        "magnetisation": {"mean": np.mean([x.mean(axis=0) for x in mag], axis=0).tolist(),
                          "error": [chains_mean_with_error([x[:, a] for x in mag]).error for a in range(n)]},
        "m_order": stats["m_order"].as_dict(),
        "chi_order": _pm(jackknife(chi, m_k, tau=tau_by["m_order"])),
        "binder_order": _pm(jackknife(binder, m_k, tau=tau_by["m_order"])),
    }
    tau_xi = max(tau_by["s_order"], tau_by["s_neighbour"])
    xi = jackknife(lambda a, b: correlation_length(np.mean(a), np.mean(b), L), s_ord, s_nb, tau=tau_xi)
    out["xi"] = _pm(xi)
    out["xi_over_L"] = {"mean": out["xi"]["mean"] / L, "error": out["xi"]["error"] / L}
    sf_lam = [chains_mean_with_error([x[:, j] for x in lam]) for j in range(lam[0].shape[1])]
    data_shell = _data_shell(trace, st)
    out["order_parameter"] = {
        "shell": order, "k": st.shell_k_norms()[order], "m_weiss": st.m[i_model].tolist(),
        "source": ("given (order_shell)" if p.order_shell is not None
                   else "the model's Weiss ordering shell (max_k lambda_max(J(k) - J(r=0)))"),
        "members": len(rows),
        "real_components": int(sum((1 if _self_conjugate(st.m[i], L) else 2) for i in rows) * n),
        "data_shell": data_shell["shell"],
        "data_shell_note": "diagnostic only: the recorded shell whose members have the largest mean tr S(k)",
    }
    members = [np.asarray(s.structure_order, float)[:n_meas] for s in live]
    if all(x.ndim == 4 and x.shape[0] == n_meas and x.shape[1] == len(rows) for x in members):
        out["binder_order_gaussian"] = _pm(jackknife(lambda *xs: gaussian_binder(np.mean(xs[0], axis=0), st, order),
                                                     members, tau=tau_by["m_order"]))
    if data_shell["shell"] != order and data_shell["z"] > 3.0:
        flags.append({"flag": "order_shell_disagrees",
                      "message": f"the data's largest mode is on shell {data_shell['shell']} (|k| = "
                                 f"{st.shell_k_norms()[data_shell['shell']]:.4g}), not on the order-parameter shell "
                                 f"{order} (|k| = {st.shell_k_norms()[order]:.4g}), by {data_shell['z']:.1f} errors",
                      "remedy": "the run orders at another wave vector than the model's Weiss mode: name it with "
                                "--order-shell, and keep one shell for a whole temperature scan"})
    out["energy_histogram"] = _energy_histogram(e)
    out["structure_factor"] = {
        "shells": st.shell_k_norms(),
        "lambda_max": [{"mean": s.mean, "error": s.error} for s in sf_lam],
        "ordering_shell": order,
        "ordering_wavevector": st.k[i_ord].tolist(),
        "ordering_m": st.m[i_ord].tolist(),
        "s_order": stats["s_order"].as_dict(),
        "s_neighbour": stats["s_neighbour"].as_dict(),
        "matrix": np.mean([x[:, order].mean(axis=0) for x in shells], axis=0).tolist(),
        "units": "S(k) = |s(k)|^2/N per wave vector (paramagnet at infinite T: trace 1)",
    }
    if p.model == "bl6":
        def weight(mats):
            w, v = np.linalg.eigh(np.mean(mats, axis=0))
            return v[0, -1] ** 2
        cw = jackknife(weight, [x[:, order] for x in shells], tau=tau_by["lambda_max_order"])
        out["compression_weight"] = _pm(cw)
        out["shear_weight"] = {"mean": 1.0 - float(cw[0]), "error": float(cw[1])}

        # the eigenvector is ill-defined when the top eigenvalues of S are (nearly) degenerate, which the
        # rank-3 J(k) makes common; the share of component 1 in the whole shell's weight is not
        def fraction(mats):
            mean = np.mean(mats, axis=0)
            return mean[0, 0] / np.trace(mean)
        out["compression_fraction"] = _pm(jackknife(fraction, [x[:, order] for x in shells],
                                                    tau=tau_by["lambda_max_order"]))
    if p.model == "coupled-blocks":
        # static stress-stress susceptibility chi_ab = beta/V (<T_a T_b> - <T_a><T_b>), T = sum_i s_i (Mandel)
        cov, cov_err = jackknife(lambda x: beta * n_sites * np.cov(x.T, bias=True), mag, tau=tau)
        out["stress_susceptibility_mandel"] = {"mean": np.asarray(cov).tolist(), "error": np.asarray(cov_err).tolist()}
    out["t_c_weiss"] = weiss_temperature(model)
    out["k0"] = model.kernel.k0
    out["tau_int"] = tau
    out["tau_int_by_observable"] = tau_by
    out["r_hat"] = r_hat
    out["chains"] = len(live)
    out["effective_samples"] = n_meas * len(live) / (2 * tau)
    if r_hat["max"] > R_HAT_MAX:
        worst = max((k for k in invariant if not math.isnan(r_hat[k])), key=lambda k: r_hat[k])
        flags.append({"flag": "r_hat",
                      "message": f"the chains disagree: split-R-hat of {worst} = {r_hat[worst]:.3f} > {R_HAT_MAX}",
                      "remedy": "run longer (more --sweeps and --thermalize); if the chains sit in different "
                                "states, use parallel tempering (--temperatures)"})
    if out["acceptance"] < ACCEPTANCE_MIN:
        flags.append({"flag": "low_acceptance",
                      "message": f"acceptance {out['acceptance']:.3f} < {ACCEPTANCE_MIN}",
                      "remedy": "use another sampler (--sampler) or a smaller step; the error bars may be too small"})
    if n_meas < MIN_TAU_MULTIPLE * tau:
        slow = max(invariant, key=tau_by.get)
        flags.append({"flag": "short_run",
                      "message": f"{n_meas} measurements per chain are {n_meas / tau:.1f} tau_int of {slow} "
                                 f"(tau_int = {tau:.1f}); fewer than {MIN_TAU_MULTIPLE}",
                      "remedy": f"run at least {int(math.ceil(MIN_TAU_MULTIPLE * tau))} measured sweeps per chain"})
        if warn:
            warnings.warn(f"the run has {n_meas} measurements per chain, {n_meas / tau:.1f} tau_int of {slow} "
                          f"(tau_int = {tau:.1f}); need about {MIN_TAU_MULTIPLE} tau_int for reliable error bars: "
                          "run longer", ShortRunWarning, stacklevel=3)
    if swap_rates is not None:
        out["swap_rates"] = [float(r) for r in swap_rates]
    out["flags"] = flags
    out["units"] = "energies in units of the coupling scale of J(k), k_B = 1; per spin"
    out["parameters"] = asdict(p)
    return out


def _data_shell(trace, st):
    """The recorded shell whose best member has the largest mean tr S(k) over
    all chains, and by how many errors it beats the best member of every
    other shell (``z``; 0 when it is the only candidate)."""
    best = []
    for rows in st.shells:
        means = [chains_mean_with_error([x[:, i] for x in trace]) for i in rows]
        j = int(np.argmax([m.mean for m in means]))
        best.append(means[j])
    top = int(np.argmax([b.mean for b in best]))
    z = min((best[top].mean - b.mean) / max(math.hypot(best[top].error, b.error), 1e-300)
            for i, b in enumerate(best) if i != top) if len(best) > 1 else 0.0
    return {"shell": top, "z": float(z)}


def _energy_histogram(e, bins: int = 40):
    """Histogram of the energy per spin, per chain, on common edges: hot and
    cold starts, and a first-order double peak, can be compared."""
    allx = np.concatenate(e)
    lo, hi = float(allx.min()), float(allx.max())
    if hi <= lo:
        hi = lo + 1e-12
    edges = np.linspace(lo, hi, bins + 1)
    return {"edges": edges.tolist(), "counts": [np.histogram(x, edges)[0].tolist() for x in e],
            "units": "energy per spin; counts of measured sweeps per chain"}
