"""Every published number gets an answer; the report is complete and atomic."""

import json

import pytest

from tensorglass.reference import published_entries
from tensorglass.report import compute_results

STATUSES = {"reproduced", "discrepancy", "not-checkable"}
KEYS = ["id", "source", "quantity", "published", "computed", "tolerance", "tolerance_kind", "tolerance_source", "status",
        "note"]


@pytest.fixture(scope="module")
def results():
    return compute_results(quick=True)


def test_every_entry_is_answered_with_the_schema(results):
    assert len(results) == len(published_entries())
    ids = [r["id"] for r in results]
    assert len(set(ids)) == len(ids)
    for r in results:
        assert list(r) == KEYS
        assert r["status"] in STATUSES
        assert r["source"][:3] in {"000", "001", "002", "003", "004"}
        if r["status"] != "reproduced":
            assert len(r["note"]) > 20, r["id"]  # every discrepancy says why
        json.dumps(r, allow_nan=False)


def test_every_table_number_has_an_entry():
    ids = {e["id"] for e in published_entries()}
    assert sum(i.startswith("002.table.") for i in ids) == 13 * 3 + 3
    assert sum(i.startswith("003.table.") for i in ids) == 13 * 3
    assert sum(i.startswith("001.table.") for i in ids) == 12 * 4


@pytest.mark.parametrize("eid,status", [
    ("001.alpha07.eps1", "reproduced"), ("001.alpha07.eps2", "reproduced"), ("001.alpha07.eps3", "reproduced"),
    ("003.fit10.slope", "reproduced"), ("003.fit10.r", "reproduced"), ("003.fit13.slope", "reproduced"),
    ("002.fit9.r", "discrepancy"), ("000.fig6.eps1", "discrepancy"), ("000.d12", "discrepancy"),
    ("001.eq3.4", "discrepancy"), ("001.eq4.5", "discrepancy"), ("004.fig3.silica", "discrepancy"),
    ("004.fig5.cmax", "discrepancy"), ("004.eq16", "discrepancy"), ("004.eq20.idempotent", "reproduced"),
    ("000.eq2.14", "reproduced"), ("003.eq5.8", "not-checkable"), ("004.sec4.heat_capacity", "discrepancy"),
])
def test_key_verdicts(results, eid, status):
    r = next(x for x in results if x["id"] == eid)
    assert r["status"] == status, (eid, r["computed"], r["note"])


def test_computed_values_do_not_come_from_the_reference(monkeypatch, results):
    """Perturbing a published critical value changes the verdict, not the computed value."""
    import tensorglass.report.checks.common as common
    from tensorglass.report.checks import Context, answer
    orig = published_entries()
    fake = tuple(dict(e, published=e["published"] + 0.1) if e["id"] == "001.alpha07.eps1" else e for e in orig)
    monkeypatch.setattr(common, "published_entries", lambda: fake)
    again = answer(Context(quick=True), next(e for e in fake if e["id"] == "001.alpha07.eps1"))
    before = next(x for x in results if x["id"] == "001.alpha07.eps1")
    assert again["computed"] == before["computed"] and again["status"] == "discrepancy"
