"""Command line: exit codes, JSON keys, reports, atomic output."""

import json
import subprocess
import sys

import pytest

from tensorglass.cli import main


def run(args):
    return subprocess.run([sys.executable, "-m", "tensorglass", *args], capture_output=True, text=True)


def test_predict_json_keys(capsys):
    assert main(["predict", "--cl", "5.8", "--ct", "3.8", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    for k in ("alpha", "poisson_ratio", "gamma_ratio", "critical_strains", "critical_eccentricities",
              "avalanche_method", "j_compr_over_j_shear", "mean_field_order", "t_curie_over_j"):
        assert k in d
    for k in ("critical_strains", "critical_eccentricities"):
        assert set(d[k]) == {"dilation", "yy_minus_zz", "shear_yz"}
    assert d["mean_field_order"] in ("compression", "shear")
    assert d["avalanche_method"] == "published"
    assert d["critical_strains"]["dilation"] == pytest.approx(0.2355, abs=5e-4)


def test_predict_material_matches_velocities(capsys):
    main(["predict", "--material", "bk7", "--json"])
    a = json.loads(capsys.readouterr().out)
    main(["predict", "--cl", "6.2", "--ct", "3.8", "--json"])
    b = json.loads(capsys.readouterr().out)
    assert a["critical_strains"] == b["critical_strains"] and a["material"] == "BK7"


def test_predict_no_crossing_gives_null(capsys):
    main(["predict", "--cl", "5.8", "--ct", "3.8", "--ln-r-over-l1", "12.2", "--json"])
    assert json.loads(capsys.readouterr().out)["critical_strains"]["shear_yz"] is None


def test_python_api_equals_cli(capsys):
    from tensorglass.predict import predict
    main(["predict", "--cl", "4.3", "--ct", "2.3", "--json"])
    cli = json.loads(capsys.readouterr().out)
    api = json.loads(json.dumps(predict(4.3, 2.3)))
    assert cli == api


@pytest.mark.parametrize("args,needle", [
    (["predict", "--cl", "5", "--ct", "4.5"], "--ct = 4.5"),
    (["predict", "--cl", "-5", "--ct", "3"], "--cl = -5"),
    (["predict", "--cl", "5", "--ct", "0"], "--ct = 0"),
    (["predict", "--cl", "5", "--ct", "3", "--rho", "-1"], "--rho = -1"),
    (["predict", "--material", "unobtainium"], "unobtainium"),
    (["predict", "--material", "PC"], "transverse"),
    (["predict", "--cl", "5", "--ct", "3", "--ln-r-over-l1", "0"], "--ln-r-over-l1 = 0"),
    (["predict", "--cl", "5"], "--ct"),
    (["predict", "--cl", "abc", "--ct", "3"], "--cl"),
    (["predict"], "required"),
])
def test_bad_input_exits_2_with_one_line(args, needle):
    p = run(args)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) <= 3 and needle in p.stderr, p.stderr  # argparse adds a usage line for its own errors


def test_malformed_materials_files(tmp_path):
    cases = {"bad_number.csv": "name,c_l,c_t\nx,abc,3\n", "no_header.csv": "x,5,3\n",
             "negative_bulk.csv": "name,c_l,c_t\nx,5,4.9\n", "empty.csv": "",
             "duplicate.csv": "name,c_l,c_t\nx,5,3\nx,5,3\n"}
    for fname, text in cases.items():
        f = tmp_path / fname
        f.write_text(text)
        p = run(["materials", "--materials-file", str(f)])
        assert p.returncode == 2 and "Traceback" not in p.stderr and str(f) in p.stderr, (fname, p.stderr)
    p = run(["materials", "--materials-file", str(tmp_path / "missing.csv")])
    assert p.returncode == 2 and "cannot read" in p.stderr


def test_user_materials_file(tmp_path, capsys):
    f = tmp_path / "mine.csv"
    f.write_text("# my glasses\nname,c_l,c_t,rho\nmyglass,5.0,3.0,2.4\n")
    assert main(["predict", "--material", "myglass", "--materials-file", str(f), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["rho"] == 2.4 and d["material"] == "myglass"
    assert main(["materials", "--materials-file", str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "myglass"


def test_materials_listing(capsys):
    assert main(["materials", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 16


def test_unwritable_out_exits_2(tmp_path):
    f = tmp_path / "a_file"
    f.write_text("keep me")
    for out in (str(f), str(f / "sub")):
        p = run(["reproduce", "--out", out, "--quick", "--no-progress"])
        assert p.returncode == 2 and "--out" in p.stderr and "Traceback" not in p.stderr
    assert f.read_text() == "keep me"


def test_failed_reproduce_leaves_previous_output_intact(tmp_path, monkeypatch):
    import tensorglass.report._reproduce as rep
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("[]")

    def broken(outdir, quick):
        raise RuntimeError("simulated crash while drawing")
    monkeypatch.setattr(rep, "FIGURES", rep.FIGURES[:1] + (broken,))
    with pytest.raises(RuntimeError):
        rep.reproduce(out, quick=True, progress=False)
    assert (out / "results.json").read_text() == "[]"
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]  # no staging or partial files left


@pytest.mark.slow
def test_reproduce_quick_writes_everything(tmp_path):
    out = tmp_path / "report"
    p = run(["reproduce", "--out", str(out), "--quick", "--no-progress"])
    assert p.returncode == 0, p.stderr
    for name in ("report.html", "report.md", "results.json"):
        assert (out / name).stat().st_size > 1000
    figs = sorted((out / "figures").glob("*.png"))
    assert len(figs) >= 10
    res = json.loads((out / "results.json").read_text())
    assert isinstance(res, list) and len(res) >= 250  # issue 2's schema: one record per published number
    assert all({"id", "source", "quantity", "published", "computed", "tolerance", "status", "note"} <= set(r) for r in res)
    summary = json.loads((out / "summary.json").read_text())
    assert sum(c["entries"] for c in summary["counts_by_paper"].values()) == len(res)
    md = (out / "report.md").read_text()
    for fig in figs:
        assert f"figures/{fig.name}" in md and f"figures/{fig.name}" in (out / "report.html").read_text()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
