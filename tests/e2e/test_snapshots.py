"""State snapshots in Redis: a restarted instance starts from the latest one and folds only the
tail; a snapshot it cannot trust is ignored and the log folded; the welcome is the same either
way, and a client resumes exactly across a snapshot (issue: a five-day exercise)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import redis

from server.core.snapshots import FORMAT
from server.core.state import fold
from server.core.view import snapshot
from tests.e2e.log import read_log, viewer_of
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire

EVERY = "40"


def loaded_lines(server: ServerProcess) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "hub.loaded"]


def snapshot_seq(redis_url: str, exercise: str) -> int:
    raw = redis.Redis.from_url(redis_url).hget(f"liaison:{{{exercise}}}:snapshot", "seq")
    return 0 if raw is None else int(raw)


async def wait_for(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def thirty_messages(server: ServerProcess) -> tuple[dict[str, Any], str]:
    """A new exercise on `server` in which Sara Costa has posted 30 messages: it and its id."""
    created = server.create_exercise()
    sud = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    for i in range(30):
        await sud.ok("message.post", text=f"message {i}")
    await sud.close()
    return created, str(created["exercise"])


async def assert_welcome_is_the_fold_of_the_log(redis_url: str, exercise: str, welcome: Any) -> None:
    """What the instance served equals the core's snapshot of the log up to the welcome's seq."""
    log = await read_log(redis_url, exercise)
    state = fold([item.event for item in log if item.seq <= welcome["seq"]])
    expected = snapshot(state, viewer_of(log, welcome))
    assert json.loads(json.dumps(welcome["snapshot"])) == json.loads(json.dumps(expected))


async def test_a_restarted_instance_starts_from_the_snapshot_and_serves_the_same_welcome(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a = start_server(redis_url, snapshot_every=EVERY)
    created = a.create_exercise()
    exercise = created["exercise"]
    sud = await Wire.join(a.ws_url, code_of(created, "Sara Costa"))
    for i in range(100):
        await sud.ok("message.post", text=f"message {i}")
    await wait_for(lambda: snapshot_seq(redis_url, exercise) >= 80)
    position = sud.position()
    await sud.ok("message.post", text="after the snapshot")
    await sud.close()

    a.kill()
    a.start()
    after = await Wire.join(a.ws_url, code_of(created, "Sofia Reyes"))
    loaded = loaded_lines(a)[-1]
    assert (loaded["exercise"], loaded["source"]) == (exercise, "snapshot")
    assert 0 < int(loaded["folded"]) < 80  # type: ignore[call-overload]
    await assert_welcome_is_the_fold_of_the_log(redis_url, exercise, after.welcome)

    # A client that was at a seq before the snapshot resumes exactly.
    resumed = await Wire.open(a.ws_url)
    welcome = await resumed.hello(code=code_of(created, "Sara Costa"), resume=position)
    assert welcome["mode"] == "resume"
    frames = await resumed.drain()
    texts = [f["data"]["text"] for f in frames if f.get("kind") == "message.posted"]
    assert texts == ["after the snapshot"]

    # The restarted instance's own snapshot starts from the one it loaded; it loads as well.
    loaded_at = snapshot_seq(redis_url, exercise)
    for i in range(60):
        await resumed.ok("message.post", text=f"after the restart {i}")
    await wait_for(lambda: snapshot_seq(redis_url, exercise) > loaded_at)
    for wire in (after, resumed):
        await wire.close()
    a.kill()
    a.start()
    again = await Wire.join(a.ws_url, code_of(created, "Sofia Reyes"))
    assert loaded_lines(a)[-1]["source"] == "snapshot"
    await assert_welcome_is_the_fold_of_the_log(redis_url, exercise, again.welcome)
    await again.close()


async def test_a_graceful_stop_writes_a_last_snapshot_so_the_next_start_folds_nothing(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a = start_server(redis_url, snapshot_every="1000")
    created, exercise = await thirty_messages(a)
    assert snapshot_seq(redis_url, exercise) == 0  # 1,000 events make one due: none yet

    a.stop()  # SIGTERM: the lifespan closes the connections, then snapshots what moved
    last = (await read_log(redis_url, exercise))[-1].seq
    assert snapshot_seq(redis_url, exercise) == last
    a.start()
    after = await Wire.join(a.ws_url, code_of(created, "Sofia Reyes"))
    loaded = loaded_lines(a)[-1]
    assert (loaded["source"], loaded["folded"]) == ("snapshot", 0)
    await assert_welcome_is_the_fold_of_the_log(redis_url, exercise, after.welcome)
    await after.close()


async def test_a_snapshot_that_cannot_be_trusted_is_ignored_and_the_log_folded(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a = start_server(redis_url, snapshot_every=EVERY)
    created = a.create_exercise()
    exercise = created["exercise"]
    sud = await Wire.join(a.ws_url, code_of(created, "Sara Costa"))
    for i in range(60):
        await sud.ok("message.post", text=f"message {i}")
    await wait_for(lambda: snapshot_seq(redis_url, exercise) >= 40)
    await sud.close()
    a.kill()

    client = redis.Redis.from_url(redis_url)
    key, chunks = f"liaison:{{{exercise}}}:snapshot", f"liaison:{{{exercise}}}:snapshot-chunks"
    a_chunk = client.hkeys(chunks)[0]
    for turn, (where, damage) in enumerate(
        (
            (key, {"format": "99"}),
            (key, {"epoch": "another"}),
            (key, {"head": b"\x00garbage"}),
            (key, {"seq": "999999"}),
            (chunks, {a_chunk: b"\x00garbage"}),
            (key, {"chunks": b"feed:gone"}),  # a chunk Redis does not hold
        )
    ):
        original = {key: client.hgetall(key), chunks: client.hgetall(chunks)}
        client.hset(where, mapping=damage)
        a.start()
        # a killed instance's connections count for a while: at most 5 per participant
        after = await Wire.join(a.ws_url, code_of(created, ("Sofia Reyes", "Sara Costa")[turn % 2]))
        assert loaded_lines(a)[-1]["source"] == "log", damage
        await assert_welcome_is_the_fold_of_the_log(redis_url, exercise, after.welcome)
        await after.close()
        a.kill()
        for name, fields in original.items():
            client.delete(name)
            client.hset(name, mapping=fields)
    assert '"hub.snapshot_ignored"' in a.log()


async def test_a_snapshot_of_an_older_format_is_replaced_not_taken_for_a_recent_one(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    """After an upgrade changes the format, the stored snapshot is ignored at the load; the
    next one written must replace it, not be skipped as if another instance had just written
    a snapshot this far (every start would then fold the whole log)."""
    a = start_server(redis_url, snapshot_every="1000")
    created, exercise = await thirty_messages(a)
    a.stop()
    key = f"liaison:{{{exercise}}}:snapshot"
    client = redis.Redis.from_url(redis_url)
    client.hset(key, "format", str(FORMAT - 1))  # as an older release wrote it
    a.start()
    sud = await Wire.join(a.ws_url, code_of(created, "Sara Costa"))
    assert loaded_lines(a)[-1]["source"] == "log"
    await sud.ok("message.post", text="after the upgrade")
    await sud.close()
    a.stop()
    assert int(client.hget(key, "format") or 0) == FORMAT
    a.start()
    after = await Wire.join(a.ws_url, code_of(created, "Sofia Reyes"))
    assert (loaded_lines(a)[-1]["source"], loaded_lines(a)[-1]["folded"]) == ("snapshot", 0)
    await assert_welcome_is_the_fold_of_the_log(redis_url, exercise, after.welcome)
    await after.close()
