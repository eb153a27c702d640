"""Replica exchange that mixes (issue 17): the swap-acceptance formula, the
ladder built from measured energy fluctuations, round trips and the
replica flow, and tempering energies against independent runs.

The energy comparisons (L = 8) are z-tests with errors from tau_int; the
family of 4 uses the Bonferroni threshold for a 1% family-wise false
alarm, |z| < 3.02.  At L = 12 the ladder's own measured rates are
tested (its last feedback round).  Swap rates are
binomial counts over 200-450 tries per pair, so a pair whose true rate is
0.3 falls below 0.2 with probability below 1e-4.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst
from scipy import integrate, stats

import tensorglass.montecarlo as mc
from tensorglass.storage import run_tempering

Z_FAMILY = float(stats.norm.isf(0.01 / (2 * 4)))


@given(mu=hst.floats(-5, 20), s=hst.floats(0.05, 6))
def test_swap_acceptance_equals_the_gaussian_integral(mu, s):
    """<min(1, e^-X)> for X ~ N(mu, s^2), by quadrature."""
    want = integrate.quad(lambda x: min(1.0, math.exp(-x)) * stats.norm.pdf(x, mu, s), mu - 12 * s, mu + 12 * s,
                          points=[0.0] if mu - 12 * s < 0 < mu + 12 * s else None, limit=200)[0]
    dbeta = 0.1
    var = (s / dbeta) ** 2 / 2
    assert mc.swap_acceptance(dbeta, mu / dbeta, var, var) == pytest.approx(want, abs=1e-7)


def test_greedy_ladder_predicts_the_target_for_every_pair():
    """Moments of a system with C = 2 per spin at N = 1000 sites: every pair
    of the ladder has the target acceptance (the last one at least it), and
    the number of temperatures grows as sqrt(N)."""
    t = np.linspace(0.5, 2.0, 601)   # moments given densely: the ladder interpolates them linearly in beta
    sizes = []
    for n_sites in (1000, 4000):
        u, var = 2.0 * n_sites * t, 2.0 * n_sites * t**2
        ladder = mc.greedy_ladder(t, u, var, 0.6, 1.8, target=0.35)
        assert ladder[0] == pytest.approx(0.6) and ladder[-1] == pytest.approx(1.8)
        acc = [mc.swap_acceptance(1 / a - 1 / b, 2.0 * n_sites * (b - a), 2.0 * n_sites * a * a,
                                  2.0 * n_sites * b * b) for a, b in zip(ladder, ladder[1:])]
        assert np.allclose(acc[:-1], 0.35, atol=2e-3) and acc[-1] >= 0.35 - 2e-3
        sizes.append(len(ladder) - 1)
    assert 1.6 < sizes[1] / sizes[0] < 2.4
    assert mc.insert_midpoints([1.0, 2.0, 4.0], [0.5, 0.1], 0.2) == [1.0, 2.0, pytest.approx(8 / 3), 4.0]


def test_round_trips_and_flow_are_counted_from_the_replica_labels():
    ex = mc.Exchange(np.random.Generator(np.random.PCG64(0)), np.zeros(2), np.zeros(2))
    # replica 0 starts cold, walks to the hot end and back: one round trip; replica 2 starts hot and
    # reaches the cold end: a half trip only
    for labels in ([0, 1, 2], [1, 0, 2], [1, 2, 0], [2, 1, 0], [2, 0, 1], [0, 2, 1]):
        ex.labels = np.array(labels)
        ex.note_ends()
    assert ex.round_trips == 1
    flow = ex.flow()
    assert flow[0] == 1.0 and flow[-1] == 0.0 and 0 <= flow[1] <= 1


def _energies_agree(summary, model, params, slots):
    for i in slots:
        t = summary["temperatures"][i]
        p = mc.RunParameters(**{**params, "temperature": t, "sweeps": 1200, "thermalize": 200, "seed": 77 + i})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            direct = mc.summarize_chains(mc.run_chains(p, 2, model=model), model, warn=False)["energy_per_spin"]
        rep = summary["replicas"][i]["energy_per_spin"]
        z = (rep["mean"] - direct["mean"]) / math.hypot(rep["error"], direct["error"])
        assert abs(z) < Z_FAMILY, (t, rep, direct)


def _auto_tempering(tmp_path, params, tmin, tmax, rounds):
    p = mc.RunParameters(**{**params, "temperature": tmin, "sweeps": rounds, "thermalize": rounds // 5})
    model = p.build()
    temps, record = mc.tempering_ladder(p, model, tmin, tmax)
    assert record["passed"] and temps[0] == pytest.approx(tmin) and temps[-1] == pytest.approx(tmax)
    assert min(record["feedback"][-1]["swap_rates"]) >= 0.2
    if params["L"] > 8:   # the ladder's own measured rates (400 feedback rounds); production is tested at L = 8
        return None, model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = run_tempering(p, temps, tmp_path / f"{params['model']}{params['L']}.h5", progress=False,
                                ladder=record)
    ex = summary["exchange"]
    assert min(summary["swap_rates"]) >= 0.2, summary["swap_rates"]
    assert ex["round_trips"] >= 1 and "no_round_trip" not in [f["flag"] for f in summary["flags"]]
    assert ex["flow"][0] == 1.0 and ex["flow"][-1] == 0.0
    assert summary["ladder"]["method"] == "auto"
    return summary, model


@pytest.mark.parametrize("L", [8, pytest.param(12, marks=pytest.mark.slow)])
def test_auto_ladder_mixes_nn_o3_across_its_critical_point(tmp_path, L):
    params = {"model": "nn", "L": L, "components": 3, "seed": 3}
    summary, model = _auto_tempering(tmp_path, params, 1.25, 1.7, 900)
    if summary is not None:
        _energies_agree(summary, model, params, (0, len(summary["temperatures"]) // 2))


@pytest.mark.parametrize("L", [8, pytest.param(12, marks=pytest.mark.slow)])
def test_auto_ladder_mixes_bl6_across_its_transition(tmp_path, L):
    params = {"model": "bl6", "L": L, "poisson": 0.3, "seed": 4}
    model = mc.build_model("bl6", L, poisson=0.3)
    tw = mc.weiss_temperature(model)
    lo, hi = (0.8, 1.4) if L == 8 else (0.9, 1.2)
    summary, model = _auto_tempering(tmp_path, params, lo * tw, hi * tw, 600)
    if summary is not None:
        _energies_agree(summary, model, params, (0, len(summary["temperatures"]) // 2))
