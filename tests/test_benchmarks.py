"""benchmarks/mc_speed.py's summary, recomputed from the committed logs
(``--from-log``): later logs replace cells of earlier ones, and the
headline numbers are the ones the cells imply."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGS = [ROOT / "docs" / "results" / "mc_speed_2026-11-24.jsonl",
        ROOT / "docs" / "results" / "mc_speed_local_2026-11-24.jsonl"]
_spec = importlib.util.spec_from_file_location("mc_speed", ROOT / "benchmarks" / "mc_speed.py")
mc_speed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mc_speed)


def _cells(path):
    return mc_speed.read_logs([path])[0]


def test_summary_from_two_logs():
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "mc_speed.py"), "--from-log", *map(str, LOGS),
                          "--repeat", "2"], capture_output=True, text=True, check=True)
    out = json.loads(res.stdout.strip().splitlines()[-1])   # strict JSON: no NaN or Infinity
    first, second = _cells(LOGS[0]), _cells(LOGS[1])
    assert set(second) <= set(first) and all("/local/" in k for k in second)
    for key in first:
        want = (second if key in second else first)[key]
        if "ess_per_s" in want and "/metropolis/" not in key:   # the dense reference's tau may be raised
            assert out["ess_per_s"][key] == want["ess_per_s"], key
    for L in (16, 32):
        cells = {k: v for k, v in out["ess_per_s"].items() if k.startswith("bl6/") and k.endswith(f"/L{L}/Tc")}
        best = max(cells, key=cells.get)
        assert out[f"bl6_Tc_L{L}"] == cells[best]
        assert out[f"bl6_Tc_L{L}_sampler"] == best.split("/")[1]
    assert out["speedup_L32_Tc"] == out["bl6_Tc_L32"] / out["ess_per_s"]["bl6/metropolis/L32/Tc"]
    assert [m["log"] for m in out["machine"]["runs"]] == [str(p) for p in LOGS]
