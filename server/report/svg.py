"""Charts as inline SVG (for the HTML report)."""

from __future__ import annotations

from html import escape

from server.report.charts import Chart, Circle, Line, Rect, Text


def svg(chart: Chart) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {chart.width:.0f} '
        f'{chart.height:.0f}" width="{chart.width:.0f}" height="{chart.height:.0f}">',
        f"<title>{escape(chart.title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1f6feb"/></marker></defs>',
    ]
    for shape in chart.shapes:
        match shape:
            case Rect():
                tip = f"<title>{escape(shape.title)}</title>" if shape.title else ""
                parts.append(
                    f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" height="{shape.h:.1f}" '
                    f'fill="{shape.fill}">{tip}</rect>'
                )
            case Line():
                end = ' marker-end="url(#arrow)"' if shape.arrow else ""
                parts.append(
                    f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                    f'stroke="{shape.stroke}" stroke-width="{shape.width:.1f}"{end}/>'
                )
            case Circle():
                tip = f"<title>{escape(shape.title)}</title>" if shape.title else ""
                parts.append(
                    f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{shape.r:.1f}" fill="{shape.fill}" '
                    f'stroke="#57606a" stroke-width="0.5">{tip}</circle>'
                )
            case Text():
                parts.append(
                    f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size:.0f}" '
                    f'text-anchor="{shape.anchor}" fill="{shape.fill}">{escape(shape.text)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)
