"""Speed of the fast exact sampler (HMC with FFT forces) against the
reference single-site Metropolis (exact O(N) local fields, numba), both on
the bl6 model, measured in the same run at L = 8, 16, 32.

Prints for each sampler and L: exact spin updates per second (accepted or
not: a Metropolis attempt or one spin moved by an HMC trajectory), the ratio,
the exponent of the per-sweep cost in N (L = 16 -> 32), and independent
samples of the energy per second, 1/(2 tau_int x time per sweep).

The reference Metropolis at L = 32 costs O(N^2) per sweep, so it is timed on a
fraction of a sweep (the first --ref-sites sites) and scaled; its tau_int is
measured at the smaller sizes only.

Usage: python benchmarks/mc_speed.py [--json] [--sizes 8 16 32] [--sweeps 60]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from tensorglass import montecarlo as mc
from tensorglass.montecarlo import _kernels


def hmc_rate(model, temperature, sweeps, seed=1):
    p = mc.RunParameters("bl6", model.L, temperature, sweeps, seed, sampler="hmc")
    st = mc.new_state(p, model)
    mc.advance(st, model, 3)  # warm-up (FFT plans, caches)
    t0 = time.perf_counter()
    mc.advance(st, model, sweeps)
    dt = (time.perf_counter() - t0) / sweeps
    tau = mc.integrated_autocorrelation_time(st.energy[3:])
    return dt, tau, st.accepted / st.attempted


def metropolis_rate(model, temperature, sites, seed=2):
    rng = np.random.default_rng(seed)
    n = model.n_components
    spins = rng.normal(size=(model.n_sites, n))
    spins /= np.linalg.norm(spins, axis=1, keepdims=True)
    hext = np.zeros(n)
    g = rng.normal(size=(model.n_sites, n))
    u = rng.random(model.n_sites)
    # compile, then time the numba kernel on the first `sites` sites of a sweep
    _kernels.metropolis_sweep(spins.copy(), model.kernel.jr, model.L, g, u, 1.0, 0.5, hext, 2)
    sub = min(sites, model.n_sites)
    t0 = time.perf_counter()
    _kernels.metropolis_sweep(spins, model.kernel.jr, model.L, g, u, 1.0 / temperature, 0.5, hext, sub)
    per_site = (time.perf_counter() - t0) / sub
    return per_site * model.n_sites


def metropolis_tau(model, temperature, sweeps, seed=3):
    p = mc.RunParameters("bl6", model.L, temperature, sweeps, seed, sampler="metropolis")
    st = mc.new_state(p, model)
    mc.advance(st, model, sweeps)
    return mc.integrated_autocorrelation_time(st.energy[10:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32])
    ap.add_argument("--sweeps", type=int, default=60)
    ap.add_argument("--temperature", type=float, default=0.3)
    ap.add_argument("--ref-sites", type=int, default=400)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = []
    for L in a.sizes:
        model = mc.build_model("bl6", L, poisson=0.3)
        t_hmc, tau_hmc, acc = hmc_rate(model, a.temperature, a.sweeps)
        t_ref = metropolis_rate(model, a.temperature, a.ref_sites)
        tau_ref = metropolis_tau(model, a.temperature, 200) if L <= 8 else float("nan")
        n = model.n_sites
        rows.append({"L": L, "N": n, "hmc_sweep_s": t_hmc, "hmc_updates_per_s": n * acc / t_hmc, "hmc_acceptance": acc,
                     "hmc_tau_int": tau_hmc, "hmc_independent_per_s": 1 / (2 * tau_hmc * t_hmc),
                     "metropolis_sweep_s": t_ref, "metropolis_updates_per_s": n / t_ref,
                     "metropolis_tau_int": tau_ref,
                     "metropolis_independent_per_s": 1 / (2 * tau_ref * t_ref) if tau_ref == tau_ref else None,
                     "speedup": (n * acc / t_hmc) / (n / t_ref)})
    by = {r["L"]: r for r in rows}
    exps = {}
    if 16 in by and 32 in by:
        exps["cost_exponent"] = math.log(by[32]["hmc_sweep_s"] / by[16]["hmc_sweep_s"]) / math.log(8)
        exps["reference_cost_exponent"] = math.log(by[32]["metropolis_sweep_s"] / by[16]["metropolis_sweep_s"]) / math.log(8)
    out = {"rows": rows, "speedup_L32": by.get(32, {}).get("speedup"), **exps}
    if a.json:
        print(json.dumps(out))
        return
    print(f"{'L':>3s} {'N':>6s} | {'HMC upd/s':>10s} {'acc':>5s} {'tau':>5s} {'indep/s':>8s} | "
          f"{'Metro upd/s':>11s} {'tau':>5s} {'indep/s':>8s} | {'ratio':>7s}")
    for r in rows:
        mi = r["metropolis_independent_per_s"]
        print(f"{r['L']:3d} {r['N']:6d} | {r['hmc_updates_per_s']:10.3g} {r['hmc_acceptance']:5.2f} "
              f"{r['hmc_tau_int']:5.2f} {r['hmc_independent_per_s']:8.3g} | {r['metropolis_updates_per_s']:11.3g} "
              f"{r['metropolis_tau_int']:5.2f} {(mi if mi else float('nan')):8.3g} | {r['speedup']:7.1f}x")
    if exps:
        print(f"per-sweep cost exponent in N (L = 16 -> 32): HMC {exps['cost_exponent']:.3f}, "
              f"reference {exps['reference_cost_exponent']:.3f}")
    print(f"speedup at L = 32 (exact spin updates per second): {out['speedup_L32']:.0f}x")


if __name__ == "__main__":
    main()
