"""Published numbers of the seed papers, for comparison only (never used as results)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resources.files("tensorglass.reference").joinpath("data/published.json").read_text())


def published_entries() -> tuple:
    """All published numbers and claims: dicts with id, source, quantity,
    published, tolerance (and sometimes material/kind)."""
    return tuple(_data()["entries"])


def external_reference(name: str) -> dict:
    """Numbers from outside the seeds shown beside the results (with source)."""
    return _data()["external"][name]


def reference_input(name: str) -> dict:
    """Printed inputs of a paper's estimate (with their printed precision),
    used by the checks to recompute the paper's numbers."""
    return _data()["inputs"][name]


def published(entry_id: str) -> dict:
    for e in published_entries():
        if e["id"] == entry_id:
            return e
    raise KeyError(entry_id)
