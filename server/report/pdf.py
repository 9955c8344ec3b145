"""The PDF report, drawn with reportlab: the same sections, tables and charts as the HTML.

reportlab is pure Python with prebuilt wheels on PyPI (and `python3-reportlab` in Debian),
needs no system library and no network, and has been maintained since 2000; WeasyPrint would
need Pango and friends, and a headless browser is too heavy for a command-line report.
"""

from __future__ import annotations

import math
from io import BytesIO
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle as RCircle
from reportlab.graphics.shapes import Drawing, Polygon, String
from reportlab.graphics.shapes import Line as RLine
from reportlab.graphics.shapes import Rect as RRect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from server.core.debrief import Debrief
from server.report.charts import Chart, Circle, Line, Rect, Text
from server.report.sections import TABLE_ROWS, Section, facts, sections, shown, title

ANCHORS: dict[str, Literal["start", "middle", "end"]] = {"start": "start", "middle": "middle", "end": "end"}
PAGE = landscape(A4)
WIDTH = PAGE[0] - 30 * mm


def pdf(debrief: Debrief, team: str | None = None) -> bytes:
    out = BytesIO()
    heading = title(debrief, team)
    document = SimpleDocTemplate(
        out, pagesize=PAGE, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
        title=heading, author="Liaison",
    )  # fmt: skip
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=7, leading=8.5)
    story: list[Flowable] = [Paragraph(escape(heading), styles["Title"])]
    story += [
        Paragraph(f"<b>{escape(k)}</b>: {escape(v)}", styles["BodyText"]) for k, v in facts(debrief, team)
    ]
    for section in sections(debrief, team):
        story += _section(section, styles, small)
    document.build(story)
    return out.getvalue()


def _section(section: Section, styles: StyleSheet1, small: ParagraphStyle) -> list[Flowable]:
    story: list[Flowable] = [Spacer(1, 6 * mm), Paragraph(escape(section.title), styles["Heading2"])]
    if section.note:
        story.append(Paragraph(escape(section.note), styles["Italic"]))
    story += [Paragraph(escape(line), styles["BodyText"]) for line in section.lines]
    story += [_drawing(chart) for chart in section.charts]
    table = section.table
    width = WIDTH / len(table.header)
    fits = int(width / (small.fontSize * 0.55))  # characters that fit on one line of a cell
    rows: list[list[str | Paragraph]] = [[Paragraph(f"<b>{escape(h)}</b>", small) for h in table.header]]
    rows += [[_cell(shown(v), fits, small) for v in row] for row in table.rows[:TABLE_ROWS]]
    if not table.rows:
        story.append(Paragraph("Nothing recorded.", styles["Italic"]))
    grid = LongTable(rows, colWidths=[width] * len(table.header), repeatRows=1)
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#d0d7de")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f6f8fa")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), small.fontSize),
    ]))  # fmt: skip
    story.append(grid)
    if len(table.rows) > TABLE_ROWS:
        story.append(
            Paragraph(
                f"The first {TABLE_ROWS} of {len(table.rows):,} rows; the workbook has them all.", small
            )
        )
    return story


def _cell(text: str, fits: int, style: ParagraphStyle) -> str | Paragraph:
    """Short text as it is (cheap); longer text as a paragraph that wraps in its cell."""
    return text if len(text) <= fits else Paragraph(escape(text), style)


def _drawing(chart: Chart) -> Drawing:
    """The chart's shapes in reportlab's coordinates (y upwards), scaled to the page width."""
    scale = min(1.0, WIDTH / chart.width)
    height = chart.height
    drawing = Drawing(chart.width * scale, height * scale)
    for shape in chart.shapes:
        match shape:
            case Rect():
                box = RRect(shape.x, height - shape.y - shape.h, shape.w, shape.h)
                box.fillColor, box.strokeColor = colors.HexColor(shape.fill), None
                drawing.add(box)
            case Line():
                colour = colors.HexColor(shape.stroke)
                drawing.add(RLine(shape.x1, height - shape.y1, shape.x2, height - shape.y2,
                                  strokeColor=colour, strokeWidth=shape.width))  # fmt: skip
                if shape.arrow:
                    drawing.add(_head(shape, height, colour))
            case Circle():
                drawing.add(RCircle(shape.x, height - shape.y, shape.r, fillColor=colors.HexColor(shape.fill),
                                    strokeColor=colors.HexColor("#57606a"), strokeWidth=0.5))  # fmt: skip
            case Text():
                fill = colors.HexColor(shape.fill)
                anchor = ANCHORS.get(shape.anchor, "start")
                drawing.add(String(shape.x, height - shape.y, shape.text, fontSize=shape.size,
                                   textAnchor=anchor, fillColor=fill))  # fmt: skip
    drawing.scale(scale, scale)
    return drawing


def _head(line: Line, height: float, colour: colors.Color) -> Polygon:
    x, y = line.x2, height - line.y2
    angle = math.atan2(y - (height - line.y1), x - line.x1)
    size = 4 + line.width
    left = (x - size * math.cos(angle - 0.45), y - size * math.sin(angle - 0.45))
    right = (x - size * math.cos(angle + 0.45), y - size * math.sin(angle + 0.45))
    return Polygon([x, y, *left, *right], fillColor=colour, strokeColor=None)
