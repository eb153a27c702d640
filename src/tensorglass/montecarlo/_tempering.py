"""Temperature ladders for replica exchange, sized to the energy fluctuations.

A swap between neighbouring temperatures T_i < T_j is accepted with
probability ``min(1, exp(-X))``, ``X = (beta_i - beta_j)(E_j - E_i)``.  When
the total energies at the two temperatures are Gaussian (mean U, variance
sigma^2 = T^2 N C), X is Gaussian with mean ``mu = dbeta (U_j - U_i)`` and
variance ``s^2 = dbeta^2 (sigma_i^2 + sigma_j^2)``, and

    <min(1, e^-X)> = Phi(-mu/s) + exp(-mu + s^2/2) Phi(mu/s - s)

(:func:`swap_acceptance`).  Because sigma grows as sqrt(N), a ladder with a
fixed grid in beta stops swapping on larger lattices; the spacing must
shrink as 1/sqrt(N C).

:func:`tempering_ladder` builds the ladder in three steps: short pilot runs
on a coarse grid measure U(T) and sigma^2(T); a greedy walk from TMIN places
each next temperature where the predicted acceptance falls to ``target``;
then short replica-exchange runs of the ladder measure the real rates, and
a temperature is inserted (midway in beta) into every pair that swaps less
often than ``min_rate`` (feedback), until every pair passes or
``max_feedback`` rounds are spent.  Everything is numpy/scipy.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.special import ndtr

from ..errors import ParameterError


def swap_acceptance(dbeta, du, var_i, var_j):
    """Mean swap acceptance of two Gaussian energy distributions (module
    docstring): ``dbeta = beta_i - beta_j > 0``, ``du = U_j - U_i``, the
    variances of the *total* energies."""
    mu = dbeta * du
    s = dbeta * math.sqrt(max(var_i + var_j, 0.0))
    if s < 1e-12:
        return 1.0 if mu <= 0 else math.exp(-mu)
    # exp(-mu + s^2/2) Phi(mu/s - s), written to avoid overflow when s is large
    second = math.exp(-mu + 0.5 * s * s + math.log(max(ndtr(mu / s - s), 1e-300))) if mu / s - s > -38 else 0.0
    return float(min(1.0, ndtr(-mu / s) + second))


def greedy_ladder(temperatures, u_total, var_total, tmin, tmax, target=0.35, max_size=512):
    """Temperatures from ``tmin`` to ``tmax`` whose neighbours have a predicted
    swap acceptance ``target``, from mean total energies and their variances
    measured at ``temperatures`` (interpolated linearly in beta)."""
    t = np.asarray(temperatures, float)
    order = np.argsort(1.0 / t)
    b_data = 1.0 / t[order]
    u = np.asarray(u_total, float)[order]
    v = np.maximum(np.asarray(var_total, float)[order], 0.0)

    def moments(beta):
        return float(np.interp(beta, b_data, u)), float(np.interp(beta, b_data, v))

    b_hi, b_lo = 1.0 / tmin, 1.0 / tmax
    ladder = [b_hi]
    while ladder[-1] > b_lo:
        b_i = ladder[-1]
        u_i, v_i = moments(b_i)
        if swap_acceptance(b_i - b_lo, moments(b_lo)[0] - u_i, v_i, moments(b_lo)[1]) >= target:
            ladder.append(b_lo)
            break
        lo, hi = b_lo, b_i        # acceptance falls as the next beta moves away from b_i
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            u_j, v_j = moments(mid)
            if swap_acceptance(b_i - mid, u_j - u_i, v_i, v_j) >= target:
                hi = mid
            else:
                lo = mid
        ladder.append(hi if hi < b_i else 0.5 * (b_i + b_lo))
        if len(ladder) > max_size:
            raise ParameterError("temperatures", f"auto:{tmin}:{tmax}", f"a ladder of at most {max_size} temperatures",
                                 "the energy fluctuations need more: narrow TMIN:TMAX or use a smaller lattice")
    return sorted(1.0 / np.array(ladder))


def insert_midpoints(temperatures, rates, min_rate):
    """The ladder with one temperature added (midway in beta) inside every
    pair whose swap rate is below ``min_rate``."""
    t = list(map(float, temperatures))
    out = [t[0]]
    for a, b, r in zip(t, t[1:], rates):
        if r < min_rate:
            out.append(2.0 / (1.0 / a + 1.0 / b))
        out.append(b)
    return out


def tempering_ladder(params, model, tmin: float, tmax: float, *, target: float = 0.35, min_rate: float = 0.2,
                     pilot_points: int = 8, pilot_sweeps: int = 300, feedback_rounds: int = 400,
                     max_feedback: int = 4, seed: int | None = None, progress=None) -> tuple[list, dict]:
    """A replica-exchange ladder from ``tmin`` to ``tmax`` on which every
    neighbouring pair swaps at a rate of at least ``min_rate`` (module
    docstring).  ``params`` is the run's :class:`RunParameters` (its
    temperature, sweeps and thermalisation are replaced here).  Returns
    ``(temperatures, record)``: the record holds the pilot's moments, each
    feedback round's ladder and measured rates, and whether the final ladder
    passed (``"passed"``).  The pilots use their own seeds (children of
    ``SeedSequence(seed)``), so the production run's streams are untouched."""
    from ._run import advance, new_state, new_tempering, parallel_tempering
    if not (0 < tmin < tmax) or not all(math.isfinite(x) for x in (tmin, tmax)):
        raise ParameterError("temperatures", f"auto:{tmin}:{tmax}", "auto:TMIN:TMAX with 0 < TMIN < TMAX",
                             "e.g. --temperatures auto:0.10:0.20")
    if not (0 < min_rate < target < 1):
        raise ParameterError("target", target, f"min_rate = {min_rate} < target < 1")
    seed = params.seed if seed is None else seed
    children = np.random.SeedSequence([int(seed), 0x1ADDE2]).spawn(pilot_points + max_feedback + 1)
    n_sites = model.n_sites
    therm = max(pilot_sweeps // 3, 1)
    grid = np.geomspace(tmin, tmax, pilot_points)
    pilot = []
    for i, t in enumerate(grid):
        p = replace(params, temperature=float(t), sweeps=pilot_sweeps, thermalize=therm, start="random")
        st = new_state(p, model, seed_sequence=children[i])
        advance(st, model, pilot_sweeps)
        e = np.asarray(st.energy) * n_sites
        pilot.append({"T": float(t), "u_total": float(e.mean()), "var_total": float(e.var(ddof=1))})
        if progress:
            progress(f"pilot T = {t:.5g}: {i + 1}/{pilot_points}")
    moments = {r["T"]: (r["u_total"], r["var_total"]) for r in pilot}

    def ladder_from(moms):
        ts = sorted(moms)
        return greedy_ladder(ts, [moms[x][0] for x in ts], [moms[x][1] for x in ts], tmin, tmax, target)

    temps = ladder_from(moments)
    rounds = []
    passed = False
    for it in range(max_feedback):
        therm_r = feedback_rounds // 4
        plist = [replace(params, temperature=float(t), sweeps=feedback_rounds, thermalize=therm_r, start="random")
                 for t in temps]
        states, ex = new_tempering(plist, model, int(children[pilot_points + it].generate_state(1)[0] >> 1))
        parallel_tempering(plist, model, feedback_rounds, states=states, exchange=ex)
        rates = ex.rates()
        rounds.append({"temperatures": [float(t) for t in temps], "swap_rates": [float(r) for r in rates],
                       "round_trips": int(ex.round_trips)})
        for t, st in zip(temps, states):
            e = np.asarray(st.energy) * n_sites
            if e.size > 10:
                moments[float(t)] = (float(e.mean()), float(e.var(ddof=1)))
        if progress:
            progress(f"feedback {it + 1}: {len(temps)} temperatures, lowest swap rate {rates.min():.3f}")
        if rates.min() >= min_rate:
            passed = True
            break
        temps = insert_midpoints(temps, rates, min_rate)
    record = {"method": "auto", "tmin": tmin, "tmax": tmax, "target_acceptance": target, "min_rate": min_rate,
              "pilot": pilot, "feedback": rounds, "passed": passed,
              "note": "pilot runs measure U(T) and var E(T); the ladder predicts acceptance `target` per pair "
                      "(Gaussian energy distributions), then short tempering runs insert a temperature into every "
                      f"pair that swapped less often than {min_rate}"}
    return [float(t) for t in temps], record
