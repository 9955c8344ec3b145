"""The MSEL and the roster as spreadsheets: XLSX and CSV out and in, read back with openpyxl, and the
sheets trainers make themselves (their own headers, times, `;` CSV with a byte-order mark)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import to_excel

from server.cli import main
from server.core.simtime import DAY, HOUR, MINUTE
from server.scenario.loader import load_scenario
from server.scenario.msel import COLUMNS
from server.scenario.roster import load_roster
from server.scenario.sheet_time import first_date, parse_when
from server.scenario.sheets import parse_csv_text

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
START = 8 * HOUR + 30 * MINUTE  # D1 08:30, STARTEX of both shipped scenarios


def xlsx_rows(path: Path) -> list[list[Any]]:
    book = load_workbook(path, read_only=True)
    try:
        return [
            ["" if v is None else v for v in row] for row in book.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        book.close()


def save_xlsx(path: Path, rows: list[list[Any]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)


@pytest.mark.parametrize("name", ["greenhouse", "twin-ports"])
def test_the_msel_round_trips_exactly_through_xlsx(tmp_path: Path, name: str) -> None:
    workbook, sheet = tmp_path / "msel.xlsx", tmp_path / "msel.csv"
    assert main(["scenario", "msel", "export", str(SCENARIOS / name), "--out", str(workbook)]) == 0
    assert main(["scenario", "msel", "export", str(SCENARIOS / name), "--out", str(sheet)]) == 0
    cells = xlsx_rows(workbook)
    assert cells == list(csv.reader(io.StringIO(sheet.read_text())))  # the same cells, all texts
    assert tuple(cells[0]) == COLUMNS
    copy = tmp_path / "copy"
    assert main(["scenario", "msel", "import", str(SCENARIOS / name), str(workbook), "--out", str(copy)]) == 0
    assert load_scenario(copy) == load_scenario(SCENARIOS / name)
    again = tmp_path / "again.xlsx"
    assert main(["scenario", "msel", "export", str(copy), "--out", str(again)]) == 0
    assert xlsx_rows(again) == cells


def test_a_text_that_looks_like_a_formula_stays_a_text(tmp_path: Path) -> None:
    folder = tmp_path / "twin-ports"
    shutil.copytree(SCENARIOS / "twin-ports", folder)
    sheet = tmp_path / "msel.csv"
    assert main(["scenario", "msel", "export", str(folder), "--out", str(sheet)]) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text())))
    rows[0]["body"] = "=1+1 is what the harbour master wrote"
    with sheet.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["scenario", "msel", "import", str(folder), str(sheet)]) == 0
    workbook = tmp_path / "msel.xlsx"
    assert main(["scenario", "msel", "export", str(folder), "--out", str(workbook)]) == 0
    assert xlsx_rows(workbook)[1][COLUMNS.index("body")] == "=1+1 is what the harbour master wrote"
    assert load_workbook(workbook).worksheets[0].cell(2, COLUMNS.index("body") + 1).data_type == "s"


def _trainer_time(i: int, at: int) -> tuple[Any, Any]:
    """The planned time `at` (simulated seconds) written the ways trainers write it, in turn;
    with what the Day column says."""
    offset = at - START
    day, rest = divmod(at, DAY)
    moment = dt.datetime(2026, 5, 4) + dt.timedelta(seconds=at)
    forms: list[tuple[Any, Any]] = [
        (f"D+{offset // DAY} H+{offset % DAY // HOUR} M+{offset % HOUR // MINUTE}", ""),
        (f"+{offset // MINUTE} min", ""),
        (f"D{day + 1} {rest // HOUR:02d}:{rest % HOUR // MINUTE:02d}", ""),
        (moment, ""),  # a date cell
        (to_excel(moment), ""),  # the serial number of a date
        (dt.time(rest // HOUR, rest % HOUR // MINUTE), f"D{day + 1}"),  # a time cell and the day
        (f"{rest // HOUR}:{rest % HOUR // MINUTE:02d}", day + 1),
        (dt.timedelta(seconds=offset), ""),  # a duration cell
    ]
    return forms[i % len(forms)]


@pytest.mark.parametrize("name", ["greenhouse", "twin-ports"])
def test_a_trainers_own_sheet_with_their_headers_and_times_gives_the_same_scenario(
    tmp_path: Path, name: str
) -> None:
    scenario = load_scenario(SCENARIOS / name)
    header = ["Inject No.", "Day", "DTG", "Inject", "Method", "Sender", "Recipient", "Description",
              "Expected action", "Objective", "Remarks"]  # fmt: skip
    rows: list[list[Any]] = [header]
    for i, inject in enumerate(scenario.injects):
        when, day = ("", "") if inject.at is None else _trainer_time(i, inject.at)
        rows.append([
            inject.id, day, when, inject.title, str(inject.channel).capitalize(), inject.sender,
            _audience(inject), inject.body, ", ".join(inject.expected_actions),
            "; ".join(sorted(inject.objectives)), "not read",
        ])  # fmt: skip
    workbook = tmp_path / "trainer.xlsx"
    save_xlsx(workbook, rows)
    out = tmp_path / "out"
    assert main(["scenario", "msel", "import", str(SCENARIOS / name), str(workbook), "--out", str(out),
                 "--d1", "2026-05-04"]) == 0  # fmt: skip
    assert load_scenario(out) == scenario


def _audience(inject: Any) -> str:
    from server.scenario.loader import format_audience

    return format_audience(inject.audience)


def test_a_csv_as_excel_writes_it_with_a_bom_and_semicolons(tmp_path: Path) -> None:
    sheet = tmp_path / "msel.csv"
    assert main(["scenario", "msel", "export", str(SCENARIOS / "greenhouse"), "--out", str(sheet)]) == 0
    rows = list(csv.reader(io.StringIO(sheet.read_text())))
    excel = tmp_path / "excel.csv"
    with excel.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)
    assert excel.read_bytes().startswith(b"\xef\xbb\xbf")
    out = tmp_path / "out"
    assert (
        main(["scenario", "msel", "import", str(SCENARIOS / "greenhouse"), str(excel), "--out", str(out)])
        == 0
    )
    assert load_scenario(out) == load_scenario(SCENARIOS / "greenhouse")


def test_a_dry_run_shows_what_would_change_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "greenhouse"
    shutil.copytree(SCENARIOS / "greenhouse", folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    workbook = tmp_path / "msel.xlsx"
    assert main(["scenario", "msel", "export", str(folder), "--out", str(workbook)]) == 0
    rows = xlsx_rows(workbook)
    header = rows[0]
    column = {name: header.index(name) for name in header}
    for row in rows[1:]:
        if row[column["id"]] == "I-05":
            row[column["time"]] = "D+0 H+3"
            row[column["title"]] = "Neighbour calls again"
    rows = [row for row in rows if row[column["id"]] != "I-29"]
    new = dict.fromkeys(header, "") | {
        "id": "I-31", "time": "D3 15:30", "title": "Closing words", "channel": "meeting",
        "from": "Exercise director", "to": "all", "body": "Thank you all.",
    }  # fmt: skip
    rows.append([new[name] for name in header])
    save_xlsx(workbook, rows)
    capsys.readouterr()
    assert main(["scenario", "msel", "import", str(folder), str(workbook), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        "~ I-05: time 'D+0 H+2 M+30' → 'D+0 H+3 M+0'; "
        "title 'Brenna: neighbour complains about the flat at Mill Street 7' → 'Neighbour calls again'"
    ) in out
    assert any(line.startswith("+ I-31 'Closing words' at D+2 H+7 M+0") for line in out)
    assert any(line.startswith("- I-29 ") for line in out)
    assert out[-1].startswith("dry run: 3 change(s); nothing written")
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert main(["scenario", "msel", "import", str(folder), str(workbook)]) == 0  # now for real
    injects = {inject.id: inject for inject in load_scenario(folder).injects}
    assert injects["I-05"].at == START + 3 * HOUR and "I-31" in injects and "I-29" not in injects


@pytest.mark.parametrize(
    ("value", "day", "offset"),
    [
        ("D+1 H+2 M+30", "", DAY + 2 * HOUR + 30 * MINUTE),
        ("D+1 H+2", "", DAY + 2 * HOUR),
        ("d+0 h+36", "", 36 * HOUR),
        ("H+3", "", 3 * HOUR),
        ("+90 min", "", 90 * MINUTE),
        ("+90", "", 90 * MINUTE),
        ("+1h30", "", 90 * MINUTE),
        ("+1:30", "", 90 * MINUTE),
        ("T+2 h", "", 2 * HOUR),
        ("+2 days 3 hours", "", 2 * DAY + 3 * HOUR),
        ("D2 09:00", "", DAY + 30 * MINUTE),
        ("Day 2 0900", "", DAY + 30 * MINUTE),
        ("D1T10:00", "", 90 * MINUTE),
        ("09:00", "", 30 * MINUTE),
        ("09:00", "D3", 2 * DAY + 30 * MINUTE),
        ("9.00", 2, DAY + 30 * MINUTE),
        (dt.time(12, 0), "", 3 * HOUR + 30 * MINUTE),
        (dt.timedelta(hours=5), "", 5 * HOUR),
        (dt.datetime(2026, 5, 5, 9, 0), "", DAY + 30 * MINUTE),
        ("2026-05-05 09:00", "", DAY + 30 * MINUTE),
        (to_excel(dt.datetime(2026, 5, 5, 9, 0)), "", DAY + 30 * MINUTE),
        (str(to_excel(dt.datetime(2026, 5, 6, 8, 30))), "", 2 * DAY),
        (0.5, "", 3 * HOUR + 30 * MINUTE),  # an Excel time of day: noon
        ("", "", None),
    ],
)
def test_times_as_trainers_write_them(value: Any, day: Any, offset: int | None) -> None:
    assert parse_when(value, START, d1=dt.date(2026, 5, 4), day=day) == offset


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", "expected a time after STARTEX like 'D+1 H+2 M+30', got 'tomorrow'"),
        ("D1 07:00", "'D1 07:00' is before STARTEX"),
        ("D2 25:00", "hours go to 23"),
        ("D+1 D+2", "expected a time after STARTEX"),
        (1234, "expected a time after STARTEX"),
    ],
)
def test_times_that_cannot_be_read_say_why(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_when(value, START, d1=dt.date(2026, 5, 4))


def test_without_a_date_for_d1_the_earliest_date_is_d1() -> None:
    cells = ["D+0 H+1", dt.datetime(2026, 5, 6, 10, 0), "", to_excel(dt.datetime(2026, 5, 5, 8, 30))]
    assert first_date(cells) == dt.date(2026, 5, 5)
    assert parse_when(cells[1], START, d1=first_date(cells)) == DAY + 90 * MINUTE
    with pytest.raises(ValueError, match="needs the date of D1"):
        parse_when(cells[1], START)


def test_the_roster_comes_from_xlsx_and_excel_csv_with_trainers_headers(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "greenhouse")
    expected = load_roster(SCENARIOS / "greenhouse" / "roster.csv", scenario)
    rows = list(csv.reader(io.StringIO((SCENARIOS / "greenhouse" / "roster.csv").read_text())))
    assert rows[0] == ["name", "team", "role"]
    workbook = tmp_path / "roster.xlsx"
    save_xlsx(workbook, [["Participant", "Country", "Function"], *rows[1:]])
    assert load_roster(workbook, scenario) == expected
    excel = tmp_path / "roster.csv"
    with excel.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f, delimiter=";").writerows([["Name", "Team", "Role"], *rows[1:]])
    assert load_roster(excel, scenario) == expected


def test_csv_separators_are_those_of_the_header_line() -> None:
    table = parse_csv_text('\ufeffname;team;role\n"Costa, Sara";SUD;police\n\n')
    assert table.header == ["name", "team", "role"]
    assert table.rows == [(2, ["Costa, Sara", "SUD", "police"])]
    assert parse_csv_text("a\tb\n1\t2\n").rows == [(2, ["1", "2"])]
