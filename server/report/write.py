"""Writing the reports: for the whole exercise and for each team, HTML, PDF and XLSX.

The renderers are imported when a report is first written, not with this module: reportlab and
openpyxl take about a third of a second to import, which every server start would pay before
serving its first welcome (docs/performance.md, "Restart to first welcome")."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from server.core.debrief import Debrief


def _html(debrief: Debrief, team: str | None) -> bytes:
    from server.report.html import html

    return html(debrief, team).encode()


def _pdf(debrief: Debrief, team: str | None) -> bytes:
    from server.report.pdf import pdf

    return pdf(debrief, team)


def _xlsx(debrief: Debrief, team: str | None) -> bytes:
    from server.report.xlsx import xlsx

    return xlsx(debrief, team)


FORMATS: dict[str, tuple[str, Callable[[Debrief, str | None], bytes]]] = {
    "html": ("text/html; charset=utf-8", _html),
    "pdf": ("application/pdf", _pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
}
"""Format name → (media type, renderer)."""


def render(debrief: Debrief, format: str, team: str | None = None) -> bytes:
    """One report; KeyError for an unknown format, ValueError for an unknown team."""
    if team is not None and (why := debrief.no_report(team)) is not None:
        raise ValueError(why)
    return FORMATS[format][1](debrief, team)


def file_name(exercise: str, format: str, team: str | None = None) -> str:
    return f"{exercise}-{'team-' + team if team else 'exercise'}.{format}"


def zip_reports(debrief: Debrief) -> bytes:
    """Every report of `write_reports` in one ZIP archive (the console's Report button)."""
    out = BytesIO()
    exercise = debrief.played.state.id
    with ZipFile(out, "w", ZIP_DEFLATED) as archive:
        for team in (None, *debrief.teams):
            for format in FORMATS:
                archive.writestr(file_name(exercise, format, team), render(debrief, format, team))
    return out.getvalue()


def write_reports(
    debrief: Debrief, folder: Path, progress: Callable[[str], None] = lambda _: None
) -> list[Path]:
    """Every report in `folder` (made if needed): `EX-exercise.html|pdf|xlsx` and
    `EX-team-T.html|pdf|xlsx` for each team; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    exercise = debrief.played.state.id
    for team in (None, *debrief.teams):
        for format in FORMATS:
            path = folder / file_name(exercise, format, team)
            path.write_bytes(render(debrief, format, team))
            written.append(path)
            progress(f"wrote {path}")
    return written
