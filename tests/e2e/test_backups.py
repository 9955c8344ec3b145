"""Backup, restore, archive and delete of the flagship after a play-through, on real servers and
real Redis, through the `liaison exercise` commands an operator types.

The play-through follows the strong cohort of `loadtest.playbook` (as tests/core/test_playthrough.py
does through the core), over the wire: the director starts Operation Greenhouse, the clock jumps
to each step's time (timed injects are released on the way), each team drafts and sends its
requests and takes its protective actions, and teams post on their channels.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import redis

from loadtest.playbook import strong
from server.adapters import keys
from server.adapters.redis_server import RedisProcess
from server.scenario.loader import load_scenario
from server.scenario.shipped import shipped_scenarios
from tests.e2e.servers import ADMIN_TOKEN, ServerProcess, code_of
from tests.e2e.test_flagship import roster
from tests.e2e.wire import Wire
from tests.support import wait_until

EXERCISE = "greenhouse-spring"
STEPS = 12  # the first steps of the strong cohort: a day and a half of play


def _liaison(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", "exercise", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _on(server: ServerProcess, *args: str) -> list[str]:
    return [*args, "--server", server.url, "--token", ADMIN_TOKEN]


def _log(redis_url: str, exercise: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
    """The exercise's log exactly as Redis holds it: entry ids and fields."""
    client = redis.Redis.from_url(redis_url)
    try:
        entries: list[tuple[bytes, dict[bytes, bytes]]] = client.xrange(keys.log(exercise))
        return entries
    finally:
        client.close()


def _meta(redis_url: str, exercise: str) -> dict[bytes, bytes]:
    client = redis.Redis.from_url(redis_url)
    try:
        meta: dict[bytes, bytes] = client.hgetall(keys.meta(exercise))
        return meta
    finally:
        client.close()


async def _settled(redis_url: str, exercise: str, quiet: float = 1.5) -> None:
    """Until the log has not grown for `quiet` seconds."""
    last, since = None, asyncio.get_running_loop().time()
    while asyncio.get_running_loop().time() - since < quiet:
        seq = _meta(redis_url, exercise).get(b"seq")
        if seq != last:
            last, since = seq, asyncio.get_running_loop().time()
        await asyncio.sleep(0.1)


async def _play(server: ServerProcess, created: dict[str, Any], people: list[dict[str, Any]]) -> None:
    scenario = load_scenario(shipped_scenarios() / "greenhouse")
    director = await Wire.join(server.ws_url, code_of(created, "Ruth Adler"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    players: dict[tuple[str, str], Wire] = {}
    played = 0
    for step in strong(scenario)[:STEPS]:
        await director.command("clock.jump", to=step.at)  # refused when the clock is past it
        key = (step.team, step.role)
        if key not in players:
            person = next(p for p in people if p["team"] == step.team and p["role"] == step.role)
            players[key] = await Wire.join(server.ws_url, code_of(created, person["name"]))
        player = players[key]
        reply = await player.command(step.command, **step.args)
        if reply["ok"] and step.command == "request.draft":
            request = reply["result"]["request"]
            await player.command("request.send", request=request)
        played += reply["ok"]
        await player.ok("message.post", text=f"done: {step.expect}")
    assert played >= STEPS // 2, "the play-through did not get far"
    await director.ok("exercise.pause")
    for wire in [director, *players.values()]:
        await wire.close()


async def test_the_flagship_round_trips_through_export_and_import(
    redis_url: str,
    start_server: Callable[..., ServerProcess],
    fresh_redis: RedisProcess,
    tmp_path: Path,
) -> None:
    server = start_server(redis_url)
    people = roster()
    created = server.create_exercise(roster=people, scenario="greenhouse", id=EXERCISE)
    await _play(server, created, people)
    await _settled(redis_url, EXERCISE)  # the presence of the closed connections is written
    before = _log(redis_url, EXERCISE)
    meta_before = _meta(redis_url, EXERCISE)
    assert len(before) > 250  # 215 participants added, injects, requests, messages, presence

    # Export: one versioned file holding exactly the log.
    backup = tmp_path / "greenhouse.liaison.json"
    done = _liaison(*_on(server, "export", EXERCISE, "--out", str(backup)))
    assert done.returncode == 0, done.stderr
    document = json.loads(backup.read_text())
    assert (document["format"], document["version"], document["exercise"]) == (
        "liaison-exercise",
        1,
        EXERCISE,
    )
    assert [
        (f"{seq}-0".encode(), {b"e": base64.b64decode(e), b"at": at.encode()})
        for seq, at, e in document["events"]
    ] == before
    assert document["meta"]["seq"] == meta_before[b"seq"].decode()
    assert len(document["codes"]) == len(people)
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    # A participant stays connected through the restore.
    police = next(p for p in people if p["team"] == "WES" and p["role"] == "police")
    watcher = await Wire.join(server.ws_url, code_of(created, police["name"]))
    await watcher.drain()
    case_file = {item["id"] for item in watcher.welcome["snapshot"]["case_file"]}  # type: ignore[index]
    position = watcher.position()

    refused = _liaison(*_on(server, "import", str(backup)))
    assert refused.returncode == 1
    assert "exists" in refused.stderr and "force" in refused.stderr

    done = _liaison(*_on(server, "import", str(backup), "--force"))
    assert done.returncode == 0, done.stderr
    after = _log(redis_url, EXERCISE)
    meta_after = _meta(redis_url, EXERCISE)
    assert after[: len(before)] == before  # same events, same seqs, same times
    assert meta_after[b"seq"] == meta_before[b"seq"] or len(after) > len(before)
    assert meta_after[b"epoch"] != meta_before[b"epoch"]

    code, _ = await watcher.closed(timeout=10)  # the hub saw the new epoch and let it go
    assert code == 4000
    again = await Wire.join(server.ws_url, code_of(created, police["name"]), resume=position)
    assert again.welcome is not None
    assert (again.welcome["mode"], again.welcome["reason"]) == ("snapshot", "epoch_changed")
    assert again.welcome["epoch"] == meta_after[b"epoch"].decode()
    assert {item["id"] for item in again.welcome["snapshot"]["case_file"]} == case_file
    await again.close()

    # Restored on another server with its own Redis: the same log.
    elsewhere = start_server(fresh_redis.url, "b")
    done = _liaison(*_on(elsewhere, "import", str(backup)))
    assert done.returncode == 0, done.stderr
    assert _log(fresh_redis.url, EXERCISE) == before
    listed = _liaison(*_on(elsewhere, "list"))
    assert EXERCISE in listed.stdout and "paused" in listed.stdout


async def test_archive_makes_an_exercise_read_only_and_delete_removes_it(
    server: ServerProcess, redis_url: str, tmp_path: Path
) -> None:
    created = server.create_exercise(id="twin-archive")
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    running = _liaison(*_on(server, "archive", "twin-archive"))
    assert running.returncode == 1 and "running" in running.stderr
    await director.ok("exercise.pause")

    done = _liaison(*_on(server, "archive", "twin-archive"))
    assert done.returncode == 0, done.stderr
    listed = _liaison(*_on(server, "list"))
    assert any(line.split()[:2] == ["twin-archive", "archived"] for line in listed.stdout.splitlines())
    seq = int(_meta(redis_url, "twin-archive")[b"seq"])
    await director.send({"type": "cmd", "id": "r1", "name": "exercise.resume", "args": {}})
    code, frames = await director.closed(timeout=10)  # refused: nothing written, the connection closes
    assert code == 4000
    assert not any(f["type"] == "reply" and f.get("ok") for f in frames)
    assert int(_meta(redis_url, "twin-archive")[b"seq"]) == seq  # nothing was written
    reader = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))  # still readable
    assert reader.welcome is not None and reader.welcome["seq"] >= seq
    token = reader.welcome["token"]
    await reader.close()

    done = _liaison(*_on(server, "archive", "twin-archive", "--undo"))
    assert done.returncode == 0, done.stderr
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.resume")
    await director.close()

    kept = _liaison(*_on(server, "delete", "twin-archive"), stdin="twin-archiv\n")
    assert kept.returncode == 1 and "not deleted" in kept.stderr
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as http:
        api = await http.delete(server.url + "/api/exercises/twin-archive")
    assert api.status_code == 400  # no ?confirm=
    done = _liaison(*_on(server, "delete", "twin-archive"), stdin="twin-archive\n")
    assert done.returncode == 0, done.stderr
    assert _meta(redis_url, "twin-archive") == {}
    assert _log(redis_url, "twin-archive") == []
    assert "twin-archive" not in _liaison(*_on(server, "list")).stdout
    gone = await Wire.open(server.ws_url)
    await gone.send({"type": "hello", "v": 1, "code": code_of(created, "Nils Berg")})
    code, _ = await gone.closed()
    assert code == 4501  # the join codes went with it

    async def refused_by_token() -> bool:
        """A session token: 4000 while a hub still holds the exercise (it notices within a
        second), then 4501, never an internal error."""
        by_token = await Wire.open(server.ws_url)
        await by_token.send({"type": "hello", "v": 1, "token": token})
        code, frames = await by_token.closed()
        assert code in (4000, 4501), (code, frames)
        return code == 4501 and frames[-1]["code"] == "bad_credential"

    await wait_until(refused_by_token, within=10, interval=0.2)
    missing = _liaison(*_on(server, "export", "twin-archive", "--out", str(tmp_path / "x.json")))
    assert missing.returncode == 1 and "no exercise" in missing.stderr
