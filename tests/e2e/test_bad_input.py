"""Bad input is answered, not obeyed: each gets its documented error or close code, the
instance keeps serving everyone else, and nothing is written (DESIGN.md guarantee 5)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.adapters.redis_server import RedisProcess
from tests.e2e.log import read_log
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire
from tests.support import wait_until


async def _closed_with(wire: Wire) -> tuple[int | None, list[dict[str, Any]]]:
    return await wire.closed(timeout=10)


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


@pytest.fixture
def redis_url(shared_server: ServerProcess) -> str:
    return shared_server.redis_url


@pytest.fixture
def exercise(server: ServerProcess) -> dict[str, Any]:
    return server.create_exercise()


async def _written(redis_url: str, exercise: str) -> int:
    """Events in the log other than presence (connections opening and closing)."""
    return sum(
        1 for item in await read_log(redis_url, exercise) if not item.event.kind.startswith("connection.")
    )


async def _assert_nothing_written_and_others_served(
    server: ServerProcess, redis_url: str, exercise: dict[str, Any], attack: Callable[[], Awaitable[None]]
) -> None:
    bystander = await Wire.join(server.ws_url, code_of(exercise, "Sara Costa"))
    await bystander.drain(0.2)
    before = await _written(redis_url, exercise["exercise"])
    await attack()
    after = await _written(redis_url, exercise["exercise"])
    assert after == before, "the bad input wrote to the log"
    reply = await bystander.command("message.post", text="still served")
    assert reply["ok"]
    await bystander.close()


FRAMES: list[tuple[str, bool, Any, int, str]] = [
    ("invalid msgpack", True, b"\xc1\xff\x00", 4500, "protocol"),
    ("invalid JSON", False, "{not json", 4500, "protocol"),
    ("text frame on msgpack", True, "text", 4500, "protocol"),
    ("binary frame on JSON", False, b"\x80", 4500, "protocol"),
    ("a list, not a map", False, "[1, 2]", 4500, "protocol"),
    (
        "command before hello",
        False,
        json.dumps({"type": "cmd", "id": "1", "name": "exercise.start"}),
        4500,
        "protocol",
    ),
    ("unknown frame type", False, json.dumps({"type": "gimme"}), 4500, "protocol"),
    ("hello of version 2", False, json.dumps({"type": "hello", "v": 2, "code": "x"}), 4502, "unsupported"),
    (
        "hello with both code and token",
        False,
        json.dumps({"type": "hello", "v": 1, "code": "a", "token": "b"}),
        4500,
        "protocol",
    ),
    (
        "hello with a numeric code",
        False,
        json.dumps({"type": "hello", "v": 1, "code": 12345}),
        4500,
        "protocol",
    ),
    (
        "unknown join code",
        False,
        json.dumps({"type": "hello", "v": 1, "code": "AAAA-BBBB-CCCC-DDDD"}),
        4501,
        "bad_credential",
    ),
    (
        "not a join code at all",
        False,
        json.dumps({"type": "hello", "v": 1, "code": "<script>"}),
        4501,
        "bad_credential",
    ),
    (
        "forged session token",
        False,
        json.dumps({"type": "hello", "v": 1, "token": "eyJ4Ijo.bad"}),
        4501,
        "bad_credential",
    ),
    ("deep nesting", False, "[" * 100 + "]" * 100, 4500, "protocol"),
    (
        "bad resume",
        False,
        json.dumps({"type": "hello", "v": 1, "code": "x", "resume": {"seq": "7"}}),
        4500,
        "protocol",
    ),
]


@pytest.mark.parametrize(("case", "binary", "payload", "code", "error"), FRAMES, ids=[f[0] for f in FRAMES])
async def test_malformed_frames_and_bad_hellos_close_with_the_documented_code(
    server: ServerProcess,
    redis_url: str,
    exercise: dict[str, Any],
    case: str,
    binary: bool,
    payload: Any,
    code: int,
    error: str,
) -> None:
    async def attack() -> None:
        wire = await Wire.open(server.ws_url, binary=binary)
        await wire.ws.send(payload)
        closed, frames = await _closed_with(wire)
        assert closed == code, (case, frames)
        assert [f["code"] for f in frames if f["type"] == "error"] == [error]

    await _assert_nothing_written_and_others_served(server, redis_url, exercise, attack)


async def test_an_oversized_command_is_answered_too_large_and_the_session_goes_on(
    server: ServerProcess, redis_url: str, exercise: dict[str, Any]
) -> None:
    async def attack() -> None:
        wire = await Wire.join(server.ws_url, code_of(exercise, "Nils Berg"))
        await wire.ws.send(
            msgpack.packb(
                {"type": "cmd", "id": "big", "name": "message.post", "args": {"text": "x" * 200_000}}
            )
        )
        reply = await wire.next("reply")
        assert reply["id"] == "big"
        assert not reply["ok"]
        assert reply["error"]["code"] == "too_large"
        assert "65536" in reply["error"]["message"]
        still = await wire.command("ping")  # the connection stays: the page keeps its form
        assert still["ok"]
        await wire.close()

    await _assert_nothing_written_and_others_served(server, redis_url, exercise, attack)


async def test_a_frame_over_the_hard_limit_closes_with_1009(
    server: ServerProcess, redis_url: str, exercise: dict[str, Any]
) -> None:
    async def attack() -> None:
        wire = await Wire.join(server.ws_url, code_of(exercise, "Nils Berg"))
        text = "x" * (16 * 65_536 + 10)
        await wire.ws.send(
            msgpack.packb({"type": "cmd", "id": "huge", "name": "message.post", "args": {"text": text}})
        )
        closed, _ = await _closed_with(wire)
        assert closed == 1009

    await _assert_nothing_written_and_others_served(server, redis_url, exercise, attack)


async def test_an_oversized_hello_closes_with_1009_after_too_large(server: ServerProcess) -> None:
    async with connect(server.ws_url, subprotocols=["liaison.v1.msgpack"], max_size=None) as ws:  # type: ignore[list-item]
        await ws.send(msgpack.packb({"type": "hello", "v": 1, "code": "x" * 100_000}))
        frames: list[dict[str, Any]] = []
        code = None
        try:
            while True:
                frames.append(msgpack.unpackb(await ws.recv()))
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        assert code == 1009
        assert [f["code"] for f in frames if f["type"] == "error"] == ["too_large"]


COMMANDS: list[tuple[str, str, dict[str, Any], str]] = [
    ("unknown command", "exercise.explode", {}, "unknown_command"),
    ("participant starts the exercise", "exercise.start", {}, "forbidden"),
    (
        "participant announces",
        "announcement.make",
        {"audience": {"everyone": True}, "text": "hi"},
        "forbidden",
    ),
    ("participant revokes", "credential.revoke", {"participant": "P0001"}, "forbidden"),
    ("wrong type", "message.post", {"text": 42}, "invalid_args"),
    ("missing arg", "message.post", {}, "invalid_args"),
    ("empty text", "message.post", {"text": "   "}, "invalid_args"),
    ("huge text", "message.post", {"text": "y" * 5000}, "invalid_args"),
]


@pytest.mark.parametrize(("case", "name", "args", "code"), COMMANDS, ids=[c[0] for c in COMMANDS])
async def test_refused_commands_get_an_error_reply_and_write_nothing(
    server: ServerProcess,
    redis_url: str,
    exercise: dict[str, Any],
    case: str,
    name: str,
    args: dict[str, Any],
    code: str,
) -> None:
    async def attack() -> None:
        wire = await Wire.join(server.ws_url, code_of(exercise, "Nils Berg"))
        await wire.drain(0.2)
        before = await _written(redis_url, exercise["exercise"])
        reply = await wire.command(name, **args)
        assert not reply["ok"]
        assert reply["error"]["code"] == code, reply
        assert await _written(redis_url, exercise["exercise"]) == before
        await wire.close()

    # the participant's own connection and departure are written (presence); the command is not
    bystander = await Wire.join(server.ws_url, code_of(exercise, "Sara Costa"))
    await attack()
    assert (await bystander.command("message.post", text="still served"))["ok"]
    await bystander.close()


async def test_malformed_cmd_with_an_id_gets_bad_request(
    server: ServerProcess, exercise: dict[str, Any]
) -> None:
    wire = await Wire.join(server.ws_url, code_of(exercise, "Nils Berg"))
    await wire.send({"type": "cmd", "id": "x1", "name": 7, "args": {}})
    reply = await wire.next("reply")
    assert reply["error"]["code"] == "bad_request"
    await wire.send({"type": "cmd", "id": "x2", "name": "message.post", "args": [1]})
    assert (await wire.next("reply"))["error"]["code"] == "bad_request"
    await wire.send({"type": "cmd", "name": "message.post"})  # no id: cannot be answered
    closed, _ = await wire.closed()
    assert closed == 4500
    await wire.close()


async def test_no_hello_in_time_closes_with_4002(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "impatient", hello_timeout="0.3")
    wire = await Wire.open(server.ws_url)
    closed, frames = await wire.closed()
    assert closed == 4002
    assert frames[-1]["code"] == "hello_timeout"


async def test_a_connection_without_our_subprotocol_is_closed_with_4502(server: ServerProcess) -> None:
    async with connect(server.ws_url) as ws:
        error = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert error["code"] == "unsupported"
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4502


async def test_a_foreign_origin_is_refused_before_the_upgrade(server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect(server.ws_url, subprotocols=["liaison.v1.json"], origin="http://evil.example")  # type: ignore[list-item]
    assert refused.value.response.status_code == 403
    same = await connect(
        server.ws_url, subprotocols=["liaison.v1.json"], origin=f"http://127.0.0.1:{server.port}"
    )  # type: ignore[list-item]
    await same.close()


async def test_revoking_a_code_closes_live_connections_and_refuses_it_and_its_tokens(
    server: ServerProcess, exercise: dict[str, Any]
) -> None:
    director = await Wire.join(server.ws_url, code_of(exercise, "Dana Director"))
    victim = await Wire.join(server.ws_url, code_of(exercise, "Nils Berg"))
    token = victim.welcome["token"]  # type: ignore[index]
    participant = victim.welcome["me"]["participant"]  # type: ignore[index]
    await director.ok("credential.revoke", participant=participant)
    closed, _ = await victim.closed()
    assert closed == 4503
    for hello in ({"code": code_of(exercise, "Nils Berg")}, {"token": token}):
        again = await Wire.open(server.ws_url)
        await again.send({"type": "hello", "v": 1, **hello})
        assert (await again.closed())[0] == 4503
    reissued = await director.ok("credential.reissue", participant=participant)
    fresh = await Wire.join(server.ws_url, reissued["result"]["code"])
    assert fresh.welcome["me"]["participant"] == participant  # type: ignore[index]
    for wire in (director, fresh):
        await wire.close()


async def test_a_slow_consumer_is_disconnected_with_4001_and_others_are_not_slowed(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "small-queue", send_queue="200")
    created = server.create_exercise()
    tiny = socket.socket()  # a small receive buffer: the server feels the back-pressure soon
    tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    tiny.connect(("127.0.0.1", server.port))
    slow = await Wire.open(server.ws_url, max_queue=1, sock=tiny)  # and it never reads
    await slow.hello(code=code_of(created, "Nils Berg"))
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    fast = await Wire.join(server.ws_url, code_of(created, "Nora Lind"))
    count = 1500  # 6 MB of announcements to NOR: more than the kernel buffers of loopback hold

    async def read_all() -> None:
        while len([e for e in fast.events() if e["kind"] == "announcement.made"]) < count:
            await fast.recv()

    reading = asyncio.create_task(read_all())
    for batch in range(0, count, 50):  # pipelined, in batches the director's own queue holds
        for i in range(batch, batch + 50):
            await director.send(
                {
                    "type": "cmd",
                    "id": f"a{i}",
                    "name": "announcement.make",
                    "args": {"audience": {"teams": ["NOR"]}, "text": f"{i} " + "z" * 3990},
                }
            )
        replies = 0
        while replies < 50:
            replies += (await director.recv())["type"] == "reply"
    await asyncio.wait_for(reading, 30)
    assert len([e for e in fast.events() if e["kind"] == "announcement.made"]) == count

    def kicked() -> bool:
        logged = [json.loads(line) for line in server.log().splitlines() if '"connection.closed"' in line]
        return any(entry.get("close_code") == 4001 for entry in logged)

    await wait_until(kicked, within=10, message="no connection closed with 4001 in the server log")
    for wire in (director, fast, slow):
        await wire.close()


async def test_a_flood_of_commands_is_rate_limited_per_connection(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "strict", command_rate="1", command_burst="5")
    created = server.create_exercise()
    wire = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    for i in range(10):
        await wire.send(
            {"type": "cmd", "id": f"f{i}", "name": "message.post", "args": {"text": f"flood {i}"}}
        )
    replies = []
    while len(replies) < 10:
        frame = await wire.recv()
        if frame["type"] == "reply":
            replies.append(frame)
    assert [r["ok"] for r in replies].count(True) == 5
    assert {r["error"]["code"] for r in replies if not r["ok"]} == {"rate_limited"}
    other = await Wire.join(server.ws_url, code_of(created, "Nora Lind"))  # its own bucket
    assert (await other.command("message.post", text="not limited"))["ok"]
    for w in (wire, other):
        await w.close()


async def test_connections_per_participant_are_capped(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "capped", max_connections="2")
    created = server.create_exercise()
    code = code_of(created, "Nils Berg")
    first, second = await Wire.join(server.ws_url, code), await Wire.join(server.ws_url, code)
    await second.command("message.post", text="sync")  # both connections are in the log now
    third = await Wire.open(server.ws_url)
    await third.send({"type": "hello", "v": 1, "code": code})
    closed, frames = await third.closed()
    assert closed == 4504
    assert frames[-1]["code"] == "too_many_connections"
    for w in (first, second):
        await w.close()


async def test_the_server_log_holds_no_join_code_token_or_message_text(server: ServerProcess) -> None:
    created = server.create_exercise()
    code = code_of(created, "Nils Berg")
    wire = await Wire.join(server.ws_url, code)
    token = wire.welcome["token"]  # type: ignore[index]
    await wire.ok("message.post", text="confidential-7781 witness address")
    await wire.close()
    again = await Wire.open(server.ws_url)
    await again.hello(token=token)
    await again.close()

    def logged_session_end() -> bool:
        return server.log().count('"connection.closed"') >= 2

    await wait_until(logged_session_end, message="no connection.closed lines")
    log = server.log()
    assert code not in log and code.replace("-", "") not in log
    assert token not in log and token.split(".")[1] not in log
    assert "confidential-7781" not in log
