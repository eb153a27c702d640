"""``tensorglass reproduce``: every seed result, published beside computed."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections import Counter

from .._atomic import atomic_write_text, check_output_dir, publish_directory, staging_dir
from .checks import compute_results, counts_by_paper, holds_only_with_ell_table
from ._figures import FIGURES, set_resolution
from ._page import build_report


def reproduce(out, quick: bool = False, progress: bool = True) -> dict:
    """Write ``out/report.md``, ``out/report.html``, ``out/figures/*.png`` and
    ``out/results.json`` (a JSON list, one record per published number: the
    schema of issue 2) and ``out/summary.json`` (the status counts, overall
    and per paper).  Everything is built in a staging directory and then
    moved into ``out`` file by file with ``os.replace``, so no file in ``out``
    is ever half-written.  Returns the status counts, with the per-paper
    counts under ``"counts_by_paper"``."""
    out = check_output_dir(out)
    t0 = time.perf_counter()
    steps = ["checks"] + [f.__name__ for f in FIGURES] + ["report"]
    bar = _progress(len(steps), progress)
    staging = staging_dir(out)
    try:
        results = compute_results(quick=quick)
        ell20 = holds_only_with_ell_table(results, quick=quick)
        bar("checks")
        figdir = staging / "figures"
        figdir.mkdir()
        set_resolution(quick)
        figures = _render_figures(figdir, quick, bar)
        elapsed = time.perf_counter() - t0
        doc = build_report(results, figures, quick, elapsed, ell20)
        atomic_write_text(staging / "report.md", doc.markdown())
        atomic_write_text(staging / "report.html", doc.html("tensorglass reproduction report"))
        summary = {"counts": dict(Counter(r["status"] for r in results)), "counts_by_paper": counts_by_paper(results)}
        atomic_write_text(staging / "results.json", json.dumps(results, indent=1, allow_nan=False))
        atomic_write_text(staging / "summary.json", json.dumps(summary, indent=1, allow_nan=False))
        bar("report")
        publish_directory(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        bar(None)
    return {**Counter(r["status"] for r in results), "counts_by_paper": counts_by_paper(results)}


def _render_one(index, figdir, quick):
    set_resolution(quick)
    fn = FIGURES[index]
    return fn.__name__, fn(figdir, quick)


def _render_figures(figdir, quick, bar, workers: int = 2) -> dict:
    """Draw every figure; in ``workers`` forked processes where the platform
    forks (the figures are independent and savefig dominates the run time),
    else one after the other.  Children look figures up by index, so they see
    exactly the parent's FIGURES."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    figures = {}
    if workers > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            futs = [pool.submit(_render_one, i, figdir, quick) for i in range(len(FIGURES))]
            for fut in as_completed(futs):
                name, path = fut.result()
                figures[name] = path
                bar(name)
    else:
        for i in range(len(FIGURES)):
            name, path = _render_one(i, figdir, quick)
            figures[name] = path
            bar(name)
    return figures


def _progress(total, enabled):
    if not enabled:
        return lambda name: None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return lambda name: None
    bar = tqdm(total=total, desc="reproduce", unit="step", file=sys.stderr, leave=False)

    def step(name):
        if name is None:
            bar.close()
        else:
            bar.set_postfix_str(name)
            bar.update(1)
    return step
