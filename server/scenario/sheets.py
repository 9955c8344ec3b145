"""Spreadsheets in and out: CSV as Excel and LibreOffice write it, and XLSX (openpyxl).

A `Table` is a header and rows of cells, each row with the line (CSV) or sheet row (XLSX) it
came from, for error messages. CSV is read whatever Excel did to it: a UTF-8 byte-order mark,
`;` or tab separators (the separator of the header line wins), Windows-1252 when the file is
not UTF-8. XLSX cells keep their types (numbers, dates, times, durations) so that times can be
read as the trainer typed them; `columns` finds columns by the names trainers use.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

XLSX_SUFFIXES = (".xlsx", ".xlsm")
SEPARATORS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]
    """(line or sheet row, cells) for each row that is not empty."""


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in XLSX_SUFFIXES


def read_table(path: Path) -> Table:
    """A CSV or XLSX file as a table (OSError when it cannot be read, ValueError when not a sheet)."""
    if is_xlsx(path):
        return read_xlsx(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what Excel on Windows saves as "CSV"
    return parse_csv_text(text)


def parse_csv_text(text: str) -> Table:
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max(SEPARATORS, key=first.count) if any(s in first for s in SEPARATORS) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
        else:
            rows.append((reader.line_num, cells))
    return Table(header or [], rows)


def read_xlsx(path: Path) -> Table:
    """The first sheet (or the one named MSEL / Roster) of a workbook, with typed cells."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError, InvalidFileException ...
        raise ValueError(f"not an XLSX workbook: {error}") from None
    try:
        named = [sheet for sheet in book.worksheets if sheet.title.strip().lower() in ("msel", "roster")]
        sheet = named[0] if named else book.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if value is None else value for value in values]
            if not any(str(cell).strip() for cell in cells):
                continue
            if header is None:
                header = [str(cell).strip() for cell in cells]
            else:
                rows.append((number, cells))
        return Table(header or [], rows)
    finally:
        book.close()


def normalise(name: str) -> str:
    """A header as compared: lower case, `_`/`-` as spaces, no trailing `:` or `*`."""
    text = re.sub(r"[_\-]+", " ", name.strip().lower())
    return re.sub(r"\s+", " ", text).rstrip(":* ").strip()


def columns(header: Sequence[str], aliases: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """For each canonical column, the index of the first header that is one of its names."""
    names = {normalise(alias): column for column, known in aliases.items() for alias in (column, *known)}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        column = names.get(normalise(title))
        if column is not None and column not in found:
            found[column] = index
    return found


def cell(cells: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def text(value: Any) -> str:
    """A cell as text: numbers without a spurious `.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_xlsx(path: Path, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """One sheet: a bold, frozen header, columns sized to their content, long texts wrapped.

    Every value is written as it is: a text that starts with `=` stays a text, not a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(header))
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    widths = [len(str(name)) for name in header]
    for values in rows:
        sheet.append(list(values))
        for index, value in enumerate(values):
            target = sheet.cell(row=sheet.max_row, column=index + 1)
            if isinstance(value, str) and value.startswith("="):
                target.data_type = "s"
            longest = max((len(line) for line in str(value).splitlines()), default=0)
            widths[index] = max(widths[index], min(longest, 60))
            if isinstance(value, str) and (len(value) > 60 or "\n" in value):
                target.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    sheet.freeze_panes = "A2"
    book.save(path)
