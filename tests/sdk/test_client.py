"""The asyncio client against a scripted protocol peer: one test per behaviour of the contract."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from clients.sdk import (
    AnomalyKind,
    Client,
    CommandError,
    ConnectionClosed,
    Event,
    EventStream,
    Item,
    ProtocolViolation,
    Reset,
    TerminalError,
    connect,
)

from .conftest import ClientFactory
from .peer import Peer, PeerConnection, opened, snapshot

DEADLINE = 5.0
T = TypeVar("T")


async def next_item(stream: EventStream) -> Item:
    async with asyncio.timeout(DEADLINE):
        return await anext(stream)


async def until(client: Client, predicate: Callable[[Client], bool]) -> None:
    async with asyncio.timeout(DEADLINE):
        await client.wait_until(predicate)


async def finish(task: asyncio.Task[Any]) -> Any:
    async with asyncio.timeout(DEADLINE):
        return await task


def background(coroutine: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """A task named after its coroutine."""
    return asyncio.create_task(coroutine, name=f"test:{coroutine.__qualname__}")


def seqs(items: list[Item]) -> list[int]:
    return [item.seq for item in items if isinstance(item, Event)]


@pytest.mark.parametrize("subprotocol", ["msgpack", "json"])
async def test_session_in_both_subprotocols(peer: Peer, make_client: ClientFactory, subprotocol: str) -> None:
    client = make_client(subprotocol=subprotocol)
    connection, hello = await opened(client, peer, seq=3)

    assert connection.subprotocol == f"liaison.v1.{subprotocol}"
    assert hello == {"type": "hello", "v": 1, "code": "ABCD-EFGH"}
    assert client.connected
    assert client.welcome is not None
    assert client.welcome.reason == "new"
    assert client.me is not None
    assert client.me.participant == "p1"
    assert client.me.team == "nl"
    assert client.token == "tok-1"
    assert client.snapshot == snapshot()
    await connection.event(4)
    await connection.position(6)
    await connection.event(7, "exercise.paused", clock={"speed": 1})
    stream = client.events()
    first = await next_item(stream)
    assert first == Reset(snapshot(), "new", "e1", 3)
    fourth = await next_item(stream)
    assert fourth == Event(4, 1_700_000_004.0, "message.posted", fourth.data)
    assert fourth.data["text"] == "message 4"
    seventh = await next_item(stream)
    assert (seventh.seq, seventh.kind, seventh.data) == (7, "exercise.paused", {"clock": {"speed": 1}})
    assert client.position == ("e1", 7)
    assert (client.resets, client.reconnects, client.anomalies) == (0, 0, [])


@pytest.mark.parametrize("subprotocol", ["msgpack", "json"])
async def test_command_reply_ok(peer: Peer, make_client: ClientFactory, subprotocol: str) -> None:
    client = make_client(subprotocol=subprotocol)
    connection, _ = await opened(client, peer)

    running = background(client.command("roster.add", name="Bo", role="analyst"))
    cmd = await connection.command()
    assert re.fullmatch(r"roster\.add-1-[0-9a-f]{8}", cmd["id"])
    assert cmd["name"] == "roster.add"
    assert cmd["args"] == {"name": "Bo", "role": "analyst"}
    await connection.reply(cmd["id"], {"participant": "p9", "code": "WXYZ"}, seq=12)
    assert await finish(running) == {"participant": "p9", "code": "WXYZ"}

    requested = background(client.request("exercise.pause"))
    cmd = await connection.command()
    assert cmd["args"] == {}
    assert cmd["id"].startswith("exercise.pause-2-")
    await connection.reply(cmd["id"], {"duplicate": True}, seq=7)
    reply = await finish(requested)
    assert (reply.ok, reply.seq, reply.duplicate) == (True, 7, True)
    assert client.position == ("e1", 0)  # a reply's seq is not a position


async def test_command_reply_error_raises_command_error(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    connection, _ = await opened(client, peer)

    running = background(client.command("exercise.end"))
    cmd = await connection.command()
    await connection.refuse(cmd["id"], "forbidden", "only the director may end the exercise")
    with pytest.raises(CommandError) as caught:
        await finish(running)
    assert caught.value.code == "forbidden"
    assert caught.value.message == "only the director may end the exercise"
    assert (caught.value.name, caught.value.id) == ("exercise.end", cmd["id"])
    assert not caught.value.retryable


async def test_command_ids_are_unique_across_clients(peer: Peer, make_client: ClientFactory) -> None:
    ids = set()
    for _ in range(2):
        client = make_client()
        connection, _ = await opened(client, peer)
        for _ in range(3):
            running = background(client.command("message.post", text="x"))
            cmd = await connection.command()
            ids.add(cmd["id"])
            await connection.reply(cmd["id"])
            await finish(running)
    assert len(ids) == 6


@pytest.mark.parametrize("subprotocol", ["msgpack", "json"])
async def test_reconnect_after_4001_resumes_from_position_with_token(
    peer: Peer, make_client: ClientFactory, subprotocol: str
) -> None:
    client = make_client(subprotocol=subprotocol)
    connection, _ = await opened(client, peer, seq=3, token="tok-A")
    await connection.event(4)
    await connection.position(9)
    await until(client, lambda c: c.position == ("e1", 9))
    await connection.error("too_slow", "the send queue overflowed")
    await connection.close(4001, "too slow")

    again = await peer.accept()
    hello = await again.hello()
    assert hello == {"type": "hello", "v": 1, "token": "tok-A", "resume": {"epoch": "e1", "seq": 9}}
    await again.welcome(mode="resume", seq=11, token="tok-B")
    assert client.position == ("e1", 9)  # kept until the replay arrives
    await again.event(10)
    await again.event(11)
    await again.position(11)
    await again.event(12)
    await until(client, lambda c: c.position == ("e1", 12))

    items = [await next_item(client.events()) for _ in range(5)]
    assert isinstance(items[0], Reset)
    assert seqs(items) == [4, 10, 11, 12]
    assert (client.reconnects, client.resets, client.anomalies) == (1, 0, [])
    assert client.token == "tok-B"
    assert client.connected


async def test_resume_welcome_keeps_position_until_replay(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client(resume=("e1", 40))
    assert client.position == ("e1", 40)
    opening = background(client.open())
    connection = await peer.accept()
    hello = await connection.hello()
    assert hello["code"] == "ABCD-EFGH"
    assert hello["resume"] == {"epoch": "e1", "seq": 40}
    await connection.welcome(mode="resume", seq=45)
    await finish(opening)
    assert client.position == ("e1", 40)
    assert client.snapshot is None
    await connection.event(43)
    await connection.position(45)
    assert await next_item(client.events()) == Event(
        43, 1_700_000_043.0, "message.posted", {"author": "p2", "team": "nl", "text": "message 43"}
    )
    await until(client, lambda c: c.position == ("e1", 45))
    assert client.resets == 0


async def test_first_welcome_in_snapshot_mode_after_resume_counts_as_reset(
    peer: Peer, make_client: ClientFactory
) -> None:
    client = make_client(resume=("e0", 40))
    await opened(client, peer, epoch="e1", seq=5, reason="epoch_changed")
    assert client.resets == 1
    assert client.position == ("e1", 5)
    assert await next_item(client.events()) == Reset(snapshot(), "epoch_changed", "e1", 5)


@pytest.mark.parametrize("loss", ["1006", "1011", "1012", "4000", "1001"])
async def test_command_in_flight_is_resent_with_the_same_id(
    peer: Peer, make_client: ClientFactory, loss: str
) -> None:
    client = make_client()
    connection, _ = await opened(client, peer, seq=2)
    running = background(client.command("message.post", text="hello"))
    first = await connection.command()
    if loss == "1006":
        connection.drop()
    else:
        await connection.close(int(loss))

    again = await peer.accept()
    hello = await again.hello()
    assert hello["resume"] == {"epoch": "e1", "seq": 2}
    await again.welcome(mode="resume", seq=3)
    resent = await again.command()
    assert resent == first
    await again.event(3, text="hello")
    await again.reply(resent["id"], {"duplicate": True}, seq=3)
    assert await finish(running) == {"duplicate": True}
    assert client.reconnects == 1


async def test_commands_wait_for_the_connection(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    connection, _ = await opened(client, peer)
    await connection.close(4000, "shutting down")
    again = await peer.accept()
    await until(client, lambda c: not c.connected)

    late = background(client.command("message.post", text="late", timeout=0.05))
    with pytest.raises(TimeoutError):
        await finish(late)
    waiting = background(client.command("message.post", text="waits"))
    await again.hello()  # nothing is sent before the welcome
    await again.welcome(mode="resume", seq=0)
    cmd = await again.command()
    assert cmd["args"] == {"text": "waits"}  # the timed-out command was never sent
    await again.reply(cmd["id"])
    assert await finish(waiting) == {}


async def test_reply_to_abandoned_command_is_not_an_anomaly(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    connection, _ = await opened(client, peer)
    abandoned = background(client.command("clock.jump", timeout=0.05))
    cmd = await connection.command()
    with pytest.raises(TimeoutError):
        await finish(abandoned)
    await connection.reply(cmd["id"])
    await connection.reply("nobody-1-00000000")
    await until(client, lambda c: len(c.anomalies) > 0)
    assert [a.kind for a in client.anomalies] == [AnomalyKind.UNKNOWN_REPLY]


@pytest.mark.parametrize(
    ("code", "error"),
    [(4500, "protocol"), (4501, "bad_credential"), (4502, "unsupported"), (4503, "revoked")],
)
async def test_terminal_close_stops_and_raises(
    peer: Peer, make_client: ClientFactory, code: int, error: str
) -> None:
    client = make_client()
    connection, _ = await opened(client, peer, seq=1)
    await connection.event(2)
    running = background(client.command("message.post", text="x"))
    await connection.command()
    await connection.error(error, "no")
    await connection.close(code, "go away")

    with pytest.raises(TerminalError) as caught:
        await finish(running)
    assert (caught.value.code, caught.value.reason) == (code, "go away")
    assert (caught.value.error_code, caught.value.error_message) == (error, "no")
    stream = client.events()
    assert isinstance(await next_item(stream), Reset)
    assert await next_item(stream) == Event(
        2, 1_700_000_002.0, "message.posted", {"author": "p2", "team": "nl", "text": "message 2"}
    )
    with pytest.raises(TerminalError):
        await next_item(stream)
    assert client.stopped
    assert client.error is caught.value
    assert not client.connected
    with pytest.raises(TerminalError):
        await client.command("message.post", text="after")
    assert peer.waiting == 0


async def test_bad_code_fails_open(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    opening = background(client.open())
    connection = await peer.accept()
    await connection.hello()
    await connection.error("bad_credential", "unknown join code")
    await connection.close(4501)
    with pytest.raises(TerminalError) as caught:
        await finish(opening)
    assert caught.value.code == 4501
    assert caught.value.error_code == "bad_credential"


async def test_refused_token_falls_back_to_the_join_code(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    connection, _ = await opened(client, peer, seq=4, token="tok-A")
    await connection.close(4000)

    second = await peer.accept()
    hello = await second.hello()
    assert hello["token"] == "tok-A"
    assert "code" not in hello
    await second.error("bad_credential", "expired")
    await second.close(4501)

    third = await peer.accept()
    hello = await third.hello()
    assert hello == {"type": "hello", "v": 1, "code": "ABCD-EFGH", "resume": {"epoch": "e1", "seq": 4}}
    await third.welcome(mode="resume", seq=4, token="tok-C")
    await until(client, lambda c: c.connected and c.token == "tok-C")


async def test_snapshot_welcome_after_reconnect_yields_reset(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    connection, _ = await opened(client, peer, seq=3)
    await connection.event(4)
    await until(client, lambda c: c.position == ("e1", 4))
    await connection.close(4001)

    again = await peer.accept()
    await again.hello()
    rebuilt = snapshot(feed=[{"author": "p2", "channel": "team", "text": "again"}])
    await again.welcome(epoch="e2", seq=2, reason="epoch_changed", state=rebuilt)
    await again.event(3)

    stream = client.events()
    items = [await next_item(stream) for _ in range(4)]
    assert items[0] == Reset(snapshot(), "new", "e1", 3)
    assert seqs(items[1:2]) == [4]
    assert items[2] == Reset(rebuilt, "epoch_changed", "e2", 2)
    assert seqs(items[3:]) == [3]
    assert (client.resets, client.reconnects, client.position) == (1, 1, ("e2", 3))
    assert client.snapshot == rebuilt
    assert client.anomalies == []


async def test_duplicates_and_out_of_order_events_are_counted(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    connection, _ = await opened(client, peer, seq=3)
    for seq in (4, 5, 5, 3, 6):
        await connection.event(seq)
    await connection.position(5)
    await connection.event(7)
    await until(client, lambda c: c.position == ("e1", 7))

    stream = client.events()
    items = [await next_item(stream) for _ in range(5)]
    assert seqs(items) == [4, 5, 6, 7]
    assert [a.kind for a in client.anomalies] == [
        AnomalyKind.DUPLICATE,
        AnomalyKind.OUT_OF_ORDER,
        AnomalyKind.POSITION_BACKWARDS,
    ]
    assert "event 5" in str(client.anomalies[0])


async def test_server_restart_reconnects_after_refused_connections(
    peer: Peer, make_client: ClientFactory
) -> None:
    client = make_client()
    await opened(client, peer, seq=8)
    await peer.stop()  # closes with 1001, then refuses connections
    await until(client, lambda c: not c.connected)
    await peer.start()  # same port
    again = await peer.accept()
    hello = await again.hello()
    assert hello["resume"] == {"epoch": "e1", "seq": 8}
    await again.welcome(mode="resume", seq=8)
    await until(client, lambda c: c.connected and c.reconnects == 1)


async def test_missing_welcome_reconnects(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client(open_timeout=0.2)
    opening = background(client.open())
    silent = await peer.accept()
    await silent.hello()
    assert await silent.closed_with() == 1000
    again = await peer.accept()
    await again.hello()
    await again.welcome()
    await finish(opening)
    assert client.reconnects == 0


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "event", "seq": "four", "at": 1.0, "kind": "x", "data": {}},
        {"type": "bogus"},
        {"type": "welcome"},
    ],
)
async def test_protocol_violation_closes_1002_and_stops(
    peer: Peer, make_client: ClientFactory, frame: dict[str, Any]
) -> None:
    client = make_client()
    connection, _ = await opened(client, peer)
    running = background(client.command("exercise.pause"))
    await connection.command()
    await connection.send(frame)
    assert await connection.closed_with() == 1002
    with pytest.raises(ProtocolViolation):
        await finish(running)
    stream = client.events()
    assert isinstance(await next_item(stream), Reset)
    with pytest.raises(ProtocolViolation):
        await next_item(stream)


async def test_event_before_welcome_is_a_protocol_violation(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    opening = background(client.open())
    connection = await peer.accept()
    await connection.hello()
    await connection.event(1)
    with pytest.raises(ProtocolViolation, match="before welcome"):
        await finish(opening)


async def test_normal_close_by_the_server_stops(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    connection, _ = await opened(client, peer)
    await connection.close(1000)
    await until(client, lambda c: c.stopped)
    assert isinstance(client.error, ConnectionClosed)
    assert client.error.code == 1000
    assert not isinstance(client.error, TerminalError)


async def test_no_reconnect_when_disabled(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client(reconnect=False)
    connection, _ = await opened(client, peer)
    await connection.close(4001)
    await until(client, lambda c: c.stopped)
    assert isinstance(client.error, ConnectionClosed)
    assert client.error.code == 4001


async def test_close_cancels_cleanly(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client(name="closing")
    connection, _ = await opened(client, peer, seq=1)
    await connection.event(2)
    await until(client, lambda c: c.position == ("e1", 2))
    running = background(client.command("message.post", text="x"))
    await connection.command()
    await client.close()

    with pytest.raises(ConnectionClosed):
        await finish(running)
    assert await connection.closed_with() == 1000
    assert client.stopped
    assert client.error is None
    items = [item async for item in client.events()]  # drained, then ends quietly
    assert seqs(items) == [2]
    names = {task.get_name() for task in asyncio.all_tasks()}
    assert not any(name.startswith("liaison-sdk:closing") for name in names)
    await client.close()  # twice is fine


async def test_connect_helper_and_context_manager(peer: Peer) -> None:
    connecting = background(connect(peer.url, "ABCD-EFGH", subprotocol="json"))
    connection = await peer.accept()
    assert (await connection.hello())["code"] == "ABCD-EFGH"
    await connection.welcome()
    client = await finish(connecting)
    try:
        assert client.connected
        assert client.subprotocol == "liaison.v1.json"
    finally:
        await client.close()

    async def welcome_next() -> PeerConnection:
        connection = await peer.accept()
        assert (await connection.hello())["token"] == "tok-1"
        await connection.welcome()
        return connection

    welcoming = background(welcome_next())
    async with Client(peer.url, token="tok-1") as scoped:
        assert scoped.connected
    connection = await finish(welcoming)
    assert await connection.closed_with() == 1000
    assert scoped.stopped


async def test_open_gives_up_after_start_timeout(make_client: ClientFactory, peer: Peer) -> None:
    await peer.stop()
    client = make_client(start_timeout=0.2)
    with pytest.raises(TimeoutError):
        await client.open()
    assert client.stopped


async def test_http_refusal_is_not_retried(peer: Peer) -> None:
    peer.refuse_status = 403
    client = Client(peer.url, code="x", backoff_initial=0.01)
    with pytest.raises(ConnectionClosed, match="HTTP 403") as caught:
        await client.open()
    assert caught.value.code is None
    assert peer.requests == 1


async def test_http_5xx_is_retried(peer: Peer, make_client: ClientFactory) -> None:
    peer.refuse_status = 503
    client = make_client()
    opening = background(client.open())
    await peer.wait_requests(2)  # refused, then tried again
    peer.refuse_status = None
    connection = await peer.accept()
    await connection.hello()
    await connection.welcome()
    await finish(opening)


async def test_invalid_url_is_not_retried() -> None:
    client = Client("http://127.0.0.1:9/ws", code="x")
    with pytest.raises(ConnectionClosed):
        await client.open()


async def test_many_clients_in_one_process(peer: Peer) -> None:
    count = 200

    async def welcome(connection: PeerConnection) -> PeerConnection:
        await connection.hello()
        await connection.welcome(seq=1)
        return connection

    async def answer(connection: PeerConnection) -> None:
        cmd = await connection.command()
        await connection.event(2)
        await connection.reply(cmd["id"], seq=2)

    clients = [Client(peer.url, code=f"code-{i}", name=f"load-{i}") for i in range(count)]
    try:
        async with asyncio.timeout(30), asyncio.TaskGroup() as group:
            for client in clients:
                group.create_task(client.open(), name=f"open-{client.name}")
            welcomes = [group.create_task(welcome(await peer.accept()), name="welcome") for _ in clients]
        sdk_tasks = [t for t in asyncio.all_tasks() if t.get_name().startswith("liaison-sdk:")]
        assert len(sdk_tasks) == 2 * count  # a reader (the supervisor) and a writer per client
        async with asyncio.timeout(30), asyncio.TaskGroup() as group:
            for client in clients:
                group.create_task(client.command("message.post", text="x"), name="command")
            for welcomed in welcomes:
                group.create_task(answer(welcomed.result()), name="answer")
        for client in clients:
            await until(client, lambda c: c.position == ("e1", 2))
        assert sum(len(client.anomalies) for client in clients) == 0
    finally:
        async with asyncio.TaskGroup() as group:
            for client in clients:
                group.create_task(client.close(), name="close")


async def test_explicit_command_ids_and_misuse(peer: Peer, make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(RuntimeError, match="open the client"):
        await client.command("exercise.pause")
    connection, _ = await opened(client, peer)
    with pytest.raises(RuntimeError, match="opened once"):
        await client.open()
    running = background(client.command("exercise.pause", command_id="retry-7"))
    assert (await connection.command())["id"] == "retry-7"
    with pytest.raises(ValueError, match="already in flight"):
        await client.command("exercise.pause", command_id="retry-7")
    with pytest.raises(ValueError, match="1 to 64"):
        await client.command("exercise.pause", command_id="x" * 65)
    with pytest.raises(TypeError):
        await client.command("message.post", text={1, 2})  # cannot be encoded
    await connection.reply("retry-7")
    assert await finish(running) == {}
