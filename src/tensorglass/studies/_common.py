"""What every study shares: points computed on the sweep engine, a cost
estimate before the start, and one set of outputs.

A study is two modules: one computes (``run(study, config) ->``
:class:`StudyOutput`), one draws its page through the report's renderer
(``figures(output)``, ``document(results)``, ``TITLE``);
:func:`tensorglass.studies.run_study` joins them.

A study writes into ``--out DIR``:

    DIR/study.md, DIR/study.html   the text, tables and figures (same content)
    DIR/figures/*.png
    DIR/data.nc                    xarray dataset with units and errors
    DIR/results.json               the machine-readable results, with the
                                   parameters, package version and seeds

Its points run on the sweep engine (:mod:`tensorglass.sweeps`), so a study
is resumable from its store (default ``DIR/store``; one sub-store per kind
of point) and runs unchanged on a Dask cluster (``--scheduler``).  Outputs
are written only when every point is done, each file atomically; an
existing study is not overwritten without ``force``.
"""

from __future__ import annotations

import io
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__, _validate
from .._atomic import atomic_write_bytes, atomic_write_text, check_output_dir
from ..errors import ParameterError, TensorglassError
from ..report._render import Doc
from ..sweeps import SweepStore, parse_spec, run_sweep

#: Files a finished study writes; their presence means "a study is there".
OUTPUT_FILES = ("study.md", "study.html", "data.nc", "results.json")


@dataclass
class StudyOutput:
    """What a study's computation hands to its page: ``results`` (JSON-able, written as results.json),
    ``dataset`` (xarray, written as data.nc) and ``figure_data`` (in-memory inputs of the figures)."""

    results: dict
    dataset: object
    figure_data: dict = field(default_factory=dict)


@dataclass
class StudyRun:
    """Where and how a study runs (built once from the command line)."""

    name: str
    out: Path
    quick: bool = False
    store: Path | None = None
    scheduler: str | None = None
    workers: int | None = None
    force: bool = False
    progress: bool = True
    seeds: dict = field(default_factory=dict)

    def __post_init__(self):
        self.out = Path(self.out)
        if str(self.out) in ("", "."):
            raise ParameterError("--out", str(self.out), "a directory name for the study", "e.g. --out study/")
        self.store = Path(self.store) if self.store else self.out / "store"
        _validate.path_name(self.out, "--out"), _validate.path_name(self.store, "--store")
        if self.workers is not None and not (isinstance(self.workers, int) and 1 <= self.workers <= 256):
            raise ParameterError("--workers", self.workers, "an integer from 1 to 256")
        self.scheduler = _validate.scheduler_address(self.scheduler)  # before any folder is made
        existing = [f for f in OUTPUT_FILES if (self.out / f).exists()]
        if existing and not self.force:
            raise ParameterError("--out", str(self.out), "a directory without a finished study "
                                 f"(it holds {', '.join(existing)})",
                                 "pass --force to rewrite it from its store, or choose another --out")
        check_output_dir(self.out)

    def announce(self, parts: list[tuple[str, int, float]]) -> None:
        """Print the estimated cost before starting: ``parts`` is a list of
        ``(what, points, CPU seconds per point)``."""
        workers = self.workers or (1 if self.scheduler else 2)
        total = sum(n * s for _, n, s in parts)
        lines = [f"{self.name}: estimated cost {total / 60:.1f} CPU-minutes "
                 f"(about {total / 60 / workers:.1f} min on {workers} worker{'s' * (workers > 1)}):"]
        lines += [f"  {what}: {n} points x ~{s:.3g} s" for what, n, s in parts]
        print("\n".join(lines), file=sys.stderr)

    def compute(self, part: str, compute: str, points: list[dict], seed: int, fixed: dict | None = None) -> list[dict]:
        """Compute ``points`` (a list of parameter dicts of one kind) on the
        sweep engine in the sub-store ``part``; return the point records in
        the order of ``points``.  Points already in the store are not
        recomputed; a point that fails stops the study with its error."""
        if not points:
            return []
        names = list(points[0])
        grid = {k: [p[k] for p in points] for k in names}
        spec = parse_spec({"compute": compute, "seed": int(seed), "combine": "zip", "grid": grid,
                           "fixed": dict(fixed or {})}, f"{self.name}/{part}")
        self.seeds[part] = int(seed)
        status = run_sweep(spec, self.store / part, scheduler=self.scheduler, workers=self.workers,
                           force=self.force, progress=self.progress, assemble=False)
        records = SweepStore(self.store / part).records()
        if status["failed"] or status["missing"]:
            first = (status.get("errors") or [""])[0]  # (of the new sweep, also while it replaces an old one)
            raise StudyError(f"{self.name}/{part}: {status['failed']} failed and {status['missing']} missing points"
                             f" ({first}); rerun the same command to retry them")
        return [records[i] for i in range(len(points))]

    def stamp(self, results: dict) -> dict:
        """``results`` as results.json holds them: JSON types, with the package version, the seeds and
        whether the run was quick."""
        return _jsonable({**results, "tensorglass_version": __version__, "seeds": self.seeds, "quick": self.quick})

    def write(self, doc: Doc, title: str, figures: dict, dataset, results: dict) -> None:
        """Write the study's outputs: ``figures`` maps a file stem to a
        matplotlib figure (closed here), ``dataset`` is an xarray Dataset."""
        figdir = self.out / "figures"
        figdir.mkdir(exist_ok=True)
        save_figures(figures, figdir)
        dataset.attrs.update({"title": title, "tensorglass_version": __version__,
                              "history": f"written by tensorglass {__version__} study {self.name}",
                              "seeds": json.dumps(self.seeds)})
        atomic_write_bytes(self.out / "data.nc", dataset.to_netcdf(engine="h5netcdf"))
        atomic_write_text(self.out / "results.json", json.dumps(self.stamp(results), indent=1, allow_nan=False))
        write_page(self.out, doc, title)


def save_figures(figures: dict, figdir: Path) -> None:
    """Save each figure (file stem -> matplotlib figure) as figdir/STEM.png, atomically, and close it."""
    import matplotlib.pyplot as plt
    for stem, fig in figures.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
        plt.close(fig)
        atomic_write_bytes(figdir / f"{stem}.png", buf.getvalue())


def write_page(out: Path, doc: Doc, title: str) -> None:
    """A study's page: study.md and study.html, each atomically."""
    atomic_write_text(Path(out) / "study.md", doc.markdown())
    atomic_write_text(Path(out) / "study.html", doc.html(title))


class StudyError(TensorglassError):
    """A study could not finish (failed points, or inconsistent inputs)."""


def _jsonable(x):
    """Plain JSON types; non-finite floats become None (JSON has no NaN)."""
    import numpy as np
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x
