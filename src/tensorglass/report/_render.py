"""Render the report, as Markdown and as HTML with the same content."""

from __future__ import annotations

import html


class Doc:
    """A list of blocks rendered to both formats."""

    def __init__(self):
        self.blocks = []

    def h(self, level, text):
        self.blocks.append(("h", level, text))

    def p(self, text):
        self.blocks.append(("p", text))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))

    def img(self, path, caption):
        self.blocks.append(("img", path, caption))

    def bullets(self, items):
        self.blocks.append(("ul", items))

    def markdown(self) -> str:
        out = []
        for b in self.blocks:
            if b[0] == "h":
                out.append("#" * b[1] + " " + b[2])
            elif b[0] == "p":
                out.append(b[1])
            elif b[0] == "ul":
                out.extend(f"- {it}" for it in b[1])
            elif b[0] == "img":
                out.append(f"![{b[2]}]({b[1]})\n\n*{b[2]}*")
            else:
                header, rows = b[1], b[2]
                esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
                out.append("| " + " | ".join(esc(c) for c in header) + " |")
                out.append("|" + "---|" * len(header))
                out.extend("| " + " | ".join(esc(c) for c in r) + " |" for r in rows)
            out.append("")
        return "\n".join(out)

    def html(self, title) -> str:
        e = html.escape
        out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
               "<style>body{font-family:sans-serif;max-width:1150px;margin:2em auto;line-height:1.4}"
               "table{border-collapse:collapse;font-size:85%;margin:1em 0}td,th{border:1px solid #bbb;padding:2px 6px;"
               "vertical-align:top}th{background:#eee}.reproduced{color:#060}.discrepancy{color:#b00;font-weight:bold}"
               ".not-checkable{color:#777}img{max-width:100%}figcaption{font-style:italic;font-size:90%}</style>"
               "</head><body>"]
        for b in self.blocks:
            if b[0] == "h":
                out.append(f"<h{b[1]}>{e(b[2])}</h{b[1]}>")
            elif b[0] == "p":
                out.append(f"<p>{e(b[1])}</p>")
            elif b[0] == "ul":
                out.append("<ul>" + "".join(f"<li>{e(it)}</li>" for it in b[1]) + "</ul>")
            elif b[0] == "img":
                out.append(f"<figure><img src='{e(b[1])}' alt='{e(b[2])}'><figcaption>{e(b[2])}</figcaption></figure>")
            else:
                header, rows = b[1], b[2]
                out.append("<table><tr>" + "".join(f"<th>{e(str(c))}</th>" for c in header) + "</tr>")
                for r in rows:
                    cells = []
                    for c in r:
                        c = str(c)
                        cls = f" class='{c}'" if c in ("reproduced", "discrepancy", "not-checkable") else ""
                        cells.append(f"<td{cls}>{e(c)}</td>")
                    out.append("<tr>" + "".join(cells) + "</tr>")
                out.append("</table>")
        out.append("</body></html>")
        return "\n".join(out)
