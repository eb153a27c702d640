"""Bad input to every command: exit 2, one line that names the parameter, no
traceback, nothing existing changed or half-written (issue 11).

The CLI is called in-process (tensorglass.cli.main) so that hundreds of cases
run in seconds; tests/_badinput.py counts them and the session prints the
count.  Hypothesis generates bad numbers and malformed files; the explicit
table holds every case of the issue.
"""

from __future__ import annotations

import json
import math
import os

import h5py
import numpy as np
import pytest
from _badinput import COUNT, assert_handled, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensorglass import _validate

MC = ["mc", "run", "--model", "bl6", "--poisson", "0.2", "--L", "4", "--T", "1", "--sweeps", "10", "--seed", "1",
      "--no-progress"]
# 40 examples per property in CI (the whole file runs in ~15 s); `make fuzz` (TG_HYPOTHESIS=dev) explores 300
SETTINGS = settings(max_examples=40 if os.environ.get("TG_HYPOTHESIS", "ci") == "ci" else 300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _replace(argv, flag, value):
    """argv with ``flag``'s value replaced (or the pair appended)."""
    argv = list(argv)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    return argv


# ---- the issue's cases, one by one -----------------------------------------

ISSUE_CASES = {
    "overflowing velocities": (["predict", "--cl", "1e308", "--ct", "1e307"], ["--cl", "1e+308"]),
    "a liquid's velocity ratio": (["predict", "--cl", "1000", "--ct", "1e-6"], ["--ct", "1e-06", "units"]),
    "underflowing velocities": (["predict", "--cl", "1e-300", "--ct", "5e-301"], ["--cl", "1e-300"]),
    "lattice of 7 TiB": (_replace(MC, "--L", "10000") + ["--out", "{tmp}/r.h5"], ["--L", "10000"]),
    "lattice beyond memory": (_replace(MC, "--L", "3000") + ["--out", "{tmp}/r.h5"], ["--L", "3000", "available"]),
    "out in /proc": (MC + ["--out", "/proc/run.h5"], ["--out", "/proc/run.h5"]),
    "poisson and velocities": (MC + ["--cl", "6", "--ct", "3", "--out", "{tmp}/r.h5"], ["--poisson", "--cl"]),
    "bl6 without a medium": (["mc", "run", "--model", "bl6", "--L", "4", "--T", "1", "--sweeps", "10", "--seed", "1",
                              "--out", "{tmp}/r.h5"], ["--poisson", "bl6"]),
    "components for bl6": (MC + ["--components", "7", "--out", "{tmp}/r.h5"], ["--components", "7"]),
    "negative checkpoint interval": (MC + ["--checkpoint-every", "-1", "--out", "{tmp}/r.h5"], ["--checkpoint-every"]),
    "temperature 1e300": (_replace(MC, "--T", "1e300") + ["--out", "{tmp}/r.h5"], ["--T", "1e+300"]),
    "reproduce into ''": (["reproduce", "--out", ""], ["--out", "''"]),
    "mc out ''": (MC + ["--out", ""], ["--out", "''"]),
    "resume a folder": (["mc", "resume", "{tmp}"], ["is a directory"]),
    "collect into a missing folder": (["sweep", "collect", "{store}", "--to", "{tmp}/nodir/out.csv"], ["--to", "nodir"]),
    "zero workers": (["sweep", "run", "{spec}", "--store", "{tmp}/new.store", "--workers", "0"], ["--workers", "0"]),
    "unbalanced quote": (["predict", "--material", "X", "--materials-file", "{tmp}/quote.csv"], ["quote"]),
    "header-only file": (["predict", "--material", "X", "--materials-file", "{tmp}/header.csv"], ["no materials"]),
    "overwrite a foreign file": (MC + ["--out", "{tmp}/notes.h5"], ["--out", "--force", "not written by tensorglass"]),
    "overwrite a finished run": (MC + ["--out", "{tmp}/done.h5"], ["--out", "--force", "finished"]),
    "velocity ratio 0.98 in a grid": (["sweep", "run", "{tmp}/ratio.toml", "--store", "{tmp}/new.store"],
                                      ["grid point 1", "c_t"]),
    "T <= 0 in a grid": (["sweep", "run", "{tmp}/cold.toml", "--store", "{tmp}/new.store"], ["grid point 0", "temperature"]),
    "grid of 1e15 points": (["sweep", "run", "{tmp}/huge.toml", "--store", "{tmp}/new.store"], ["points"]),
    "workers with a scheduler": (["sweep", "run", "{spec}", "--store", "{tmp}/new.store", "--workers", "2",
                                  "--scheduler", "tcp://127.0.0.1:9"], ["--workers", "--scheduler"]),
    "materials file without --material": (["predict", "--cl", "6", "--ct", "3", "--materials-file", "{tmp}/header.csv"],
                                          ["--materials-file", "--material"]),
    "reproduce into a file": (["reproduce", "--out", "{tmp}/notes.h5"], ["--out", "notes.h5"]),
    "collect over a foreign file": (["sweep", "collect", "{store}", "--to", "{tmp}/quote.csv"], ["--to", "--force"]),
    "resume a foreign file": (["mc", "resume", "{tmp}/notes.h5"], ["notes.h5", "not a tensorglass"]),
    "store is a file": (["sweep", "run", "{spec}", "--store", "{tmp}/notes.h5"], ["notes.h5"]),
    "status of a folder that is no store": (["sweep", "status", "{tmp}"], ["no spec.json"]),
    "sweep grid range with 1e15 values": (["sweep", "run", "{tmp}/range.toml", "--store", "{tmp}/new.store"],
                                          ["num", "1,000,000"]),
}


@pytest.fixture(scope="module")
def issue_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("issue")
    (d / "quote.csv").write_text('name,c_l,c_t\n"X,6.2,3.8\n')
    (d / "header.csv").write_text("name,c_l,c_t\n")
    (d / "notes.h5").write_text("my notes, not a simulation\n")
    with h5py.File(d / "done.h5", "w") as f:
        f.attrs["format"] = "tensorglass-mc"
        f.attrs["status"] = "complete"
    (d / "ratio.toml").write_text('compute = "predict"\n[grid]\nc_t = [3.0, 5.88]\n[fixed]\nc_l = 6.0\n')
    (d / "cold.toml").write_text('compute = "mc"\n[grid]\ntemperature = [0.0, 0.5]\n'
                                 '[fixed]\nmodel = "bl6"\npoisson = 0.2\nL = 4\nsweeps = 10\n')
    (d / "huge.toml").write_text('compute = "flow"\n[grid]\n'
                                 + "".join(f"{k} = {{start = 0.1, stop = 0.9, num = 1000}}\n"
                                           for k in ("im_chi_l1_l", "im_chi_l1_t", "k_l_over_k_t", "alpha", "ell")))
    (d / "range.toml").write_text('compute = "predict"\n[grid]\nln_r_over_l1 = {start = 1.0, stop = 2.0, '
                                  'num = 1000000000000000}\n[fixed]\nmaterial = "BK7"\n')
    store = d / "s.store"
    store.mkdir()
    (store / "spec.json").write_text(json.dumps({"canonical": json.dumps(
        {"compute": "predict", "seed": 1, "combine": "product", "grid": [["material", ["BK7"]]], "fixed": {},
         "outputs": ["gamma_ratio"]})}))
    (d / "spec.toml").write_text('compute = "predict"\n[grid]\nmaterial = ["BK7"]\n')
    return d


@pytest.mark.parametrize("case", sorted(ISSUE_CASES))
def test_issue_cases(case, issue_files, capsys):
    argv, needles = ISSUE_CASES[case]
    d = issue_files
    argv = [a.format(tmp=d, store=d / "s.store", spec=d / "spec.toml") for a in argv]
    before = {p: p.read_bytes() for p in d.rglob("*") if p.is_file()}
    code, _, err = run_cli(argv, capsys)
    assert_handled(code, err, *needles)
    after = {p: p.read_bytes() for p in d.rglob("*") if p.is_file()}
    assert after == before  # nothing changed, nothing half-written, no temporaries
    assert not (d / "new.store").exists() and not (d / "nodir").exists()


def test_existing_out_is_replaced_with_force(tmp_path, capsys):
    out = tmp_path / "notes.h5"
    out.write_text("notes")
    code, outp, err = run_cli(MC + ["--out", out, "--force", "--json"], capsys)
    assert code == 0, err
    assert json.loads(outp)["sweeps"] == 10
    with h5py.File(out) as f:
        assert f.attrs["status"] == "complete"


# ---- generated bad numbers --------------------------------------------------

def _not_a_number():
    return st.sampled_from(["nan", "inf", "-inf", "NaN", "1e999", "abc", "", "0x", "--", "1,5"])


def _outside(lo, hi, lo_open=False, hi_open=False):
    """Floats outside [lo, hi] (bounds included where the interval is open)."""
    below = st.floats(max_value=lo, allow_nan=False, allow_infinity=True, exclude_max=not lo_open)
    above = st.floats(min_value=hi, allow_nan=False, allow_infinity=True, exclude_min=not hi_open)
    return st.one_of(below, above).map(repr) | _not_a_number()


PREDICT_BAD = {
    "--cl": _outside(*_validate.VELOCITY_RANGE),
    "--ct": _outside(*_validate.VELOCITY_RANGE),
    "--rho": _outside(*_validate.RHO_RANGE),
    "--ln-r-over-l1": _outside(*_validate.ELL_RANGE, lo_open=True),
}


@SETTINGS
@given(flag=st.sampled_from(sorted(PREDICT_BAD)), data=st.data())
def test_predict_refuses_generated_bad_numbers(flag, data, capsys):
    value = data.draw(PREDICT_BAD[flag])
    argv = _replace(["predict", "--cl", "5.8", "--ct", "3.8"], flag, value)
    code, _, err = run_cli(argv, capsys)
    assert_handled(code, err, flag)


@SETTINGS
@given(ratio=st.floats(min_value=math.sqrt(3) / 2, max_value=50.0), c_l=st.floats(min_value=1e-3, max_value=1e3))
def test_predict_refuses_negative_bulk_modulus(ratio, c_l, capsys):
    """c_t/c_l >= sqrt(3)/2 means K < 0, at any scale of the velocities."""
    c_t = ratio * c_l
    if not _validate.VELOCITY_RANGE[0] <= c_t <= _validate.VELOCITY_RANGE[1]:
        return
    code, _, err = run_cli(["predict", "--cl", repr(c_l), "--ct", repr(c_t)], capsys)
    assert_handled(code, err, "--ct")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(log_cl=st.floats(-6, 6), frac=st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
       rho=st.floats(*_validate.RHO_RANGE), ell=st.floats(*_validate.ELL_RANGE, exclude_min=True))
def test_every_accepted_input_gives_finite_predictions(log_cl, frac, rho, ell, capsys):
    """The bounds are wide enough to be physical and narrow enough that nothing inside overflows:
    any accepted (c_l, c_t, rho, ln R/L1) gives exit 0 and alpha = 1 - c_t^2/c_l^2 in (1/4, 1)."""
    c_l = 10.0**log_cl
    c_t = max(frac * math.sqrt(3) / 2 * c_l, _validate.VELOCITY_RANGE[0], _validate.MIN_CT_OVER_CL * c_l)
    if c_t >= math.sqrt(3) / 2 * c_l or c_l > _validate.VELOCITY_RANGE[1]:
        return
    code, out, err = run_cli(["predict", "--cl", repr(c_l), "--ct", repr(c_t), "--rho", repr(rho),
                              "--ln-r-over-l1", repr(ell), "--json"], capsys)
    assert code == 0, err
    res = json.loads(out)
    assert 0.25 < res["alpha"] < 1 and math.isclose(res["alpha"], 1 - (c_t / c_l) ** 2, rel_tol=1e-12)
    assert math.isfinite(res["t_curie_over_j"]) and math.isfinite(res["j_compr_over_j_shear"])


def _bad_int(lo, hi, cli=True):
    ints = st.integers(max_value=lo - 1) | (st.integers(min_value=hi + 1) if hi is not None else st.nothing())
    # "1e3" is no integer on the command line; in a TOML spec 1000.0 is the integer 1000
    return ints.map(str) | st.sampled_from(["1.5", "nan", "x", ""] + (["1e3"] if cli else []))


MC_BAD = {
    "--L": _bad_int(*_validate.L_RANGE),
    "--T": _outside(*_validate.T_RANGE),
    "--sweeps": _bad_int(1, _validate.SWEEPS_MAX),
    "--seed": _bad_int(0, _validate.SEED_MAX),
    "--poisson": _outside(-1.0, 0.5, lo_open=True, hi_open=True),
    "--cutoff": _outside(*_validate.CUTOFF_RANGE),
    "--checkpoint-every": _outside(*_validate.CHECKPOINT_RANGE),
    "--thermalize": st.integers(min_value=10, max_value=10**12).map(str) | st.integers(max_value=-1).map(str),
    "--overrelax": st.integers(min_value=1, max_value=100).map(str),  # needs --sampler metropolis
    "--components": st.integers().filter(lambda n: n != 6).map(str),  # bl6 has 6
    "--model": st.text(min_size=1, max_size=12).filter(lambda s: s not in _validate.MODELS and not s.startswith("-")),
    "--sampler": st.text(min_size=1, max_size=12).filter(lambda s: s not in ("auto", "hmc", "metropolis", "ising")
                                                         and not s.startswith("-")),
}


@SETTINGS
@given(flag=st.sampled_from(sorted(MC_BAD)), data=st.data())
def test_mc_run_refuses_generated_bad_values(flag, data, tmp_path_factory, capsys):
    value = data.draw(MC_BAD[flag])
    d = tmp_path_factory.mktemp("mc")
    argv = _replace(MC + ["--out", str(d / "r.h5")], flag, value)
    code, _, err = run_cli(argv, capsys)
    assert_handled(code, err, flag)
    assert list(d.iterdir()) == []


@SETTINGS
@given(available=st.integers(min_value=10**6, max_value=10**12), n=st.sampled_from([1, 3, 6]))
def test_lattice_memory_estimate_refuses_what_does_not_fit(available, n):
    """The largest L accepted fits; L + 1 does not; the error suggests that L."""
    L = 2
    while _validate.lattice_memory(L + 1, n) <= available and L < _validate.L_RANGE[1]:
        L += 1
    if _validate.lattice_memory(L, n) <= available:
        assert _validate.lattice_size(L, n, available=available) == L
    if L < _validate.L_RANGE[1]:
        with pytest.raises(_validate.ParameterError, match=f"use --L {L} or less"):
            _validate.lattice_size(L + 1, n, available=available)
    COUNT["handled"] += 1


def test_lattice_memory_estimate_covers_the_real_arrays():
    """The estimate is an upper bound on what a built model and its state actually hold."""
    from tensorglass.montecarlo import RunParameters, new_state
    for model, kw, n in (("bl6", {"poisson": 0.2}, 6), ("nn", {"components": 3}, 3)):
        p = RunParameters(model=model, L=6, temperature=1.0, sweeps=5, seed=1, **kw)
        m = p.build()
        s = new_state(p, m)
        held = m.kernel.jk.nbytes + m.kernel.jr.nbytes + 2 * s.coords.nbytes
        assert held <= _validate.lattice_memory(6, n) <= 20 * held


# ---- malformed files --------------------------------------------------------

@SETTINGS
@given(body=st.binary(max_size=300))
def test_materials_file_without_a_name_column(body, tmp_path_factory, capsys):
    """Any bytes whose first line is not a header with name and c_l: exit 2, one line."""
    f = tmp_path_factory.mktemp("mat") / "m.csv"
    f.write_bytes(b"material,speed\n" + body)
    for argv in (["materials", "--materials-file", f], ["predict", "--material", "x", "--materials-file", f]):
        code, _, err = run_cli(argv, capsys)
        assert_handled(code, err, "m.csv")


VALID_CSV = "name,c_l,c_t,rho\nBK7,6.2,3.8,2.51\nSiO2,5.8,3.8,2.2\n"


@SETTINGS
@given(pos=st.integers(0, len(VALID_CSV) - 1), junk=st.text(alphabet='",\n\x00;x-e.9 ', min_size=1, max_size=4),
       delete=st.integers(0, 3))
def test_mutated_materials_file_never_crashes(pos, junk, delete, tmp_path_factory, capsys):
    """Random edits of a valid file: either still valid (exit 0) or one clean line (exit 2)."""
    text = VALID_CSV[:pos] + junk + VALID_CSV[pos + delete:]
    f = tmp_path_factory.mktemp("mat") / "m.csv"
    f.write_text(text)
    code, _, err = run_cli(["materials", "--materials-file", f], capsys)
    assert "Traceback" not in err
    if code != 0:
        assert_handled(code, err, "m.csv")


SPEC_BAD = {  # a grid parameter and values of which at least one is outside the single command's range
    "predict": {"c_l": _outside(*_validate.VELOCITY_RANGE), "rho": _outside(*_validate.RHO_RANGE),
                "ln_r_over_l1": _outside(*_validate.ELL_RANGE, lo_open=True)},
    "mc": {"temperature": _outside(*_validate.T_RANGE), "poisson": _outside(-1, 0.5, True, True),
           "L": _bad_int(*_validate.L_RANGE, cli=False), "sweeps": _bad_int(1, _validate.SWEEPS_MAX, cli=False)},
}
SPEC_FIXED = {"predict": 'c_t = 3.0\nc_l = 6.0\n', "mc": 'model = "bl6"\npoisson = 0.2\nL = 4\nsweeps = 10\n'}


@SETTINGS
@given(compute=st.sampled_from(sorted(SPEC_BAD)), data=st.data())
def test_sweep_grid_with_one_bad_point_is_refused_before_anything(compute, data, tmp_path_factory, capsys):
    name = data.draw(st.sampled_from(sorted(SPEC_BAD[compute])))
    bad = data.draw(SPEC_BAD[compute][name])
    good = {"c_l": "6.0", "rho": "2.5", "ln_r_over_l1": "20.0", "temperature": "0.5", "poisson": "0.3", "L": "4",
            "sweeps": "10"}[name]
    try:
        val = float(bad)
        toml_bad = repr(val) if math.isfinite(val) else ("inf" if val > 0 else "-inf")
        if name in ("L", "sweeps") and float(val).is_integer() and abs(val) < 2**62:
            toml_bad = str(int(val))
    except ValueError:
        toml_bad = json.dumps(bad)  # a string where a number belongs
    d = tmp_path_factory.mktemp("spec")
    fixed = "\n".join(ln for ln in SPEC_FIXED[compute].splitlines() if not ln.startswith(name + " "))
    (d / "s.toml").write_text(f'compute = "{compute}"\n[grid]\n{name} = [{good}, {toml_bad}]\n[fixed]\n{fixed}\n')
    code, _, err = run_cli(["sweep", "run", d / "s.toml", "--store", d / "st", "--no-progress"], capsys)
    assert_handled(code, err, name)
    assert not (d / "st").exists()


# ---- the store trusts nothing it reads ---------------------------------------

FLOW = 'compute = "flow"\nseed = 3\n[grid]\nk_ratio = [-0.2, -0.5, -1.0]\n[fixed]\nmaterial = "BK7"\n'


@pytest.fixture(scope="module")
def flow_store(tmp_path_factory):
    from dask.distributed import Client
    from tensorglass.sweeps import run_sweep
    d = tmp_path_factory.mktemp("store")
    (d / "flow.toml").write_text(FLOW)
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        st_ = run_sweep(d / "flow.toml", d / "s", client=c, progress=False)
    assert st_["done"] == 3
    return d


def _mutations():
    def change_result(r):
        r["result"]["im_chi_ratio"] = r["result"]["im_chi_ratio"] * 1.0001
    def change_params(r):
        r["params"]["k_ratio"] = -0.3
    def drop_result(r):
        del r["result"]
    def foreign_hash(r):
        r["spec_hash"] = "0" * 16
    def old_format(r):
        del r["format"]
    def other_index(r):
        r["index"] = (r["index"] + 1) % 3
    def status(r):
        r["status"] = "done"
    return st.sampled_from([change_result, change_params, drop_result, foreign_hash, old_format, other_index, status])


@SETTINGS
@given(which=st.integers(0, 2), mutate=_mutations(), truncate=st.integers(0, 400), how=st.sampled_from(["edit", "cut"]))
def test_corrupt_records_are_named_and_refused(which, mutate, truncate, how, flow_store, tmp_path_factory, capsys):
    import shutil
    d = tmp_path_factory.mktemp("copy")
    shutil.copytree(flow_store / "s", d / "s")
    f = d / "s" / "points" / f"{which:07d}.json"
    if how == "edit":
        r = json.loads(f.read_text())
        mutate(r)
        f.write_text(json.dumps(r))
    else:
        data = f.read_bytes()
        f.write_bytes(data[: min(truncate, len(data) - 1)])
    code, out, err = run_cli(["sweep", "status", d / "s", "--json"], capsys)
    st_ = json.loads(out)
    named = st_["corrupt"] + st_["foreign"] + st_["incomplete"]
    assert code == 1 and len(named) == 1 and named[0].startswith(f.name), st_
    assert st_["done"] == 2
    code, _, err = run_cli(["sweep", "collect", d / "s", "--to", d / "out.nc"], capsys)
    assert_handled(code, err, f.name, "sweep run")
    assert not (d / "out.nc").exists()


def test_sweep_run_recomputes_bad_records_identically(flow_store, tmp_path):
    import shutil
    from dask.distributed import Client
    from tensorglass.sweeps import SweepStore, run_sweep
    shutil.copytree(flow_store / "s", tmp_path / "s")
    pts = tmp_path / "s" / "points"
    good = {f.name: json.loads(f.read_text())["result"] for f in pts.glob("*.json")}
    r = json.loads((pts / "0000000.json").read_text())
    r["result"]["im_chi_ratio"] = 123.0
    (pts / "0000000.json").write_text(json.dumps(r))
    (pts / "0000001.json").write_text('{"index": 1, "sta')
    (pts / "0000002.json").write_text(json.dumps({k: v for k, v in json.loads((pts / "0000002.json").read_text()).items()
                                                  if k != "result"}))
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        st_ = run_sweep(flow_store / "flow.toml", tmp_path / "s", client=c, progress=False)
    assert st_["done"] == 3 and not (st_["corrupt"] or st_["foreign"] or st_["incomplete"])
    assert {f.name: json.loads(f.read_text())["result"] for f in pts.glob("*.json")} == good
    ds = SweepStore(tmp_path / "s").dataset()
    assert ds["k_ratio"].attrs["units"] == "1" and "history" in ds.attrs


def test_corrupt_spec_json_is_one_line(flow_store, tmp_path, capsys):
    import shutil
    shutil.copytree(flow_store / "s", tmp_path / "s")
    (tmp_path / "s" / "spec.json").write_text('{"canonical": ')
    for argv in (["sweep", "status", tmp_path / "s"], ["sweep", "collect", tmp_path / "s", "--to", tmp_path / "o.nc"],
                 ["sweep", "run", flow_store / "flow.toml", "--store", tmp_path / "s"]):
        code, _, err = run_cli(argv, capsys)
        assert_handled(code, err, "spec.json", "corrupt")


def test_store_over_a_foreign_folder_is_refused(flow_store, tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    code, _, err = run_cli(["sweep", "run", flow_store / "flow.toml", "--store", tmp_path / "mine"], capsys)
    assert_handled(code, err, "--store", "mine")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["thesis.tex"]


# ---- outputs ------------------------------------------------------------------

def test_outputs_honour_the_umask(flow_store, tmp_path, capsys):
    from tensorglass._atomic import atomic_write_text
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
        code, _, err = run_cli(MC + ["--out", tmp_path / "r.h5", "--checkpoint-every", "0"], capsys)
        assert code == 0, err
        for to in ("c.nc", "c.csv"):
            assert run_cli(["sweep", "collect", flow_store / "s", "--to", tmp_path / to], capsys)[0] == 0
        for name in ("a.txt", "r.h5", "c.nc", "c.csv"):
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name
        os.umask(0o077)
        atomic_write_text(tmp_path / "b.txt", "x")
        assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_grid_ranges_are_clean_and_carry_units(tmp_path):
    import xarray as xr
    from dask.distributed import Client
    from tensorglass.sweeps import load_spec, run_sweep
    (tmp_path / "r.toml").write_text('compute = "predict"\noutputs = ["gamma_ratio"]\n[grid]\n'
                                     'ln_r_over_l1 = {start = 0.05, stop = 0.4, num = 8}\n'
                                     'c_t = {start = 3.1, stop = 3.3, step = 0.1}\n[fixed]\nc_l = 6.0\n')
    spec = load_spec(tmp_path / "r.toml")
    assert spec.grid["ln_r_over_l1"] == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]
    assert spec.grid["c_t"] == [3.1, 3.2, 3.3]
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        run_sweep(tmp_path / "r.toml", tmp_path / "s", client=c, progress=False)
    with xr.open_dataset(tmp_path / "s" / "dataset.nc", engine="h5netcdf") as ds:
        assert ds["c_t"].attrs["units"] == "km/s" and ds["ln_r_over_l1"].attrs["units"] == "1"
        assert "tensorglass" in ds.attrs["history"] and ds.attrs["spec_hash"]
        assert np.allclose(ds["gamma_ratio"].sel(c_t=3.2).values, 6.0 / 3.2)
        assert all(v.attrs.get("units") for k, v in ds.data_vars.items() if k not in ("status", "seed",
                                                                                      "tensorglass_version"))


def test_numba_cache_falls_back_to_a_writable_folder(tmp_path):
    from tensorglass._atomic import numba_cache_fallback
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # nothing can be created below a regular file, even as root
    env = {}
    note = numba_cache_fallback(env, package_dir=blocker / "pkg", user_cache=blocker / "home", tmp_root=tmp_path)
    assert env["NUMBA_CACHE_DIR"] == str(tmp_path / f"tensorglass-numba-{os.getuid()}") and "note:" in note
    assert (tmp_path / f"tensorglass-numba-{os.getuid()}").is_dir()
    env = {}  # a writable package folder: nothing changes
    assert numba_cache_fallback(env, package_dir=tmp_path / "pkg", user_cache=blocker) is None and env == {}
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "chosen")}  # the user's writable choice is kept
    assert numba_cache_fallback(env, package_dir=blocker, user_cache=blocker, tmp_root=tmp_path) is None
    assert env == {"NUMBA_CACHE_DIR": str(tmp_path / "chosen")}
    env = {}
    note = numba_cache_fallback(env, package_dir=blocker, user_cache=blocker, tmp_root=blocker)
    assert "NUMBA_CACHE_DIR" not in env and "no writable folder" in note


def test_mc_models_list_is_the_core_one():
    from tensorglass.montecarlo import MODELS
    assert tuple(MODELS) == _validate.MODELS


def test_the_count_of_handled_cases_is_printed(pytester):
    """A session that handles bad input ends with the line 'N bad-input cases handled'."""
    pytester.makeconftest("from _badinput import pytest_terminal_summary  # noqa: F401\n")
    pytester.makepyfile(test_inner="""
        import pytest
        from _badinput import COUNT, assert_handled, run_cli

        @pytest.mark.parametrize("argv", [["predict", "--cl", "nan", "--ct", "3"], ["predict", "--cl", "6", "--ct", "6"],
                                          ["materials", "--materials-file", "/nonexistent.csv"]])
        def test_bad(argv, capsys):
            code, _, err = run_cli(argv, capsys)
            assert_handled(code, err)
    """)
    before = COUNT["handled"]
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
    assert COUNT["handled"] == before + 3
    result.stdout.fnmatch_lines([f"{before + 3} bad-input cases handled (exit 2, one line, no traceback)"])


# ---- issue 21: special files, stored values, specs and options, edges, environment, paths --------------------------

@pytest.fixture
def no_hang():
    """Fail (instead of hanging the suite) when a command blocks on a special file."""
    import signal

    def alarm(signum, frame):
        raise TimeoutError("blocked on a special file")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


#: Every command that reads a file the user names: (argv with {f} for the file, the name the error must show).
READERS = {
    "mc resume": (["mc", "resume", "{f}"], "file"),
    "sweep run SPEC": (["sweep", "run", "{f}", "--store", "{d}/new.store"], "spec"),
    "predict --materials-file": (["predict", "--material", "x", "--materials-file", "{f}"], "--materials-file"),
    "materials --materials-file": (["materials", "--materials-file", "{f}"], "--materials-file"),
    "mc run --out (existing)": (MC + ["--out", "{f}", "--force"], "--out"),
    "sweep collect --to (existing)": (["sweep", "collect", "{store}", "--to", "{f}"], "--to"),
}


@pytest.mark.parametrize("special", ["fifo", "device", "folder"])
@pytest.mark.parametrize("reader", sorted(READERS))
def test_special_files_are_refused_at_once(reader, special, issue_files, tmp_path, capsys, no_hang):
    """A FIFO, a device or a folder where a file is read or replaced: one line at once, never a blocked read
    (a FIFO with no writer blocks open() forever) and never a device replaced."""
    argv, needle = READERS[reader]
    if special == "fifo":
        f = tmp_path / ("pipe.nc" if "collect" in reader else "pipe.h5")
        os.mkfifo(f)
    elif special == "device":
        f = "/dev/null"
    else:
        f = tmp_path / ("dir.nc" if "collect" in reader else "dir.h5")
        f.mkdir()
    argv = [a.format(f=f, d=tmp_path, store=issue_files / "s.store") for a in argv]
    code, _, err = run_cli(argv, capsys)
    line = assert_handled(code, err, str(f))
    assert needle in line or "spec" in line, line
    assert not (tmp_path / "new.store").exists()
    if special == "device":
        assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_store_whose_spec_json_is_a_fifo(flow_store, tmp_path, capsys, no_hang):
    import shutil
    shutil.copytree(flow_store / "s", tmp_path / "s")
    (tmp_path / "s" / "spec.json").unlink()
    os.mkfifo(tmp_path / "s" / "spec.json")
    for argv in (["sweep", "status", tmp_path / "s"], ["sweep", "run", flow_store / "flow.toml", "--store", tmp_path / "s"]):
        code, _, err = run_cli(argv, capsys)
        assert_handled(code, err, "spec.json", "regular file")


def test_a_resumed_run_length_beyond_the_command_line_is_refused(tmp_path, capsys):
    """The stored sweeps edited to 10^12 (mc run refuses more than 10^9): refused by name, nothing run."""
    out = tmp_path / "r.h5"
    code, _, err = run_cli(_replace(MC, "--sweeps", "5") + ["--out", out, "--chains", "1"], capsys)
    assert code == 0, err
    with h5py.File(out, "r+") as f:
        p = json.loads(f.attrs["parameters"])
        p["sweeps"] = 10**12
        f.attrs["parameters"] = json.dumps(p)
        f.attrs["status"] = "running"
    before = out.read_bytes()
    code, _, err = run_cli(["mc", "resume", out], capsys)
    assert_handled(code, err, "r.h5", "parameters.sweeps", "1000000000000")
    assert out.read_bytes() == before


# -- specs and options --

def _spec_file(d, text, name="s.toml"):
    (d / name).write_text(text)
    return d / name


@SETTINGS
@given(seed=st.integers(max_value=-1) | st.integers(min_value=2**64, max_value=2**200))
def test_spec_seeds_outside_64_bits_are_refused(seed, tmp_path_factory, capsys):
    d = tmp_path_factory.mktemp("seed")
    spec = _spec_file(d, f'compute = "predict"\nseed = {seed}\n[grid]\nmaterial = ["BK7"]\n')
    code, _, err = run_cli(["sweep", "run", spec, "--store", d / "st"], capsys)
    assert_handled(code, err, "seed", "2^64")
    assert not (d / "st").exists()


def test_the_largest_seeds_run_and_collect(tmp_path, capsys):
    """seed = 2^64 - 1 in a spec (a store that collects) and on the command line (a resumable file)."""
    from dask.distributed import Client
    from tensorglass.sweeps import SweepStore, run_sweep
    spec = _spec_file(tmp_path, f'compute = "predict"\nseed = {2**64 - 1}\noutputs = ["gamma_ratio"]\n'
                      '[grid]\nmaterial = ["BK7", "a-SiO2"]\n')
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        assert run_sweep(spec, tmp_path / "st", client=c, progress=False)["done"] == 2
    assert SweepStore(tmp_path / "st").collect(tmp_path / "o.nc").exists()
    out = tmp_path / "r.h5"
    code, _, err = run_cli(_replace(_replace(MC, "--seed", str(2**64 - 1)), "--sweeps", "4") + ["--out", out], capsys)
    assert code == 0, err
    code, _, err = run_cli(["mc", "resume", out, "--json"], capsys)
    assert code == 0, err
    code, _, err = run_cli(_replace(MC, "--seed", str(2**64)) + ["--out", tmp_path / "s.h5"], capsys)
    assert_handled(code, err, "--seed", str(2**64))


@SETTINGS
@given(depth=st.integers(2, 3000), where=st.sampled_from(["grid", "fixed"]))
def test_nested_arrays_in_a_spec_are_one_line(depth, where, tmp_path_factory, capsys):
    d = tmp_path_factory.mktemp("nest")
    value = "[" * depth + "1.0" + "]" * depth
    body = (f'compute = "predict"\n[grid]\nc_t = {value}\n[fixed]\nc_l = 6.0\n' if where == "grid" else
            f'compute = "predict"\n[grid]\nc_t = [3.0]\n[fixed]\nc_l = {value}\n')
    spec = _spec_file(d, body)
    code, _, err = run_cli(["sweep", "run", spec, "--store", d / "st"], capsys)
    assert_handled(code, err, "nested", str(spec))
    assert not (d / "st").exists()


def _bad_addresses():
    host = st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True)
    return (st.just("") | st.just("   ") | host | host.map(lambda h: f"tcp://{h}")
            | st.tuples(host, st.integers(65536, 10**6)).map(lambda t: f"{t[0]}:{t[1]}")
            | st.tuples(host, st.integers(max_value=0)).map(lambda t: f"tcp://{t[0]}:{t[1]}")
            | host.map(lambda h: f"{h}:port") | host.map(lambda h: f"inproc://{h}")
            | host.map(lambda h: f"http://{h}:8786"))


@SETTINGS
@given(address=_bad_addresses(), command=st.sampled_from(["sweep", "study"]))
def test_scheduler_addresses_without_a_port_are_refused_up_front(address, command, tmp_path_factory, capsys):
    """No port, a port outside 1-65535, an empty address (which used to mean "start a local cluster"), another
    protocol: one line naming --scheduler, before any folder is made."""
    d = tmp_path_factory.mktemp("sched")
    spec = _spec_file(d, 'compute = "predict"\n[grid]\nmaterial = ["BK7"]\n')
    argv = (["sweep", "run", spec, "--store", d / "st"] if command == "sweep" else
            ["study", "blocks", "--out", d / "out", "--no-progress"]) + ["--scheduler", address]
    code, _, err = run_cli(argv, capsys)
    assert_handled(code, err, "--scheduler")
    assert not (d / "st").exists() and not (d / "out").exists()


@SETTINGS
@given(host=st.from_regex(r"[a-z][a-z0-9-]{0,15}(\.[a-z0-9-]{1,10}){0,3}", fullmatch=True) | st.just("[::1]"),
       port=st.integers(1, 65535), scheme=st.sampled_from(["", "tcp://", "tls://", "ws://", "wss://", "ucx://"]))
def test_scheduler_addresses_of_the_form_host_port_are_accepted(host, port, scheme):
    assert _validate.scheduler_address(f"{scheme}{host}:{port}") == f"{scheme}{host}:{port}"


#: Values of the parameters every kind of point shares that the single commands refuse (TOML text).
COMMON_BAD = {"temperature": ["0.0", "1e-310", "nan", "2e3"], "t_lo": ["0.0", "1e-310"], "t_hi": ["inf", "-1.0"],
              "L": ["1", "10000"], "sweeps": ["0", "10000000000"], "seed": ["-1"], "disorder_seed": ["-1"],
              "chains": ["0", "65"], "replicas": ["0"], "n_t": ["1", "100000"], "poisson": ["0.5", "-1.0"],
              "cutoff": ["-1.0", "1e9"], "thermalize": ["-1"]}
#: Valid values for the other parameters of a point (fixed in the spec).
COMMON_GOOD = {"model": '"bl6"', "poisson": "0.2", "L": "4", "t_lo": "0.5", "t_hi": "1.0", "n_t": "4",
               "sweeps": "10", "thermalize": "2", "temperature": "1.0", "components": "6"}


def _registered_cases():
    from tensorglass.sweeps._spec import COMPUTES, PARAMETERS
    import tensorglass.studies  # noqa: F401  (registers the studies' kinds)
    return sorted((kind, name) for kind, params in PARAMETERS.items() if kind not in COMPUTES
                  for name in params if name in COMMON_BAD)


@SETTINGS
@given(data=st.data())
def test_every_registered_kind_of_point_is_checked_before_submission(data, tmp_path_factory, capsys):
    """For every kind of point a study registers (and the next one), each shared parameter with a value
    the single command refuses: the spec is refused up front, naming the point and the parameter, and no
    store is made (bl-pt's lattice size used to fail on the worker after submission)."""
    from tensorglass.sweeps._spec import PARAMETERS
    kind, name = data.draw(st.sampled_from(_registered_cases()))
    bad = data.draw(st.sampled_from(COMMON_BAD[name]))
    d = tmp_path_factory.mktemp("kind")
    fixed = "".join(f"{k} = {v}\n" for k, v in COMMON_GOOD.items() if k in PARAMETERS[kind] and k != name
                    and not (k == "components" and "model" in PARAMETERS[kind]))
    spec = _spec_file(d, f'compute = "{kind}"\n[grid]\n{name} = [{bad}]\n[fixed]\n{fixed}')
    code, _, err = run_cli(["sweep", "run", spec, "--store", d / "st", "--no-progress"], capsys)
    assert_handled(code, err, name, str(spec))
    assert not (d / "st").exists()


def test_registered_kinds_are_all_covered():
    kinds = {k for k, _ in _registered_cases()}
    assert {"bl-pt", "bl-mf", "blocks-classical", "blocks-quantum"} <= kinds


# -- numeric edges --

@SETTINGS
@given(T=st.floats(min_value=0.0, max_value=_validate.T_RANGE[0], exclude_min=True, exclude_max=True))
def test_temperatures_whose_inverse_overflows_are_refused_stating_the_bound(T, tmp_path_factory, capsys):
    d = tmp_path_factory.mktemp("T")
    for argv in (_replace(MC, "--T", repr(T)), _replace(MC, "--T", "1") + ["--temperatures", f"{T!r},0.5"]):
        if "--temperatures" in argv:
            argv.remove("--T")
            argv.remove("1")
        code, _, err = run_cli(argv + ["--out", d / "r.h5"], capsys)
        assert_handled(code, err, "1e-06")
    assert list(d.iterdir()) == []


def test_the_lowest_temperature_allowed_gives_finite_results(tmp_path, capsys):
    code, out, err = run_cli(["mc", "run", "--model", "nn", "--L", "3", "--T", repr(_validate.T_RANGE[0]), "--sweeps",
                              "20", "--seed", "1", "--out", tmp_path / "r.h5", "--no-progress", "--json"], capsys)
    assert code == 0, err
    res = json.loads(out)
    assert all(math.isfinite(res[k]["mean"]) for k in ("energy_per_spin", "specific_heat", "chi_order"))


# -- environment --

def test_an_unwritable_numba_cache_dir_set_by_the_user_falls_back(tmp_path, monkeypatch, capsys):
    from tensorglass._atomic import numba_cache_fallback
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {"NUMBA_CACHE_DIR": str(blocker / "cache")}  # nothing can be created below a file, even as root
    note = numba_cache_fallback(env, package_dir=blocker / "pkg", user_cache=blocker / "home", tmp_root=tmp_path)
    assert env["NUMBA_CACHE_DIR"] == str(tmp_path / f"tensorglass-numba-{os.getuid()}")
    assert "NUMBA_CACHE_DIR" in note and str(blocker / "cache") in note and "not writable" in note
    env = {"NUMBA_CACHE_DIR": str(blocker / "cache")}  # numba's own default is writable: it is used again
    note = numba_cache_fallback(env, package_dir=tmp_path / "pkg", user_cache=blocker / "home", tmp_root=tmp_path)
    assert "NUMBA_CACHE_DIR" not in env and "not writable" in note
    # the command line prints the note (here numba is already imported; the variable is what it would read)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocker / "cache"))
    code, _, err = run_cli(MC + ["--out", ""], capsys)
    assert "tensorglass: note: NUMBA_CACHE_DIR" in err
    assert_handled(code, err, "--out")


# -- paths --

@SETTINGS
@given(n=st.integers(200, 255), wide=st.booleans())
def test_temporaries_fit_wherever_the_name_fits(n, wide, tmp_path_factory):
    """Any name up to 255 bytes (one- or multi-byte characters) can be written atomically, and stale
    temporaries of such names are still found."""
    from tensorglass._atomic import atomic_write_text, clean_stale_temporaries
    d = tmp_path_factory.mktemp("names")
    name = ("é" * (n // 2) + "x" * (n % 2)) if wide else "a" * n
    assert len(os.fsencode(name)) == n
    atomic_write_text(d / name, "data")
    assert (d / name).read_text() == "data" and [p.name for p in d.iterdir()] == [name]
    from tensorglass._atomic import temp_prefix
    stale = d / (temp_prefix(d / name).replace(f".tg{os.getpid()}.", ".tg4999999.") + "zzzzzzzz.tmp")
    stale.write_text("half")
    assert len(os.fsencode(stale.name)) <= 255
    assert clean_stale_temporaries(d, name) == 1 and not stale.exists()


def test_a_253_byte_output_name_works(tmp_path, capsys):
    out = tmp_path / ("r" * 250 + ".h5")
    code, _, err = run_cli(MC + ["--out", out, "--chains", "1", "--checkpoint-every", "0"], capsys)
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


#: Every option that names a path (argv with {p} for it, the name the error must show).
PATH_OPTIONS = {
    "mc run --out": (MC + ["--out", "{p}"], "--out"),
    "mc resume": (["mc", "resume", "{p}"], "file"),
    "reproduce --out": (["reproduce", "--out", "{p}", "--no-progress"], "--out"),
    "study --out": (["study", "blocks", "--out", "{p}", "--no-progress"], "--out"),
    "study --store": (["study", "blocks", "--out", "{d}/o", "--store", "{p}", "--no-progress"], "--store"),
    "sweep run --store": (["sweep", "run", "{spec}", "--store", "{p}"], "--store"),
    "sweep run SPEC": (["sweep", "run", "{p}", "--store", "{d}/st"], "spec"),
    "sweep status": (["sweep", "status", "{p}"], "store"),
    "sweep collect --to": (["sweep", "collect", "{store}", "--to", "{p}"], "--to"),
    "--materials-file": (["materials", "--materials-file", "{p}"], "--materials-file"),
}


@SETTINGS
@given(option=st.sampled_from(sorted(PATH_OPTIONS)), long_name=st.booleans(), n=st.integers(0, 3000))
def test_paths_beyond_the_system_limits_name_their_option(option, long_name, n, issue_files, tmp_path_factory,
                                                          capsys):
    """A name longer than 255 bytes, or a path longer than PATH_MAX: one line naming the option (the system's
    ENAMETOOLONG named only the path), and no folder made."""
    d = tmp_path_factory.mktemp("p")
    p = f"{d}/{'n' * (256 + n)}.nc" if long_name else f"{d}/" + "a/" * (2100 + n) + "x.nc"
    argv, needle = PATH_OPTIONS[option]
    argv = [a.format(p=p, d=d, spec=issue_files / "spec.toml", store=issue_files / "s.store") for a in argv]
    code, _, err = run_cli(argv, capsys)
    line = assert_handled(code, err, needle)
    assert ("255 bytes" if long_name else "4095 bytes") in line
    assert list(d.iterdir()) == []


def test_a_study_that_fails_up_front_leaves_no_folders(tmp_path, capsys):
    """The output folders are made, then the study fails before any point (here: its --store is a file):
    nothing it made is left behind."""
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "new" / "study"
    code, _, err = run_cli(["study", "blocks", "--out", out, "--store", tmp_path / "notes.txt", "--no-progress"],
                           capsys)
    err = "\n".join(ln for ln in err.splitlines() if ln.startswith("tensorglass"))  # (after the cost estimate)
    assert_handled(code, err, "notes.txt")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"] and (tmp_path / "notes.txt").read_text() == "mine"
