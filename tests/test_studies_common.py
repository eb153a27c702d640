"""The study scaffolding: outputs, overwrite protection, points on the sweep engine."""

import json

import numpy as np
import pytest

from tensorglass.errors import ParameterError
from tensorglass.report._render import Doc
from tensorglass.studies import StudyRun
from tensorglass.sweeps import evaluate_point


def test_out_must_be_named_and_finished_studies_are_not_overwritten(tmp_path):
    with pytest.raises(ParameterError, match="--out"):
        StudyRun("x", out="")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "results.json").write_text("{}")
    with pytest.raises(ParameterError, match="--force"):
        StudyRun("x", out=tmp_path / "s")
    StudyRun("x", out=tmp_path / "s", force=True)  # accepted with --force
    with pytest.raises(ParameterError, match="--workers"):
        StudyRun("x", out=tmp_path / "t", workers=0)


def test_write_produces_every_output_readable(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import xarray as xr
    run = StudyRun("demo", out=tmp_path / "out", progress=False)
    run.seeds["part"] = 7
    doc = Doc()
    doc.h(1, "Demo")
    doc.p("text")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ds = xr.Dataset({"y": ("x", np.array([1.0, 2.0]), {"units": "1"})}, coords={"x": [0.1, 0.2]})
    run.write(doc, "Demo", {"line": fig}, ds, {"value": np.float64(1.5), "nan": float("nan")})
    for f in ("study.md", "study.html", "data.nc", "results.json", "figures/line.png"):
        assert (tmp_path / "out" / f).is_file(), f
    res = json.loads((tmp_path / "out" / "results.json").read_text())
    assert res["value"] == 1.5 and res["nan"] is None and res["seeds"] == {"part": 7} and res["tensorglass_version"]
    back = xr.open_dataset(tmp_path / "out" / "data.nc", engine="h5netcdf")
    assert back["y"].attrs["units"] == "1" and "history" in back.attrs
    back.close()


def test_points_run_on_the_sweep_engine_and_resume(tmp_path):
    run = StudyRun("demo", out=tmp_path / "out", workers=1, progress=False)
    pts = [{"c_l": 5.8, "c_t": 3.8}, {"c_l": 6.0, "c_t": 3.5}]
    recs = run.compute("predict", "predict", pts, seed=3)
    assert [r["params"] for r in recs] == pts and all(r["status"] == "ok" for r in recs)
    direct = evaluate_point("predict", pts[1], 0, ("gamma_ratio",))["result"]["gamma_ratio"]
    assert recs[1]["result"]["gamma_ratio"] == direct
    stamp = (run.store / "predict" / "points" / "0000000.json").stat().st_mtime_ns
    again = run.compute("predict", "predict", pts, seed=3)  # resumed: nothing recomputed
    assert again == recs
    assert (run.store / "predict" / "points" / "0000000.json").stat().st_mtime_ns == stamp


def test_registered_targets_must_live_in_the_package():
    with pytest.raises(ValueError, match="outside the tensorglass package"):
        evaluate_point("os:getcwd", {}, 0, ())


def test_the_sweep_engine_knows_a_study_s_points_only_once_the_study_registers_them():
    """The sweep engine imports no study: a spec that names a study's kind of point is refused until the
    studies are imported (which registers their kinds), then accepted (a fresh interpreter)."""
    import subprocess
    import sys
    code = ("import sys\n"
            "from tensorglass.sweeps import SpecError, parse_spec\n"
            "spec = {'compute': 'bl-mf', 'grid': {'n_spins': [64]}}\n"
            "try:\n    parse_spec(spec)\nexcept SpecError as e:\n    print('refused:', e)\n"
            "assert not any(m.startswith('tensorglass.studies') for m in sys.modules)\n"
            "import tensorglass.studies\n"
            "print('accepted:', parse_spec(spec).compute)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "refused:" in p.stdout and "'bl-mf' is not allowed" in p.stdout and "accepted: bl-mf" in p.stdout
