"""Monte Carlo speed in the unit the user pays in: effective independent
samples per CPU-second (ESS/s) of the slowest observable.

For every sampler (``hmc`` with its default kinetic energy, linear for
bl6; ``hmc-gaussian``, HMC with the Gaussian kinetic energy, its reference
in the same run; ``metropolis`` = the dense O(N^2) reference, ``local`` =
sparse near fields + clock Monte Carlo), for bl6 (Poisson 0.3)
near T_c and at 2 T_c and for the nearest-neighbour O(3) model at
beta_c = 0.693001, at L = 8, 16, 32, all in one run.

Observables per sweep (per HMC trajectory): the energy per spin, |m| (the
uniform magnetisation) and the ordering-mode amplitude
``m_k = sqrt(lambda_max(sum_{k in shell} Re s_k s_k^dagger))``,
``s_k = (1/N) sum_i s_i e^{-i k.r_i}``, over the smallest non-zero shell
|k| = 2 pi/L (computed here from the spin snapshots, outside the timed
region).  tau_int of each by the initial monotone sequence estimator
(Geyer 1992; tau = 1/2 for white noise), ESS = n / (2 max tau).  CPU time
is ``time.process_time`` of the sampler calls only (measurements excluded),
after a thermalisation from a random start that is not timed
(``--therm-fraction`` of the cell's budget, 0.3 by default).  Each cell runs
until it has 300 tau of the slowest observable or its CPU budget is spent;
a cell with fewer than 100 tau is flagged ``short`` (its tau, hence its
ESS/s, is then an estimate from fewer than 100 tau, usually an
underestimate of tau), and one whose halves differ by more than 3 errors
in any observable is flagged ``drifting``: it was still relaxing, which
inflates its tau (at L = 32 near T_c the default thermalisation is only
60-200 trajectories; ``--therm-fraction 2`` gives the equilibrium rate).

The dense reference costs O(N^2) per sweep: at L = 32 it is timed on a
partial sweep (the first ``--ref-sites`` sites, scaled to N) and its tau is
taken from L = 16, a lower bound (tau grows with L), so its ESS/s there is
an upper bound and the speedup against it a lower bound.

T_c of bl6 (Poisson 0.3): ``--locate-tc`` runs a rough scan with the local
sampler (specific heat, energy and the Binder ratio of m_k at L = 12 and
16); the default ``--tc`` is the value that scan gave (numbers at TC_BL6).

``--repeat R`` runs R independent chains per cell (seeds seed .. seed+R-1)
and reports the median ESS/s with its spread (min, max): the run-to-run
spread of tau estimates from a few hundred tau is 20-50%.

Usage: python benchmarks/mc_speed.py [--json] [--repeat 3] [--sizes 8 16 32] [--budget 20] [--budget32 60]
       python benchmarks/mc_speed.py --locate-tc
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np

from tensorglass import montecarlo as mc
from tensorglass.montecarlo import _kernels

SAMPLERS = ("hmc", "hmc-gaussian", "metropolis", "local")   # hmc: default kinetic energy (linear for bl6)
BETA_C_O3 = 0.693001   # literature critical coupling of the 3D O(3) model (see tests/data/on_model_wolff.txt)
# T_c of bl6 (Poisson 0.3), rough, from --locate-tc (local sampler, 1500 sweeps, 10-35 tau per point): at L = 12
# the specific heat peaks at T = 0.11 (C = 4.1 against 3.0 at 0.10 and 2.4 at 0.12) and E/N falls from -0.025
# (T = 0.14) to -0.14 (T = 0.10); L = 16 was not equilibrated at T <= 0.11 within the scan.  The Binder ratio
# of m_k stays within 1.00-1.08 at every T and does not locate T_c.  HMC at L = 16 (`--tc-sampler hmc`,
# docs/notes/mc_speed.md) finds no sharp transition between 0.115 and 0.135 either: C/N 3.5-3.9 with a weak
# maximum near 0.125, m_k falling smoothly from 0.35 to 0.19; 0.115 is on the ordered side.
TC_BL6 = 0.115


def tau_ims(x) -> float:
    """Integrated autocorrelation time by Geyer's initial monotone sequence:
    Gamma_m = rho(2m) + rho(2m+1) summed while positive, made monotone;
    tau = sum Gamma - 1/2 (1/2 for white noise).  inf for a constant series."""
    x = np.asarray(x, float)
    n = x.size
    if n < 8 or np.var(x) == 0:
        return math.inf
    f = np.fft.rfft(x - x.mean(), n=2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n]
    acf /= acf[0]
    m = n // 2
    gam = acf[: 2 * m: 2] + acf[1: 2 * m: 2]
    stop = np.flatnonzero(gam <= 0)
    gam = gam[: stop[0]] if stop.size else gam
    gam = np.minimum.accumulate(gam)
    return max(float(gam.sum()) - 0.5, 0.5)


def ordering_amplitude(spins, L):
    """m_k on the smallest non-zero shell (the 6 vectors +-2 pi/L e_a)."""
    n = spins.shape[-1]
    s = spins.reshape(L, L, L, n)
    ph = np.exp(-2j * np.pi * np.arange(L) / L)
    a = np.zeros((n, n))
    for axis in range(3):
        other = tuple(b for b in range(3) if b != axis)
        sk = ph @ s.sum(axis=other) / L**3
        a += 2.0 * np.real(np.outer(sk, sk.conj()))   # +k and -k contribute equally
    return math.sqrt(max(np.linalg.eigvalsh(a)[-1], 0.0))


def _params(model_name, L, T, sampler, sweeps, seed, thermalize, step_size=0.0):
    kw = {"poisson": 0.3} if model_name == "bl6" else {"components": 3}
    if step_size:
        kw["step_size"] = step_size
    if sampler == "hmc-gaussian":   # the Gaussian kinetic energy, the reference for the default (linear) one
        sampler, kw["kinetic"] = "hmc", "gaussian"
    return mc.RunParameters(model_name, L, T, sweeps, seed, sampler=sampler, thermalize=thermalize, **kw)


STOP_N_OVER_TAU = 300   # a cell stops early once it has this many tau of its slowest observable


def drift_z(x, tau):
    """Difference of the means of the second and first halves of ``x`` in
    units of its error (from tau_int): |drift_z| > 3 says the series still
    relaxes (a short thermalisation), which also inflates its tau."""
    x = np.asarray(x, float)
    h = x.size // 2
    if h < 8 or not math.isfinite(tau):
        return math.nan
    err = math.sqrt(2.0 * np.var(x) * 2.0 * tau / h)
    return float((x[h:].mean() - x[:h].mean()) / err) if err > 0 else math.nan


def measure_cell(model, model_name, T, sampler, budget, seed=1, max_sweeps=10**6, therm_fraction=0.3,
                 start_coords=None, therm_max=None, step_size=0.0):
    """Thermalise (untimed, ``therm_fraction`` x budget CPU-s, 20-2000
    sweeps), then run in chunks until ``STOP_N_OVER_TAU`` tau or ``budget``
    CPU-s.  (Stopping at 100 tau let an underestimated tau end a run early:
    two seeds at L = 16 gave tau(m_k) of 10 and 3.)  The record has the
    drift of each observable between the halves of the run (:func:`drift_z`)."""
    L = model.L
    probe = mc.new_state(_params(model_name, L, T, sampler, 10**7, seed + 99, 0), model)
    mc.advance(probe, model, 1)   # compiles or loads the kernels, plans the transforms: not timed
    t0 = time.process_time()
    mc.advance(probe, model, 2)
    t_probe = max((time.process_time() - t0) / 2, 1e-5)
    therm = int(min(max(therm_fraction * budget / t_probe, 20), 2000 if therm_fraction > 0.3 else 400))
    if therm_max is not None:
        therm = min(therm, therm_max)
    st = mc.new_state(_params(model_name, L, T, sampler, max_sweeps, seed, therm, step_size), model)
    if start_coords is not None:   # an equilibrated state of a nearby temperature (the T_c(L) scan)
        st.coords = np.array(start_coords, copy=True).reshape(st.coords.shape)
    mc.advance(st, model, therm)
    e, m, mk = [], [], []
    cpu = 0.0
    chunk = 10
    tau = math.inf
    while cpu < budget and len(e) < max_sweeps - therm - chunk:
        for _ in range(chunk):
            t0 = time.process_time()
            mc.advance(st, model, 1)
            cpu += time.process_time() - t0
            mk.append(ordering_amplitude(st.spins(), L))
        e = st.energy
        m = np.linalg.norm(np.asarray(st.magnetisation), axis=1)
        if len(e) >= 50:
            taus = [tau_ims(e), tau_ims(m), tau_ims(mk)]
            tau = max(taus)
            if len(e) >= STOP_N_OVER_TAU * tau:
                break
        chunk = min(max(chunk, len(e) // 4), 500)
    taus = [tau_ims(e), tau_ims(m), tau_ims(mk)]
    tau = max(taus)
    n = len(e)
    drift = {k: drift_z(x, t) for k, x, t in zip(("energy", "m", "m_k"), (e, m, mk), taus)}
    return {"sweeps": n, "cpu_s": cpu, "sweep_s": cpu / max(n, 1), "tau": dict(zip(("energy", "m", "m_k"), taus)),
            "thermalize": therm, "drift_z": drift,
            "drifting": any(abs(v) > 3 for v in drift.values() if math.isfinite(v)),
            "tau_max": tau, "n_over_tau": n / tau, "short": n < 100 * tau, "ess_per_s": n / (2 * tau) / cpu,
            "acceptance": st.accepted / max(st.attempted, 1), "delta": st.sampler_state.get("delta", st.params.delta),
            "energy": float(np.mean(e)), "m_k": float(np.mean(mk))}


def measure_repeated(model, model_name, T, sampler, budget, seed, repeat, therm_fraction=0.3):
    """``repeat`` independent cells (seeds ``seed .. seed+repeat-1``); the
    cell's ESS/s is their median, with the spread (min, max) and every run
    kept.  With repeat = 1 it is the single run."""
    runs = [measure_cell(model, model_name, T, sampler, budget, seed=seed + i, therm_fraction=therm_fraction)
            for i in range(repeat)]
    if repeat == 1:
        return runs[0]
    ess = sorted(r["ess_per_s"] for r in runs)
    med = runs[[r["ess_per_s"] for r in runs].index(ess[(repeat - 1) // 2])]   # the median run (lower median)
    out = dict(med)
    out.update({"ess_per_s": float(np.median(ess)), "ess_spread": [ess[0], ess[-1]], "runs": runs,
                "short": any(r["short"] for r in runs), "drifting": any(r.get("drifting") for r in runs)})
    return out


def dense_partial_sweep_s(model, T, sites, seed=2):
    """CPU time of one dense-reference sweep from its first ``sites`` sites."""
    rng = np.random.default_rng(seed)
    n = model.n_components
    s = rng.standard_normal((model.n_sites, n))
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    g = rng.standard_normal((model.n_sites, n))
    u = rng.random(model.n_sites)
    _kernels.metropolis_sweep(s.copy(), model.kernel.jr, model.L, g, u, 1.0 / T, 0.5, np.zeros(n), 2)
    sub = min(sites, model.n_sites)
    t0 = time.process_time()
    _kernels.metropolis_sweep(s, model.kernel.jr, model.L, g, u, 1.0 / T, 0.5, np.zeros(n), sub)
    return (time.process_time() - t0) / sub * model.n_sites


def locate_tc(temps, sizes, sweeps, sampler="local"):
    """Rough T_c of bl6 (Poisson 0.3): specific heat and Binder ratio of m_k."""
    rows = []
    for L in sizes:
        model = mc.build_model("bl6", L, poisson=0.3)
        for T in temps:
            st = mc.new_state(_params("bl6", L, T, sampler, sweeps, 5, sweeps // 5), model)
            mk = []
            for _ in range(sweeps):
                mc.advance(st, model, 1)
                if st.sweep > st.params.thermalize:
                    mk.append(ordering_amplitude(st.spins(), L))
            e = np.asarray(st.energy)
            mk = np.asarray(mk)
            rows.append({"L": L, "T": T, "sampler": sampler, "energy": float(e.mean()), "C": float(L**3 * np.var(e) / T**2),
                         "m_k": float(mk.mean()), "binder_mk": float(np.mean(mk**4) / np.mean(mk**2) ** 2),
                         "tau": tau_ims(mk)})
            print(json.dumps(rows[-1]), flush=True)
    return rows


# T_c(L) scan per size (bl6, Poisson 0.3, HMC): temperatures guess x (1 + step x j), j centred; the step is
# sized so that neighbouring energy distributions overlap for MBAR (about 2/sqrt(N C), C ~ 3 per spin); the
# first run thermalises from a random start, each next one from the previous one's last state.
TC_SCAN = {16: {"runs": 7, "step": 0.015, "therm": (150, 80), "meas": 400},
           32: {"runs": 5, "step": 0.006, "therm": (100, 50), "meas": 120},
           64: {"runs": 3, "step": 0.0025, "therm": (60, 40), "meas": 45}}
TC_OVER_WEISS_GUESS = 0.97   # outside scan: T_c(16) = 0.145 +- 0.004 against T_W(16) = 0.1493


def locate_tc_peak(model, L, guess, seed=1, scan=None, n_boot=60):
    """T_c(L) of bl6 as the peak of the ordering mode's susceptibility
    chi_order(T), reweighted by MBAR (tensorglass.reweighting) from a short
    chain of HMC runs around ``guess``; the error is the spread of the peak
    over block-bootstrap resamples.  ``at_edge`` says the maximum lies at
    the end of the scanned range (T_c(L) is then only bounded).  Returns
    the record, the runs' final spins per temperature and the CPU time."""
    from tensorglass.reweighting import ReweightError, reweight, sampled_states
    sc = dict(TC_SCAN.get(L, TC_SCAN[64])) if scan is None else scan
    n = sc["runs"]
    temps = [guess * (1 + sc["step"] * (j - (n - 1) / 2)) for j in range(n)]
    order = sorted(range(n), key=lambda j: abs(j - (n - 1) / 2))       # the guess first, then outwards
    states, finals, steps = [None] * n, {}, {}
    t0 = time.process_time()
    for k, j in enumerate(order):
        therm = sc["therm"][0] if k == 0 else sc["therm"][1]
        p = _params("bl6", L, temps[j], "hmc", therm + sc["meas"], seed + 7 * j, therm)
        st = mc.new_state(p, model)
        if k > 0:
            near = min(finals, key=lambda t: abs(t - temps[j]))
            st.coords = np.array(finals[near], copy=True)
        mc.advance(st, model, therm + sc["meas"])
        states[j], finals[temps[j]] = st, st.coords.copy()
        steps[temps[j]] = st.sampler_state["step_size"]

    def peak():
        grid = np.linspace(temps[0], temps[-1], 81)
        rec = {"L": L, "guess": guess, "scanned": [temps[0], temps[-1]], "runs": len(temps),
               "trajectories_per_run": sc["meas"], "cpu_s": time.process_time() - t0,
               "method": "peak of chi_order, MBAR over the scan, bootstrap spread of the peak"}
        try:
            rw = reweight(sampled_states(states), grid, n_boot=n_boot, seed=seed, keep_resamples=True, min_neff=20)
            chi = np.asarray(rw["chi_order"]["mean"])
            peaks = grid[np.argmax(rw["resamples"]["chi_order"], axis=1)]
            i = int(np.argmax(chi))
            rec.update({"t_c": float(grid[i]), "error": float(np.std(peaks, ddof=1)),
                        # within 2% of the scanned range of an end counts as at the end (T_c(64) sat one grid
                        # point below it in the 2026-12-03 run and was reported as located)
                        "edge": -1 if i <= 1 else 1 if i >= len(grid) - 2 else 0, "chi_max": float(chi[i]),
                        "min_overlap": min(p["overlap"] for p in rw["overlap"]),
                        "tau_int": [s["tau_int"] for s in rw["sampled"]]})
        except ReweightError as exc:   # the runs did not overlap: the best sampled temperature, error half a step
            chi = [model.n_sites / st.params.temperature * float(np.var(
                mc.order_series(np.asarray(st.structure_trace), mc.stencil(L), st.order_shell)[0])) for st in states]
            i = int(np.argmax(chi))
            rec.update({"t_c": temps[i], "error": 0.5 * sc["step"] * guess,
                        "edge": -1 if i == 0 else 1 if i == len(temps) - 1 else 0,
                        "note": f"no reweighting ({exc}); the sampled temperature with the largest chi_order"})
        return rec

    rec = peak()
    for _ in range(2):   # the maximum at an end of the scan: one more run beyond it, at most twice
        if not rec["edge"]:
            break
        t_new = temps[-1] * (1 + sc["step"]) if rec["edge"] > 0 else temps[0] * (1 - sc["step"])
        edge_t = temps[-1] if rec["edge"] > 0 else temps[0]
        p = _params("bl6", L, t_new, "hmc", sc["therm"][1] + sc["meas"], seed + 7 * len(temps), sc["therm"][1])
        st = mc.new_state(p, model)
        st.coords = np.array(finals[edge_t], copy=True)
        mc.advance(st, model, sc["therm"][1] + sc["meas"])
        finals[t_new] = st.coords.copy()
        steps[t_new] = st.sampler_state["step_size"]
        if rec["edge"] > 0:
            temps.append(t_new)
            states.append(st)
        else:
            temps.insert(0, t_new)
            states.insert(0, st)
        rec = peak()
    rec["at_edge"] = bool(rec.pop("edge"))
    cpu = time.process_time() - t0
    rec["t_weiss"] = mc.weiss_temperature(model)
    rec["t_c_over_t_weiss"] = rec["t_c"] / rec["t_weiss"]
    return rec, {t: (finals[t], steps[t]) for t in finals}, cpu


def run_at_tc(a):
    """The default run (issue 17): for each size, T_c(L) located with the
    engine, then one HMC cell at T_c(L) and one at 2 T_c(L)."""
    cells, tcs = {}, {}
    ratio = TC_OVER_WEISS_GUESS
    budgets = {16: a.budget, 32: a.budget32, 64: a.budget64}
    for L in a.sizes:
        model = mc.build_model("bl6", L, poisson=0.3)
        guess = ratio * mc.weiss_temperature(model)
        rec, finals, _ = locate_tc_peak(model, L, guess, seed=a.seed)
        tcs[f"L{L}"] = rec
        print(json.dumps(_strict({f"t_c/L{L}": rec})), flush=True)
        if not rec.get("at_edge"):
            ratio = rec["t_c_over_t_weiss"]          # the next size's guess
        tc = rec["t_c"]
        # the cell at T_c(L) starts from the scan's state nearest T_c(L), with that run's tuned HMC step frozen
        near_coords, near_step = finals[min(finals, key=lambda t: abs(t - tc))]
        budget = budgets.get(L, a.budget64)
        for label, T, start, eps in (("Tc", tc, near_coords, near_step), ("2Tc", 2 * tc, None, 0.0)):
            key = f"bl6/hmc/L{L}/{label}"
            r = measure_cell(model, "bl6", T, "hmc", budget, seed=a.seed, therm_fraction=a.therm_fraction,
                             start_coords=start, therm_max=10 if start is not None else None, step_size=eps)
            r["step_size"] = eps or None
            r["temperature"] = T
            cells[key] = r
            print(json.dumps(_strict({key: r})), flush=True)
    out = summarize(cells, a)
    out["t_c"] = {k: {"t_c": v["t_c"], "error": v["error"], "at_edge": v.get("at_edge"), "t_weiss": v["t_weiss"]}
                  for k, v in tcs.items()}
    out["t_c_scans"] = tcs
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--all-samplers", action="store_true",
                    help="the earlier benchmark: every sampler, bl6 at --tc and 2 --tc and O(3) at beta_c, "
                         "--sizes (default 8 16 32); the default run is bl6 with HMC at each size's own T_c(L)")
    ap.add_argument("--sizes", type=int, nargs="+", default=None, help="lattice sizes (default 16 32 64)")
    ap.add_argument("--budget64", type=float, default=150.0, help="CPU seconds per cell, L >= 64")
    ap.add_argument("--samplers", nargs="+", default=list(SAMPLERS), choices=SAMPLERS)
    ap.add_argument("--budget", type=float, default=20.0, help="CPU seconds per cell, L <= 16")
    ap.add_argument("--budget32", type=float, default=60.0, help="CPU seconds per cell, L = 32")
    ap.add_argument("--tc", type=float, default=TC_BL6, help="T_c of bl6 (Poisson 0.3)")
    ap.add_argument("--ref-sites", type=int, default=300)
    ap.add_argument("--locate-tc", action="store_true")
    ap.add_argument("--tc-sizes", type=int, nargs="+", default=[12, 16])
    ap.add_argument("--tc-temps", type=float, nargs="+", default=[0.10, 0.11, 0.12, 0.13, 0.14])
    ap.add_argument("--tc-sweeps", type=int, default=1500)
    ap.add_argument("--tc-sampler", default="local", choices=SAMPLERS)
    ap.add_argument("--seed", type=int, default=1, help="chain seed (runs with different seeds are independent)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="independent runs per cell (seeds seed, seed+1, ...): median ESS/s and its spread")
    ap.add_argument("--cases", nargs="+", default=["bl6/Tc", "bl6/2Tc", "nn/Tc"],
                    choices=["bl6/Tc", "bl6/2Tc", "nn/Tc"], help="model/temperature cells (default all three)")
    ap.add_argument("--therm-fraction", type=float, default=0.3,
                    help="untimed thermalisation per cell, as a fraction of its budget (default 0.3, at most 400 "
                         "sweeps; above 0.3 at most 2000)")
    ap.add_argument("--from-log", nargs="+",
                    help="recompute the summary from the per-cell lines of earlier --json runs (a cell in a later "
                         "file replaces the same cell in an earlier one)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.locate_tc:
        locate_tc(a.tc_temps, a.tc_sizes, a.tc_sweeps, a.tc_sampler)
        return
    if a.sizes is None:
        a.sizes = [8, 16, 32] if a.all_samplers else [16, 32, 64]
    if not a.all_samplers and not a.from_log:
        out = run_at_tc(a)
        print(json.dumps(_strict(out)) if a.json else _describe(out))
        return
    cases = [c for c in [("bl6", "Tc", a.tc), ("bl6", "2Tc", 2 * a.tc), ("nn", "Tc", 1.0 / BETA_C_O3)]
             if f"{c[0]}/{c[1]}" in a.cases]
    if a.from_log:
        cells, machines = read_logs(a.from_log)
        out = summarize(cells, a)
        out["machine"] = {"recomputed_on": out["machine"], "runs": machines}
        print(json.dumps(_strict(out)))
        return
    cells = {}
    for L in a.sizes:
        models = {"bl6": mc.build_model("bl6", L, poisson=0.3), "nn": mc.build_model("nn", L, components=3)}
        budget = a.budget32 if L >= 32 else a.budget
        for name, label, T in cases:
            for sampler in a.samplers:
                if sampler == "hmc-gaussian" and name == "nn":
                    continue      # n = 3: the default kinetic energy is the Gaussian one
                key = f"{name}/{sampler}/L{L}/{label}"
                if sampler == "metropolis" and L >= 32:
                    r = {"sweep_s": dense_partial_sweep_s(models[name], T, a.ref_sites), "partial_sweep": True}
                else:
                    r = measure_repeated(models[name], name, T, sampler, budget, a.seed, a.repeat, a.therm_fraction)
                cells[key] = r
                print(json.dumps(_strict({key: r})), flush=True)
    out = summarize(cells, a)
    if a.json:
        print(json.dumps(_strict(out)))
        return
    for key, r in out["cells"].items():
        print(f"{key:28s} ESS/s {r['ess_per_s']:10.4g}  sweep {r['sweep_s']:.3g} s  tau {r['tau_max']:8.1f}  "
              f"n/tau {r.get('n_over_tau', float('nan')):7.1f}{'  SHORT' if r['short'] else ''}"
              f"{'  DRIFTING' if r.get('drifting') else ''}  "
              f"acc {r.get('acceptance', float('nan')):.2f}"
              + (f"  spread {r['ess_spread'][0]:.3g}-{r['ess_spread'][1]:.3g}" if "ess_spread" in r else ""))
    print(json.dumps({k: v for k, v in out.items() if k not in ("ess_per_s", "cells")}, indent=1))


def _describe(out):
    lines = []
    for k, v in out["t_c"].items():
        lines.append(f"T_c({k}) = {v['t_c']:.5f} +- {v['error']:.5f} (T_W = {v['t_weiss']:.5f})"
                     + ("  AT EDGE of the scan: only a bound" if v.get("at_edge") else ""))
    for key, r in out["cells"].items():
        lines.append(f"{key:24s} T = {r['temperature']:.5f}  ESS/s {r['ess_per_s']:9.4g}  traj {r['sweep_s']:.3g} s  "
                     f"tau {r['tau_max']:6.2f}  n/tau {r['n_over_tau']:7.1f}{'  SHORT' if r['short'] else ''}"
                     f"{'  DRIFTING' if r.get('drifting') else ''}")
    for k in ("cost_exponent_Tc", "cost_exponent_2Tc"):
        if out.get(k) is not None:
            lines.append(f"{k} = {out[k]:.3f}")
    lines.append(f"machine: {out['machine']}")
    return "\n".join(lines)


def read_logs(paths):
    """The cells of earlier ``--json`` runs (a cell in a later file replaces
    the same cell in an earlier one) and the machine each run's summary line
    names, as ``(cells, [{"log": path, **machine}, ...])``."""
    cells, machines = {}, []
    for path in paths:
        with open(path) as f:
            for line in f:
                if not line.startswith("{"):
                    continue
                if '"ess_per_s": {' in line:   # a summary: keep the machine its cells ran on
                    machines.append({"log": str(path), **json.loads(line, parse_constant=float).get("machine", {})})
                else:
                    cells.update(json.loads(line, parse_constant=float))
    return cells, machines


def _strict(x):
    """JSON-safe copy: non-finite numbers (a frozen chain's tau) become null."""
    if isinstance(x, dict):
        return {k: _strict(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_strict(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def summarize(cells, a):
    """ESS/s per cell and the headline numbers.  The dense reference's tau,
    where its own run is shorter than 100 tau or absent (L = 32, partial
    sweep), is the largest of its own estimate and those of its smaller
    lattices: a lower bound, since tau grows with L."""
    cells = {k: dict(v) for k, v in cells.items()}
    for key in sorted(cells, key=lambda k: int(k.split("/")[2][1:])):
        name, sampler, size, label = key.split("/")
        r = cells[key]
        if sampler != "metropolis" or not (r.get("short", True) or r.get("partial_sweep")):
            continue
        smaller = [cells[k]["tau_max"] for k in cells
                   if k.startswith(f"{name}/metropolis/") and k.endswith(f"/{label}")
                   and int(k.split("/")[2][1:]) < int(size[1:]) and cells[k].get("tau_max")]
        own = r.get("tau_max") or 0.0
        tau = max([own] + smaller)
        r.update({"tau_max": tau, "tau_lower_bound": True, "short": True,
                  "tau_from": "max(own estimate, smaller L)" if own else "smaller L (lower bound)",
                  "ess_per_s": 1.0 / (2 * tau * r["sweep_s"])})
    ess = {k: r["ess_per_s"] for k, r in cells.items()}
    samplers = sorted({k.split("/")[1] for k in cells})

    def best(L, label, model="bl6"):
        c = {s: ess[f"{model}/{s}/L{L}/{label}"] for s in samplers if f"{model}/{s}/L{L}/{label}" in ess}
        return (max(c, key=c.get), max(c.values())) if c else (None, None)

    out = {"ess_per_s": ess, "cells": cells}
    for L in (16, 32, 64):
        if any(f"/L{L}/Tc" in k for k in ess):
            out[f"bl6_Tc_L{L}_sampler"], out[f"bl6_Tc_L{L}"] = best(L, "Tc")
    # cost per independent sample against N at T_c(L): the slope of log(1/ESS/s) over log N (least squares over
    # the sizes measured), beside the same at 2 T_c
    for label in ("Tc", "2Tc"):
        pts = [(3 * math.log(int(k.split("/")[2][1:])), -math.log(v)) for k, v in ess.items()
               if k.startswith("bl6/hmc/") and k.endswith(f"/{label}") and v and v > 0]
        if len(pts) >= 2:
            x, y = np.array(pts).T
            out[f"cost_exponent_{label}_hmc"] = float(np.polyfit(x, y, 1)[0])
    if "cost_exponent_Tc_hmc" in out:
        out["cost_exponent_Tc"] = out["cost_exponent_Tc_hmc"]
    exps = {}
    for s in samplers:
        e16, e32 = ess.get(f"bl6/{s}/L16/2Tc"), ess.get(f"bl6/{s}/L32/2Tc")
        if e16 and e32:
            exps[s] = math.log(e16 / e32) / math.log(8.0)
    b32 = best(32, "2Tc")[0]
    out["cost_exponent_2Tc"] = exps.get(b32) if b32 else out.get("cost_exponent_2Tc_hmc")
    out["cost_exponent_2Tc_sampler"] = b32
    out["cost_exponent_2Tc_by_sampler"] = exps
    ref = ess.get("bl6/metropolis/L32/Tc")
    out["speedup_L32_Tc"] = (best(32, "Tc")[1] / ref) if ref and best(32, "Tc")[1] else None
    out["hmc_linear_over_gaussian"] = {k: ess[k] / ess[k.replace("/hmc/", "/hmc-gaussian/")] for k in ess
                                       if "/hmc/" in k and ess.get(k.replace("/hmc/", "/hmc-gaussian/"))}
    out["tc_bl6"] = a.tc
    out["budget_cpu_s"] = {"L<=16": a.budget, "L32": a.budget32, "L64": getattr(a, "budget64", None)}
    out["seed"] = a.seed
    out["repeat"] = a.repeat
    out["ess_spread"] = {k: r["ess_spread"] for k, r in cells.items() if "ess_spread" in r}
    out["machine"] = {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                      "cpus": os.cpu_count(), "load_avg_1min": os.getloadavg()[0], "python": sys.version.split()[0]}
    return out


if __name__ == "__main__":
    main()
