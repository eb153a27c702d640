"""The one renderer of the reproduction report and the study pages: a list
of blocks written as Markdown and as HTML with the same content.

The HTML is one self-contained file: a table of contents, an anchor on every
heading, figure, table and entry row, numbered figures and tables (with a
caption each), folded parts (``<details>``), and tables that sort (click a
column header) and filter (type in the box above) with a few lines of
dependency-free JavaScript (:data:`_SCRIPT`).

Inline text may contain

* ```code``` (rendered as ``<code>``) and ``**bold**``;
* ``{fig:KEY}`` and ``{table:KEY}``: a link to a figure or table, written as
  its number ("Fig. 3", "Table 2"); every figure must be referenced from the
  text, or rendering fails;
* the seed numbers 000-004, written as the paper's id with author and year,
  "001 (Zhou 2023)", and linked to the bibliography.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

#: seed numbers as words: not inside an id such as 001.table.x or a number such as 0.001
_CITE = re.compile(r"(?<![\w.])(?<!\de-)(00[0-4])(?!\w|\.\w)")
_CODE = re.compile(r"`([^`]+)`")
_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\{(?P<kind>fig|table):(?P<key>[\w.-]+)\}|" + _CITE.pattern)
_REF = re.compile(r"\{(fig|table):([\w.-]+)\}")
STATUSES = ("reproduced", "discrepancy", "not-checkable")


@dataclass(frozen=True)
class Paper:
    """A seed paper as the bibliography lists it."""

    key: str              #: "001"
    short: str            #: author and year, "Zhou 2023"
    full: str             #: the full reference
    identifier: str = ""  #: "arXiv:1510.05528", a DOI, or "" where the seed prints none
    url: str = ""
    identifier_source: str = ""  #: where the identifier is printed, or why there is none

    @property
    def label(self) -> str:
        return f"{self.key} ({self.short})"


@dataclass(frozen=True)
class Link:
    """A table cell or text that links to ``#anchor``."""

    text: str
    anchor: str


@dataclass(frozen=True)
class Cell:
    """A table cell with a short marker after its text (e.g. a status that
    holds only under a condition) and/or a second line in small print (e.g.
    where a tolerance comes from)."""

    text: str
    mark: str = ""
    small: str = ""

    def __str__(self):
        return self.text + (f" ({self.mark})" if self.mark else "") + (f": {self.small}" if self.small else "")


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "section"


class Doc:
    """A list of blocks rendered to both formats.

    ``citations`` maps a seed number ("001") to its :class:`Paper`; the
    bibliography anchors are ``ref-001`` etc.  The bibliography block lists
    every paper of ``citations`` once.
    """

    def __init__(self, citations: dict | None = None):
        self.blocks = []
        self.citations = dict(citations or {})
        self._anchors = set()
        self._keys = set()

    # ---- building -------------------------------------------------------------------------------------
    def _anchor(self, text):
        base = a = slug(text)
        k = 2
        while a in self._anchors:
            a, k = f"{base}-{k}", k + 1
        self._anchors.add(a)
        return a

    def h(self, level, text, anchor=None):
        self.blocks.append(("h", level, text, anchor or self._anchor(self.plain(text))))

    def toc(self):
        """Placeholder for the table of contents (headings of level 2 and 3)."""
        self.blocks.append(("toc",))

    def p(self, text):
        self.blocks.append(("p", text))

    def bullets(self, items):
        self.blocks.append(("ul", list(items)))

    def table(self, header, rows, caption, anchor_col=None, key=None):
        """A numbered, sortable, filterable table with a caption; with
        ``anchor_col`` the cells of that column become the rows' anchors
        (entry ids); ``key`` names it for ``{table:KEY}``."""
        if not caption or not str(caption).strip():
            raise ValueError("every table needs a caption")
        key = self._key("table", key or f"t{sum(b[0] == 'table' for b in self.blocks) + 1}")
        self.blocks.append(("table", list(header), [list(r) for r in rows], anchor_col, caption, key))

    def figure(self, key, path, caption):
        """A numbered figure with a caption; ``{fig:KEY}`` in the text refers to it
        (every figure must be referred to)."""
        if not caption or not str(caption).strip():
            raise ValueError("every figure needs a caption")
        self.blocks.append(("img", path, caption, self._key("fig", key)))

    def fold(self, summary):
        """Start a folded part (``<details>``) that shows ``summary`` until opened."""
        self.blocks.append(("fold", summary))

    def unfold(self):
        self.blocks.append(("unfold",))

    def bibliography(self, cited_only=False):
        """The papers of ``citations``, each listed once (with ``cited_only``, those the text cites)."""
        self.blocks.append(("bib", cited_only))

    def _bib_papers(self, block):
        if not block[1]:
            return self.citations
        cited = {k for b in self.blocks for t in self._texts(b) for k in _CITE.findall(str(t))}
        return {k: p for k, p in self.citations.items() if k in cited}

    def _key(self, kind, key):
        if (kind, key) in self._keys:
            raise ValueError(f"{kind} key {key!r} is used twice")
        self._keys.add((kind, key))
        self._anchors.add(f"{kind}-{key}")
        return key

    def headings(self):
        return [(b[1], b[2], b[3]) for b in self.blocks if b[0] == "h" and b[1] in (2, 3)]

    def numbers(self) -> dict:
        """(kind, key) -> number of every figure and table, in the order they appear."""
        out, count = {}, {"fig": 0, "table": 0}
        for b in self.blocks:
            kind = {"img": "fig", "table": "table"}.get(b[0])
            if kind:
                count[kind] += 1
                out[(kind, b[-1])] = count[kind]
        return out

    def check_references(self):
        """Raise ValueError if a ``{fig:..}``/``{table:..}`` names nothing, or a figure is never referred to
        outside its own caption."""
        nums = self.numbers()
        used = set()
        for b in self.blocks:
            own = ("fig", b[3]) if b[0] == "img" else None
            for text in self._texts(b):
                for kind, key in _REF.findall(str(text)):
                    if (kind, key) not in nums:
                        raise ValueError(f"{{{kind}:{key}}} refers to no {'figure' if kind == 'fig' else 'table'}")
                    if (kind, key) != own:
                        used.add((kind, key))
        missing = [k for kind, k in nums if kind == "fig" and ("fig", k) not in used]
        if missing:
            raise ValueError(f"figures not referred to from the text: {', '.join(missing)}")

    @staticmethod
    def _texts(b):
        kind = b[0]
        if kind in ("h",):
            return [b[2]]
        if kind in ("p", "fold"):
            return [b[1]]
        if kind == "ul":
            return b[1]
        if kind == "img":
            return [b[2]]
        if kind == "table":
            return [b[4], *b[1], *(c for r in b[2] for c in r if isinstance(c, str))]
        return []

    # ---- inline text ----------------------------------------------------------------------------------
    def cite(self, key) -> str:
        return self.citations[key].label if key in self.citations else key

    def plain(self, text) -> str:
        """Text without markup: papers as '001 (Zhou 2023)', references as 'Fig. 3'."""
        nums = self.numbers()

        def sub(m):
            if m.group("bold") is not None:
                return self.plain(m.group("bold"))
            if m.group("kind"):
                return _ref_text(m.group("kind"), nums.get((m.group("kind"), m.group("key"))))
            return self.cite(m.group(m.lastindex))
        return _INLINE.sub(sub, str(text)).replace("`", "")

    def _md_inline(self, text, nums) -> str:
        def sub(m):
            if m.group("bold") is not None:
                return "**" + self._md_inline(m.group("bold"), nums) + "**"
            if m.group("kind"):
                kind, key = m.group("kind"), m.group("key")
                return f"[{_ref_text(kind, nums.get((kind, key)))}](#{kind}-{key})"
            k = m.group(m.lastindex)
            return f"[{self.cite(k)}](#ref-{k})" if k in self.citations else k
        parts = _CODE.split(str(text))
        return "".join(f"`{p}`" if i % 2 else _INLINE.sub(sub, p) for i, p in enumerate(parts))

    def _html_inline(self, text, nums) -> str:
        out = []
        for i, part in enumerate(_CODE.split(str(text))):      # odd indices were inside backticks
            if i % 2:
                out.append(f"<code>{html.escape(part)}</code>")
                continue
            pos = 0
            for m in _INLINE.finditer(part):
                out.append(html.escape(part[pos:m.start()]))
                if m.group("bold") is not None:
                    out.append(f"<strong>{self._html_inline(m.group('bold'), nums)}</strong>")
                elif m.group("kind"):
                    kind, key = m.group("kind"), m.group("key")
                    out.append(f"<a class='ref' href='#{kind}-{html.escape(key)}'>"
                               f"{_ref_text(kind, nums.get((kind, key)))}</a>")
                else:
                    k = m.group(m.lastindex)
                    if k in self.citations:
                        paper = self.citations[k]
                        out.append(f"<a class='cite' href='#ref-{k}' title='{html.escape(paper.full)}'>"
                                   f"{html.escape(paper.label)}</a>")
                    else:
                        out.append(html.escape(k))
                pos = m.end()
            out.append(html.escape(part[pos:]))
        return "".join(out)

    # ---- Markdown -------------------------------------------------------------------------------------
    def markdown(self) -> str:
        self.check_references()
        nums = self.numbers()
        out = []
        esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out.append(f'<a id="{b[3]}"></a>\n\n' + "#" * b[1] + " " + self._md_inline(b[2], nums))
            elif kind == "toc":
                out.append("**Contents**\n")
                out.extend(("  " if lvl == 3 else "") + f"- [{self.plain(t)}](#{a})" for lvl, t, a in self.headings())
            elif kind == "p":
                out.append(self._md_inline(b[1], nums))
            elif kind == "ul":
                out.extend(f"- {self._md_inline(it, nums)}" for it in b[1])
            elif kind == "img":
                n = nums[("fig", b[3])]
                out.append(f'<a id="fig-{b[3]}"></a>\n\n![Figure {n}. {self.plain(b[2])}]({b[1]})\n\n'
                           f"*Figure {n}. {self._md_inline(b[2], nums)}*")
            elif kind == "fold":
                out.append(f"<details><summary>{html.escape(self.plain(b[1]))}</summary>\n")
            elif kind == "unfold":
                out.append("</details>")
            elif kind == "bib":
                out.extend(f'- <a id="ref-{k}"></a>**{p.label}** {esc(_bib_text(p))}' for k, p in self._bib_papers(b).items())
            else:
                header, rows, anchor_col, caption, key = b[1:]
                out.append(f'<a id="table-{key}"></a>\n\n*Table {nums[("table", key)]}. '
                           f"{self._md_inline(caption, nums)}*\n")
                out.append("| " + " | ".join(esc(self.plain(c)) for c in header) + " |")
                out.append("|" + "---|" * len(header))
                for r in rows:
                    cells = []
                    for j, c in enumerate(r):
                        if isinstance(c, Link):
                            cells.append(f"[{esc(c.text)}](#{c.anchor})")
                        elif j == anchor_col:
                            cells.append(f'<a id="{c}"></a>{esc(c)}')
                        else:
                            cells.append(esc(self._md_inline(str(c), nums)))
                    out.append("| " + " | ".join(cells) + " |")
            out.append("")
        return "\n".join(out)

    # ---- HTML -----------------------------------------------------------------------------------------
    def html(self, title) -> str:
        self.check_references()
        nums = self.numbers()
        e = html.escape
        out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
               "<meta name='viewport' content='width=device-width, initial-scale=1'>",
               f"<style>{_STYLE}</style></head><body>"]
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out.append(f"<h{b[1]} id='{e(b[3])}'>{self._html_inline(b[2], nums)}</h{b[1]}>")
            elif kind == "toc":
                out.append("<nav id='toc'><h2 id='contents'>Contents</h2><ul>")
                for lvl, t, a in self.headings():
                    out.append(f"<li class='toc{lvl}'><a href='#{e(a)}'>{e(self.plain(t))}</a></li>")
                out.append("</ul></nav>")
            elif kind == "p":
                out.append(f"<p>{self._html_inline(b[1], nums)}</p>")
            elif kind == "ul":
                out.append("<ul>" + "".join(f"<li>{self._html_inline(it, nums)}</li>" for it in b[1]) + "</ul>")
            elif kind == "img":
                n = nums[("fig", b[3])]
                out.append(f"<figure id='fig-{e(b[3])}'><img src='{e(b[1])}' alt='Figure {n}. {e(self.plain(b[2]))}' "
                           f"loading='lazy'><figcaption><b>Figure {n}.</b> {self._html_inline(b[2], nums)}"
                           "</figcaption></figure>")
            elif kind == "fold":
                out.append(f"<details><summary>{e(self.plain(b[1]))}</summary>")  # plain: a click opens it
            elif kind == "unfold":
                out.append("</details>")
            elif kind == "bib":
                out.append("<ul class='bib'>" + "".join(
                    f"<li id='ref-{e(k)}'><b>{e(p.label)}</b> {e(p.full)}{_bib_html(p)}</li>"
                    for k, p in self._bib_papers(b).items()) + "</ul>")
            else:
                out.append(self._html_table(*b[1:], nums))
        out.append(f"<script>{_SCRIPT}</script></body></html>")
        return "\n".join(out)

    def _html_table(self, header, rows, anchor_col, caption, key, nums):
        e = html.escape
        out = [f"<table class='data' id='table-{e(key)}'>",
               f"<caption><b>Table {nums[('table', key)]}.</b> {self._html_inline(caption, nums)}</caption>",
               "<thead><tr>" + "".join(f"<th title='click to sort'>{self._html_inline(c, nums)}</th>" for c in header)
               + "</tr></thead><tbody>"]
        for r in rows:
            rid = f" id='{e(str(r[anchor_col]))}'" if anchor_col is not None else ""
            cells = []
            for c in r:
                if isinstance(c, Link):
                    cells.append(f"<td><a href='#{e(c.anchor)}'>{e(c.text)}</a></td>")
                    continue
                text, mark, small = (c.text, c.mark, c.small) if isinstance(c, Cell) else (str(c), "", "")
                cls = f" class='{text}'" if text in STATUSES else ""
                extra = f" <span class='mark'>{self._html_inline(mark, nums)}</span>" if mark else ""
                extra += f"<br><small>{self._html_inline(small, nums)}</small>" if small else ""
                cells.append(f"<td{cls}>{self._html_inline(text, nums)}{extra}</td>")
            out.append(f"<tr{rid}>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        return "\n".join(out)


def _ref_text(kind, n):
    return f"{'Fig.' if kind == 'fig' else 'Table'} {n if n is not None else '?'}"


def _bib_text(p: Paper) -> str:
    ident = f" {p.identifier} ({p.url})." if p.identifier else ""
    return f"{p.full}{ident} {p.identifier_source}".strip()


def _bib_html(p: Paper) -> str:
    e = html.escape
    ident = f" <a href='{e(p.url)}'>{e(p.identifier)}</a>." if p.identifier and p.url else (
        f" {e(p.identifier)}." if p.identifier else "")
    return f"{ident} <span class='idsrc'>{e(p.identifier_source)}</span>"


_STYLE = (
    "body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;line-height:1.4}"
    "table{border-collapse:collapse;font-size:82%;margin:.3em 0 1.2em}td,th{border:1px solid #bbb;padding:2px 6px;"
    "vertical-align:top}th{background:#eee;cursor:pointer;user-select:none}"
    "th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}"
    ".reproduced{color:#060}.discrepancy{color:#b00;font-weight:bold}.not-checkable{color:#777}"
    ".mark{font-weight:normal;font-size:85%;color:#555;background:#fff3c4;padding:0 3px;white-space:nowrap}"
    "tr:target{background:#ffef9e}h2:target,h3:target,figure:target{background:#ffef9e}"
    "figure{margin:1em 0}img{max-width:min(100%,860px)}small{color:#555}figcaption{font-size:90%}caption{text-align:left;padding:.2em 0}"
    "input.filter{margin-top:.5em;width:20em}#toc li.toc3{margin-left:1.5em;list-style:circle}"
    "code{background:#f3f3f3;padding:0 2px}a.cite,a.ref{text-decoration:none;border-bottom:1px dotted}"
    "details{margin:.5em 0 1em;border-left:3px solid #ccc;padding-left:.8em}summary{cursor:pointer;font-weight:bold}"
    "ul.bib{list-style:none;padding-left:0}ul.bib li{margin:.4em 0}.idsrc{color:#555;font-size:90%}"
)

#: Sorting (click a header; a cell that starts with a number, after an
#: optional '[', sorts by that number, before the text cells, which sort
#: case-insensitively; click again to reverse) and filtering (rows whose text contains every word
#: typed).  Following a link to a row hidden by a filter clears the filter; a
#: link into a folded part opens it.
_SCRIPT = r"""
(function(){
function key(td){var t=td?td.textContent.trim():'';
 var m=t.replace(/^\[/,'').match(/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i);
 return m?[0,parseFloat(m[0]),t]:[1,0,t.toLowerCase()];}
function cmp(a,b){if(a[0]!==b[0])return a[0]-b[0];if(a[0]===0&&a[1]!==b[1])return a[1]-b[1];
 return a[2]<b[2]?-1:a[2]>b[2]?1:0;}
document.querySelectorAll('table.data').forEach(function(tb){
 var body=tb.tBodies[0];var ths=tb.tHead.rows[0].cells;
 Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){
  var asc=th.getAttribute('aria-sort')!=='ascending';
  Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',asc?'ascending':'descending');
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(r,s){var c=cmp(key(r.cells[i]),key(s.cells[i]));return asc?c:-c;});
  rows.forEach(function(r){body.appendChild(r);});});});
 var f=document.createElement('input');f.type='search';f.className='filter';
 f.placeholder='filter rows ('+body.rows.length+')';f.setAttribute('aria-label','filter table rows');
 f.addEventListener('input',function(){var w=f.value.toLowerCase().split(/\s+/).filter(Boolean);
  Array.prototype.forEach.call(body.rows,function(r){var t=r.textContent.toLowerCase();
   r.hidden=!w.every(function(x){return t.indexOf(x)>=0;});});});
 tb.parentNode.insertBefore(f,tb);});
function reveal(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&document.getElementById(id);
 if(!el)return;var d=el.closest('details');var moved=false;
 while(d){if(!d.open){d.open=true;moved=true;}d=d.parentElement&&d.parentElement.closest('details');}
 if(el.hidden){var tb=el.closest('table');var f=tb&&tb.previousElementSibling;
  if(f&&f.classList.contains('filter')){f.value='';f.dispatchEvent(new Event('input'));}moved=true;}
 if(moved)el.scrollIntoView();}
window.addEventListener('hashchange',reveal);reveal();
})();
"""
