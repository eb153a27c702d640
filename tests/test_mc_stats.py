"""Error bars that can be trusted: tau_int, coverage, frozen chains, R-hat, flags, chains, tempering, CLI."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import signal, stats

import tensorglass.montecarlo as mc
from tensorglass.errors import ParameterError
from tensorglass.montecarlo._run import record
from tensorglass.montecarlo._stats import autocorrelation, chains_mean_with_error

P_MIN = 0.01


def _ar1(rho, n, n_series, seed):
    """AR(1) series x_t = rho x_{t-1} + e_t started in equilibrium; tau_int = (1 + rho)/(2 (1 - rho))."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(n_series, n))
    e[:, 0] /= np.sqrt(1 - rho**2)
    return signal.lfilter([1.0], [1.0, -rho], e, axis=1)


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.97])
def test_tau_int_of_ar1_within_its_stated_error(rho):
    x = _ar1(rho, 200_000, 1, seed=int(100 * rho))[0]
    tau, tau_err, window = autocorrelation(x)
    exact = (1 + rho) / (2 * (1 - rho))
    assert abs(tau - exact) < 3 * tau_err, (tau, tau_err, exact)
    assert tau_err < 0.1 * exact and window >= 16 * exact * 0.8


def test_one_sigma_error_covers_the_true_mean_68_percent_of_the_time():
    """500 independent AR(1) series (rho = 0.9, tau_int = 9.5) of 4000 steps
    (about 420 tau): the 1-sigma interval must cover the true mean 0 in a
    fraction compatible with 68.27% (two-sided binomial test, p > 0.01)."""
    xs = _ar1(0.9, 4000, 500, seed=7)
    covered = 0
    for x in xs:
        s = mc.mean_with_error(x)
        covered += abs(s.mean) < s.error
    p = stats.binomtest(covered, len(xs), 0.6827).pvalue
    assert p > P_MIN, (covered, p)


def test_a_naive_error_fails_the_same_coverage_test():
    """The coverage test has power: ignoring the autocorrelation (tau = 0.5)
    covers far less than 68%."""
    xs = _ar1(0.9, 4000, 500, seed=7)
    naive = np.std(xs, axis=1, ddof=1) / np.sqrt(xs.shape[1])
    covered = int(np.sum(np.abs(xs.mean(axis=1)) < naive))
    assert stats.binomtest(covered, len(xs), 0.6827).pvalue < 1e-6


def test_chains_pool_means_and_errors():
    xs = _ar1(0.8, 5000, 4, seed=3)
    pooled = chains_mean_with_error(list(xs))
    singles = [mc.mean_with_error(x) for x in xs]
    assert pooled.mean == pytest.approx(np.mean(xs))
    assert pooled.error == pytest.approx(np.sqrt(sum(s.error**2 for s in singles)) / 4)
    assert pooled.tau_int == max(s.tau_int for s in singles)


def test_constant_series_is_refused():
    with pytest.raises(mc.FrozenChainError) as exc:
        mc.mean_with_error(np.full(100, -1.25), "energy_per_spin")
    msg = str(exc.value)
    assert "energy_per_spin" in msg and "\n" not in msg and "sampler" in msg


def _fake_state(params, model, energies, seed, accepted=1):
    """A chain with the given energy series and random spin configurations."""
    rng = np.random.default_rng(seed)
    st = mc.new_state(params, model)
    st.accepted, st.attempted = accepted, 1
    L, n = model.L, model.n_components
    for e in energies:
        s = rng.normal(size=(L**3, n))
        s /= np.linalg.norm(s, axis=-1, keepdims=True)
        st.sweep += 1
        record(st, model, s, e * model.n_sites)
    return st


@pytest.fixture(scope="module")
def nn3():
    p = mc.RunParameters("nn", 3, 1.0, 10, 1, sampler="metropolis", components=3)
    return p, p.build()


def test_frozen_chain_is_refused_and_flagged(nn3):
    p, model = nn3
    frozen = _fake_state(p, model, np.full(300, -1.0), 1, accepted=0)
    with pytest.raises(mc.FrozenChainError):
        mc.summarize(frozen, model)
    live = _fake_state(p, model, np.random.default_rng(2).normal(size=300), 2)
    out = mc.summarize_chains([live, frozen], model, warn=False)
    assert out["chains"] == 1
    assert [f["flag"] for f in out["flags"]] == ["frozen_chain"]
    assert set(out["flags"][0]) == {"flag", "message", "remedy"}


def test_r_hat_flags_chains_stuck_in_different_states(nn3):
    p, model = nn3
    rng = np.random.default_rng(9)
    a = _fake_state(p, model, -1.0 + 0.05 * rng.normal(size=400), 1)
    b = _fake_state(p, model, -2.0 + 0.05 * rng.normal(size=400), 2)
    c = _fake_state(p, model, -1.0 + 0.05 * rng.normal(size=400), 3)
    stuck = mc.summarize_chains([a, b], model, warn=False)
    assert stuck["r_hat"]["energy_per_spin"] > 5 and stuck["r_hat"]["max"] == max(
        v for k, v in stuck["r_hat"].items() if k != "max")
    assert "r_hat" in [f["flag"] for f in stuck["flags"]]
    agree = mc.summarize_chains([a, c], model, warn=False)
    assert agree["r_hat"]["max"] < 1.05 and agree["flags"] == []
    assert agree["effective_samples"] == pytest.approx(800 / (2 * agree["tau_int"]))


def test_split_r_hat_of_independent_white_noise_is_near_one():
    rng = np.random.default_rng(0)
    assert abs(mc.split_r_hat(list(rng.normal(size=(4, 2000)))) - 1) < 0.01
    trend = np.linspace(0, 1, 2000) + 0.1 * rng.normal(size=2000)   # one drifting chain: split halves disagree
    assert mc.split_r_hat([trend]) > 1.5


def test_low_acceptance_and_short_run_are_flagged(nn3):
    p, model = nn3
    st = _fake_state(p, model, _ar1(0.95, 300, 1, 4)[0], 1)
    st.accepted, st.attempted = 1, 10
    with pytest.warns(mc.ShortRunWarning):
        out = mc.summarize(st, model)
    flags = {f["flag"] for f in out["flags"]}
    assert {"low_acceptance", "short_run"} <= flags


def test_tau_int_is_the_largest_over_the_observables(nn3):
    p, model = nn3
    st = _fake_state(p, model, _ar1(0.9, 2000, 1, 5)[0], 1)
    out = mc.summarize(st, model, warn=False)
    by = out["tau_int_by_observable"]
    assert {"energy_per_spin", "m_order", "lambda_max_order", "s_order", "s_neighbour", "m_compression"} <= set(by)
    assert out["tau_int"] == max(by.values())
    assert out["tau_int"] == pytest.approx(by["energy_per_spin"])      # the spins are white noise here
    assert out["tau_int"] == pytest.approx(9.5, rel=0.35)


def test_independent_chains_are_reproducible_and_distinct():
    p = mc.RunParameters("nn", 3, 1.5, 30, 5, sampler="metropolis", components=2)
    model = p.build()
    a = mc.run_chains(p, 3, model=model)
    b = mc.run_chains(p, 3, model=model)
    for x, y in zip(a, b):
        assert np.array_equal(x.energy, y.energy)
    assert not np.array_equal(a[0].energy, a[1].energy)
    out = mc.summarize_chains(a, model, warn=False)
    for key in ("m_order", "binder_order", "chi_order", "xi", "xi_over_L"):
        assert set(out[key]) >= {"mean", "error"}
    assert out["chains"] == 3 and out["k0"] == "value" and out["t_c_weiss"] == pytest.approx(3.0)


def test_parallel_tempering_swap_rates(tmp_path, monkeypatch):
    from tensorglass.storage import load_chains, run_tempering
    monkeypatch.setenv("TENSORGLASS_CACHE", str(tmp_path / "cache"))
    p = mc.RunParameters("nn", 3, 1.0, 60, 2, sampler="metropolis", components=3)
    out = run_tempering(p, [1.7, 1.0, 1.3], tmp_path / "pt.h5", progress=False)
    assert out["temperatures"] == [1.0, 1.3, 1.7]
    rates = np.array(out["swap_rates"])
    assert rates.shape == (2,) and np.all((rates > 0) & (rates < 1))
    assert [r["temperature"] for r in out["replicas"]] == [1.0, 1.3, 1.7]
    energies = [r["energy_per_spin"]["mean"] for r in out["replicas"]]
    assert energies[0] < energies[1] < energies[2]       # each slot keeps its own temperature
    states = load_chains(tmp_path / "pt.h5")
    assert [s.params.temperature for s in states] == [1.0, 1.3, 1.7]


def _cli(args, env_dir):
    env = dict(os.environ, TENSORGLASS_CACHE=str(env_dir))
    return subprocess.run([sys.executable, "-m", "tensorglass", *args], capture_output=True, text=True, env=env)


def test_cli_prints_flags_and_json_carries_them(tmp_path):
    base = ["mc", "run", "--model", "nn", "--components", "3", "--L", "3", "--T", "1.0", "--sweeps", "40",
            "--seed", "1", "--sampler", "metropolis", "--no-progress"]
    human = _cli(base + ["--out", str(tmp_path / "a.h5")], tmp_path)
    assert human.returncode == 0, human.stderr
    assert "FLAG short_run" in human.stdout and "remedy" in human.stdout and "4 chain(s)" in human.stdout
    js = _cli(base + ["--out", str(tmp_path / "b.h5"), "--json", "--chains", "2"], tmp_path)
    d = json.loads(js.stdout)
    assert d["chains"] == 2 and "short_run" in [f["flag"] for f in d["flags"]]
    for key in ("m_order", "binder_order", "chi_order", "xi", "xi_over_L", "structure_factor", "t_c_weiss",
                "tau_int_by_observable", "r_hat", "k0", "effective_samples"):
        assert key in d
    pt = _cli(["mc", "run", "--model", "bl6", "--poisson", "0.2", "--L", "3", "--temperatures", "0.3,0.33", "--sweeps", "30", "--seed",
               "1", "--sampler", "metropolis", "--no-progress", "--json", "--out", str(tmp_path / "c.h5")], tmp_path)
    d = json.loads(pt.stdout)
    assert len(d["swap_rates"]) == 1 and len(d["replicas"]) == 2
    for bad in (["--chains", "0"], ["--temperatures", "0.3"], ["--temperatures", "0.3,x"]):
        args = [a for a in base if a not in ("--T", "1.0")] if bad[0] == "--temperatures" else base
        r = _cli(args + bad + ["--out", str(tmp_path / "d.h5")], tmp_path)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr


def test_chains_of_different_runs_are_not_pooled(nn3):
    p, model = nn3
    from dataclasses import replace
    a = _fake_state(p, model, np.random.default_rng(1).normal(size=50), 1)
    b = _fake_state(replace(p, temperature=2.0), model, np.random.default_rng(2).normal(size=50), 2)
    with pytest.raises(ParameterError):
        mc.summarize_chains([a, b], model, warn=False)


def test_sweep_point_runs_chains_and_reports_the_order_parameters():
    from tensorglass.sweeps._compute import OUTPUTS, WITH_ERRORS, evaluate_point
    rec = evaluate_point("mc", {"model": "nn", "components": 2, "L": 3, "temperature": 1.0, "sweeps": 40,
                                "sampler": "metropolis", "chains": 2}, 5, tuple(OUTPUTS["mc"]))
    res = rec["result"]
    assert set(OUTPUTS["mc"]) <= set(res)
    for o in WITH_ERRORS:
        assert o + "_error" in res
    assert res["t_c_weiss"] == pytest.approx(3.0) and res["ordering_shell"] == 0 and res["n_flags"] >= 1
    assert np.isnan(res["compression_weight"])     # bl6 only
    assert "short_run" in [f["flag"] for f in rec["extra"]["flags"]]


@pytest.mark.slow
def test_o3_at_beta_c_against_the_independent_wolff_reference():
    """nn O(3), L = 8, beta_c = 0.693001: energy and the Binder ratio of the
    k = 0 ordering mode (U4 = <m^4>/<m^2>^2, m = |sum s|/N) from 4 Metropolis
    chains agree with ../shared/reference/on_model_wolff.txt (|z| < 3 with the
    reported error bars; the reference is a single-cluster code written apart
    from tensorglass)."""
    e_ref, e_err, u_ref, u_err = -1.05111, 0.00030, 1.1327, 0.0008
    p = mc.RunParameters("nn", 8, 1 / 0.693001, 900, 11, sampler="metropolis", components=3, overrelax=1,
                         thermalize=150)
    model = p.build()
    out = mc.summarize_chains(mc.run_chains(p, 4, model=model), model, warn=False)
    assert out["structure_factor"]["ordering_shell"] == 0
    e, u = out["energy_per_spin"], out["binder_order"]
    assert abs(e["mean"] - e_ref) < 3 * np.hypot(e["error"], e_err)
    assert abs(u["mean"] - u_ref) < 3 * np.hypot(u["error"], u_err)
    assert out["r_hat"]["max"] < 1.1
