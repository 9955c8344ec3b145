"""`liaison exercise create` with a roster from a spreadsheet, and the join codes written as CSV
(by the csv module: names with commas and quotes survive) or XLSX, read back as a trainer would."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook, load_workbook

from tests.e2e.servers import ADMIN_TOKEN, ServerProcess

PEOPLE = [
    ("Costa, Sara", "SUD", "police"),
    ('Nils "Nisse" Berg', "NOR", "police"),
    ("Dana Director", "", "director"),
    ("Ola Strand; jr.", "NOR", "social_worker"),
]


def _create(
    server: ServerProcess, roster: Path, codes: Path, exercise: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", "exercise", "create", "--server", server.url, "--token", ADMIN_TOKEN,
         "--scenario", "twin-ports", "--roster", str(roster), "--codes-out", str(codes), "--id", exercise],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_a_roster_from_xlsx_and_the_codes_as_csv(server: ServerProcess, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Participant", "Country", "Function"])
    for row in PEOPLE:
        sheet.append(list(row))
    roster = tmp_path / "roster.xlsx"
    book.save(roster)
    codes = tmp_path / "codes.csv"
    done = _create(server, roster, codes, "sheets-csv")
    assert done.returncode == 0, done.stderr
    with codes.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["name"], r["team"], r["role"]) for r in rows] == PEOPLE
    assert all(len(r["code"]) == 19 for r in rows)
    assert oct(codes.stat().st_mode & 0o777) == "0o600"


def test_a_roster_from_an_excel_csv_and_the_codes_as_xlsx(server: ServerProcess, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f, delimiter=";").writerows([("name", "team", "role"), *PEOPLE])
    codes = tmp_path / "codes.xlsx"
    done = _create(server, roster, codes, "sheets-xlsx")
    assert done.returncode == 0, done.stderr
    cells = [list(row) for row in load_workbook(codes).worksheets[0].iter_rows(values_only=True)]
    assert cells[0] == ["participant", "name", "team", "role", "code"]
    assert [(name, team or "", role) for _, name, team, role, _ in cells[1:]] == PEOPLE
    assert oct(codes.stat().st_mode & 0o777) == "0o600"
