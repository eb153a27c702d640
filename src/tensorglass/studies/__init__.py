"""Studies: results no seed paper has, built on the Monte Carlo and sweep engines (edge layer).

Each study is two modules: one computes (``run(study, config) -> StudyOutput``;
importing it registers its kinds of sweep point with the sweep engine) and
one draws its page through the report's renderer (``figures``, ``document``,
``TITLE``).  ``tensorglass study NAME --out DIR`` runs one (see
:mod:`tensorglass.studies._common` for the outputs); :func:`render_stored`
draws a finished study's page again from its results.json.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from ._common import StudyError, StudyOutput, StudyRun

#: study name -> (module that computes, module that draws the page)
STUDIES: dict[str, tuple[str, str]] = {
    "bl-phase": ("tensorglass.studies.bl_phase", "tensorglass.studies.bl_phase_page"),
    "blocks": ("tensorglass.studies.blocks", "tensorglass.studies.blocks_page"),
}


def _modules(name):
    if name not in STUDIES:
        raise StudyError(f"study = {name!r} is not allowed; need one of {', '.join(STUDIES) or '(none)'}")
    return tuple(importlib.import_module(m) for m in STUDIES[name])


def run_study(name: str, config: str | None = None, **options) -> dict:
    """Run the study ``name`` with the options of :class:`StudyRun` (``config`` names one of the study's
    configurations; by default its quick or full one): compute, then draw and write its page."""
    compute, page = _modules(name)
    from .._atomic import remove_empty_tree
    out_dir, store = options.get("out"), options.get("store")
    store = store or (f"{out_dir}/store" if out_dir and str(out_dir).strip() else None)
    made = [_first_missing(p) for p in (out_dir, store) if p and str(p).strip() and not _exists(p)]
    try:
        study = StudyRun(name=name, **options)
        out = compute.run(study, config)
    except BaseException:  # a study that failed up front leaves no empty folders behind (files stay)
        for p in made:
            remove_empty_tree(p)
        raise
    figures = page.figures(out)
    doc = page.document(study.stamp(out.results))
    study.write(doc, page.TITLE, figures, out.dataset, out.results)
    return {"headline": out.results.get("headline", ""), "out": str(study.out)}


def _first_missing(path):
    """The outermost folder of ``path`` that does not exist yet (what a run would create)."""
    from pathlib import Path
    p = Path(path).absolute()
    while not _exists(p.parent) and p.parent != p:
        p = p.parent
    return p


def _exists(path) -> bool:
    from pathlib import Path
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return True  # not ours to clean up


def render_stored(name: str, directory) -> None:
    """Draw the page (study.md, study.html) of a finished study in ``directory`` again from its
    results.json and data.nc, and the figures that need nothing else; nothing is computed."""
    import xarray as xr
    from ._common import save_figures, write_page
    compute, page = _modules(name)
    directory = Path(directory)
    results = json.loads((directory / "results.json").read_text())
    with xr.open_dataset(directory / "data.nc", engine="h5netcdf") as ds:
        if hasattr(compute, "complete_results"):
            results = compute.complete_results(results, ds.load())
    save_figures({stem: draw(results) for stem, draw in getattr(page, "FROM_RESULTS", {}).items()},
                 directory / "figures")
    write_page(directory, page.document(results), page.TITLE)


def _register_all() -> None:
    for module, _ in STUDIES.values():
        importlib.import_module(module)


_register_all()

__all__ = ["STUDIES", "StudyError", "StudyOutput", "StudyRun", "render_stored", "run_study"]
