"""Monte Carlo files: checkpoints, bit-identical resume, bad files, full disk, CLI."""

import errno
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from tensorglass.montecarlo import RunParameters
from tensorglass.storage import MCFileError, load_chains, load_run, run_monte_carlo
from tensorglass.storage import _mc_files


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TENSORGLASS_CACHE", str(tmp_path / "cache"))


def _params(sampler="hmc", sweeps=30):
    return RunParameters("bl6", 3, 0.3, sweeps, 123, sampler=sampler, thermalize=5)


@pytest.mark.parametrize("sampler", ["hmc", "metropolis"])
def test_interrupted_and_resumed_run_is_bit_identical(tmp_path, monkeypatch, sampler):
    """Four chains, run one after the other; Ctrl-C in the middle of the
    second chain; the resumed file equals the uninterrupted one, chain by chain."""
    ref = run_monte_carlo(_params(sampler), tmp_path / "a.h5", progress=False)
    a = load_chains(tmp_path / "a.h5")

    real_bar = _mc_files._bar

    def interrupting_bar(total, enabled):
        count = {"n": 0}

        def step(k):
            if k is not None:
                count["n"] += k
                if count["n"] == 42:
                    os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, mid-run
        return step
    monkeypatch.setattr(_mc_files, "_bar", interrupting_bar)
    with pytest.raises(KeyboardInterrupt):
        run_monte_carlo(_params(sampler), tmp_path / "b.h5", progress=False)
    partial = load_chains(tmp_path / "b.h5")
    assert [st.sweep for st in partial] == [30, 12, 0, 0]
    monkeypatch.setattr(_mc_files, "_bar", real_bar)
    resumed = run_monte_carlo(resume_from=tmp_path / "b.h5", progress=False)
    b = load_chains(tmp_path / "b.h5")
    assert len(a) == len(b) == 4
    for x, y in zip(a, b):
        assert np.array_equal(x.coords, y.coords)
        assert np.array_equal(np.array(x.energy), np.array(y.energy))
        assert np.array_equal(np.array(x.structure_trace), np.array(y.structure_trace))
        assert x.generator_state() == y.generator_state()
    for key in ("energy_per_spin", "m_order", "xi", "r_hat", "flags", "structure_factor"):
        assert resumed[key] == ref[key]


def test_file_carries_provenance(tmp_path):
    import h5py
    run_monte_carlo(_params(), tmp_path / "r.h5", progress=False)
    with h5py.File(tmp_path / "r.h5") as f:
        assert f.attrs["format"] == "tensorglass-mc" and f.attrs["status"] == "complete"
        assert json.loads(f.attrs["parameters"])["seed"] == 123
        assert f.attrs["n_chains"] == 4 and "state" in json.loads(f["chain3"].attrs["generator_state"])
        assert f["chain0/energy"].shape == (25,) and f["chain0/magnetisation"].shape == (25, 6)
        assert f["chain0/structure_shells"].shape == (25, 3, 6, 6)
        assert "energy_per_spin" in json.loads(f.attrs["summary"])


def test_foreign_and_corrupted_files(tmp_path):
    import h5py
    (tmp_path / "text.h5").write_text("not hdf5")
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f.attrs["format"] = "something-else"
    run_monte_carlo(_params(), tmp_path / "good.h5", progress=False)
    data = (tmp_path / "good.h5").read_bytes()
    (tmp_path / "truncated.h5").write_bytes(data[: len(data) // 3])
    with h5py.File(tmp_path / "old.h5", "w") as f:   # format 1 (one chain, no structure factor)
        f.attrs["format"], f.attrs["format_version"] = "tensorglass-mc", 1
    with pytest.raises(MCFileError, match="format version 1 is not supported"):
        load_run(tmp_path / "old.h5")
    for name in ("text.h5", "foreign.h5", "truncated.h5", "missing.h5"):
        with pytest.raises(MCFileError) as exc:
            load_run(tmp_path / name)
        assert "\n" not in str(exc.value)


def test_full_disk_leaves_previous_file_intact(tmp_path, monkeypatch):
    out = tmp_path / "r.h5"
    run_monte_carlo(_params(), out, progress=False)
    before = out.read_bytes()
    import h5py
    real = h5py.File

    def full(*args, **kwargs):
        f = real(*args, **kwargs)
        if kwargs.get("mode", args[1] if len(args) > 1 else "r") == "w":
            f.close()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return f
    monkeypatch.setattr(h5py, "File", full)
    with pytest.raises(MCFileError) as exc:
        run_monte_carlo(_params(), out, progress=False)
    assert "No space left" in str(exc.value)
    monkeypatch.setattr(h5py, "File", real)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_kernel_cache_is_used(tmp_path):
    from tensorglass.storage import cached_model, kernel_cache_dir
    m1 = cached_model(_params())
    files = list(kernel_cache_dir().glob("*.npz"))
    assert len(files) == 1
    m2 = cached_model(_params())
    assert np.array_equal(m1.kernel.jr, m2.kernel.jr)
    files[0].write_bytes(b"damaged")
    m3 = cached_model(_params())
    assert np.array_equal(m1.kernel.jr, m3.kernel.jr)


def _cli(args, env_dir):
    env = dict(os.environ, TENSORGLASS_CACHE=str(env_dir))
    return subprocess.run([sys.executable, "-m", "tensorglass", *args], capture_output=True, text=True, env=env)


def test_cli_mc_run_json_and_resume(tmp_path):
    out = tmp_path / "run.h5"
    p = _cli(["mc", "run", "--model", "nn", "--components", "2", "--L", "4", "--T", "1.0", "--sweeps", "60",
              "--seed", "3", "--sampler", "metropolis", "--out", str(out), "--json", "--no-progress"], tmp_path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    for k in ("energy_per_spin", "specific_heat", "m_compression", "m_shear"):
        assert set(d[k]) >= {"mean", "error"}
    assert d["sweeps"] == 60 and d["tau_int"] > 0
    q = _cli(["mc", "resume", str(out), "--json", "--no-progress"], tmp_path)
    assert q.returncode == 0 and json.loads(q.stdout)["energy_per_spin"] == d["energy_per_spin"]


@pytest.mark.parametrize("args", [
    ["--model", "bl6", "--L", "1", "--T", "1", "--sweeps", "5", "--seed", "1"],
    ["--model", "bl6", "--L", "4", "--T", "0", "--sweeps", "5", "--seed", "1"],
    ["--model", "potts", "--L", "4", "--T", "1", "--sweeps", "5", "--seed", "1"],
    ["--model", "bl6", "--L", "4", "--T", "1", "--cl", "3", "--ct", "2.9", "--sweeps", "5", "--seed", "1"],
    ["--model", "bl6", "--L", "4", "--T", "1", "--cl", "3", "--sweeps", "5", "--seed", "1"],
])
def test_cli_mc_bad_input(tmp_path, args):
    p = _cli(["mc", "run", *args, "--out", str(tmp_path / "x.h5")], tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "error" in p.stderr


def test_cli_mc_resume_bad_file(tmp_path):
    (tmp_path / "x.h5").write_text("junk")
    p = _cli(["mc", "resume", str(tmp_path / "x.h5")], tmp_path)
    assert p.returncode == 2 and "corrupted" in p.stderr and "Traceback" not in p.stderr


def test_interrupted_tempering_resumes_bit_identically(tmp_path, monkeypatch):
    from tensorglass.storage import run_tempering
    p = RunParameters("nn", 3, 1.0, 40, 8, sampler="metropolis", components=3, thermalize=5)
    temps = [1.0, 1.3, 1.7]
    ref = run_tempering(p, temps, tmp_path / "a.h5", progress=False)
    real_bar = _mc_files._bar

    def interrupting_bar(total, enabled):
        count = {"n": 0}

        def step(k):
            if k is not None:
                count["n"] += k
                if count["n"] == 17:
                    os.kill(os.getpid(), signal.SIGINT)
        return step
    monkeypatch.setattr(_mc_files, "_bar", interrupting_bar)
    with pytest.raises(KeyboardInterrupt):
        run_tempering(p, temps, tmp_path / "b.h5", progress=False)
    assert [st.sweep for st in load_chains(tmp_path / "b.h5")] == [17, 17, 17]
    monkeypatch.setattr(_mc_files, "_bar", real_bar)
    resumed = run_monte_carlo(resume_from=tmp_path / "b.h5", progress=False)   # `mc resume` finds the tempering
    assert resumed["swap_rates"] == ref["swap_rates"]
    for x, y in zip(load_chains(tmp_path / "a.h5"), load_chains(tmp_path / "b.h5")):
        assert x.params.temperature == y.params.temperature
        assert np.array_equal(x.coords, y.coords) and np.array_equal(np.array(x.energy), np.array(y.energy))
    assert [r["energy_per_spin"] for r in resumed["replicas"]] == [r["energy_per_spin"] for r in ref["replicas"]]


def test_force_keeps_the_old_file_until_the_new_run_is_complete(tmp_path, monkeypatch, capsys):
    """`mc run --force` over a finished run: a run that fails part-way puts the old file back; one
    interrupted keeps it aside until `mc resume` completes the new run; a completed one removes it."""
    from tensorglass import _atomic
    from tensorglass.cli import main
    from tensorglass.montecarlo import _run
    out = tmp_path / "run.h5"
    args = ["mc", "run", "--model", "nn", "--L", "4", "--T", "2", "--sweeps", "30", "--seed", "1", "--chains", "1",
            "--out", str(out), "--no-progress", "--checkpoint-every", "0"]
    assert main(args) == 0
    before = out.read_bytes()
    real = _run.advance

    def failing(state, model, n, on_sweep=None, stop=None):
        real(state, model, 1, on_sweep=on_sweep, stop=stop)
        raise MemoryError("simulated failure after the first checkpoint")
    monkeypatch.setattr("tensorglass.storage._mc_files.advance", failing)
    assert main(args + ["--force", "--seed", "2"]) == 2
    assert out.read_bytes() == before and not _atomic.set_aside_path(out).exists()

    def interrupted(state, model, n, on_sweep=None, stop=None):
        real(state, model, 1, on_sweep=on_sweep, stop=stop)
        raise KeyboardInterrupt
    monkeypatch.setattr("tensorglass.storage._mc_files.advance", interrupted)
    capsys.readouterr()
    assert main(args + ["--force", "--seed", "3"]) != 0
    assert _atomic.set_aside_path(out).read_bytes() == before and "kept as" in capsys.readouterr().err
    monkeypatch.setattr("tensorglass.storage._mc_files.advance", real)
    assert main(["mc", "resume", str(out), "--no-progress"]) == 0
    assert not _atomic.set_aside_path(out).exists() and out.read_bytes() != before
    assert main(args + ["--force", "--seed", "4"]) == 0 and not _atomic.set_aside_path(out).exists()
