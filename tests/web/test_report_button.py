"""The console's Report button downloads the debrief reports with the director's session."""

from __future__ import annotations

from io import BytesIO
from zipfile import ZipFile

from playwright.sync_api import expect

from tests.web.conftest import People


def test_the_report_button_downloads_every_report(people: People) -> None:
    console = people.open("Dana Director")
    exercise = people.created["exercise"]
    with console.expect_download() as download:
        console.locator("#report").click()
    assert download.value.suggested_filename == f"{exercise}-reports.zip"
    path = download.value.path()
    names = ZipFile(BytesIO(path.read_bytes())).namelist()
    assert sorted(names) == sorted(
        f"{exercise}-{who}.{fmt}"
        for who in ("exercise", "team-NOR", "team-SUD")
        for fmt in ("html", "pdf", "xlsx")
    )
    expect(console.locator("#report-status")).to_have_text("Reports downloaded.")


def test_a_participant_has_no_report_button(people: People) -> None:
    station = people.open("Nils Berg")
    expect(station.locator("#report")).to_have_count(0)
