"""The debrief reports of a played exercise, from a real server: the HTTP endpoint (who may
read it, what it answers) and `liaison report` (from the server, and from an exported file)."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

import httpx
from openpyxl import load_workbook

from tests.e2e.servers import ADMIN_TOKEN, ServerProcess, code_of
from tests.e2e.wire import Wire


async def _played(server: ServerProcess, exercise: str) -> tuple[dict[str, str], str, str]:
    """A short play of the twin-ports exercise; the director's and a participant's tokens."""
    created = server.create_exercise(id=exercise)
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    police = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    await police.ok("message.post", text="we are on it")
    assert director.welcome is not None and police.welcome is not None
    tokens = (director.welcome["token"], police.welcome["token"])
    await director.close()
    await police.close()
    return created, *tokens


def _get(server: ServerProcess, exercise: str, token: str | None, **params: str) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.get(
        f"{server.url}/api/exercises/{exercise}/report", params=params, headers=headers, timeout=60
    )


async def test_staff_read_the_report_and_participants_do_not(server: ServerProcess) -> None:
    _, director, participant = await _played(server, "twin-report")

    page = _get(server, "twin-report", ADMIN_TOKEN)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "Twin Ports" in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # no script at all
    assert "style-src 'unsafe-inline'" in page.headers["content-security-policy"]

    live = _get(server, "twin-report", director, format="json")  # the console's token
    assert live.status_code == 200
    metrics = live.json()["metrics"]
    assert metrics and all({"id", "objectives", "target", "results"} <= set(m) for m in metrics)
    assert {r["team"] for r in metrics[0]["results"]} >= {"cohort"}

    workbook = _get(server, "twin-report", director, format="xlsx", team="NOR")
    assert workbook.status_code == 200
    assert "timeline" in load_workbook(BytesIO(workbook.content), read_only=True).sheetnames
    archive = _get(server, "twin-report", director, format="zip")
    assert archive.headers["content-disposition"] == 'attachment; filename="twin-report-reports.zip"'
    assert "twin-report-team-SUD.pdf" in ZipFile(BytesIO(archive.content)).namelist()

    refused = _get(server, "twin-report", participant)
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "forbidden",
        "message": "only the staff of this exercise may read its report",
    }
    assert _get(server, "twin-report", None).status_code == 401
    assert _get(server, "twin-report", "not-a-token").status_code == 401
    other = server.create_exercise(id="twin-other")
    assert other
    assert _get(server, "twin-other", director).status_code == 403  # staff of another exercise

    wrong = _get(server, "twin-report", ADMIN_TOKEN, format="docx")
    assert wrong.status_code == 400
    assert (
        wrong.json()["error"]["message"] == "format: expected one of html, pdf, xlsx, zip, json, got 'docx'"
    )
    team = _get(server, "twin-report", ADMIN_TOKEN, team="XX")
    assert team.status_code == 400 and "no team 'XX' (teams: NOR, SUD), in twin-report" in team.text
    assert _get(server, "twin-none", ADMIN_TOKEN).status_code == 404


def _liaison(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args], capture_output=True, text=True, timeout=300, check=False
    )


async def test_liaison_report_writes_every_report_from_the_server_or_a_file(
    server: ServerProcess, tmp_path: Path
) -> None:
    await _played(server, "twin-cli")
    on = ("--server", server.url, "--token", ADMIN_TOKEN)
    done = _liaison("report", "twin-cli", "--out", str(tmp_path / "live"), *on)
    assert done.returncode == 0, done.stderr
    assert "analysed" in done.stderr and "events" in done.stderr  # progress on the way
    assert sorted(p.name for p in (tmp_path / "live").iterdir()) == sorted(
        f"twin-cli-{who}.{fmt}"
        for who in ("exercise", "team-NOR", "team-SUD")
        for fmt in ("html", "pdf", "xlsx")
    )
    assert "wrote 9 reports of twin-cli" in done.stdout

    exported = tmp_path / "twin-cli.liaison.json"
    assert _liaison("exercise", "export", "twin-cli", "--out", str(exported), *on).returncode == 0
    offline = _liaison("report", "twin-cli", "--out", str(tmp_path / "offline"), "--file", str(exported))
    assert offline.returncode == 0, offline.stderr
    assert (tmp_path / "offline" / "twin-cli-exercise.pdf").read_bytes().startswith(b"%PDF")

    mismatch = _liaison("report", "other", "--out", str(tmp_path / "x"), "--file", str(exported))
    assert mismatch.returncode == 1 and "holds exercise 'twin-cli', not 'other'" in mismatch.stderr
    missing = _liaison("report", "twin-none", "--out", str(tmp_path / "y"), *on)
    assert missing.returncode == 1 and "no exercise 'twin-none'" in missing.stderr
