"""The report a reader navigates: structure of the HTML and Markdown, and the
HTML driven in a real headless browser (Chromium) for anchors, sorting and
filtering."""

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from tensorglass.report import compute_results
from tensorglass.report._bibliography import BIBLIOGRAPHY
from tensorglass.report._figures import FIGURES
from tensorglass.report._render import Doc
from tensorglass.report._reproduce import _note, _tol, build_report


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.rows, self.text = [], [], [], []
        self.tables, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "tr" and "id" in a:
            self.rows.append(a["id"])
        if tag == "table":
            self.tables.append([])
        if tag == "th":
            self.tables[-1].append("")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)
        if self.tables and self.tables[-1] and self.lasttag == "th":
            self.tables[-1][-1] += data


@pytest.fixture(scope="module")
def report():
    results = compute_results(quick=True)
    figures = {fn.__name__: f"{fn.__name__}.png" for fn in FIGURES}
    doc = build_report(results, figures, quick=True, elapsed=1.0)
    page = doc.html("test report")
    parsed = _Collect()
    parsed.feed(page)
    return results, doc, page, parsed, doc.markdown()


def test_every_entry_has_exactly_one_anchored_row(report):
    results, _, page, parsed, md = report
    ids = [r["id"] for r in results]
    assert sorted(parsed.rows) == sorted(ids)                 # each once: no duplicated rows
    assert len(parsed.ids) == len(set(parsed.ids))             # anchors are unique
    for i in ids:                                              # the Markdown anchors each entry once, too
        assert md.count(f'<a id="{i}"></a>') == 1, i


def test_every_internal_link_resolves(report):
    _, _, _, parsed, md = report
    targets = set(parsed.ids)
    internal = [h[1:] for h in parsed.hrefs if h.startswith("#")]
    assert len(internal) > 100
    assert [h for h in internal if h not in targets] == []
    md_anchors = set(re.findall(r'<a id="([^"]+)"></a>', md))
    assert [h for h in re.findall(r"\]\(#([^)]+)\)", md) if h not in md_anchors] == []


def test_discrepancies_link_to_their_entries(report):
    results, _, _, parsed, _ = report
    disc = [r["id"] for r in results if r["status"] == "discrepancy"]
    assert disc
    assert set(disc) <= {h[1:] for h in parsed.hrefs}


def test_table_of_contents_lists_every_section(report):
    _, doc, page, _, _ = report
    toc = page[page.index("<nav id='toc'>"):page.index("</nav>")]
    for _, _, anchor in doc.headings():
        assert f"href='#{anchor}'" in toc
    assert len(doc.headings()) >= 8


def test_tolerance_column_and_values(report):
    results, _, _, parsed, _ = report
    entry_tables = [t for t in parsed.tables if "id" in t and "published" in t]
    assert entry_tables and all("tolerance" in t for t in entry_tables)
    assert _tol({"tolerance": 0.005}) == "0.005 (abs.)"
    assert _tol({"tolerance": 0.01, "tolerance_kind": "relative", "tolerance_source": "printed digits"}) == "1 % (rel.)"
    assert _note({"note": "ok.", "tolerance_source": "printed digits"}) == "ok. Tolerance: printed digits."
    # every numeric tolerance of the results is printed in its entry's row
    shown = {r["id"]: r for r in results}
    assert all(_tol(r) != "-" for r in shown.values() if r.get("tolerance") is not None)
    assert _tol({"tolerance": None}) == "-"


def test_no_developer_paths_or_backticks_and_a_bibliography(report):
    _, _, page, parsed, _ = report
    assert "shared/seeds" not in page and "../" not in page
    assert "`" not in page
    text = "".join(parsed.text)
    for key, (short, full) in BIBLIOGRAPHY.items():
        assert f"ref-{key}" in parsed.ids
        assert full.split('"')[1] in text          # the title is printed
        assert short in text                       # and cited by name
    assert "Leggett" in text and "Bevzenko" in text and "J. Phys.: Condens. Matter 32, 055704" in text


def test_citations_do_not_touch_ids_or_numbers():
    d = Doc({"001": ("Zhou 2023", "D. Zhou, ...")})
    out = d._html_inline("see 001 Eq. (4.5), id 001.table.PMMA.e_crit1, value 0.001, 1e-001 and `code`")
    assert out.count("Zhou 2023") == 1 and "001.table.PMMA" in out and "0.001" in out and "1e-001" in out
    assert "<code>code</code>" in out


def test_tensor_section_reports_both_methods(report):
    _, _, page, _, md = report
    assert "published / tensor" in page
    row = next(line for line in md.splitlines() if line.startswith("| alpha = 0.7 ("))
    cells = [c.strip() for c in row.strip("|").split("|")]
    (p1, t1), (p2, t2), (p3, t3) = (c.split(" / ") for c in cells[2:5])
    assert p1 == t1 and p2 == t2 and t3 == t2 and float(p3) > 3 * float(t3)   # e3 (tensor) = e2; published e3 apart
    assert "Lattice check" in md


# ---- a real browser -----------------------------------------------------------------------------------

def _browser():
    for name in (os.environ.get("TG_BROWSER"), "chromium", "chromium-browser", "google-chrome",
                 "google-chrome-stable", "chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


_HARNESS = r"""
<script>
setTimeout(function(){
 var out={};
 // anchors: every internal link names an element that exists
 var bad=[];document.querySelectorAll('a[href^="#"]').forEach(function(a){
  var id=decodeURIComponent(a.getAttribute('href').slice(1));if(!document.getElementById(id))bad.push(id);});
 out.links=document.querySelectorAll('a[href^="#"]').length;out.unresolved=bad;
 out.target=(document.querySelector(':target')||{}).id||null;
 // sorting: the 'computed' column of the first entries table, ascending then descending
 var tb=document.getElementById('TARGET').closest('table');var col=Array.prototype.indexOf.call(tb.tHead.rows[0].cells,
   Array.prototype.filter.call(tb.tHead.rows[0].cells,function(c){return c.textContent==='COLUMN';})[0]);
 function colvals(){return Array.prototype.map.call(tb.tBodies[0].rows,function(r){return r.cells[col].textContent;});}
 out.before=colvals();tb.tHead.rows[0].cells[col].click();out.asc=colvals();
 out.aria=tb.tHead.rows[0].cells[col].getAttribute('aria-sort');
 tb.tHead.rows[0].cells[col].click();out.desc=colvals();
 // filtering
 var f=tb.previousElementSibling;f.value='FILTER';f.dispatchEvent(new Event('input'));
 function texts(h){return Array.prototype.filter.call(tb.tBodies[0].rows,function(r){return r.hidden===h;})
  .map(function(r){return r.textContent;});}
 out.visible=texts(false);out.hidden=texts(true);
 out.filter_class=f.className;
 var pre=document.createElement('pre');pre.id='tg-test';pre.textContent=JSON.stringify(out);document.body.appendChild(pre);
},50);
</script>
"""


def _run_browser(exe, path, hash_):
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--virtual-time-budget=5000", "--dump-dom", path.as_uri() + hash_]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="tg-test">(.*?)</pre>', p.stdout, re.S)
    assert m, f"no test output from the browser (rc {p.returncode}): {p.stderr[-800:]}"
    import html as _h
    return json.loads(_h.unescape(m.group(1)))


def test_report_in_a_headless_browser(report, tmp_path):
    exe = _browser()
    if exe is None:
        pytest.skip("no Chromium/Chrome found (install the Debian package 'chromium', e.g. via `make test` as root, "
                    "or set TG_BROWSER)")
    results, _, page, parsed, _ = report
    # the entries table that holds the first discrepancy: follow its anchor, sort, filter
    target = next(r["id"] for r in results if r["status"] == "discrepancy")
    harness = _HARNESS.replace("TARGET", target).replace("COLUMN", "computed").replace("FILTER", "Discrepancy")
    f = tmp_path / "report.html"
    f.write_text(page.replace("</body>", harness + "</body>"), encoding="utf-8")
    out = _run_browser(exe, f, "#" + target)
    assert out["unresolved"] == [] and out["links"] > 100
    assert out["target"] == target                          # the browser resolves an entry's anchor

    def key(t):  # the documented order: leading number (after an optional '['), then text
        m = re.match(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", t.strip().removeprefix("["), re.I)
        return (0, float(m.group(0)), t.strip()) if m else (1, 0.0, t.strip().lower())
    assert sorted(out["before"], key=key) != out["before"] or len(set(out["before"])) == 1
    assert out["asc"] == sorted(out["before"], key=key)     # numbers numerically, text after
    assert out["aria"] == "ascending"
    assert out["desc"] == sorted(out["before"], key=key, reverse=True) or out["desc"] == out["asc"][::-1]
    assert out["filter_class"] == "filter"
    assert len(out["before"]) > 3
    assert out["visible"] and all("discrepancy" in v.lower() for v in out["visible"])
    assert out["hidden"] and not any("discrepancy" in v.lower() for v in out["hidden"])


def test_browser_reveals_a_filtered_row_when_its_anchor_is_followed(report, tmp_path):
    exe = _browser()
    if exe is None:
        pytest.skip("no Chromium/Chrome found (install the Debian package 'chromium', or set TG_BROWSER)")
    _, _, page, parsed, _ = report
    row = parsed.rows[0]
    script = ("<script>setTimeout(function(){var r=document.getElementById(" + json.dumps(row) + ");"
              "var f=r.closest('table').previousElementSibling;f.value='zzz-no-match';"
              "f.dispatchEvent(new Event('input'));var hid=r.hidden;location.hash='#'+" + json.dumps(row) + ";"
              "setTimeout(function(){var p=document.createElement('pre');p.id='tg-test';"
              "p.textContent=JSON.stringify({hidden_before:hid,hidden_after:r.hidden,filter:f.value});"
              "document.body.appendChild(p);},100);},50);</script>")
    f = tmp_path / "r.html"
    f.write_text(page.replace("</body>", script + "</body>"), encoding="utf-8")
    out = _run_browser(exe, f, "")
    assert out == {"hidden_before": True, "hidden_after": False, "filter": ""}
