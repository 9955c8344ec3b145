"""The reports of the flagship after a full play-through by the strong cohort: the PDF renders,
the workbook opens with the expected sheets, the HTML holds its charts; a team's report holds
what concerns that team."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

import pytest
from openpyxl import load_workbook

from server.core.debrief import Debrief
from server.report.html import html
from server.report.write import write_reports, zip_reports
from tests.core.debrief.cohorts import passive_debrief, strong_debrief

SHEETS = [
    "about", "metrics", "timeline", "requests", "request_flows", "diffusion", "legal_flags",
    "observations", "feedback", "improvements",
]  # fmt: skip


@pytest.fixture(scope="module")
def debrief() -> Debrief:
    return strong_debrief()


@pytest.fixture(scope="module")
def written(debrief: Debrief, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    return {path.name: path for path in write_reports(debrief, folder)}


def test_the_exercise_and_each_team_get_html_pdf_and_xlsx(written: dict[str, Path]) -> None:
    assert sorted(written) == sorted(
        f"EX1-{who}.{format}"
        for who in ("exercise", "team-VAR", "team-KAL", "team-WES")
        for format in ("html", "pdf", "xlsx")
    )


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm is not installed (apt-get install poppler-utils)"
)
def test_the_pdf_renders(written: dict[str, Path], tmp_path: Path) -> None:
    for name in ("EX1-exercise.pdf", "EX1-team-WES.pdf"):
        done = subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(written[name]), str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        (page,) = tmp_path.glob(f"{name}*.png")
        assert page.read_bytes().startswith(b"\x89PNG") and page.stat().st_size > 5_000  # text, not blank
    info = subprocess.run(
        ["pdfinfo", str(written["EX1-exercise.pdf"])], capture_output=True, text=True, check=True
    )
    assert "Title:           Operation Greenhouse" in info.stdout


def test_the_workbook_has_every_sheet_with_its_data(written: dict[str, Path]) -> None:
    book = load_workbook(written["EX1-exercise.xlsx"], read_only=True)
    assert book.sheetnames == SHEETS
    rows = {name: list(book[name].iter_rows(values_only=True)) for name in SHEETS}
    assert rows["requests"][0][:4] == ("id", "instrument", "from", "to")
    assert len(rows["requests"]) == 1 + 16
    eio = next(r for r in rows["requests"] if r[1] == "EIO")
    assert eio[2:4] == ("WES", "KAL") and eio[13] == 30  # minutes to answer, as a number
    metric = next(r for r in rows["metrics"] if r[1] == "M-GUARDIAN" and r[5] == "KAL")
    assert (metric[6], metric[8]) == (20700, "met")
    bank = [r for r in rows["diffusion"] if r[0] == "A-KAL-BANK-01"]
    assert [r[3] for r in bank] == ["KAL", "WES"]  # Kalmaria holds the records it sent, at its answer
    assert tuple(bank[1][i] for i in (0, 3, 4, 5)) == (
        "A-KAL-BANK-01",
        "WES",
        "D2 10:00",
        "request answer",
    )
    assert len(rows["timeline"]) > 60
    # Filled by the evaluation work: present, with their header rows.
    assert rows["observations"] == [
        ("time", "evaluator", "team", "objective", "inject or request", "rating", "observation")
    ]
    assert rows["feedback"] == [("question", "team", "respondent", "answer")]
    assert rows["improvements"] == [("recommendation", "objective", "owner", "due", "status")]
    assert rows["legal_flags"] == [("time", "request", "instrument", "from", "to", "rule", "ground")]


def test_the_html_is_self_contained_with_its_charts(written: dict[str, Path]) -> None:
    page = written["EX1-exercise.html"].read_text()
    assert page.count("<svg") == 1 + 1 + 1 + 5  # objectives, timeline, request flows, five key facts
    for title in ("<title>Objectives: metrics met per team</title>", "<title>Timeline</title>",
                  "<title>Request flows between countries (requests sent)</title>",
                  "<title>A-KAL-BANK-01: KalBank records"):  # fmt: skip
        assert title in page
    assert "<script" not in page and " src=" not in page and 'href="http' not in page  # nothing fetched
    assert "Westria: D2 10:00, by request answer from KAL" in page


def test_a_team_report_holds_what_concerns_the_team(written: dict[str, Path]) -> None:
    book = load_workbook(written["EX1-team-VAR.xlsx"], read_only=True)
    requests = list(book["requests"].iter_rows(values_only=True))[1:]
    assert requests and all("VAR" in (r[2], r[3]) for r in requests)
    assert len(requests) == 6  # WES → VAR 4, VAR → KAL 1, KAL → VAR 1
    metrics = list(book["metrics"].iter_rows(values_only=True))[1:]
    assert {r[5] for r in metrics} == {"VAR"}
    flows = [r[1] for r in book["request_flows"].iter_rows(values_only=True) if r[0] == "country pair"]
    assert flows == ["KAL → VAR", "VAR → KAL", "WES → VAR"]


def test_the_passive_cohorts_report_shows_the_consequences(debrief: Debrief) -> None:
    page = html(passive_debrief())
    assert "Westria never had it (nobody had it)." in page
    assert page.count('class="not-met"') > page.count('class="met"')
    strong = html(debrief)
    assert strong.count('class="met"') > strong.count('class="not-met"')


def test_one_archive_holds_every_report(debrief: Debrief) -> None:
    names = ZipFile(BytesIO(zip_reports(debrief))).namelist()
    assert len(names) == 12 and "EX1-team-WES.pdf" in names
