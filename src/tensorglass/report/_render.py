"""Render the report, as Markdown and as HTML with the same content.

The HTML is one self-contained file: a table of contents, an anchor on every
heading, figure and entry row (``id`` = the entry's id), and tables that sort
(click a column header) and filter (type in the box above) with a few lines
of dependency-free JavaScript (:data:`_SCRIPT`).  Inline text may contain
```code``` (rendered as ``<code>``) and the seed numbers 000-004, which are
rendered as the papers' names linked to the bibliography.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

#: seed numbers as words: not inside an id such as 001.table.x or a number such as 0.001
_CITE = re.compile(r"(?<![\w.])(?<!\de-)(00[0-4])(?!\w|\.\w)")
_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Link:
    """A table cell or text that links to ``#anchor``."""

    text: str
    anchor: str


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "section"


class Doc:
    """A list of blocks rendered to both formats.

    ``citations`` maps a seed number ("001") to ``(short name, full reference)``;
    the bibliography anchors are ``ref-001`` etc.
    """

    def __init__(self, citations: dict | None = None):
        self.blocks = []
        self.citations = citations or {}
        self._anchors = set()

    # ---- building -------------------------------------------------------------------------------------
    def _anchor(self, text):
        base = a = slug(text)
        k = 2
        while a in self._anchors:
            a, k = f"{base}-{k}", k + 1
        self._anchors.add(a)
        return a

    def h(self, level, text, anchor=None):
        self.blocks.append(("h", level, text, anchor or self._anchor(text)))

    def toc(self):
        """Placeholder for the table of contents (headings of level 2 and 3)."""
        self.blocks.append(("toc",))

    def p(self, text):
        self.blocks.append(("p", text))

    def table(self, header, rows, anchor_col=None, caption=None):
        """A sortable, filterable table; with ``anchor_col`` the cells of that
        column become the rows' anchors (entry ids)."""
        self.blocks.append(("table", list(header), [list(r) for r in rows], anchor_col, caption))

    def img(self, path, caption, anchor=None):
        self.blocks.append(("img", path, caption, anchor or self._anchor("fig-" + path.rsplit("/", 1)[-1])))

    def bullets(self, items):
        self.blocks.append(("ul", list(items)))

    def bibliography(self):
        """The numbered list of the papers in ``citations``."""
        self.blocks.append(("bib",))

    def headings(self):
        return [(b[1], b[2], b[3]) for b in self.blocks if b[0] == "h" and b[1] in (2, 3)]

    # ---- inline text ----------------------------------------------------------------------------------
    def plain(self, text) -> str:
        """Text with seed numbers replaced by the papers' short names."""
        return _CITE.sub(lambda m: self.citations[m.group(1)][0] if m.group(1) in self.citations else m.group(1),
                         str(text)).replace("`", "")

    def _md_inline(self, text) -> str:
        def cite(m):
            k = m.group(1)
            return f"[{self.citations[k][0]}](#ref-{k})" if k in self.citations else k
        return _CITE.sub(cite, str(text))

    def _html_inline(self, text) -> str:
        parts = _CODE.split(str(text))           # odd indices were inside backticks
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(f"<code>{html.escape(part)}</code>")
                continue
            pos = 0
            for m in _CITE.finditer(part):
                out.append(html.escape(part[pos:m.start()]))
                k = m.group(1)
                if k in self.citations:
                    name, full = self.citations[k]
                    out.append(f"<a class='cite' href='#ref-{k}' title='{html.escape(full)}'>{html.escape(name)}</a>")
                else:
                    out.append(html.escape(k))
                pos = m.end()
            out.append(html.escape(part[pos:]))
        return "".join(out)

    # ---- Markdown -------------------------------------------------------------------------------------
    def markdown(self) -> str:
        out = []
        esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out.append(f'<a id="{b[3]}"></a>\n\n' + "#" * b[1] + " " + self.plain(b[2]))
            elif kind == "toc":
                out.append("**Contents**\n")
                out.extend(("  " if lvl == 3 else "") + f"- [{self.plain(t)}](#{a})" for lvl, t, a in self.headings())
            elif kind == "p":
                out.append(self._md_inline(b[1]))
            elif kind == "ul":
                out.extend(f"- {self._md_inline(it)}" for it in b[1])
            elif kind == "img":
                out.append(f'<a id="{b[3]}"></a>\n\n![{self.plain(b[2])}]({b[1]})\n\n*{self._md_inline(b[2])}*')
            elif kind == "bib":
                out.extend(f'- <a id="ref-{k}"></a>[{k}] {esc(full)}' for k, (_, full) in self.citations.items())
            else:
                header, rows, anchor_col, caption = b[1], b[2], b[3], b[4]
                if caption:
                    out.append(f"*{self._md_inline(caption)}*\n")
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
                            cells.append(esc(self._md_inline(c)))
                    out.append("| " + " | ".join(cells) + " |")
            out.append("")
        return "\n".join(out)

    # ---- HTML -----------------------------------------------------------------------------------------
    def html(self, title) -> str:
        e = html.escape
        out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
               f"<style>{_STYLE}</style></head><body>"]
        n_table = 0
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out.append(f"<h{b[1]} id='{e(b[3])}'>{self._html_inline(b[2])}</h{b[1]}>")
            elif kind == "toc":
                out.append("<nav id='toc'><h2>Contents</h2><ul>")
                for lvl, t, a in self.headings():
                    out.append(f"<li class='toc{lvl}'><a href='#{e(a)}'>{e(self.plain(t))}</a></li>")
                out.append("</ul></nav>")
            elif kind == "p":
                out.append(f"<p>{self._html_inline(b[1])}</p>")
            elif kind == "ul":
                out.append("<ul>" + "".join(f"<li>{self._html_inline(it)}</li>" for it in b[1]) + "</ul>")
            elif kind == "img":
                out.append(f"<figure id='{e(b[3])}'><img src='{e(b[1])}' alt='{e(self.plain(b[2]))}'>"
                           f"<figcaption>{self._html_inline(b[2])}</figcaption></figure>")
            elif kind == "bib":
                out.append("<ol class='bib'>" + "".join(
                    f"<li id='ref-{e(k)}' value='{int(k)}'>[{e(k)}] {e(full)}</li>"
                    for k, (_, full) in self.citations.items()) + "</ol>")
            else:
                n_table += 1
                out.append(self._html_table(b[1], b[2], b[3], b[4], n_table))
        out.append(f"<script>{_SCRIPT}</script></body></html>")
        return "\n".join(out)

    def _html_table(self, header, rows, anchor_col, caption, n):
        e = html.escape
        out = [f"<table class='data' id='table-{n}'>"]
        if caption:
            out.append(f"<caption>{self._html_inline(caption)}</caption>")
        out.append("<thead><tr>" + "".join(f"<th title='click to sort'>{self._html_inline(c)}</th>" for c in header)
                   + "</tr></thead><tbody>")
        for r in rows:
            rid = f" id='{e(str(r[anchor_col]))}'" if anchor_col is not None else ""
            cells = []
            for c in r:
                if isinstance(c, Link):
                    cells.append(f"<td><a href='#{e(c.anchor)}'>{e(c.text)}</a></td>")
                    continue
                c = str(c)
                cls = f" class='{c}'" if c in ("reproduced", "discrepancy", "not-checkable") else ""
                cells.append(f"<td{cls}>{self._html_inline(c)}</td>")
            out.append(f"<tr{rid}>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        return "\n".join(out)


_STYLE = (
    "body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;line-height:1.4}"
    "table{border-collapse:collapse;font-size:85%;margin:.3em 0 1.2em}td,th{border:1px solid #bbb;padding:2px 6px;"
    "vertical-align:top}th{background:#eee;cursor:pointer;user-select:none}"
    "th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}"
    ".reproduced{color:#060}.discrepancy{color:#b00;font-weight:bold}.not-checkable{color:#777}"
    "tr:target{background:#ffef9e}h2:target,h3:target{background:#ffef9e}"
    "img{max-width:100%}figcaption{font-style:italic;font-size:90%}caption{text-align:left;font-style:italic}"
    "input.filter{margin-top:.5em;width:20em}#toc li.toc3{margin-left:1.5em;list-style:circle}"
    "code{background:#f3f3f3;padding:0 2px}a.cite{text-decoration:none;border-bottom:1px dotted}"
)

#: Sorting (click a header; a cell that starts with a number, after an
#: optional '[', sorts by that number, before the text cells, which sort
#: case-insensitively; click again to reverse) and filtering (rows whose text contains every word
#: typed).  Following a link to a row hidden by a filter clears the filter.
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
 if(el&&el.hidden){var tb=el.closest('table');var f=tb&&tb.previousElementSibling;
  if(f&&f.classList.contains('filter')){f.value='';f.dispatchEvent(new Event('input'));}el.scrollIntoView();}}
window.addEventListener('hashchange',reveal);reveal();
})();
"""
