"""The protocol's limits and closes as docs/protocol.md states them (issue 11, items 16 to 19):
connections counted while open only, failed joins limited per address and code prefix across
instances, forwarded addresses from trusted proxies only, NaN and invalid UTF-8 refused as
documented, a slow consumer told `too_slow`, a graceful stop told `shutting_down`, and a replaced
code told `revoked`."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from collections.abc import Callable
from typing import Any

from server.adapters.redis_server import RedisProcess
from server.core.events import ConnectionClosed
from tests.e2e.log import read_log
from tests.e2e.proxy import FaultyProxy
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire
from tests.support import wait_until

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _typo(code: str) -> str:
    """The same code with its last character changed: a typo that keeps the first group."""
    last = code[-1]
    return code[:-1] + ALPHABET[(ALPHABET.index(last) + 1) % len(ALPHABET)]


def _other_prefix(i: int) -> str:
    """A wrong code whose first group differs for each `i` (someone else's typo)."""
    group = "".join(ALPHABET[(i >> (5 * k)) & 31] for k in range(4))
    return f"{group}-AAAA-BBBB-CCCC".replace("A", "0").replace("B", "1").replace("C", "2")


async def _hello(url: str, code: str, **options: Any) -> tuple[int | None, list[dict[str, Any]]]:
    """Send a hello with `code`; the close code and the frames, or (None, [welcome]) when welcomed."""
    wire = await Wire.open(url, **options)
    await wire.send({"type": "hello", "v": 1, "code": code})
    first = await wire.recv()
    if first["type"] == "welcome":
        await wire.close()
        return None, [first]
    closed, frames = await wire.closed()
    return closed, [first, *frames]


def _logged(server: ServerProcess) -> list[dict[str, Any]]:
    lines = []
    for line in server.log().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


async def test_others_typos_behind_one_address_never_refuse_a_valid_code(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "nat", join_failures="3")
    created = server.create_exercise()
    for i in range(10):  # a room behind one NAT mistypes ten different codes
        assert (await _hello(server.ws_url, _other_prefix(i)))[0] == 4501
    closed, frames = await _hello(server.ws_url, code_of(created, "Nils Berg"))
    assert closed is None and frames[0]["me"]["name"] == "Nils Berg"

    nora = code_of(created, "Nora Lind")
    for _ in range(3):  # the same code mistyped again and again: guessing around its first group
        assert (await _hello(server.ws_url, _typo(nora)))[0] == 4501
    closed, frames = await _hello(server.ws_url, _typo(nora))
    assert closed == 4004
    assert frames[-1]["code"] == "too_many_attempts" and "mistyped" in frames[-1]["message"]
    assert (await _hello(server.ws_url, code_of(created, "Sara Costa")))[0] is None  # others are served
    assert _typo(nora) not in server.log()  # a mistyped code is never written to the log


async def test_failed_joins_are_counted_for_all_instances(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a = start_server(redis_url, "a", join_failures="3")
    b = start_server(redis_url, "b", join_failures="3")
    created = a.create_exercise()
    typo = _typo(code_of(created, "Nils Berg"))
    for server in (a, b, a):
        assert (await _hello(server.ws_url, typo))[0] == 4501
    assert (await _hello(b.ws_url, typo))[0] == 4004


async def test_forwarded_addresses_count_only_from_trusted_proxies(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    direct = start_server(redis_url, "direct", join_failures="3")
    created = direct.create_exercise()
    typo = _typo(code_of(created, "Nils Berg"))
    for i in range(3):  # a client cannot escape the limit by naming other addresses itself
        spoofed = {"additional_headers": {"X-Forwarded-For": f"10.9.0.{i}"}}
        assert (await _hello(direct.ws_url, typo, **spoofed))[0] == 4501
    assert (await _hello(direct.ws_url, typo, additional_headers={"X-Forwarded-For": "10.9.0.9"}))[0] == 4004

    proxied = start_server(redis_url, "behind-proxy", join_failures="3", trusted_proxies="127.0.0.1")
    typo = _typo(code_of(created, "Nora Lind"))
    first = {"additional_headers": {"X-Forwarded-For": "10.1.0.1"}}
    for _ in range(3):
        assert (await _hello(proxied.ws_url, typo, **first))[0] == 4501
    assert (await _hello(proxied.ws_url, typo, **first))[0] == 4004
    second = {"additional_headers": {"X-Forwarded-For": "10.1.0.2"}}  # another client behind the proxy
    assert (await _hello(proxied.ws_url, typo, **second))[0] == 4501


async def test_connections_that_closed_do_not_count_during_their_presence_grace(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "reloads", max_connections="2", presence_grace="30")
    created = server.create_exercise()
    code = code_of(created, "Nils Berg")
    for reload in range(4):  # four quick reloads of two tabs
        tabs = [await Wire.join(server.ws_url, code), await Wire.join(server.ws_url, code)]
        for tab in tabs:
            assert (await tab.command("message.post", text=f"reload {reload}"))["ok"]
        for tab in tabs:
            await tab.close()

        def ended(count: int = 2 * (reload + 1)) -> bool:
            return sum(1 for e in _logged(server) if e.get("event") == "connection.closed") >= count

        await wait_until(ended, message="the server did not see the tabs close")
    one, two = await Wire.join(server.ws_url, code), await Wire.join(server.ws_url, code)
    await two.command("message.post", text="sync")  # both are open in the log now
    closed, frames = await _hello(server.ws_url, code)  # a third open one is still refused
    assert closed == 4504 and frames[-1]["code"] == "too_many_connections"
    for wire in (one, two):
        await wire.close()


async def test_nan_and_infinity_close_with_4500_and_invalid_utf8_with_1007_logged_as_a_client_error(
    shared_server: ServerProcess,
) -> None:
    server = shared_server
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"), binary=False)
    await director.ws.send('{"type": "cmd", "id": "n1", "name": "clock.speed", "args": {"speed": NaN}}')
    closed, frames = await director.closed()
    assert closed == 4500 and frames[-1]["code"] == "protocol"

    broken = await Wire.join(server.ws_url, code_of(created, "Nils Berg"), binary=False)
    await broken.drain(0.2)
    broken.ws.protocol.send_text(b'{"type": "cmd", "text": "\xc3\x28"}')  # not UTF-8
    broken.ws.transport.write(b"".join(broken.ws.protocol.data_to_send()))
    closed, _ = await broken.closed()
    assert closed == 1007

    def warned() -> bool:
        return any(e.get("event", "").startswith("client.invalid_utf8") for e in _logged(server))

    await wait_until(warned, message="no client.invalid_utf8 warning in the server log")
    entries = [e for e in _logged(server) if "UTF-8" in e.get("event", "")]
    assert entries and all(e["level"] == "warning" and "exception" not in e for e in entries), entries


async def test_a_consumer_that_reads_too_slowly_is_told_too_slow_and_closed_with_4001(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_process.url, "slow-reader", send_queue="50")
    created = server.create_exercise()
    tiny = socket.socket()
    tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    tiny.connect(("127.0.0.1", server.port))
    slow = await Wire.open(server.ws_url, max_queue=1, sock=tiny)
    await slow.hello(code=code_of(created, "Nils Berg"))
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    count = 1500  # 6 MB to NOR: more than the slow reader's queue and the loopback buffers hold
    for batch in range(0, count, 50):  # pipelined, in batches the director's own queue holds
        for i in range(batch, batch + 50):
            await director.send(
                {
                    "type": "cmd",
                    "id": f"s{i}",
                    "name": "announcement.make",
                    "args": {"audience": {"teams": ["NOR"]}, "text": f"{i} " + "z" * 3990},
                }
            )
        replies = 0
        while replies < 50:
            replies += (await director.recv())["type"] == "reply"

    async def read_slowly() -> tuple[int | None, list[dict[str, Any]]]:
        got: list[dict[str, Any]] = []
        from websockets.exceptions import ConnectionClosed as Closed

        try:
            while True:
                got.append(await slow.recv(timeout=20))
                await asyncio.sleep(0.002)
        except Closed as closed:
            return (closed.rcvd.code if closed.rcvd else None), got

    closed, frames = await asyncio.wait_for(read_slowly(), 60)
    assert closed == 4001, (closed, frames[-1:])
    assert frames[-1] == {
        "type": "error",
        "code": "too_slow",
        "message": "the connection did not keep up; reconnect to resume",
    }
    await director.close()


async def test_a_graceful_stop_tells_clients_shutting_down_and_closes_their_presence(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    stopping = start_server(redis_url, "stopping", presence_grace="30")
    created = stopping.create_exercise()
    wires = [await Wire.join(stopping.ws_url, code_of(created, name)) for name in ("Nils Berg", "Sara Costa")]
    for wire in wires:
        assert (await wire.command("message.post", text="before the stop"))["ok"]
    assert stopping.process is not None
    stopping.process.send_signal(signal.SIGTERM)
    for wire in wires:
        closed, frames = await wire.closed()
        assert closed == 4000, (closed, frames[-1:])
        assert frames[-1]["type"] == "error" and frames[-1]["code"] == "shutting_down"
    await asyncio.to_thread(stopping.process.wait, 15)
    log = await read_log(redis_url, created["exercise"])
    closes = [item.event for item in log if isinstance(item.event, ConnectionClosed)]
    assert len(closes) == 2  # written at the stop, not left to another instance's sweep


async def test_a_graceful_stop_finishes_the_command_in_flight_before_it_closes(
    redis_process: RedisProcess, redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    proxy = FaultyProxy(redis_process.port).start()  # slows Redis down: the command is in flight
    try:
        server = start_server(f"redis://127.0.0.1:{proxy.port}/0", "in-flight")
        created = server.create_exercise()
        wire = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
        await wire.drain(0.2)
        proxy.delay(0.5)
        await wire.send({"type": "cmd", "id": "last", "name": "message.post", "args": {"text": "in flight"}})
        await asyncio.sleep(0.2)
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        closed, frames = await wire.closed(timeout=20)
        replies = [f for f in frames if f["type"] == "reply"]
        assert [(r["id"], r["ok"]) for r in replies] == [("last", True)]
        assert frames[-1]["code"] == "shutting_down" and closed == 4000
        assert frames.index(replies[0]) < len(frames) - 1
        log = await read_log(redis_url, created["exercise"])
        assert [i.event.text for i in log if getattr(i.event, "kind", "") == "message.posted"] == [
            "in flight"
        ]
    finally:
        proxy.stop()


async def test_a_replaced_join_code_is_told_revoked_not_bad_credential(shared_server: ServerProcess) -> None:
    server = shared_server
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    old = code_of(created, "Nils Berg")
    participant = next(c["participant"] for c in created["codes"] if c["name"] == "Nils Berg")
    await director.ok("credential.reissue", participant=participant)
    closed, frames = await _hello(server.ws_url, old)
    assert closed == 4503 and frames[-1]["code"] == "revoked"
    closed, frames = await _hello(server.ws_url, "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert closed == 4501 and frames[-1]["code"] == "bad_credential"
    await director.close()
