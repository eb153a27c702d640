"""The checks of the reproduction report, one module per seed paper.

``p000`` ... ``p004`` hold one function per published entry, named after the
entry's id (``003.fit13.r`` -> ``p003.c_003_fit13_r``), or one per table
(``TABLES``).  :func:`compute_results` answers every entry of the reference
data in its order; :func:`counts_by_paper` summarises them.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ...reference import published_entries
from . import p000, p001, p002, p003, p004
from .common import ABSOLUTE, DISCREPANCY, ELL_001_TEXT, ELL_TABLE, NOT_CHECKABLE, REPRODUCED, Context, within

_MODULES = (p000, p001, p002, p003, p004)
STATUSES = (REPRODUCED, DISCREPANCY, NOT_CHECKABLE)
RESULT_KEYS = ("id", "source", "quantity", "published", "computed", "tolerance", "tolerance_kind",
               "tolerance_source", "status", "note")


def _registry():
    by_name, tables = {}, {}
    for mod in _MODULES:
        for name in dir(mod):
            if name.startswith("c_"):
                by_name[name] = getattr(mod, name)
        tables.update(getattr(mod, "TABLES", {}))
    return by_name, tables


def check_for(entry_id: str):
    """The function that answers an entry (a reader's way from an id to its check)."""
    by_name, tables = _registry()
    for prefix, fn in tables.items():
        if entry_id.startswith(prefix):
            return fn
    return by_name["c_" + entry_id.replace(".", "_").replace("-", "_")]


def _jsonable(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


def answer(ctx: Context, entry: dict) -> dict:
    """Run the entry's check and judge it."""
    out = check_for(entry["id"])(ctx, entry)
    computed, status, note = out[:3]
    tol = {"tolerance": entry["tolerance"], "tolerance_kind": entry.get("tolerance_kind", ABSOLUTE),
           "tolerance_source": entry.get("tolerance_source", "")}
    if len(out) > 3 and out[3]:
        tol.update(out[3])
    if status is None:
        status = REPRODUCED if within(computed, entry["published"], tol["tolerance"], tol["tolerance_kind"]) else DISCREPANCY
    rec = {k: entry[k] for k in ("id", "source", "quantity", "published")}
    rec.update({"computed": _jsonable(computed), **tol, "status": status, "note": note})
    return {k: rec[k] for k in RESULT_KEYS}


def compute_results(quick: bool = False) -> list[dict]:
    """One result per published entry, in the reference data's order."""
    ctx = Context(quick=quick)
    return [answer(ctx, e) for e in published_entries()]


def counts_by_paper(results) -> dict:
    """{paper: {"entries": n, "reproduced": .., "discrepancy": .., "not-checkable": ..}}."""
    out = {}
    for paper in ("000", "001", "002", "003", "004"):
        rs = [r for r in results if r["id"].startswith(paper + ".")]
        c = Counter(r["status"] for r in rs)
        out[paper] = {"entries": len(rs), **{s: c.get(s, 0) for s in STATUSES}}
    return out


__all__ = ["Context", "ELL_001_TEXT", "ELL_TABLE", "RESULT_KEYS", "STATUSES", "answer", "check_for", "compute_results",
           "counts_by_paper"]
