"""Order and completeness: every client receives exactly the events it may see, in order, once,
across reconnects, instance switches and concurrent writers (DESIGN.md guarantees 1 and 3)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.e2e.log import assert_contiguous, read_log, received_seqs, viewer_of, visible_seqs
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire


async def test_a_resuming_client_gets_exactly_the_missing_visible_events_from_the_other_instance(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_url, "a"), start_server(redis_url, "b")
    created = a.create_exercise()
    exercise = created["exercise"]
    director = await Wire.join(a.ws_url, code_of(created, "Dana Director"))
    controller = await Wire.join(b.ws_url, code_of(created, "Carl Controller"))
    nor_mate = await Wire.join(b.ws_url, code_of(created, "Nora Lind"))
    sud = await Wire.join(a.ws_url, code_of(created, "Sara Costa"))
    watched = await Wire.join(a.ws_url, code_of(created, "Nils Berg"), binary=False)
    await watched.drain()
    position = watched.position()
    await watched.close()

    audiences = [{"teams": ["NOR"]}, {"teams": ["SUD"]}, {"everyone": True}, {"roles": ["police"]}, {}]

    async def announce(wire: Wire, label: str) -> None:
        for i in range(250):
            await wire.ok("announcement.make", audience=audiences[i % 5], text=f"{label} {i}")

    async def post(wire: Wire, label: str) -> None:
        for i in range(250):
            await wire.ok("message.post", text=f"{label} {i}")

    await asyncio.gather(
        announce(director, "via a"), announce(controller, "via b"), post(nor_mate, "NOR"), post(sud, "SUD")
    )

    back = await Wire.open(b.ws_url, binary=False)
    welcome = await back.hello(code=code_of(created, "Nils Berg"), resume=position)
    assert (welcome["mode"], welcome["reason"]) == ("resume", "resumed")
    end = await back.next("position")
    log = await read_log(redis_url, exercise)
    assert_contiguous(log)
    assert len(log) >= position["seq"] + 1000
    expected = visible_seqs(log, viewer_of(log, welcome), after=position["seq"], until=end["seq"])
    got = received_seqs(back.frames)
    assert got == expected
    assert len(got) > 500  # NOR's messages, and the announcements to NOR, police and everyone
    texts = [f["data"]["text"] for f in back.events() if f["kind"] in ("message.posted", "announcement.made")]
    assert not [t for t in texts if t.startswith("SUD")]
    for wire in (director, controller, nor_mate, sud, back):
        await wire.close()


async def test_two_instances_racing_to_append_never_fork_the_log(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_url, "a"), start_server(redis_url, "b")
    created = a.create_exercise()
    names = ["Nils Berg", "Nora Lind", "Ola Strand", "Sara Costa", "Sofia Reyes", "Santi Mora"]
    wires = [
        await Wire.join((a if i % 2 else b).ws_url, code_of(created, name)) for i, name in enumerate(names)
    ]

    refused: list[dict[str, object]] = []

    async def post(wire: Wire, label: str) -> int:
        acknowledged = 0
        for i in range(60):
            reply = await wire.command("message.post", text=f"{label} {i}")
            acknowledged += bool(reply["ok"])
            if not reply["ok"]:
                refused.append(reply)
        return acknowledged

    acknowledged = await asyncio.gather(*(post(w, n) for w, n in zip(wires, names, strict=True)))
    log = await read_log(redis_url, created["exercise"])
    assert_contiguous(log)
    posted = [item.event for item in log if item.event.kind == "message.posted"]
    assert not refused
    assert len(posted) == sum(acknowledged) == 360
    assert len({(e.author, e.text) for e in posted}) == 360  # type: ignore[attr-defined]
    for wire in wires:
        await wire.close()


async def test_live_clients_on_both_instances_see_the_same_order(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_url, "a"), start_server(redis_url, "b")
    created = a.create_exercise()
    on_a = await Wire.join(a.ws_url, code_of(created, "Mona Mentor"))
    on_b = await Wire.join(b.ws_url, code_of(created, "Otto Observer"))
    writers = [
        await Wire.join(a.ws_url, code_of(created, "Nils Berg")),
        await Wire.join(b.ws_url, code_of(created, "Sara Costa")),
    ]
    await asyncio.gather(*(_post_many(w, 100) for w in writers))
    log = await read_log(redis_url, created["exercise"])
    last = log[-1].seq
    for watcher in (on_a, on_b):
        while not watcher.events() or watcher.events()[-1]["seq"] < last:
            await watcher.recv()
    for watcher in (on_a, on_b):  # staff see every event: all of them, in log order, once
        assert received_seqs(watcher.frames) == list(range(watcher.base + 1, last + 1))
    for wire in (on_a, on_b, *writers):
        await wire.close()


async def test_a_retried_command_id_is_applied_once(server: ServerProcess, redis_url: str) -> None:
    created = server.create_exercise()
    wire = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    first = await wire.command("message.post", id="same-id", text="only once")
    again = await wire.command("message.post", id="same-id", text="only once")
    assert first["ok"] and again["ok"]
    assert again["result"] == {"duplicate": True}
    assert again["seq"] == first["seq"]
    log = await read_log(redis_url, created["exercise"])
    assert [item.event.kind for item in log].count("message.posted") == 1
    await wire.close()


async def _post_many(wire: Wire, count: int) -> None:
    for i in range(count):
        await wire.ok("message.post", text=f"bulk {i}")


async def test_a_client_that_sees_nothing_gets_position_frames_and_resumes_cheaply(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_url, "a", position_interval="0.2")
    created = server.create_exercise()
    quiet = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))  # NOR
    busy = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))  # SUD
    for i in range(20):
        await busy.ok("message.post", text=f"SUD only {i}")
    log_end = (await read_log(redis_url, created["exercise"]))[-1].seq
    async with asyncio.timeout(10):
        while quiet.position()["seq"] < log_end:
            await quiet.recv()
    assert any(f["type"] == "position" for f in quiet.frames)
    assert not [f for f in quiet.events() if f["kind"] == "message.posted"]
    position = quiet.position()
    await quiet.close()
    back = await Wire.open(server.ws_url)
    welcome = await back.hello(code=code_of(created, "Nils Berg"), resume=position)
    assert welcome["mode"] == "resume"
    end = await back.next("position")
    replayed = [f for f in back.frames if f["type"] == "event"]
    assert all(f["seq"] > position["seq"] for f in replayed)
    assert len(replayed) <= 2  # at most the presence of its own reconnection, not SUD's 20 messages
    assert end["seq"] >= log_end
    for wire in (busy, back):
        await wire.close()


async def test_compression_is_off_unless_asked_for(server: ServerProcess) -> None:
    from websockets.asyncio.client import connect

    async with connect(server.ws_url, subprotocols=["liaison.v1.json"]) as ws:  # type: ignore[list-item]
        assert ws.protocol.extensions == []  # the client offered permessage-deflate; the server declined
