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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MC = ["mc", "run", "--model", "bl6", "--poisson", "0.2", "--L", "6", "--T", "1", "--sweeps", "20", "--seed", "1", "--chains", "1",
      "--no-progress"]


@pytest.fixture
def full_disk(tmp_path):
    """A tmpfs of 128 KiB (a small run's file is about 60 KiB), nearly filled; skipped where mounting is not allowed."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs Linux and root (not available here, e.g. unprivileged CI)")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mnt)], capture_output=True, text=True)
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


# ---- issue 21: every stored value is input ------------------------------------------------------------------------

def _checkpoints(d: Path) -> dict:
    """Three unfinished runs written by the package itself: two independent nn chains (local sampler), a
    tempering run over three temperatures, one bl6 chain on HMC (4-D spins, a tuned step size)."""
    from dataclasses import replace as _replace
    from tensorglass.montecarlo import RunParameters, advance, new_chains, new_tempering, parallel_tempering
    from tensorglass.storage import save_run
    p = RunParameters(model="nn", L=4, temperature=1.0, sweeps=12, seed=5, thermalize=2)
    m = p.build()
    chains = new_chains(p, m, 2)
    for c in chains:
        advance(c, m, 9)
    save_run(d / "plain.h5", chains)
    temps = [0.8, 1.0, 1.3]
    plist = [_replace(p, temperature=t) for t in temps]
    reps, ex = new_tempering(plist, m, p.seed)
    parallel_tempering(plist, m, rounds=9, states=reps, exchange=ex)
    save_run(d / "pt.h5", reps, temperatures=temps, exchange=ex)
    h = RunParameters(model="bl6", poisson=0.2, L=3, temperature=1.0, sweeps=12, seed=5, thermalize=3, sampler="hmc")
    hm = h.build()
    hc = new_chains(h, hm, 1)
    advance(hc[0], hm, 6)
    save_run(d / "hmc.h5", hc)
    return {k: (d / f"{k}.h5").read_bytes() for k in ("plain", "pt", "hmc")}


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return _checkpoints(tmp_path_factory.mktemp("ckpt"))


#: Fields that may be absent from a file of this format (older writers, unfinished runs).
OPTIONAL_FIELDS = {"sampler_state", "summary"}
#: Parameters that may be absent (RunParameters' defaults); the others are required.
REQUIRED_PARAMETERS = {"model", "L", "temperature", "sweeps", "seed"}


def _fields(data: bytes):
    """Every field of a checkpoint: ("attr", group, key), ("dataset", group, key), ("param", "", key),
    ("json", group, attr/key) for the numbers inside JSON attributes."""
    import io
    import h5py
    out = []
    with h5py.File(io.BytesIO(data), "r") as f:
        for gname in [""] + sorted(k for k in f if isinstance(f[k], h5py.Group)):
            g = f[gname] if gname else f
            for k in g.attrs:
                out.append(("attr", gname, k))
                v = g.attrs[k]
                if isinstance(v, str) and v.startswith("{") and k != "parameters":
                    obj = json.loads(v)
                    out += [("json", gname, f"{k}/{j}") for j, x in obj.items() if isinstance(x, (int, float))
                            and not isinstance(x, bool)]
            if gname:
                out += [("dataset", gname, k) for k in g]
        out += [("param", "", k) for k in json.loads(f.attrs["parameters"])]
    return out


def _bad_values(kind, value):
    """Values no file written by tensorglass holds in a field of this kind and type; each must be refused."""
    import numpy as np
    if kind == "dataset":
        return ["nan", "truncate", "delete"]
    if kind == "json":
        return [float("nan"), "x"]
    if kind == "param":
        if isinstance(value, bool):
            return ["x"]
        if isinstance(value, int):
            return [-1, 10**15, 1.5]
        if isinstance(value, float):
            return [float("nan"), -1e300, "x"]
        if isinstance(value, str):
            return ["no-such-value", 3]
        if value is None:
            return ["x", -1]
        return ["x"]
    if isinstance(value, (np.integer, int)):
        return [-1, "x"]  # (too large: the Hypothesis test below)
    if isinstance(value, (np.floating, float)):
        return [float("inf"), "x"]
    if isinstance(value, np.ndarray):
        return ["nan", "drop", "negative"]
    if isinstance(value, str):  # free text (version, units) must still be text; JSON must parse; status is a word
        return [5] + (["{", "[]"] if value.startswith("{") else ["done"] if value in ("running", "complete") else [])
    return ["x"]


def _tamper(path: Path, field, bad):
    """Write ``bad`` into ``field`` of the file at ``path`` (in place)."""
    import h5py
    import numpy as np
    kind, gname, key = field
    with h5py.File(path, "r+") as f:
        g = f[gname] if gname else f
        if kind == "param":
            p = json.loads(f.attrs["parameters"])
            if bad == "delete":
                del p[key]
            else:
                p[key] = bad
            f.attrs["parameters"] = json.dumps(p)
        elif kind == "json":
            attr, k = key.split("/")
            obj = json.loads(g.attrs[attr])
            obj[k] = bad
            g.attrs[attr] = json.dumps(obj)
        elif kind == "attr":
            if bad == "delete":
                del g.attrs[key]
                return
            v = g.attrs[key]
            if isinstance(v, np.ndarray) and bad in ("nan", "drop", "negative"):
                a = np.array(v, float)
                if bad == "nan":
                    a[0] = np.nan
                elif bad == "drop":
                    a = a[:-1]
                else:
                    a[0] = -1.0
                bad = a
            g.attrs[key] = bad
        else:
            a = np.array(g[key])
            del g[key]
            if bad == "delete":
                return
            if bad == "truncate":
                a = a[:-1] if a.shape[0] else np.zeros((1,) + a.shape[1:])
            elif a.size:
                a = a.astype(float)
                a.flat[a.size // 2] = np.nan
            else:
                a = np.full((1,) + a.shape[1:], np.nan)
            g.create_dataset(key, data=a)


def _needle(field):
    kind, gname, key = field
    if kind == "param":
        return f"parameters.{key}"
    if kind == "json":
        return f"{gname}.{key.split('/')[0]}" if gname else key.split("/")[0]
    if kind == "dataset":
        return f"{gname}/{key}"
    return f"{gname}.{key}" if gname else key


def _resume(path, capsys):
    return run_cli(["mc", "resume", path, "--no-progress", "--json"], capsys)


def _refused(code, err, path, field):
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("tensorglass: note:")]
    line = lines[0] if lines else ""
    needle = _needle(field)
    ok = code == 2 and len(lines) == 1 and "Traceback" not in err and str(path) in line and (
        needle in line or needle.replace("_", " ") in line)
    return ok, line


def test_every_field_of_a_checkpoint_is_checked(checkpoints, tmp_path, capsys):
    """Each field of three checkpoints in turn (attributes, datasets, parameters, numbers inside JSON), each
    with values no run writes there: refused with one line naming the file and the field, before anything
    runs.  Deleting a field is refused too, unless the format allows it to be absent."""
    missed, cases, seen = [], 0, set()
    for name, data in checkpoints.items():
        for field in _fields(data):
            kind, gname, key = field
            if (kind, key) in seen:  # each field once: the first chain (or file) that has it
                continue
            seen.add((kind, key))
            import h5py
            import io
            with h5py.File(io.BytesIO(data), "r") as f:
                g = f[gname] if gname else f
                value = (json.loads(f.attrs["parameters"])[key] if kind == "param" else
                         None if kind in ("dataset", "json") else g.attrs[key])
            bads = _bad_values(kind, value)
            optional = key in OPTIONAL_FIELDS or (kind == "param" and key not in REQUIRED_PARAMETERS)
            if kind in ("attr", "param") and not optional:
                bads = bads + ["delete"]
            for bad in bads:
                path = tmp_path / f"{name}.h5"
                path.write_bytes(data)
                _tamper(path, field, bad)
                code, _, err = _resume(path, capsys)
                ok, line = _refused(code, err, path, field)
                cases += 1
                if not ok:
                    missed.append((name, field, bad, code, line[:200]))
    assert not missed, f"{len(missed)} of {cases} tampered fields were not refused by name: {missed[:8]}"
    assert cases > 100 and len(seen) > 40
    from _badinput import COUNT
    COUNT["handled"] += cases


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_values_in_stored_counters_and_arrays_are_refused(data, checkpoints, tmp_path_factory, capsys):
    """Hypothesis picks a file, a counter or array, and a value outside what a run writes: a negative or
    too-large count, a non-finite number, a series cut short by any number of rows."""
    import numpy as np
    name = data.draw(st.sampled_from(sorted(checkpoints)))
    d = tmp_path_factory.mktemp("tamper")
    path = d / f"{name}.h5"
    path.write_bytes(checkpoints[name])
    import h5py
    with h5py.File(path, "r") as f:
        chains = sorted(k for k in f if k.startswith("chain"))
        g = data.draw(st.sampled_from(chains))
        sweeps = int(json.loads(f.attrs["parameters"])["sweeps"])
        sweep = int(f[g].attrs["sweep"])
    what = data.draw(st.sampled_from(["sweep", "accepted", "attempted", "series", "param_sweeps", "temperature",
                                      "spin"]))
    with h5py.File(path, "r+") as f:
        if what in ("sweep", "accepted", "attempted"):
            v = data.draw(st.integers(max_value=-1) | st.integers(min_value=sweep * 4**3 + 1, max_value=2**62)
                          if what != "sweep" else st.integers(max_value=-1) | st.integers(sweeps + 1, 2**62))
            f[g].attrs[what] = v
            field = ("attr", g, what)
        elif what == "series":
            key = data.draw(st.sampled_from(["energy", "magnetisation", "structure_shells", "structure_trace"]))
            a = np.array(f[g][key])
            cut = data.draw(st.integers(1, a.shape[0]))
            del f[g][key]
            f[g].create_dataset(key, data=a[:-cut])
            field = ("dataset", g, key)
        elif what == "param_sweeps":
            p = json.loads(f.attrs["parameters"])
            p["sweeps"] = data.draw(st.integers(min_value=10**9 + 1, max_value=2**63) | st.integers(max_value=0))
            f.attrs["parameters"] = json.dumps(p)
            field = ("param", "", "sweeps")
        elif what == "temperature":
            p = json.loads(f.attrs["parameters"])
            p["temperature"] = data.draw(st.floats(max_value=1e-6, exclude_max=True) | st.floats(min_value=1e3,
                                         exclude_min=True) | st.sampled_from([float("nan"), float("inf")]))
            f.attrs["parameters"] = json.dumps(p)
            field = ("param", "", "temperature")
        else:
            a = np.array(f[g]["coords"])
            i = data.draw(st.integers(0, a.reshape(-1, a.shape[-1]).shape[0] - 1))
            a.reshape(-1, a.shape[-1])[i] *= data.draw(st.floats(0, 10).filter(lambda x: abs(x - 1) > 1e-3)
                                                       | st.sampled_from([float("nan"), float("-inf")]))
            del f[g]["coords"]
            f[g].create_dataset("coords", data=a)
            field = ("dataset", g, "coords")
    code, _, err = _resume(path, capsys)
    ok, line = _refused(code, err, path, field)
    assert ok, (field, code, err[-600:])


def test_metadata_that_disagree_with_the_data_are_refused(checkpoints, tmp_path, capsys):
    """The lattice size, the model, the number of temperatures against the replicas: each changed alone
    leaves a file whose parts disagree; refused by name (not a traceback, not an internal error)."""
    import h5py
    cases = [("plain", lambda f: _set_param(f, L=5), "parameters.L"),
             ("plain", lambda f: _set_param(f, model="elastic-dipole"), "chain0.last_energy"),
             ("hmc", lambda f: _set_param(f, poisson=0.3), "chain0.last_energy"),
             ("hmc", lambda f: _set_param(f, cutoff=0.5), "chain0.last_energy"),
             ("hmc", lambda f: _set_param(f, k0="zero"), "chain0.last_energy"),
             ("pt", lambda f: _set_param(f, components=3, model="elastic-dipole"), "chain0.last_energy"),
             ("plain", lambda f: _set_param(f, components=4), "chain0/coords"),
             ("hmc", lambda f: _set_param(f, model="nn"), "parameters.poisson"),
             ("hmc", lambda f: _set_param(f, model="nn", poisson=None), "chain0/coords"),
             ("pt", lambda f: f.attrs.__setitem__("temperatures", [0.8, 1.0]), "temperatures"),
             ("pt", lambda f: f.attrs.__setitem__("n_chains", 2), "n_chains"),
             ("pt", lambda f: f.attrs.__delitem__("temperatures"), "temperatures"),
             ("pt", lambda f: f["chain1"].attrs.__setitem__("temperature", 1.3), "chain1.temperature"),
             ("plain", lambda f: f.attrs.__setitem__("n_chains", 3), "n_chains")]
    for name, change, needle in cases:
        path = tmp_path / f"{name}.h5"
        path.write_bytes(checkpoints[name])
        with h5py.File(path, "r+") as f:
            change(f)
        code, _, err = _resume(path, capsys)
        assert_handled(code, err, str(path), needle)


def _set_param(f, **kw):
    p = json.loads(f.attrs["parameters"])
    p.update(kw)
    f.attrs["parameters"] = json.dumps(p)


def test_untampered_checkpoints_resume(checkpoints, tmp_path, capsys):
    """The reference: the files as written resume and finish (so every refusal above is the tampering's)."""
    for name, data in checkpoints.items():
        path = tmp_path / f"{name}.h5"
        path.write_bytes(data)
        code, out, err = _resume(path, capsys)
        assert code == 0, err[-800:]
        assert json.loads(out)["sweeps"] == 12


# ---- issue 21: --force never destroys before it can succeed ----------------------------------------------------------

FLOW_A = 'compute = "flow"\nseed = 1\n[grid]\nk_ratio = [-0.2, -0.5, -1.0]\n[fixed]\nmaterial = "BK7"\n'
FLOW_B = FLOW_A.replace("seed = 1", "seed = 2")


def _files(d: Path) -> dict:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_sweeps(tmp_path_factory):
    """A finished store of spec A (records and dataset.nc) and, beside it, a finished store of spec B."""
    from dask.distributed import Client
    from tensorglass.sweeps import run_sweep
    d = tmp_path_factory.mktemp("force")
    (d / "a.toml").write_text(FLOW_A)
    (d / "b.toml").write_text(FLOW_B)
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        run_sweep(d / "a.toml", d / "A", client=c, progress=False)
        run_sweep(d / "b.toml", d / "B", client=c, progress=False, assemble=False)
    return d


def test_forced_study_against_an_unreachable_scheduler_keeps_every_record(two_sweeps, tmp_path, capsys):
    """`study --force` whose sweep cannot start (nothing listens at the scheduler's address): the finished
    study's files and every point record of its store are byte for byte as before, and nothing was added."""
    import shutil
    out = tmp_path / "study"
    shutil.copytree(two_sweeps / "A", out / "store" / "classical")  # a store of another spec than the study's
    for f in ("study.md", "study.html", "results.json"):
        (out / f).write_text(f"the finished study's {f}")
    before = _files(out)
    code, _, err = run_cli(["study", "blocks", "--out", out, "--force", "--scheduler", "tcp://127.0.0.1:9",
                            "--no-progress"], capsys)
    err = "\n".join(ln for ln in err.splitlines() if ln.startswith("tensorglass"))  # (after the cost estimate)
    assert_handled(code, err, "--scheduler", "cannot connect")
    assert _files(out) == before
    assert sorted(p.name for p in (out / "store" / "classical").iterdir()) == ["dataset.nc", "points", "spec.json"]


def test_forced_sweep_replaces_the_old_one_only_when_complete(two_sweeps, tmp_path, capsys):
    import shutil
    from dask.distributed import Client
    from tensorglass.sweeps import SweepStore, run_sweep
    shutil.copytree(two_sweeps / "A", tmp_path / "s")
    old = _files(tmp_path / "s")
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        st_ = run_sweep(two_sweeps / "b.toml", tmp_path / "s", client=c, progress=False, force=True, max_points=1)
        assert st_["done"] == 1 and "kept unchanged" in st_["replacing"]
        assert {k: v for k, v in _files(tmp_path / "s").items() if not k.startswith(".replacement")} == old
        code, out, _ = run_cli(["sweep", "status", tmp_path / "s"], capsys)
        assert code == 0 and ".replacement-" in out and "--force" in out  # the old sweep, and a note
        st_ = run_sweep(two_sweeps / "b.toml", tmp_path / "s", client=c, progress=False, force=True)
    assert st_["done"] == 3 and not st_["replacements"] and SweepStore(tmp_path / "s").spec().seed == 2
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["dataset.nc", "points", "spec.json"]
    new = {k: json.loads(v)["result"] for k, v in _files(tmp_path / "s").items() if k.startswith("points/")}
    ref = {k: json.loads(v)["result"] for k, v in _files(two_sweeps / "B").items() if k.startswith("points/")}
    assert new == ref


class _Crash(Exception):
    pass


@pytest.mark.parametrize("step", range(7))
def test_a_crash_while_swapping_in_a_forced_sweep_loses_nothing(step, two_sweeps, tmp_path, monkeypatch):
    """Kill the swap after `step` file operations (a journal file, the old spec's copy, four renames): the next
    use of the store finds either the old sweep whole (and the new one whole in its replacement) or the new
    one whole; rerunning --force finishes the replacement."""
    import shutil
    from tensorglass.sweeps import SweepStore, _store
    from tensorglass.sweeps._spec import load_spec
    shutil.copytree(two_sweeps / "A", tmp_path / "s")
    store = SweepStore(tmp_path / "s")
    staging = store.replacement(load_spec(two_sweeps / "b.toml"))
    shutil.copytree(two_sweeps / "B", staging.path)
    old_points = {k: v for k, v in _files(store.path).items() if k.startswith("points/")}
    new_points = {k: v for k, v in _files(staging.path).items() if k.startswith("points/")}
    count = {"n": 0}

    def counted(fn):
        def call(*a, **k):
            if count["n"] == step:
                raise _Crash(step)
            count["n"] += 1
            return fn(*a, **k)
        return call
    import types
    fake_os = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    fake_os.rename, fake_os.replace = counted(os.rename), counted(os.replace)
    monkeypatch.setattr(_store, "os", fake_os)
    monkeypatch.setattr(_store, "atomic_write_text", counted(_store.atomic_write_text))
    monkeypatch.setattr(_store.shutil, "copyfile", counted(shutil.copyfile))
    try:
        store.promote(staging)
        crashed = False
    except _Crash:
        crashed = True
    monkeypatch.undo()
    assert crashed == (step < 6)
    for j in tmp_path.joinpath("s").glob(".replaced-tg*"):  # as if the process had died
        j.rename(j.with_name(j.name.replace(f"tg{os.getpid()}-", "tg4999999-")))
    seed = SweepStore(tmp_path / "s").spec().seed  # the next use recovers
    now = {k: v for k, v in _files(store.path).items() if k.startswith("points/")}
    assert not list(tmp_path.joinpath("s").glob(".replaced-tg*"))
    if seed == 1:
        assert now == old_points
        assert {k: v for k, v in _files(staging.path).items() if k.startswith("points/")} == new_points
    else:
        assert seed == 2 and now == new_points
    from dask.distributed import Client
    from tensorglass.sweeps import run_sweep
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        st_ = run_sweep(two_sweeps / "b.toml", tmp_path / "s", client=c, progress=False, force=True)
    assert st_["done"] == 3 and SweepStore(tmp_path / "s").spec().seed == 2


# ---- issue 21: tempering checkpoints like every other run --------------------------------------------------------

def test_tempering_honours_checkpoint_every_and_a_sigkill_loses_at_most_one_interval(tmp_path):
    """`mc run --temperatures ... --checkpoint-every 0.5`, SIGKILLed between checkpoints: the file on disk is at
    most one interval (plus one round and its write) older than the kill, whole, and resumable; before, a
    tempering run wrote nothing until its 120 s default."""
    env = {**os.environ, "TENSORGLASS_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "pt.h5"
    interval = 0.5
    p = subprocess.Popen([sys.executable, "-m", "tensorglass", "mc", "run", "--model", "nn", "--L", "4",
                          "--temperatures", "0.8,1.0,1.3", "--sweeps", "1000000", "--seed", "3",
                          "--checkpoint-every", str(interval), "--no-progress", "--out", str(out)],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen, t0 = [], time.monotonic()
    try:
        while len(seen) < 3 and time.monotonic() - t0 < 120 and p.poll() is None:
            m = out.stat().st_mtime_ns if out.exists() else None
            if m is not None and (not seen or m != seen[-1]):
                seen.append(m)
            time.sleep(0.01)
        time.sleep(0.7 * interval)  # between two checkpoints
    finally:
        killed_at = time.time()
        p.send_signal(signal.SIGKILL)
        p.wait()
    assert len(seen) == 3, p.stderr.read().decode()[-800:]
    assert killed_at - out.stat().st_mtime <= interval + 1.0
    from tensorglass.storage import load_chains
    from tensorglass.storage._mc_files import _load_exchange
    states = load_chains(out)  # every stored value checked
    temps, ex = _load_exchange(out)
    assert temps == [0.8, 1.0, 1.3] and ex.rounds > 0 and all(s.sweep == ex.rounds for s in states)
