"""Published numbers of the seed papers, for comparison only (never used as results)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def published_entries() -> tuple:
    """All published numbers and claims: dicts with id, source, quantity,
    published, tolerance (and sometimes material/kind)."""
    text = resources.files("tensorglass.reference").joinpath("data/published.json").read_text()
    return tuple(json.loads(text)["entries"])


def published(entry_id: str) -> dict:
    for e in published_entries():
        if e["id"] == entry_id:
            return e
    raise KeyError(entry_id)
