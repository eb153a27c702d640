"""Sweeps on a real local Dask cluster (2 worker processes)."""

import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

pytest.importorskip("dask.distributed")
from dask.distributed import Client, LocalCluster  # noqa: E402

from tensorglass.sweeps import SpecError, SweepStore, load_spec, run_sweep  # noqa: E402

MC_SPEC = """
compute = "mc"
seed = 7
outputs = ["energy_per_spin", "m_shear"]
[grid]
temperature = [0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5]
[fixed]
model = "bl6"
poisson = 0.2
L = 4
sweeps = 150
sampler = "hmc"
"""

FLOW_SPEC = """
compute = "flow"
seed = 1
combine = "zip"
[grid]
k_ratio = [-0.1, -0.5, -1.0]
ell = [10.0, 20.0, 30.0]
[fixed]
material = "BK7"
"""


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def _spec(tmp_path, text, name="spec.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def _results(store):
    ds = SweepStore(store).dataset()
    return {k: ds[k].values for k in ds.data_vars if k not in ("elapsed_s", "tensorglass_version")}


def test_sweep_completes_with_units_and_provenance(tmp_path, client):
    st = run_sweep(_spec(tmp_path, FLOW_SPEC), tmp_path / "s", client=client, progress=False)
    assert st["done"] == 3 and st["failed"] == 0
    import xarray as xr
    ds = xr.open_dataset(tmp_path / "s" / "dataset.nc", engine="h5netcdf")
    assert ds.sizes["point"] == 3 and list(ds["k_ratio"].values) == [-0.1, -0.5, -1.0]
    assert ds["im_chi_ratio"].attrs["units"] == "1" and (ds["status"].values == "ok").all()
    assert json.loads(ds.attrs["fixed_parameters"]) == {"material": "BK7"}
    # the deviation from c_l^2/c_t^2 shrinks as |K| ell grows (002 Eq. 4.6 as a limit)
    dev = np.abs(ds["relative_deviation"].values)
    assert dev[2] < dev[1] < dev[0]


def test_killed_worker_still_computes_every_point_once(tmp_path, client):
    spec = _spec(tmp_path, MC_SPEC)
    run_sweep(spec, tmp_path / "ref", client=client, progress=False)
    ref = _results(tmp_path / "ref")
    store = tmp_path / "killed"
    killed = {}

    def killer():
        pts = store / "points"
        while not (pts.exists() and len(list(pts.glob("*.json"))) >= 2):
            time.sleep(0.02)
        worker = sorted(client.scheduler_info()["workers"])[0]
        pid = client.run(os.getpid, workers=[worker])[worker]
        os.kill(pid, 9)  # kill -9 the worker process mid-sweep; its nanny starts a new one
        killed["worker"] = worker
    t = threading.Thread(target=killer, daemon=True)
    t.start()
    st = run_sweep(spec, store, client=client, progress=False)
    t.join(timeout=30)
    assert killed, "the worker was not killed"
    assert st["done"] == 8 and st["failed"] == 0 and st["missing"] == 0
    assert len(list((store / "points").glob("*.json"))) == 8
    got = _results(store)
    for k in ref:
        assert np.array_equal(ref[k], got[k]), k


def test_resumed_sweep_equals_uninterrupted_and_is_schedule_independent(tmp_path, client):
    spec = _spec(tmp_path, MC_SPEC)
    run_sweep(spec, tmp_path / "full", client=client, progress=False)
    part = run_sweep(spec, tmp_path / "part", client=client, progress=False, max_points=3)
    assert part["done"] == 3 and part["missing"] == 5
    before = {f.name: f.read_bytes() for f in (tmp_path / "part" / "points").glob("*.json")}
    run_sweep(spec, tmp_path / "part", workers=1, progress=False)  # resumed on a different cluster
    after = {f.name: f.read_bytes() for f in (tmp_path / "part" / "points").glob("*.json")}
    assert all(after[n] == b for n, b in before.items())  # finished points were skipped
    a, b = _results(tmp_path / "full"), _results(tmp_path / "part")
    for k in a:
        assert np.array_equal(a[k], b[k]), k


def _fails_for_large_k(compute, params, seed, outputs):
    from tensorglass.sweeps import evaluate_point
    if params.get("k_ratio") == -0.7:
        raise RuntimeError("worker lost its disk")  # a failure no up-front check can foresee
    return evaluate_point(compute, params, seed, outputs)


def test_failed_points_are_recorded_and_rerun(tmp_path, monkeypatch):
    """A point that fails on the worker is recorded as failed (with why) and recomputed by the next run."""
    import tensorglass.sweeps._run as sr
    monkeypatch.setattr(sr, "evaluate_point", _fails_for_large_k)
    spec = _spec(tmp_path, """
compute = "flow"
[grid]
k_ratio = [-0.5, -0.7]
[fixed]
material = "BK7"
""")
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as local:
        st = run_sweep(spec, tmp_path / "f", client=local, progress=False)
        assert st["done"] == 1 and st["failed"] == 1 and "worker lost its disk" in st["errors"][0]
        st2 = run_sweep(spec, tmp_path / "f", client=local, progress=False)
        assert st2["failed"] == 1  # rerun, fails again for the same reason
        from tensorglass.sweeps import _compute
        monkeypatch.setattr(sr, "evaluate_point", _compute.evaluate_point)
        st3 = run_sweep(spec, tmp_path / "f", client=local, progress=False)
        assert st3["done"] == 2 and st3["failed"] == 0


def test_point_outside_the_flow_validity_is_refused_before_submission(tmp_path):
    """k_ratio = -80 breaks 002 Eq. (4.1)'s perturbative step: refused up front, no store made."""
    spec = _spec(tmp_path, 'compute = "flow"\n[grid]\nk_ratio = [-0.5, -80.0]\n[fixed]\nmaterial = "BK7"\n')
    with pytest.raises(SpecError, match="grid point 1 .*k_ratio = -80.0"):
        run_sweep(spec, tmp_path / "f", progress=False)
    assert not (tmp_path / "f").exists()


MALFORMED = {
    "no_grid.toml": 'compute = "predict"\n',
    "bad_compute.toml": 'compute = "nope"\n[grid]\nc_l = [5]\n',
    "unknown_param.toml": 'compute = "predict"\n[grid]\nvelocity = [5]\n',
    "bad_range.toml": 'compute = "predict"\n[grid]\nln_r_over_l1 = {start = 1}\n',
    "bad_material.toml": 'compute = "predict"\n[grid]\nmaterial = ["unobtainium"]\n',
    "zip_mismatch.toml": 'compute = "predict"\ncombine = "zip"\n[grid]\nc_l = [5, 6]\nc_t = [3]\n',
    "bad_value.toml": 'compute = "predict"\n[grid]\nc_l = ["fast"]\n',
    "not_toml.toml": 'compute = = "predict"\n',
    "bad_output.toml": 'compute = "predict"\noutputs = ["happiness"]\n[grid]\nmaterial = ["BK7"]\n',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_specs_exit_2(tmp_path, name):
    spec = _spec(tmp_path, MALFORMED[name], name)
    with pytest.raises(SpecError):
        load_spec(spec)
    p = subprocess.run([sys.executable, "-m", "tensorglass", "sweep", "run", str(spec), "--store",
                        str(tmp_path / "st")], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and str(spec) in p.stderr, p.stderr


def test_changed_spec_is_refused_unless_forced(tmp_path, client):
    s1 = _spec(tmp_path, FLOW_SPEC, "a.toml")
    s2 = _spec(tmp_path, FLOW_SPEC.replace("seed = 1", "seed = 2"), "b.toml")
    run_sweep(s1, tmp_path / "st", client=client, progress=False)
    with pytest.raises(SpecError, match="different sweep"):
        run_sweep(s2, tmp_path / "st", client=client, progress=False)
    st = run_sweep(s2, tmp_path / "st", client=client, progress=False, force=True)
    assert st["done"] == 3
    assert SweepStore(tmp_path / "st").spec().seed == 2


def test_collect_to_csv_and_status_cli(tmp_path, client):
    run_sweep(_spec(tmp_path, FLOW_SPEC), tmp_path / "s", client=client, progress=False)
    p = subprocess.run([sys.executable, "-m", "tensorglass", "sweep", "collect", str(tmp_path / "s"), "--to",
                        str(tmp_path / "out.csv")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert len(lines) == 4 and "im_chi_ratio" in lines[0] and "seed" in lines[0]
    q = subprocess.run([sys.executable, "-m", "tensorglass", "sweep", "status", str(tmp_path / "s"), "--json"],
                       capture_output=True, text=True)
    assert json.loads(q.stdout)["done"] == 3


def test_seeds_do_not_depend_on_order(tmp_path):
    spec = load_spec(_spec(tmp_path, MC_SPEC))
    seeds = spec.seeds()
    assert len(set(seeds)) == len(seeds) and seeds == load_spec(_spec(tmp_path, MC_SPEC, "again.toml")).seeds()


def test_existing_scheduler_runs_the_same_spec_unchanged(tmp_path, client):
    """--scheduler ADDRESS: the same spec on an already running cluster gives the same store."""
    spec = _spec(tmp_path, FLOW_SPEC)
    run_sweep(spec, tmp_path / "local", workers=1, progress=False)
    st = run_sweep(spec, tmp_path / "remote", scheduler=client.scheduler.address, progress=False)
    assert st["done"] == 3
    a, b = _results(tmp_path / "local"), _results(tmp_path / "remote")
    for k in a:
        assert np.array_equal(a[k], b[k]), k


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    spec = _spec(tmp_path, FLOW_SPEC)
    p = subprocess.run([sys.executable, "-m", "tensorglass", "sweep", "run", str(spec), "--store", str(tmp_path / "s"),
                        "--scheduler", "tcp://127.0.0.1:9"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "cannot connect" in p.stderr and "Traceback" not in p.stderr, p.stderr[-500:]
    assert not (tmp_path / "s").exists()  # no half-made store left behind
