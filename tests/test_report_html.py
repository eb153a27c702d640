"""The pages a reader navigates (the report; the study pages come from the same
renderer): structure of the HTML and Markdown, and the HTML driven in a real
headless browser (Chromium) for anchors, sorting, filtering and folding; the
browser checks are shown to fail on a page whose links or sorting are broken
on purpose."""

import html
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
from tensorglass.report._page import ELL20_MARK, SECTIONS, _note, _tol, build_report
from tensorglass.report._render import Doc, Paper

ELL20 = ("001.table.a-SiO2.e_crit1", "001.alpha07.eps1")


class _Collect(HTMLParser):
    """Ids, links, rows (id -> cell texts), tables (header texts, caption), headings and the heading above each row."""

    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.text = [], [], []
        self.rows, self.row_heading, self.tables, self.headings, self.figures = {}, {}, [], [], []
        self._in_script, self._row, self._cell, self._heading, self._in_caption = False, None, None, None, False
        self._details, self._tbody = 0, False
        self.folded_rows = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "details":
            self._details += 1
        if tag == "table":
            self.tables.append({"header": [], "caption": "", "rows": 0})
        if tag == "caption":
            self._in_caption = True
        if tag == "th":
            self.tables[-1]["header"].append("")
        if tag == "tr" and "id" in a:
            self._row = a["id"]
            self.rows[self._row] = []
            self.row_heading[self._row] = self.headings[-1][1] if self.headings else ""
            if self._details:
                self.folded_rows.add(self._row)
        if tag == "tbody":
            self._tbody = True
        if tag == "tr" and self.tables and self._tbody:
            self.tables[-1]["rows"] += 1
        if tag == "td" and self._row:
            self.rows[self._row].append("")
            self._cell = True
        if tag in ("h1", "h2", "h3"):
            self._heading = [tag, "", a.get("id")]
        if tag == "figure":
            self.figures.append(a.get("id"))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if tag == "details":
            self._details -= 1
        if tag == "tbody":
            self._tbody = False
        if tag == "caption":
            self._in_caption = False
        if tag == "tr":
            self._row = None
        if tag == "td":
            self._cell = None
        if tag in ("h1", "h2", "h3") and self._heading:
            self.headings.append(tuple(self._heading))
            self._heading = None

    def handle_data(self, data):
        if self._in_script:
            return
        self.text.append(data)
        if self._heading:
            self._heading[1] += data
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self.tables and self.tables[-1]["header"] and self.lasttag == "th":
            self.tables[-1]["header"][-1] += data
        if self._row and self._cell:
            self.rows[self._row][-1] += data


@pytest.fixture(scope="module")
def report():
    results = compute_results(quick=True)
    figures = {fn.__name__: f"{fn.__name__}.png" for fn in FIGURES}
    doc = build_report(results, figures, quick=True, elapsed=1.0, ell20=ELL20)
    page = doc.html("test report")
    parsed = _Collect()
    parsed.feed(page)
    return results, doc, page, parsed, doc.markdown()


def test_every_entry_has_exactly_one_anchored_row(report):
    results, _, page, parsed, md = report
    ids = [r["id"] for r in results]
    assert sorted(i for i in parsed.rows if i in set(ids)) == sorted(ids)    # each once: no duplicated rows
    assert len(parsed.ids) == len(set(parsed.ids))                             # anchors are unique
    for i in ids:                                                              # the Markdown anchors each entry once, too
        assert md.count(f'<a id="{i}"></a>') == 1, i


def test_every_internal_link_resolves(report):
    _, _, _, parsed, md = report
    targets = set(parsed.ids)
    internal = [h[1:] for h in parsed.hrefs if h.startswith("#")]
    assert len(internal) > 100
    assert [h for h in internal if h not in targets] == []
    md_anchors = set(re.findall(r'<a id="([^"]+)"></a>', md))
    assert [h for h in re.findall(r"\]\(#([^)]+)\)", md) if h not in md_anchors] == []


def test_papers_by_id_author_and_year_in_contents_headings_and_sources(report):
    results, doc, page, parsed, _ = report
    toc = page[page.index("<nav id='toc'>"):page.index("</nav>")]
    for key, paper in BIBLIOGRAPHY.items():
        assert paper.label == f"{key} ({paper.short})"
        assert f"{html.escape(paper.label)}:" in toc                            # the paper's section in the contents
        h2 = [t for lvl, t, _ in parsed.headings if lvl == "h2" and t.startswith(paper.label)]
        assert len(h2) == 1, key
        h3 = [t for lvl, t, _ in parsed.headings if lvl == "h3" and t.startswith(paper.label + " ")]
        assert h3 and all(re.match(re.escape(paper.label) + r" (Sec|App)\. ", t) for t in h3), h3
    for r in results:                                                            # every entry's source names its paper
        source_cell = parsed.rows[r["id"]][1]
        assert source_cell.startswith(BIBLIOGRAPHY[r["source"][:3]].label), (r["id"], source_cell)


def test_sections_follow_each_paper(report):
    """A paper's sections appear in the paper's order, and an entry sits under the section its source names."""
    results, _, _, parsed, _ = report
    for key, secs in SECTIONS.items():
        label = BIBLIOGRAPHY[key].label
        shown = [re.match(re.escape(label) + r" (?:Sec|App)\. (\w+):", t) for lvl, t, _ in parsed.headings
                 if lvl == "h3" and t.startswith(label + " ")]
        order = [s for s, _ in secs]
        got = [m.group(1) for m in shown if m]
        assert got == sorted(got, key=order.index), (key, got)
    assert parsed.row_heading["003.eq3.5.l"].startswith("003 (Zhou & Leggett 2021) Sec. III:")
    assert parsed.row_heading["001.eq4.6"].startswith("001 (Zhou 2023) Sec. IV:")
    assert parsed.row_heading["004.eqB3"].startswith("004 (Bevzenko & Lubchenko 2022) App. B:")
    assert parsed.row_heading["002.eqD8"].startswith("002 (Zhou 2020) App. D:")


def test_an_entry_is_placed_by_the_section_its_source_names():
    from tensorglass.report._page import place
    assert place("001.eq4.6", "001 Eq. (4.6)") == ("001", "IV", (0, 6.0))
    assert place("001.primes", "001 Sec. IV (below Eq. 4.6)") == ("001", "IV", (0, 6.0))
    assert place("004.eq17", "004 Eq. (17)") == ("004", "II", (0, 17.0))       # 004 numbers its equations through
    assert place("004.eq2.eta", "004 Eq. (2)") == ("004", "I", (0, 2.0))
    assert place("002.eqB9", "002 Eq. (B.9)") == ("002", "B", (0, 9.0))
    assert place("000.d12", "000 Eq. (D12)") == ("000", "D", (0, 12.0))
    assert place("002.table.PS.x", "002 Table 1") == ("002", "5", (2, 0.0))
    assert place("002.mb_range", "002 abstract and Sec. 2") == ("002", "2", (3, 0.0))
    assert place("004.fig3.silica", "004 Fig. 3(a)") == ("004", "III", (1, 3.0))
    assert place("000.eq2.14", "000 Eq. (2.14) vs 001 Eq. (2.12)-(2.13)") == ("000", "II", (0, 14.0))


def test_discrepancy_index_has_source_and_reason(report):
    results, _, page, parsed, _ = report
    disc = [r for r in results if r["status"] == "discrepancy"]
    index = next(t for t in parsed.tables if t["caption"].startswith("Table 2. Discrepancies"))
    assert index["header"] == ["id", "source", "quantity", "published", "computed", "reason"]
    assert index["rows"] == len(disc)
    assert set(r["id"] for r in disc) <= {h[1:] for h in parsed.hrefs}         # each links to its entry


def test_every_table_has_a_caption_and_every_figure_a_number_and_a_reference(report):
    _, doc, page, parsed, md = report
    assert parsed.tables and all(re.match(r"Table \d+\. \S", t["caption"]) for t in parsed.tables)
    assert [int(re.match(r"Table (\d+)", t["caption"]).group(1)) for t in parsed.tables] == \
        list(range(1, len(parsed.tables) + 1))
    assert len(parsed.figures) == len(FIGURES)
    for n, fid in enumerate(parsed.figures, 1):
        fig = page[page.index(f"<figure id='{fid}'>"):]
        assert f"<b>Figure {n}.</b>" in fig[:fig.index("</figure>")]
        refs = page.count(f"href='#{fid}'")
        assert refs >= 1, fid                                                   # referred to from the text
    assert "*Figure 1." in md and "*Table 1." in md


def test_appendix_is_folded_and_notes_are_prose(report):
    results, _, page, parsed, _ = report
    per_material = {r["id"] for r in results if ".table." in r["id"]}
    assert per_material and per_material <= parsed.folded_rows
    assert not (parsed.folded_rows - per_material)                             # nothing else is folded away
    for r in results:
        n = _note(r)
        assert not re.search(r"\{'|'\}|\bNone\b|\bnan\b|\*\*|array\(|Tolerance:", n), (r["id"], n)
    assert "0. [000]" not in "".join(parsed.text) and "<ol" not in page


def test_bibliography_lists_each_paper_once_with_the_printed_identifiers(report):
    _, _, page, parsed, _ = report
    bib = page[page.index("<ul class='bib'>"):]
    bib = bib[:bib.index("</ul>")]
    for key, paper in BIBLIOGRAPHY.items():
        assert bib.count(f"id='ref-{key}'") == 1 and bib.count(f"<b>{html.escape(paper.label)}</b>") == 1
        assert paper.full.split('"')[1] in bib                                 # the title is printed
    for number in ("1510.05528", "1001.2844"):   # 003 (printed by 000, 001) and 004: arXiv's DOIs, linked
        assert (f"<a href='https://doi.org/10.48550/arXiv.{number}'>doi:10.48550/arXiv.{number} "
                f"(arXiv:{number})</a>") in bib
    assert "J. Phys.: Condens. Matter 32, 055704 (2020)" in bib
    # no journal DOI is invented: the only DOIs are arXiv's (prefix 10.48550)
    assert set(re.findall(r"\b10\.(\d{4,})/", bib)) == {"48550"}
    assert sum(bool(p.identifier) for p in BIBLIOGRAPHY.values()) == 2


def test_marker_for_entries_that_hold_only_with_ln_r_over_l1_20(report):
    _, _, page, parsed, md = report
    for i in ELL20:
        assert ELL20_MARK in parsed.rows[i][6], i                              # the status cell
    assert "only with ln(R/L1) = 20" in "".join(parsed.text).split("How entries are judged")[-1][:2000]


def test_tolerance_column_and_values(report):
    results, _, _, parsed, _ = report
    entry_tables = [t for t in parsed.tables if "id" in t["header"] and "published" in t["header"]
                    and "reason" not in t["header"]]
    assert entry_tables and all("tolerance" in t["header"] for t in entry_tables)
    assert _tol({"tolerance": 0.005}) == "0.005 (abs.)"
    assert _tol({"tolerance": 0.01, "tolerance_kind": "relative"}) == "1 % (rel.)"
    assert _tol({"tolerance": None}) == "-"
    r = next(r for r in results if r["id"] == "001.table.a-SiO2.alpha")
    assert parsed.rows[r["id"]][5].startswith(_tol(r)) and r["tolerance_source"] in parsed.rows[r["id"]][5]


def test_no_developer_paths_or_backticks(report):
    _, _, page, parsed, _ = report
    assert "shared/seeds" not in page and "../" not in page
    assert "`" not in page


def test_renderer_inline_markup_and_its_refusals():
    d = Doc({"001": Paper("001", "Zhou 2023", "D. Zhou, ...")})
    nums = {}
    out = d._html_inline("see 001 Eq. (4.5), id 001.table.PMMA.e_crit1, value 0.001, 1e-001, **bold** and `code`", nums)
    assert out.count("001 (Zhou 2023)") == 1 and "001.table.PMMA" in out and "0.001" in out and "1e-001" in out
    assert "<code>code</code>" in out and "<strong>bold</strong>" in out and "**" not in out
    with pytest.raises(ValueError, match="caption"):
        d.table(["a"], [[1]], caption="")
    d.figure("x", "x.png", "a figure")
    with pytest.raises(ValueError, match="not referred to"):
        d.html("t")
    d.p("as {fig:x} shows; {table:nothing}")
    with pytest.raises(ValueError, match="refers to no table"):
        d.html("t")


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


def _need_browser():
    exe = _browser()
    if exe is None:
        pytest.skip("no Chromium/Chrome found (install the Debian package 'chromium', e.g. via `make test` as root, "
                    "or set TG_BROWSER)")
    return exe


#: What the browser does with a page: resolve every internal link, follow the anchor of the URL, sort the column
#: COLUMN of the table that holds row TARGET both ways, type FILTER into that table's filter (and FILTER2 into the
#: filter of the table whose caption starts with CAPTION2).  The result is printed into the DOM as JSON.
_HARNESS = r"""
<script>
setTimeout(function(){
 var cfg=CONFIG;var out={};
 var bad=[];document.querySelectorAll('a[href^="#"]').forEach(function(a){
  var id=decodeURIComponent(a.getAttribute('href').slice(1));if(!document.getElementById(id))bad.push(id);});
 out.links=document.querySelectorAll('a[href^="#"]').length;out.unresolved=bad;
 out.target=(document.querySelector(':target')||{}).id||null;
 function table(el){return el.closest('table');}
 var tb=table(document.getElementById(cfg.target));
 var hs=tb.tHead.rows[0].cells;var col=-1;
 for(var i=0;i<hs.length;i++){if(hs[i].textContent===cfg.column)col=i;}
 function colvals(){return Array.prototype.map.call(tb.tBodies[0].rows,function(r){return r.cells[col].textContent;});}
 out.before=colvals();hs[col].click();out.asc=colvals();out.aria=hs[col].getAttribute('aria-sort');
 hs[col].click();out.desc=colvals();
 function filter(t,text){var f=t.previousElementSibling;f.value=text;f.dispatchEvent(new Event('input'));
  var o={cls:f.className,visible:[],hidden:[]};
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){(r.hidden?o.hidden:o.visible).push(r.id||r.textContent);});
  return o;}
 out.filter=filter(tb,cfg.filter);
 if(cfg.caption2){var t2=Array.prototype.filter.call(document.querySelectorAll('table.data'),function(t){
   return t.caption&&t.caption.textContent.indexOf(cfg.caption2)>=0;})[0];
  out.filter2=filter(t2,cfg.filter2);out.filter2_texts=Array.prototype.map.call(t2.tBodies[0].rows,function(r){
   return r.hidden?null:r.textContent;}).filter(Boolean);}
 var pre=document.createElement('pre');pre.id='tg-test';pre.textContent=JSON.stringify(out);document.body.appendChild(pre);
},50);
</script>
"""


def _run_browser(exe, path, hash_=""):
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--virtual-time-budget=5000", "--dump-dom", path.as_uri() + hash_]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="tg-test">(.*?)</pre>', p.stdout, re.S)
    assert m, f"no test output from the browser (rc {p.returncode}): {p.stderr[-800:]}"
    import html as _h
    return json.loads(_h.unescape(m.group(1)))


def _sort_key(t):
    """The documented order: leading number (after an optional '['), then text."""
    m = re.match(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", t.strip().removeprefix("["), re.I)
    return (0, float(m.group(0)), t.strip()) if m else (1, 0.0, t.strip().lower())


def browse(exe, page, tmp_path, target, column, filter_, caption2=None, filter2=None, name="page.html"):
    """Open ``page`` at ``#target`` in the browser, run the harness; return its observations."""
    cfg = json.dumps({"target": target, "column": column, "filter": filter_, "caption2": caption2, "filter2": filter2})
    f = tmp_path / name
    f.write_text(page.replace("</body>", _HARNESS.replace("CONFIG", cfg) + "</body>"), encoding="utf-8")
    return _run_browser(exe, f, "#" + target)


def problems(out, target, filter_):
    """What is wrong with a page, from the browser's observations (empty: nothing)."""
    bad = []
    if out["unresolved"]:
        bad.append(f"links to nothing: {out['unresolved'][:5]}")
    if out["links"] < 10:
        bad.append(f"only {out['links']} internal links")
    if out["target"] != target:
        bad.append(f"the anchor #{target} is not the target ({out['target']})")
    if len(out["before"]) < 3:
        bad.append("too few rows to sort")
    if out["asc"] != sorted(out["before"], key=_sort_key) or out["aria"] != "ascending":
        bad.append("ascending sort wrong")
    if out["desc"] != sorted(out["before"], key=_sort_key, reverse=True) and out["desc"] != out["asc"][::-1]:
        bad.append("descending sort wrong")
    flt = out["filter"]
    if flt["cls"] != "filter" or not flt["visible"] or not flt["hidden"]:
        bad.append(f"filter '{filter_}' shows {len(flt['visible'])} and hides {len(flt['hidden'])} rows")
    return bad


def test_report_in_a_headless_browser(report, tmp_path):
    exe = _need_browser()
    results, _, page, parsed, _ = report
    target = next(r["id"] for r in results if r["status"] == "discrepancy" and ".table." not in r["id"])
    out = browse(exe, page, tmp_path, target, "computed", "discrepancy", "Discrepancies", "Eq. 3.5")
    assert problems(out, target, "discrepancy") == []
    assert all("discrepancy" in " ".join(parsed.rows[v]).lower() for v in out["filter"]["visible"])
    # the discrepancy index finds an equation by its number
    found = out["filter2_texts"]
    assert sum(t.startswith("003.eq3.5.") and "Eq. (3.5)" in t for t in found) == 2, found
    assert all("eq." in t.lower() and "3.5" in t for t in found) and len(found) < 6, found


def test_the_browser_checks_fail_on_a_broken_link_or_sort(report, tmp_path):
    """The same checks on the report broken on purpose: a link to nothing, and sorting that does not sort."""
    exe = _need_browser()
    results, _, page, _, _ = report
    target = next(r["id"] for r in results if r["status"] == "discrepancy" and ".table." not in r["id"])
    broken_link = page.replace("<p>", "<p><a href='#no-such-entry'>x</a>", 1)
    out = browse(exe, broken_link, tmp_path, target, "computed", "discrepancy", name="a.html")
    assert any("links to nothing" in p for p in problems(out, target, "discrepancy"))
    broken_sort = page.replace("rows.forEach(function(r){body.appendChild(r);});", "")
    out = browse(exe, broken_sort, tmp_path, target, "computed", "discrepancy", name="b.html")
    assert any("sort wrong" in p for p in problems(out, target, "discrepancy"))


def test_browser_reveals_hidden_and_folded_rows_when_their_anchor_is_followed(report, tmp_path):
    exe = _need_browser()
    results, _, page, parsed, _ = report
    row = next(r["id"] for r in results if ".table." not in r["id"])
    folded = next(iter(sorted(parsed.folded_rows)))
    script = ("<script>setTimeout(function(){var r=document.getElementById(" + json.dumps(row) + ");"
              "var f=r.closest('table').previousElementSibling;f.value='zzz-no-match';"
              "f.dispatchEvent(new Event('input'));var hid=r.hidden;"
              "var d=document.getElementById(" + json.dumps(folded) + ").closest('details');var was=d.open;"
              "location.hash='#'+" + json.dumps(row) + ";"
              "setTimeout(function(){var after=r.hidden;location.hash='#'+" + json.dumps(folded) + ";"
              "setTimeout(function(){var p=document.createElement('pre');p.id='tg-test';"
              "p.textContent=JSON.stringify({hidden_before:hid,hidden_after:after,filter:f.value,"
              "folded_before:!was,opened:d.open});document.body.appendChild(p);},100);},100);},50);</script>")
    f = tmp_path / "r.html"
    f.write_text(page.replace("</body>", script + "</body>"), encoding="utf-8")
    out = _run_browser(exe, f)
    assert out == {"hidden_before": True, "hidden_after": False, "filter": "", "folded_before": True, "opened": True}


# ---- figures ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """The figures the issue names, drawn and kept open (not saved) for inspection."""
    from tensorglass.report import _figures as F
    kept = {}
    orig = F._save
    F._save = lambda fig, outdir, name: kept.setdefault(name, fig) and name
    try:
        F.set_resolution(True)
        for fn in (F.fig_gamma_ratio, F.fig_avalanche_eigenvalues, F.fig_avalanche_methods, F.fig_critical_strains,
                   F.fig_bl_phase_diagram, F.fig_bl_f_of_g):
            fn(tmp_path_factory.mktemp("fig"), quick=True)
    finally:
        F._save = orig
    yield kept
    import matplotlib.pyplot as plt
    plt.close("all")


def test_figures_say_what_the_report_says(drawn, report):
    results = {r["id"]: r for r in report[0]}
    a, b = drawn["gamma_ratio.png"].axes[:2]
    legend = " ".join(t.get_text() for t in a.get_legend().get_texts())
    for fit in ("003.fit13", "003.fit10"):                        # the numbers of the report's entries
        assert f"{results[fit + '.slope']['computed']:.4f}x" in legend
        assert f"r = {results[fit + '.r']['computed']:.4f}" in legend
    assert "c_l/c_t" in b.get_ylabel()                            # the right panel plots both ratios
    for ax in drawn["avalanche_eigenvalues.png"].axes:            # 001's printed values visible above zero
        if ax.get_title().startswith("Fig. 3") or ax.get_title().startswith("Fig. 6"):
            assert ax.get_yscale() == "symlog"
    methods = drawn["avalanche_methods.png"].axes[:3]
    for ax in methods:                                            # one scale: raw eigenvalues, 000's far above 1
        assert "max" not in ax.get_ylabel() and max(max(line.get_ydata()) for line in ax.get_lines()) > 10
    notes = [t.get_text() for t in drawn["critical_strains.png"].axes[0].texts]
    assert len(notes) == len(set(notes)) == 3                     # one label per mode
    labels = " ".join(t.get_text() for t in drawn["bl_fig5_f_of_g.png"].axes[0].get_legend().get_texts())
    assert "5/3" in labels                                        # 004's c = 5/3 curve is drawn
    ax = drawn["bl_fig4_phase_diagram.png"].axes[0]
    fig = ax.figure
    fig.canvas.draw()
    from matplotlib.text import Text
    boxes = [Text.get_window_extent(t) for t in ax.texts]                 # the names, without their leaders
    assert len(boxes) == 13
    assert not any(p.overlaps(q) for i, p in enumerate(boxes) for q in boxes[i + 1:])   # names do not overlap
    line = ax.get_lines()[0]
    xy = ax.transData.transform(list(zip(line.get_xdata(), line.get_ydata())))
    assert all(bb.y0 > max(y for x, y in xy if bb.x0 <= x <= bb.x1) for bb in boxes if any(bb.x0 <= x <= bb.x1 for x, _ in xy))


# ---- the study pages: the same renderer ---------------------------------------------------------------

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def study_pages():
    """Both study pages, drawn from stored results: the committed full bl-phase study (docs/results) and a
    tiny blocks run (tests/data/blocks_tiny_results.json, written by `run_study("blocks", config="tiny")`)."""
    import xarray as xr

    from tensorglass.studies import bl_phase, bl_phase_page, blocks_page
    stored = REPO / "docs" / "results" / "bl-phase-full"
    results = json.loads((stored / "results.json").read_text())
    with xr.open_dataset(stored / "data.nc", engine="h5netcdf") as ds:
        results = bl_phase.complete_results(results, ds.load())
    bl = bl_phase_page.document(results)
    blk = blocks_page.document(json.loads((REPO / "tests" / "data" / "blocks_tiny_results.json").read_text()))
    pages = {"bl-phase": (bl, bl.html(bl_phase_page.TITLE), results),
             "blocks": (blk, blk.html(blocks_page.TITLE), None)}
    return pages


def test_study_pages_have_contents_anchors_captions_and_no_raw_markup(study_pages):
    for name, (doc, page, _) in study_pages.items():
        parsed = _Collect()
        parsed.feed(page)
        text = "".join(parsed.text)
        assert "<nav id='toc'>" in page, name
        assert all(a for _, _, a in parsed.headings), name                          # every heading has an anchor
        assert parsed.tables and all(re.match(r"Table \d+\. \S", t["caption"]) for t in parsed.tables), name
        assert len(parsed.figures) >= 6 and all(page.count(f"href='#{f}'") for f in parsed.figures), name
        assert "**" not in text and "<strong>" in page, name                        # Markdown rendered
        assert not re.search(r"\bnan\b|n/a|p = 0\.00\b", text), name
        assert [h for h in parsed.hrefs if h.startswith("#") and h[1:] not in set(parsed.ids)] == [], name
    bl_doc, bl_page, results = study_pages["bl-phase"]
    flags = [t for t in _tables(bl_page) if t["caption"].startswith(f"Table {len(_tables(bl_page))}. Flags")]
    assert flags and flags[0]["rows"] == len(results["flags"]) + len(results["notes"])   # flags in one table
    assert "lowest swap rate" not in bl_page[:bl_page.index("<nav id='toc'>")]            # none above section 1
    assert "p &lt; 0.001" in bl_page and "(p = 0.91)" in bl_page


def _tables(page):
    parsed = _Collect()
    parsed.feed(page)
    return parsed.tables


@pytest.mark.parametrize("name,target,column,filter_", [("bl-phase", "table-tc", "sigma", "0.2"),
                                                        ("blocks", "table-correlation", "r", "100")])
def test_study_pages_in_a_headless_browser(study_pages, tmp_path, name, target, column, filter_):
    exe = _need_browser()
    _, page, _ = study_pages[name]
    out = browse(exe, page, tmp_path, target, column, filter_, name=f"{name}.html")
    assert problems(out, target, filter_) == []
