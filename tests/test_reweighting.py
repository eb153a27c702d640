"""Multi-histogram (MBAR) reweighting against direct runs and the O(3)
critical point.

* Between sampled temperatures the reweighted E, C, U and xi/L agree with
  independent direct runs: 8 z-tests, Bonferroni threshold for a 1%
  family-wise false alarm |z| < 3.23.
* The nn O(3) model's beta_c = 0.693001 (AUDIT.md, standard Monte Carlo
  literature) from the xi/L crossings of reweighted L = 8, 12 and 16
  curves, and the Binder crossing of 8 and 16, within 0.5% (a seed scan
  gave crossings 0.05-0.3% from beta_c with these run lengths).
* Refusals: outside the sampled range, across a gap in energy overlap.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import tensorglass.montecarlo as mc
from tensorglass.cli import main
from tensorglass.reweighting import ReweightError, reweight, sampled_states
from tensorglass.storage import run_monte_carlo

BETA_C_O3 = 0.693001
Z_FAMILY = float(stats.norm.isf(0.01 / (2 * 8)))
QUANTITIES = ("energy_per_spin", "specific_heat", "binder_order", "xi_over_L")


def _chains(L, T, sweeps, seed, chains=1):
    p = mc.RunParameters("nn", L, T, sweeps, seed, components=3, thermalize=300)
    return mc.run_chains(p, chains)


def test_reweighted_curves_agree_with_direct_runs_between_the_sampled_temperatures():
    L = 8
    states = [st for i, t in enumerate((1.38, 1.44, 1.50)) for st in _chains(L, t, 3300, 40 + i)]
    targets = (1.41, 1.47)
    rw = reweight(sampled_states(states), targets, n_boot=40, seed=3)
    for j, t in enumerate(targets):
        model = mc.build_model("nn", L, components=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            direct = mc.summarize_chains(_chains(L, t, 2300, 90 + j, chains=2), model, warn=False)
        for q in QUANTITIES:
            a, b = rw[q]["mean"][j], direct[q]
            z = (a - b["mean"]) / math.hypot(rw[q]["error"][j], b["error"])
            assert abs(z) < Z_FAMILY, (t, q, a, b)
            assert rw[q]["error"][j] > 0
    assert all(p["overlap"] > 0.03 for p in rw["overlap"])


@pytest.mark.slow
def test_o3_beta_c_from_reweighted_crossings_of_L8_12_16():
    grid = np.linspace(1.415, 1.472, 58)
    curves = {}
    for L in (8, 12, 16):
        states = [st for i, t in enumerate((1.415, 1.443, 1.472)) for st in _chains(L, t, 3300, 100 * L + i)]
        curves[L] = reweight(sampled_states(states), grid, n_boot=2, seed=1)

    def crossing(a, b, q):
        d = np.array(curves[a][q]["mean"]) - np.array(curves[b][q]["mean"])
        i = np.flatnonzero(np.sign(d[:-1]) != np.sign(d[1:]))
        assert i.size == 1, (a, b, q, d)
        j = int(i[0])
        return grid[j] - d[j] * (grid[j + 1] - grid[j]) / (d[j + 1] - d[j])

    for a, b, q in ((8, 12, "xi_over_L"), (12, 16, "xi_over_L"), (8, 16, "binder_order")):
        beta = 1.0 / crossing(a, b, q)
        assert abs(beta / BETA_C_O3 - 1) < 0.005, (a, b, q, beta)


def test_refuses_temperatures_outside_the_runs_and_across_a_gap(tmp_path, capsys):
    states = [st for t, s in ((1.0, 1), (3.0, 2)) for st in _chains(4, t, 400, s)]
    sampled = sampled_states(states)
    with pytest.raises(ReweightError, match="overlap only"):
        reweight(sampled, [2.0], n_boot=2)
    with pytest.raises(ReweightError, match="inside the sampled range"):
        reweight(sampled, [3.5], n_boot=2)
    # the same through the command line: one line, exit status 2
    files = []
    for t, s in ((1.0, 1), (3.0, 2)):
        p = mc.RunParameters("nn", 4, t, 400, s, components=3, thermalize=100)
        files.append(str(tmp_path / f"r{s}.h5"))
        run_monte_carlo(p, files[-1], chains=1, progress=False)
    capsys.readouterr()
    assert main(["mc", "reweight", *files, "--T", "1.5:2.5:0.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "add a run between them" in err[0]
    assert main(["mc", "reweight", *files, "--T", "2:1:0.1"]) == 2
    assert "--T" in capsys.readouterr().err


def test_runs_of_different_models_are_not_mixed():
    a = _chains(4, 1.0, 320, 1)
    b = mc.run_chains(mc.RunParameters("nn", 4, 1.1, 320, 1, components=2, thermalize=300), 1)
    with pytest.raises(ReweightError, match="components"):
        sampled_states(a + b)
