"""Studies: results no seed paper has, built on the Monte Carlo and sweep engines (edge layer).

Each study is a module with a ``run(study: StudyRun) -> dict`` function; it
registers its kinds of sweep point when imported.  ``tensorglass study NAME
--out DIR`` runs one (see :mod:`tensorglass.studies._common` for the outputs).
"""

from __future__ import annotations

import importlib

from ._common import StudyError, StudyRun

#: study name -> module (imported on first use; importing registers its sweep points)
STUDIES: dict[str, str] = {
    "bl-phase": "tensorglass.studies.bl_phase",
    "blocks": "tensorglass.studies.blocks",
}


def run_study(name: str, **options) -> dict:
    """Run the study ``name`` with the options of :class:`StudyRun`."""
    if name not in STUDIES:
        raise StudyError(f"study = {name!r} is not allowed; need one of {', '.join(STUDIES) or '(none)'}")
    module = importlib.import_module(STUDIES[name])
    from .._atomic import remove_empty_tree
    out, store = options.get("out"), options.get("store")
    store = store or (f"{out}/store" if out and str(out).strip() else None)
    made = [_first_missing(p) for p in (out, store) if p and str(p).strip() and not _exists(p)]
    try:
        return module.run(StudyRun(name=name, **options))
    except BaseException:  # a study that failed up front leaves no empty folders behind (files stay)
        for p in made:
            remove_empty_tree(p)
        raise


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


def _register_all() -> None:
    for module in STUDIES.values():
        importlib.import_module(module)


_register_all()

__all__ = ["STUDIES", "StudyError", "StudyRun", "run_study"]
