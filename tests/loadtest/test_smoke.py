"""Smoke test of `liaison loadtest`: a few dozen clients for a few seconds against a real local
instance (its own redis-server), with churn and extra load. It checks what must always hold,
0 lost, 0 duplicated, 0 out-of-order events, and that the reports are written; never timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_a_small_cohort_loses_nothing_and_writes_its_reports(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "loadtest",
        "--scenario", "twin-ports",
        "--participants", "30",
        "--ramp", "1s",
        "--duration", "4s",
        "--rate", "25",
        "--message-every", "2s",
        "--announce-every", "1s",
        "--churn", "0.2",
        "--offline", "0.5s",
        "--processes", "2",
        "--baseline-duration", "2s",
        "--out", str(tmp_path),
        "--no-progress",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = tmp_path.iterdir()
    report = json.loads((run_dir / "report.json").read_text())
    cohort = report["cohort"]
    assert cohort["members"] == 38  # 30 participants, 8 staff
    assert cohort["drops"] > 0
    assert cohort["log"]["contiguous"]
    assert cohort["log"]["events_in_window"] > 50
    assert cohort["redis_aof_rewrites"] == 0  # a short run on a fresh Redis: none
    assert isinstance(cohort["redis_stalls"], dict)  # Redis's own slow steps, watched in the run
    assert cohort["deliveries"] > 500
    assert cohort["checks"]["clients"] == 38
    assert (cohort["checks"]["lost"], cohort["checks"]["duplicates"], cohort["checks"]["out_of_order"]) == (
        0,
        0,
        0,
    )
    assert cohort["checks"]["issues"] == []
    kinds = cohort["log"]["kinds"]  # the bots played the scenario, not only chatted
    assert kinds.get("inject.released", 0) >= 1
    assert kinds.get("inject.acknowledged", 0) >= 1
    assert kinds.get("request.sent", 0) >= 1  # a lead's request, from the catalogue
    assert report["baseline"]["deliveries"] > 0
    matched = report["baseline_matched"]  # the CPU floor at Liaison's own fan-out
    assert matched["deliveries"] > 0 and 1 <= matched["fanout"] < 38
    assert "same frames per event" in done.stdout
    assert report["verdict"]["pass"]
    page = (run_dir / "report.html").read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # self-contained
    assert "PASS" in done.stdout
