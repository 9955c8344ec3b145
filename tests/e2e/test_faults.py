"""Faults: a killed instance, a restarted Redis. No acknowledged event is lost, the log stays
whole, and clients resume exactly (DESIGN.md guarantees 1 and 4)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable

import pytest
from websockets.exceptions import ConnectionClosed

from server.adapters.redis_server import RedisProcess
from tests.e2e.log import assert_contiguous, read_log, received_seqs, viewer_of, visible_seqs
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.test_faults_redis import report
from tests.e2e.wire import Wire
from tests.support import wait_until


async def _post_until_stopped(wire: Wire, label: str, stop: asyncio.Event, acknowledged: list[str]) -> None:
    """Post messages; remember the ones acknowledged; end quietly when the connection dies."""
    i = 0
    with contextlib.suppress(ConnectionClosed, TimeoutError):
        while not stop.is_set():
            text = f"{label} {i}"
            reply = await wire.command("message.post", text=text, timeout=5)
            if reply["ok"]:
                acknowledged.append(text)
            i += 1


async def test_kill_9_of_an_instance_loses_nothing_and_clients_resume_elsewhere(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_url, "a"), start_server(redis_url, "b")
    created = a.create_exercise()
    exercise = created["exercise"]
    watcher = await Wire.join(a.ws_url, code_of(created, "Nils Berg"))
    writer = await Wire.join(a.ws_url, code_of(created, "Nora Lind"))
    other = await Wire.join(b.ws_url, code_of(created, "Ola Strand"))
    stop, acknowledged = asyncio.Event(), []
    writing = asyncio.gather(
        _post_until_stopped(writer, "via a", stop, acknowledged),
        _post_until_stopped(other, "via b", stop, acknowledged),
    )
    await wait_until(lambda: len(acknowledged) >= 40)
    a.kill()
    await wait_until(lambda: len(acknowledged) >= 80)  # b goes on
    stop.set()
    await writing

    with contextlib.suppress(ConnectionClosed, TimeoutError):
        await watcher.drain()  # whatever reached it before the kill
    position = watcher.position()
    back = await Wire.open(b.ws_url)
    welcome = await back.hello(code=code_of(created, "Nils Berg"), resume=position)
    assert welcome["mode"] == "resume"
    end = await back.next("position")

    log = await read_log(redis_url, exercise)
    assert_contiguous(log)
    texts = [item.event.text for item in log if item.event.kind == "message.posted"]  # type: ignore[attr-defined]
    assert set(acknowledged) <= set(texts)
    assert len(texts) == len(set(texts))
    got = received_seqs(watcher.frames) + received_seqs(back.frames)
    assert got == visible_seqs(log, viewer_of(log, welcome), after=watcher.base, until=end["seq"])
    report(
        "instance_killed",
        {"fault": "kill -9 of one of two instances; its client resumes on the other"},
        {"acknowledged": len(acknowledged), "lost": 0, "applied_twice": 0, "events_in_log": log[-1].seq}
        | {"watchers": 1, "watcher_resumes": 1, "events_checked": len(got), "gaps": 0, "duplicates": 0},
    )

    a.start()  # the restarted instance finds the same exercise and state
    again = await Wire.join(a.ws_url, code_of(created, "Dana Director"))
    assert again.welcome is not None and again.welcome["seq"] >= log[-1].seq
    names = {p["name"] for p in again.welcome["snapshot"]["participants"]}
    assert {"Nils Berg", "Sara Costa", "Dana Director"} <= names
    for wire in (back, other, again):
        await wire.close()


async def test_a_redis_restart_loses_no_acknowledged_event_and_instances_recover_by_themselves(
    fresh_redis: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(fresh_redis.url, "a")
    created = server.create_exercise()
    exercise = created["exercise"]
    watcher = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    writer = await Wire.join(server.ws_url, code_of(created, "Nora Lind"))
    acknowledged: list[str] = []
    refused = 0
    for i in range(30):
        reply = await writer.command("message.post", text=f"before {i}")
        acknowledged.append(f"before {i}")
        assert reply["ok"]
    fresh_redis.restart()
    for i in range(30):  # the instance reconnects by itself; meanwhile commands may be refused
        while True:
            reply = await writer.command("message.post", text=f"after {i}")
            if reply["ok"]:
                acknowledged.append(f"after {i}")
                break
            assert reply["error"]["code"] == "unavailable", reply
            refused += 1
            await asyncio.sleep(0.1)
    fresh_redis.kill()  # kill -9: appendfsync always keeps every acknowledged event
    fresh_redis.start()
    reply = await _until_ok(writer, "message.post", text="after kill")
    acknowledged.append("after kill")

    log = await read_log(fresh_redis.url, exercise)
    assert_contiguous(log)
    texts = [item.event.text for item in log if item.event.kind == "message.posted"]  # type: ignore[attr-defined]
    assert texts == acknowledged
    # the watcher stayed connected throughout and saw every event of its team, in order, once
    async with asyncio.timeout(15):
        while not watcher.events() or watcher.events()[-1]["seq"] < log[-1].seq:
            await watcher.recv()
    await _read_pending(watcher)
    assert watcher.welcome is not None
    assert received_seqs(watcher.frames) == visible_seqs(log, viewer_of(log, watcher.welcome), watcher.base)
    report(
        "redis_restarted",
        {"fault": "Redis restarted (SIGTERM), then kill -9 and started again; appendfsync always"},
        {"acknowledged": len(acknowledged), "lost": 0, "applied_twice": 0, "events_in_log": log[-1].seq}
        | {"unavailable_replies": refused, "watchers": 1, "events_checked": len(watcher.events())}
        | {"gaps": 0, "duplicates": 0},
    )
    await watcher.close()
    await writer.close()


async def test_the_server_starts_while_redis_is_down_and_serves_when_it_comes_back(
    fresh_redis: RedisProcess, start_server: Callable[..., ServerProcess], tmp_path: object
) -> None:
    fresh_redis.stop()
    server = ServerProcess(fresh_redis.url, tmp_path, "late")  # type: ignore[arg-type]
    try:
        server.start_without_waiting()
        await asyncio.sleep(0)  # the instance is up but Redis is not
        fresh_redis.start()
        server.wait_healthy()
        created = server.create_exercise()
        wire = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
        await wire.ok("message.post", text="works")
        await wire.close()
    finally:
        server.stop()


@pytest.mark.slow
async def test_a_stop_ends_even_while_redis_answers_nothing(
    fresh_redis: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    """Redis frozen (SIGSTOP: its connections stay open and nothing is answered) with a command
    in flight: SIGTERM still ends the instance, its last writes given up at their deadline,
    instead of waiting on Redis for ever (it did, before the writers were cancelled on stop)."""
    server = start_server(fresh_redis.url, "frozen")
    created = server.create_exercise()
    wire = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    await wire.ok("message.post", text="before the freeze")
    assert fresh_redis.pid is not None and server.process is not None
    redis_pid = fresh_redis.pid
    os.kill(redis_pid, signal.SIGSTOP)
    try:
        in_flight = asyncio.create_task(wire.command("message.post", text="during the freeze"))
        await asyncio.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        exited = await asyncio.to_thread(server.process.wait, 60)  # a bound on liveness, not a timing
    finally:
        os.kill(redis_pid, signal.SIGCONT)
    assert exited in (0, -signal.SIGTERM), server.log()
    assert "instance.stopped" in server.log()
    in_flight.cancel()
    with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
        await in_flight
    await wire.close()


async def _until_ok(wire: Wire, name: str, **args: object) -> dict[str, object]:
    async with asyncio.timeout(20):
        while True:
            reply = await wire.command(name, **args)
            if reply["ok"]:
                return reply
            await asyncio.sleep(0.1)


async def _read_pending(wire: Wire) -> None:
    with contextlib.suppress(TimeoutError):
        while True:
            await wire.recv(0.3)


async def test_presence_of_a_killed_instances_connections_is_cleared_by_the_survivor(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_url, "a"), start_server(redis_url, "b")
    created = a.create_exercise()
    on_a = await Wire.join(a.ws_url, code_of(created, "Nils Berg"))
    mate = await Wire.join(b.ws_url, code_of(created, "Nora Lind"))
    participant = on_a.welcome["me"]["participant"]  # type: ignore[index]
    a.kill()

    async def cleared() -> bool:
        log = await read_log(redis_url, created["exercise"])
        opened = {
            e.event.connection
            for e in log
            if e.event.kind == "connection.opened" and e.event.participant == participant
        }  # type: ignore[attr-defined]
        closed = {
            e.event.connection
            for e in log
            if e.event.kind == "connection.closed" and e.event.participant == participant
        }  # type: ignore[attr-defined]
        return bool(opened) and opened == closed

    await wait_until(cleared, within=30, interval=0.5, message="the dead instance's connection is still open")
    frames = await mate.drain(0.5)
    assert any(
        f["type"] == "event" and f["kind"] == "connection.closed" and f["data"]["participant"] == participant
        for f in mate.frames + frames
    )
    await mate.close()
