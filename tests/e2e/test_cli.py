"""`liaison exercise create|list` against a running instance, as an operator would use them."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from tests.e2e.servers import ADMIN_TOKEN, ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def _liaison(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_create_the_flagship_from_its_folder_and_roster_then_list_it(
    server: ServerProcess, tmp_path: Path
) -> None:
    codes = tmp_path / "codes.csv"
    created = _liaison(
        "exercise", "create", "--server", server.url, "--token", ADMIN_TOKEN, "--id", "greenhouse-spring",
        "--scenario", str(ROOT / "scenarios" / "greenhouse"), "--roster", str(ROOT / "scenarios" / "greenhouse" / "roster.csv"),
        "--codes-out", str(codes),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "created exercise greenhouse-spring with 217 join codes" in created.stdout
    rows = list(csv.DictReader(codes.read_text().splitlines()))
    assert len(rows) == 217
    assert {row["team"] for row in rows} == {"VAR", "KAL", "WES", ""}
    assert oct(codes.stat().st_mode & 0o777) == "0o600"  # codes are secrets
    listed = _liaison("exercise", "list", "--server", server.url, "--token", ADMIN_TOKEN)
    assert listed.returncode == 0, listed.stderr
    assert "greenhouse-spring" in listed.stdout
    assert "draft" in listed.stdout


def test_errors_say_what_is_wrong(server: ServerProcess, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,team,role\nAnn,ATLANTIS,police\n")
    bad = _liaison(
        "exercise",
        "create",
        "--server",
        server.url,
        "--token",
        ADMIN_TOKEN,
        "--scenario",
        "twin-ports",
        "--roster",
        str(roster),
    )
    assert bad.returncode == 1
    assert "unknown team 'ATLANTIS'" in bad.stderr
    denied = _liaison("exercise", "list", "--server", server.url, "--token", "wrong")
    assert denied.returncode == 1
    assert "Authorization" in denied.stderr
