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
from .common import ABSOLUTE, DISCREPANCY, ELL_001_TEXT, ELL_TABLE, NOT_CHECKABLE, REPRODUCED, RULE, Context, judge

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
    """Run the entry's check and judge it (:func:`record`)."""
    return record(entry, check_for(entry["id"])(ctx, entry))


def record(entry: dict, out: tuple) -> dict:
    """The result record of an entry from its check's output ``(computed, note)``
    or ``(computed, note, tolerance override)``; a check never returns a
    status: :func:`judge` decides it (the rule :data:`RULE`)."""
    if not isinstance(out, tuple) or len(out) not in (2, 3) or not isinstance(out[1], str) or out[1] in STATUSES:
        raise TypeError(f"the check of {entry['id']} must return (computed, note[, tolerance]), got {out!r:.200}")
    computed, note = out[0], out[1]
    tol = {"tolerance": entry["tolerance"], "tolerance_kind": entry.get("tolerance_kind", ABSOLUTE),
           "tolerance_source": entry.get("tolerance_source", "")}
    if len(out) == 3 and out[2]:
        tol.update(out[2])
    status = judge(computed, entry["published"], tol["tolerance"], tol["tolerance_kind"])
    rec = {k: entry[k] for k in ("id", "source", "quantity", "published")}
    rec.update({"computed": _jsonable(computed), **tol, "status": status, "note": note})
    return {k: rec[k] for k in RESULT_KEYS}


def compute_results(quick: bool = False, ell: float = ELL_TABLE) -> list[dict]:
    """One result per published entry, in the reference data's order; ``ell``
    is the ln(R/L1) of 001's method (20 reproduces 001; 001's text states
    :data:`ELL_001_TEXT`)."""
    ctx = Context(quick=quick, ell=ell)
    return [answer(ctx, e) for e in published_entries()]


def holds_only_with_ell_table(results, quick: bool = False) -> list[str]:
    """Ids of the reproduced 001 entries that become discrepancies when 001's
    method uses the ln(R/L1) its text states (:data:`ELL_001_TEXT`, 12.2)
    instead of :data:`ELL_TABLE` (20): they hold only with ln(R/L1) = 20.
    Only 001's checks take ln(R/L1) from the context (000 states R = 1 m, about 20)."""
    ctx = Context(quick=quick, ell=ELL_001_TEXT)
    entries = {e["id"]: e for e in published_entries()}
    return [r["id"] for r in results if r["id"].startswith("001.") and r["status"] == REPRODUCED
            and answer(ctx, entries[r["id"]])["status"] != REPRODUCED]


def counts_by_paper(results) -> dict:
    """{paper: {"entries": n, "reproduced": .., "discrepancy": .., "not-checkable": ..}}."""
    out = {}
    for paper in ("000", "001", "002", "003", "004"):
        rs = [r for r in results if r["id"].startswith(paper + ".")]
        c = Counter(r["status"] for r in rs)
        out[paper] = {"entries": len(rs), **{s: c.get(s, 0) for s in STATUSES}}
    return out


__all__ = ["Context", "ELL_001_TEXT", "ELL_TABLE", "RESULT_KEYS", "RULE", "STATUSES", "judge", "answer", "check_for", "compute_results",
           "counts_by_paper", "holds_only_with_ell_table", "record"]
