"""The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched),
readable in any browser without an account, printable."""

from __future__ import annotations

from html import escape

from server.core.debrief import Debrief
from server.report.sections import TABLE_ROWS, Section, facts, sections, shown, title
from server.report.svg import svg

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #24292f; margin: 2rem auto; max-width: 1100px;
  padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
dl.facts dt { color: #57606a; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; font-size: 12px; margin: .6rem 0; }
th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } .note { color: #57606a; }
svg.chart { max-width: 100%; height: auto; display: block; margin: .8rem 0; }
.met { color: #1a7f37; } .not-met { color: #d1242f; } .answers li { margin: .3rem 0; }
@media print { h2 { break-before: auto; } svg.chart { break-inside: avoid; } }
"""


def html(debrief: Debrief, team: str | None = None) -> str:
    heading = title(debrief, team)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(heading)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(heading)}</h1>",
        '<dl class="facts">',
        *(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts(debrief, team)),
        "</dl>",
    ]
    for section in sections(debrief, team):
        parts.append(_section(section))
    parts.append("</body></html>")
    return "\n".join(parts)


def _section(section: Section) -> str:
    anchor = section.title.lower().replace(" ", "-")
    parts = [f'<section id="{escape(anchor)}"><h2>{escape(section.title)}</h2>']
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    if section.lines:
        parts.append(
            '<ul class="answers">' + "".join(f"<li>{escape(line)}</li>" for line in section.lines) + "</ul>"
        )
    parts += [svg(chart) for chart in section.charts]
    table = section.table
    rows = table.rows[:TABLE_ROWS]
    if not table.rows:
        parts.append('<p class="note">Nothing recorded.</p>')
    parts.append(
        "<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in table.header) + "</tr></thead><tbody>"
    )
    for row in rows:
        parts.append("<tr>" + "".join(_cell(value) for value in row) + "</tr>")
    parts.append("</tbody></table>")
    if len(table.rows) > TABLE_ROWS:
        parts.append(
            f'<p class="note">The first {TABLE_ROWS} of {len(table.rows):,} rows; '
            "the workbook has them all.</p>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _cell(value: object) -> str:
    text = shown(value)  # type: ignore[arg-type]
    css = {"met": ' class="met"', "not met": ' class="not-met"'}.get(text, "")
    return f"<td{css}>{escape(text)}</td>"
