"""Writing the reports: for the whole exercise and for each team, HTML, PDF and XLSX."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from server.core.debrief import Debrief
from server.report.html import html
from server.report.pdf import pdf
from server.report.xlsx import xlsx

FORMATS: dict[str, tuple[str, Callable[[Debrief, str | None], bytes]]] = {
    "html": ("text/html; charset=utf-8", lambda d, t: html(d, t).encode()),
    "pdf": ("application/pdf", pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx),
}
"""Format name → (media type, renderer)."""


def render(debrief: Debrief, format: str, team: str | None = None) -> bytes:
    """One report; KeyError for an unknown format, ValueError for an unknown team."""
    if team is not None and team not in debrief.played.state.teams:
        raise ValueError(f"no team {team!r} (teams: {', '.join(debrief.teams)})")
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
