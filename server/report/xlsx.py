"""The XLSX workbook: one sheet per section that has one, a header row and the data (numbers as
numbers), every row (the HTML and the PDF cut long tables)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from server.core.debrief import Debrief
from server.report.sections import facts, sections, title

SHEETS = ("timeline", "requests", "metrics", "diffusion", "observations", "feedback", "improvements")
"""The sheets every workbook has (besides `about` and the request summary)."""


def xlsx(debrief: Debrief, team: str | None = None) -> bytes:
    book = Workbook(write_only=True)  # streams the rows: a long timeline in seconds
    about = book.create_sheet("about")
    heading = WriteOnlyCell(about, title(debrief, team))
    heading.font = Font(bold=True, size=14)
    about.append([heading])
    for key, value in facts(debrief, team):
        about.append([key, value])
    bold = Font(bold=True)
    for section in sections(debrief, team):
        if section.sheet is None:
            continue
        sheet = book.create_sheet(section.sheet)
        sheet.freeze_panes = "A2"
        header = []
        for name in section.table.header:
            cell = WriteOnlyCell(sheet, name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in section.table.rows:
            sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
