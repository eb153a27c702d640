"""Time `tensorglass reproduce` (full and --quick) end to end, as a user runs it.

Prints wall-clock seconds for each, the ratio full/quick, and the goal
(60 s and 10 s on the 2-core reference machine).  The reference
implementation measured in the same run is the critical-strain search done
the obvious way -- one 6x6 eigendecomposition per eccentricity, in a Python
loop -- against the vectorised closed-form scan the package uses.

Usage: python benchmarks/reproduce_speed.py [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def time_command(args, repeat):
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tensorglass", "reproduce", "--out", d, "--no-progress", *args],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def naive_critical_scan(alpha, ell, n=2000):
    from tensorglass import avalanche as av
    eps = np.linspace(1e-3, 0.999, n)
    vals = []
    for e in eps:
        w = np.linalg.eigvalsh(av.inverse_susceptibility(float(e), alpha, ell))
        vals.append(w.min())
    return np.array(vals)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    from tensorglass import avalanche as av
    t0 = time.perf_counter()
    naive_critical_scan(0.7, 20.0)
    t_naive = time.perf_counter() - t0
    t0 = time.perf_counter()
    av.soft_eigenvalues(np.linspace(1e-3, 0.999, 2000), 0.7, 20.0)
    t_vec = time.perf_counter() - t0
    full = time_command([], a.repeat)
    quick = time_command(["--quick"], a.repeat)
    res = {"reproduce_s": full, "reproduce_quick_s": quick, "goal_s": 60, "goal_quick_s": 10,
           "eigen_scan_naive_s": t_naive, "eigen_scan_vectorised_s": t_vec, "eigen_scan_speedup": t_naive / t_vec}
    if a.json:
        print(json.dumps(res))
    else:
        print(f"tensorglass reproduce          {full:7.2f} s   (goal < 60 s)")
        print(f"tensorglass reproduce --quick  {quick:7.2f} s   (goal < 10 s)")
        print(f"full / quick                   {full / quick:7.2f}")
        print(f"eigenvalue scan, 2000 eps: naive loop {t_naive * 1e3:.1f} ms, vectorised {t_vec * 1e3:.2f} ms, "
              f"ratio {t_naive / t_vec:.0f}x")


if __name__ == "__main__":
    main()
