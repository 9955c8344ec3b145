"""A light protocol connection for load generators: raw frames, peeked, not parsed into objects.

The SDK (`clients.sdk`) builds a typed object per frame and keeps a session; a generator that
sends thousands of commands a second, or holds thousands of connections, pays for that on every
delivered frame. `Wire` speaks the same protocol (docs/protocol.md: `liaison.v1.msgpack`, hello,
welcome, cmd, reply) with the SDK's frame encoder, and `peek` reads only what the oracle needs
from an event (`type`, `seq`, `kind`, `at`), skipping `data` without decoding it. Whoever needs
a frame's data decodes that one frame in full (`decode`).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from typing import Any

import msgpack
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, WebSocketException
from websockets.typing import Subprotocol as WebSocketSubprotocol

from clients.sdk import frames
from clients.sdk.frames import Subprotocol

MSGPACK = WebSocketSubprotocol(Subprotocol.MSGPACK.value)
_WANTED = frozenset({"type", "seq", "kind", "at", "id", "ok"})


class WireError(RuntimeError):
    """The server answered the hello with something else than a welcome (an error frame)."""


SMALL = 512
"""Below this size, decoding the whole frame in C is cheaper than skipping its data in Python
(about 1.2 µs against 2.3 µs for a 110-byte message event here; 6 µs against 2.8 µs at 1.2 KB)."""


def peek(raw: bytes) -> dict[str, Any]:
    """The map of one msgpack frame with at least `type`, and `seq`, `kind`, `at` (events), `id`,
    `ok` and `seq` (replies) when the frame has them. A large frame's other values (an event's
    `data`, a reply's `result`) are skipped undecoded: use `decode` for them."""
    if len(raw) < SMALL:
        whole = msgpack.unpackb(raw, raw=False)
        return whole if isinstance(whole, dict) else {}
    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed(raw)
    found: dict[str, Any] = {}
    for _ in range(unpacker.read_map_header()):
        key = unpacker.unpack()
        if key in _WANTED:
            found[key] = unpacker.unpack()
        else:
            unpacker.skip()
    return found


def decode(raw: bytes) -> dict[str, Any]:
    """One frame in full."""
    return frames.decode(Subprotocol.MSGPACK, raw)


class Wire:
    """One connection: `open()` (hello → welcome, kept raw), `send()` commands without waiting,
    `frames()` the raw frames that follow."""

    def __init__(self, url: str, *, code: str | None = None, token: str | None = None) -> None:
        self.url = url
        self.code = code
        self.token = token
        self.ws: ClientConnection | None = None
        self.welcome: dict[str, Any] = {}
        self.welcome_bytes = 0
        self._ids = itertools.count(1)
        self._nonce = secrets.token_hex(4)

    async def open(self, within: float = 30.0, resume: tuple[str, int] | None = None) -> dict[str, Any]:
        async with asyncio.timeout(within):
            self.ws = await connect(
                self.url, subprotocols=[MSGPACK], compression=None, max_size=None, open_timeout=within
            )
            await self.ws.send(
                frames.encode(
                    Subprotocol.MSGPACK, frames.hello(code=self.code, token=self.token, resume=resume)
                )
            )
            raw = await self.ws.recv()
        if not isinstance(raw, bytes):
            raise WireError("a text frame on liaison.v1.msgpack")
        welcome = decode(raw)
        if welcome.get("type") != "welcome":
            await self.close()
            raise WireError(f"{welcome.get('code')}: {welcome.get('message')}")
        self.welcome, self.welcome_bytes = welcome, len(raw)
        return welcome

    def next_id(self) -> str:
        return f"w{self._nonce}-{next(self._ids)}"

    async def send(self, name: str, args: dict[str, Any], command_id: str | None = None) -> str:
        """Send one `cmd`; its id (the reply carries it). Does not wait for the reply."""
        assert self.ws is not None
        command_id = command_id or self.next_id()
        await self.ws.send(frames.encode(Subprotocol.MSGPACK, frames.cmd(command_id, name, args)))
        return command_id

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None


async def first_welcome(url: str, code: str, since: float, within: float = 120.0) -> tuple[float, int]:
    """Try to be welcomed until it works: (seconds from `since`, a wall time, to the welcome,
    the welcome's size in bytes). For "restart to first welcome"."""
    deadline = time.monotonic() + within
    while True:
        wire = Wire(url, code=code)
        try:
            await wire.open(within=max(1.0, deadline - time.monotonic()))
        except (OSError, TimeoutError, WireError, InvalidHandshake, WebSocketException) as error:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no welcome from {url} within {within:g} s: {error!r}") from error
            await asyncio.sleep(0.02)
            continue
        done = time.time()
        await wire.close()
        return done - since, wire.welcome_bytes


async def welcome_size(url: str, code: str) -> int:
    """The size in bytes (msgpack) of the welcome this code gets now."""
    wire = Wire(url, code=code)
    await wire.open()
    await wire.close()
    return wire.welcome_bytes
