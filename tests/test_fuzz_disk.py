"""A real full disk (a 64 KiB tmpfs) and real SIGKILLs: exit 2 with one line,
earlier outputs intact, no half-made outputs and no temporaries left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _badinput import assert_handled, run_cli

MC = ["mc", "run", "--model", "bl6", "--poisson", "0.2", "--L", "6", "--T", "1", "--sweeps", "20", "--seed", "1", "--chains", "1",
      "--no-progress"]


@pytest.fixture
def full_disk(tmp_path):
    """A tmpfs of 64 KiB, nearly filled; skipped where mounting is not allowed."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs Linux and root (not available here, e.g. unprivileged CI)")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({p.stderr.strip() or p.returncode}): no privileges in this container")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path, leave: int = 8192):
    """Fill the file system up to ``leave`` bytes."""
    free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
    (mnt / "filler").write_bytes(b"\0" * max(free - leave, 0))


def _temporaries(d: Path):
    return sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.name.endswith(".tmp") or "staging" in p.name)


def test_mc_run_on_a_full_disk_is_refused_before_computing(full_disk, capsys):
    _fill(full_disk)
    code, _, err = run_cli(MC + ["--out", full_disk / "run.h5"], capsys)
    assert_handled(code, err, "run.h5", "is free")
    assert not (full_disk / "run.h5").exists() and _temporaries(full_disk) == []


def test_mc_run_when_the_disk_fills_during_the_run(full_disk, capsys, monkeypatch):
    """The up-front estimate passed, and then the disk filled: the write itself fails cleanly."""
    import tensorglass._atomic as at
    monkeypatch.setattr(at, "check_free_space", lambda *a, **k: None)
    _fill(full_disk)
    code, _, err = run_cli(MC + ["--out", full_disk / "run.h5"], capsys)
    assert_handled(code, err, "run.h5", "No space left")
    assert not (full_disk / "run.h5").exists() and _temporaries(full_disk) == []


def test_mc_checkpoint_on_a_full_disk_keeps_the_previous_one(full_disk, capsys, monkeypatch):
    import tensorglass._atomic as at
    code, _, err = run_cli(MC + ["--out", full_disk / "run.h5"], capsys)
    assert code == 0, err
    before = (full_disk / "run.h5").read_bytes()
    monkeypatch.setattr(at, "check_free_space", lambda *a, **k: None)
    _fill(full_disk, leave=4096)
    code, _, err = run_cli(MC + ["--out", full_disk / "run.h5", "--force", "--sweeps", "30"], capsys)
    assert_handled(code, err, "No space left")
    assert (full_disk / "run.h5").read_bytes() == before and _temporaries(full_disk) == []


def test_reproduce_on_a_full_disk_leaves_no_folder(full_disk, capsys):
    _fill(full_disk)
    code, _, err = run_cli(["reproduce", "--out", full_disk / "report", "--quick", "--no-progress"], capsys)
    assert_handled(code, err, "report", "is free")
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


def _flow_store(tmp_path):
    from dask.distributed import Client
    from tensorglass.sweeps import run_sweep
    (tmp_path / "flow.toml").write_text('compute = "flow"\n[grid]\nk_ratio = [-0.2, -0.4, -0.6, -0.8, -1.0]\n'
                                        '[fixed]\nmaterial = "BK7"\n')
    return tmp_path / "flow.toml", Client, run_sweep


def test_collect_on_a_full_disk(full_disk, tmp_path, capsys):
    spec, Client, run_sweep = _flow_store(tmp_path)
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        run_sweep(spec, tmp_path / "s", client=c, progress=False)
    _fill(full_disk, leave=0)
    for to in ("out.nc", "out.csv"):
        code, _, err = run_cli(["sweep", "collect", tmp_path / "s", "--to", full_disk / to], capsys)
        assert_handled(code, err, to, "No space left")
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


def test_sweep_run_on_a_full_disk_keeps_finished_points(full_disk, tmp_path, capsys):
    from tensorglass._atomic import OutputError
    from tensorglass.sweeps import SweepStore
    spec, Client, run_sweep = _flow_store(tmp_path)
    _fill(full_disk, leave=12 * 1024)
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        with pytest.raises(OutputError, match="No space left"):
            run_sweep(spec, full_disk / "s", client=c, progress=False)
        assert _temporaries(full_disk) == []
        st = SweepStore(full_disk / "s").status()
        assert st["done"] < 5 and not (st["corrupt"] or st["incomplete"])  # what was written is whole
        (full_disk / "filler").unlink()
        st = run_sweep(spec, full_disk / "s", client=c, progress=False)
    assert st["done"] == 5 and (full_disk / "s" / "dataset.nc").exists()


def _dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stale_temporaries_of_killed_runs_are_removed(tmp_path, capsys):
    """Temporaries of our naming pattern whose process is gone are removed on the next start; others are kept."""
    pid = _dead_pid()
    stale = tmp_path / f".run.h5.tg{pid}.abcd1234.tmp"
    stale.write_bytes(b"half a checkpoint")
    alive = tmp_path / f".run.h5.tg{os.getpid()}.live0000.tmp"
    alive.write_bytes(b"being written")
    foreign = tmp_path / ".run.h5.something.tmp"
    foreign.write_bytes(b"not ours")
    code, _, err = run_cli(MC + ["--out", tmp_path / "run.h5"], capsys)
    assert code == 0, err
    assert not stale.exists() and alive.exists() and foreign.exists()


@pytest.mark.slow
def test_repeated_sigkill_of_mc_run_leaves_no_temporaries(tmp_path):
    """SIGKILL mid-run three times (checkpoints every sweep), resume: no .tmp file remains and the run completes."""
    env = {**os.environ, "TENSORGLASS_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "run.h5"
    argv = [sys.executable, "-m", "tensorglass", *MC, "--sweeps", "4000", "--L", "8", "--checkpoint-every", "0",
            "--out", str(out)]
    for attempt in range(3):
        cmd = argv if attempt == 0 else [sys.executable, "-m", "tensorglass", "mc", "resume", str(out),
                                         "--checkpoint-every", "0", "--no-progress"]
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t0 = time.monotonic()
        mtime = out.stat().st_mtime_ns if out.exists() else None
        while time.monotonic() - t0 < 60 and (not out.exists() or out.stat().st_mtime_ns == mtime):
            time.sleep(0.05)  # until it has written a checkpoint of its own
        time.sleep(0.3 + 0.1 * attempt)
        p.send_signal(signal.SIGKILL)
        p.wait()
    code = subprocess.run([sys.executable, "-m", "tensorglass", "mc", "resume", str(out), "--json", "--no-progress",
                           "--checkpoint-every", "1000"], env=env, capture_output=True, text=True, timeout=600)
    assert code.returncode == 0, code.stderr[-1000:]
    assert json.loads(code.stdout)["sweeps"] == 4000
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.fixture
def readonly_package(tmp_path):
    """A copy of the package on a read-only bind mount (root and Linux only)."""
    import shutil
    import tensorglass
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs Linux and root (not available here)")
    root = tmp_path / "pkg"
    shutil.copytree(Path(tensorglass.__file__).parent, root / "tensorglass",
                    ignore=shutil.ignore_patterns("__pycache__"))
    ok = subprocess.run(["mount", "--bind", str(root), str(root)], capture_output=True).returncode == 0 and \
        subprocess.run(["mount", "-o", "remount,ro,bind", str(root)], capture_output=True).returncode == 0
    if not ok:
        subprocess.run(["umount", "-l", str(root)], check=False, capture_output=True)
        pytest.skip("cannot make a read-only bind mount here (no privileges in this container)")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


@pytest.mark.slow
def test_mc_run_without_a_writable_package_or_home(readonly_package, tmp_path):
    """Neither the package folder nor $HOME can be written: numba would fail at import; the CLI points its cache
    at the temporary folder with a note, and the run completes."""
    blocker = tmp_path / "home-is-a-file"
    blocker.write_text("")
    (tmp_path / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(PYTHONPATH=str(readonly_package), HOME=str(blocker), TMPDIR=str(tmp_path / "tmp"),
               TENSORGLASS_CACHE=str(tmp_path / "kc"))
    probe = subprocess.run([sys.executable, "-c", "import tensorglass.montecarlo"], env=env, capture_output=True,
                           text=True, cwd=tmp_path)
    assert probe.returncode != 0 and "cache" in probe.stderr  # without the fallback numba cannot even import
    p = subprocess.run([sys.executable, "-m", "tensorglass", *MC, "--sampler", "metropolis", "--out",
                        str(tmp_path / "r.h5")], env=env, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert p.returncode == 0, p.stderr[-1500:]
    assert "tensorglass: note:" in p.stderr and "Traceback" not in p.stderr
    assert list((tmp_path / "tmp").glob(f"tensorglass-numba-{os.getuid()}/**/*.nbi"))
