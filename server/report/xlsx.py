"""The XLSX workbook: one sheet per section that has one, a header row and the data (numbers as
numbers), every row (the HTML and the PDF cut long tables)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from server.core.debrief import Debrief
from server.report.sections import facts, sections, title

SHEETS = ("timeline", "requests", "metrics", "diffusion", "observations", "feedback", "improvements")
"""The sheets every workbook has (besides `about` and the request summary)."""


def xlsx(debrief: Debrief, team: str | None = None) -> bytes:
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "about"
    about.append([title(debrief, team)])
    about["A1"].font = Font(bold=True, size=14)
    for key, value in facts(debrief, team):
        about.append([key, value])
    bold = Font(bold=True)
    for section in sections(debrief, team):
        if section.sheet is None:
            continue
        sheet = book.create_sheet(section.sheet)
        sheet.append(list(section.table.header))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for row in section.table.rows:
            sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
