"""`liaison loadtest --age N`: a tiny aged run against a real local instance (its own
redis-server): the exercise grows through real commands to N events, then the window and the
storm run on it. It checks that the age figures are in the report and that nothing was lost;
never timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from loadtest.age import restart_phases


def test_an_aged_exercise_is_measured_and_loses_nothing(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "loadtest",
        "--scenario", "twin-ports",
        "--participants", "10",
        "--age", "2000",
        "--age-turns", "2",
        "--age-turn", "0.3s",
        "--ramp", "1s",
        "--duration", "3s",
        "--churn", "0.2",
        "--offline", "0.5s",
        "--clients-per-process", "20",
        "--storm-clients", "10",
        "--storm-behind", "30",
        "--no-baseline",
        "--out", str(tmp_path),
        "--no-progress",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=150, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = tmp_path.iterdir()
    report = json.loads((run_dir / "report.json").read_text())
    age = report["age"]
    assert age["reached"] >= 2000
    assert age["commands"] > 1000
    assert {"message.post", "announcement.make", "request.draft", "request.send"} <= set(age["by_command"])
    for part in ("first", "last"):
        assert age["cpu"][part]["events"] > 0
        assert age["cpu"][part]["commands"] > 0  # its CPU may round to 0 in so short a run
        assert age["cpu"][part]["frames"] > 0 and age["cpu"][part]["frames_per_event"] > 0
    assert len(age["cpu"]["tenths"]) == 10
    turns = age["turns"]  # the aged exercise and a fresh one, in turns on the same server
    assert turns["fresh_exercise"] != report["cohort"]["exercise"]
    assert [(t["exercise"], t["pair"]) for t in turns["turns"]] == [
        ("aged", 0),
        ("fresh", 0),
        ("fresh", 1),
        ("aged", 1),
    ]
    assert all(t["events"] > 0 and t["commands"] > 0 and t["frames"] > 0 for t in turns["turns"])
    assert turns["aged"]["turns"] == turns["fresh"]["turns"] == 1  # the first pair is left out
    assert turns["aged"]["frames_per_event"] > 0 and turns["fresh"]["frames_per_event"] > 0
    assert "aged / fresh (per command)" in done.stdout
    for moment in ("start", "aged"):
        sizes = age["welcome_bytes"][moment]
        assert sizes["participant"] > 0 and sizes["director"] > sizes["participant"]
        # a client's first welcome carries the catalogue, one that holds it does not
        assert sizes["participant_first"] > sizes["participant"] + 1000
        assert sizes["director_first"] > sizes["director"] + 1000
    assert age["welcome_bytes"]["aged"]["director"] > age["welcome_bytes"]["start"]["director"]
    assert age["restart"]["to_first_welcome_s"] > 0
    assert isinstance(age["restart"]["redis_stalls"], dict)  # Redis's slow steps while restarting
    phases = age["restart"]["phases"]  # from the restarted instance's own log
    assert 0 < phases["started_s"] < phases["loaded_s"] < age["restart"]["to_first_welcome_s"]
    assert "of it: the process started and imported the server by " in done.stdout
    assert "redis's own latency monitor meanwhile: " in done.stdout
    assert age["settings"]["growth"]["LIAISON_COMMAND_RATE"]
    assert age["settings"]["growth"]["redis appendfsync"] == "everysec"
    assert age["settings"]["window_fsync"] == "always"
    assert age["window"]["server_us_per_command"] is not None
    cohort = report["cohort"]
    assert cohort["processes"] == 1
    assert cohort["log"]["contiguous"] and cohort["log"]["events"] > 2000
    assert (cohort["checks"]["lost"], cohort["checks"]["duplicates"], cohort["checks"]["out_of_order"]) == (
        0,
        0,
        0,
    )
    assert cohort["server"]["generator_us_per_delivery"] is not None
    storm = age["storm"]
    assert storm["aged"] and storm["exercise"] == cohort["exercise"]
    assert (storm["checks"]["lost"], storm["checks"]["duplicates"]) == (0, 0)
    assert report["verdict"]["pass"]
    assert "Age: " in done.stdout and "restart to first welcome" in done.stdout
    assert "welcome of a director" in (run_dir / "report.html").read_text()


def test_the_restart_phases_come_from_the_restarted_instances_log(tmp_path: Path) -> None:
    log = tmp_path / "server-a.log"
    before = '{"event": "hub.loaded", "seconds": 9.0, "timestamp": "2026-12-03T13:32:10.000000Z"}\n'
    log.write_text(
        before
        + "Traceback? no: a line that is not JSON\n"
        + '{"loop": "asyncio", "event": "server.event_loop", "timestamp": "2026-12-03T13:32:42.750000Z"}\n'
        + '{"event": "instance.started", "timestamp": "2026-12-03T13:32:42.900000Z"}\n'
        + '{"exercise": "x", "seconds": 0.124, "event": "hub.loaded", "timestamp": "2026-12-03T13:32:43.050000Z"}\n'
        + '{"exercise": "y", "seconds": 0.5, "event": "hub.loaded", "timestamp": "2026-12-03T13:32:44.000000Z"}\n'
    )
    since = 1_796_304_762.0  # 2026-12-03T13:32:42Z
    phases = restart_phases(log, len(before), since)
    assert phases == {"started_s": pytest.approx(0.75), "loaded_s": pytest.approx(1.05), "load_s": 0.124}
    assert restart_phases(log, log.stat().st_size, since) == {
        "started_s": None,
        "loaded_s": None,
        "load_s": None,
    }
