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
import ssl
import time
from collections.abc import Callable
from typing import Any, cast

import msgpack
from websockets.client import ClientProtocol
from websockets.exceptions import InvalidHandshake, WebSocketException
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Subprotocol as WebSocketSubprotocol
from websockets.uri import parse_uri

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


def peek_data(raw: bytes, wanted: frozenset[str]) -> dict[str, Any]:
    """The `wanted` entries of a frame's `data` map (an event's), the others skipped undecoded:
    a player reacting to an inject needs its id, not its text and attachments."""
    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed(raw)
    for _ in range(unpacker.read_map_header()):
        if unpacker.unpack() != "data":
            unpacker.skip()
            continue
        try:
            size = unpacker.read_map_header()
        except msgpack.UnpackValueError:
            return {}  # not a map
        found: dict[str, Any] = {}
        for _ in range(size):
            key = unpacker.unpack()
            if key in wanted:
                found[key] = unpacker.unpack()
            else:
                unpacker.skip()
        return found
    return {}


def decode(raw: bytes) -> dict[str, Any]:
    """One frame in full."""
    return frames.decode(Subprotocol.MSGPACK, raw)


class _Stream(asyncio.Protocol):
    """The asyncio side of a `Wire`: bytes in and out, nothing else."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP transport, though not an asyncio.Transport instance under uvloop.
        self.wire.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.wire.received(data)

    def eof_received(self) -> bool | None:
        if not self.wire._raw:
            self.wire.protocol.receive_eof()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.wire.lost(exc)


class Wire:
    """One connection, on the `websockets` sans-I/O protocol under a plain asyncio `Protocol`:
    no reader task, no message queue, no future per frame. `open()` (handshake, hello → welcome,
    kept raw); then `listen(callback)` gets every later message as bytes, synchronously, as it
    is parsed; `send()` writes a `cmd` without waiting; `closed` resolves to the close code."""

    def __init__(self, url: str, *, code: str | None = None, token: str | None = None) -> None:
        self.url = url
        self.code = code
        self.token = token
        self.welcome_bytes = 0
        self.transport: asyncio.Transport | None = None
        self.protocol = ClientProtocol(parse_uri(url), subprotocols=[MSGPACK], max_size=None)
        self.closed: asyncio.Future[int] | None = None
        self._handshake: asyncio.Future[None] | None = None
        self._first: asyncio.Future[bytes] | None = None
        self._on_message: Callable[[bytes], None] | None = None
        self._early: list[bytes] = []
        self._fragments: list[bytes] = []
        self._raw = False
        self._buffer = bytearray()
        self._close_code: int | None = None
        self._ids = itertools.count(1)
        self._nonce = secrets.token_hex(4)

    @property
    def open_now(self) -> bool:
        return self.closed is not None and not self.closed.done()

    async def open(
        self,
        within: float = 30.0,
        resume: tuple[str, int] | None = None,
        *,
        greet: bool = True,
        catalogue: str = "",
    ) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        self.closed, self._handshake, self._first = (
            loop.create_future(),
            loop.create_future(),
            loop.create_future(),
        )
        uri = parse_uri(self.url)
        try:
            async with asyncio.timeout(within):
                context = ssl.create_default_context() if uri.secure else None
                await loop.create_connection(lambda: _Stream(self), uri.host, uri.port, ssl=context)
                self.protocol.send_request(self.protocol.connect())
                self._flush()
                await self._handshake
                if not greet:  # a bare WebSocket server (loadtest.receive_floor): no welcome
                    self._first.set_result(b"")
                    return {}
                hello = frames.hello(code=self.code, token=self.token, resume=resume, catalogue=catalogue)
                self.write(frames.encode(Subprotocol.MSGPACK, hello))
                raw = await self._first
        except BaseException:
            self.abort()
            raise
        welcome = decode(raw)
        if welcome.get("type") != "welcome":
            await self.close()
            raise WireError(f"{welcome.get('code')}: {welcome.get('message')}")
        self.welcome_bytes = len(raw)  # the welcome itself is not kept: it can be large
        return welcome

    def listen(self, on_message: Callable[[bytes], None]) -> None:
        """From now on, every message goes to `on_message` (those already in, at once)."""
        self._on_message = on_message
        early, self._early = self._early, []
        for raw in early:
            on_message(raw)

    # -- the protocol's side --------------------------------------------------------------

    def received(self, data: bytes) -> None:
        if self._raw:
            if self._buffer:
                self._buffer += data
                done = self._parse(self._buffer)
                if done:
                    del self._buffer[:done]
            else:
                done = self._parse(data)
                if done < len(data):
                    self._buffer = bytearray(data[done:])
            return
        protocol = self.protocol
        protocol.receive_data(data)
        for event in protocol.events_received():
            if isinstance(event, Frame):
                if event.opcode in (Opcode.BINARY, Opcode.CONT):
                    self._fragment(bytes(event.data), event.fin)
            elif isinstance(event, Response) and self._handshake is not None and not self._handshake.done():
                error = protocol.handshake_exc
                if error is None:
                    self._raw = True  # from here on, frames are parsed by `_parse`
                    self._handshake.set_result(None)
                else:
                    self._handshake.set_exception(error)
        self._flush()

    def _parse(self, buffer: bytes | bytearray) -> int:
        """Frames from the server (RFC 6455 §5.2: never masked, no extension negotiated), parsed
        here rather than by the protocol's generator-based parser: a few µs less per frame. Every
        complete frame in `buffer` (all those of one read, in one pass), then how many bytes they
        took. A whole binary message goes straight to the listener, as `bytes` (one copy: a slice
        of the read); control frames are answered through the protocol (a pong, the closing
        handshake)."""
        offset, size = 0, len(buffer)
        copy = isinstance(buffer, bytearray)
        deliver = self._on_message if self._first is not None and self._first.done() else None
        while size - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1]
            length, start = second & 0x7F, offset + 2
            if length == 126:
                if size - offset < 4:
                    break
                length, start = (buffer[offset + 2] << 8) | buffer[offset + 3], offset + 4
            elif length == 127:
                if size - offset < 10:
                    break
                length, start = int.from_bytes(buffer[offset + 2 : offset + 10], "big"), offset + 10
            if second & 0x80 or first & 0x70:  # masked, or an extension bit: not from our server
                self.abort()
                return size
            end = start + length
            if end > size:
                break
            payload = bytes(buffer[start:end]) if copy else cast(bytes, buffer[start:end])
            offset = end
            if first == 0x82 and deliver is not None and not self._fragments:
                deliver(payload)  # the usual case: one whole binary message
                continue
            opcode = first & 0x0F
            if opcode in (0x2, 0x0):
                self._fragment(bytes(payload), bool(first & 0x80))
                deliver = self._on_message if self._first is not None and self._first.done() else None
            elif opcode == 0x9:
                self.protocol.send_pong(bytes(payload))
                self._flush()
            elif opcode == 0x8:
                self._close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                if self.protocol.state is State.OPEN:
                    self.protocol.send_close(1000)
                    self._flush()
                if self.transport is not None:
                    self.transport.close()
        return offset

    def _fragment(self, data: bytes, fin: bool) -> None:
        if not fin:
            self._fragments.append(data)
            return
        if self._fragments:
            raw = b"".join([*self._fragments, data])
            self._fragments = []
        else:
            raw = data
        if self._first is not None and not self._first.done():
            self._first.set_result(raw)
        elif self._on_message is not None:
            self._on_message(raw)
        else:
            self._early.append(raw)

    def _flush(self) -> None:
        transport = self.transport
        if transport is None:
            return
        for chunk in self.protocol.data_to_send():
            if chunk:
                transport.write(chunk)
            elif transport.can_write_eof():
                transport.write_eof()
        if not self._raw and self.protocol.close_expected() and self.protocol.state is State.CLOSED:
            transport.close()

    def lost(self, exc: Exception | None) -> None:
        received = self.protocol.close_rcvd
        code = self._close_code or (received.code if received is not None else 1006)
        failure = ConnectionError(f"connection closed ({code})")
        for waiting in (self._handshake, self._first):
            if waiting is not None and not waiting.done():
                waiting.set_exception(failure)
        if self.closed is not None and not self.closed.done():
            self.closed.set_result(code)

    # -- commands and closing -------------------------------------------------------------

    def write(self, message: bytes | str) -> None:
        if isinstance(message, str):
            message = message.encode()
        self.protocol.send_binary(message)
        self._flush()

    def next_id(self) -> str:
        return f"w{self._nonce}-{next(self._ids)}"

    def send(self, name: str, args: dict[str, Any], command_id: str | None = None) -> str:
        """Send one `cmd`; its id (the reply carries it). Does not wait for the reply. Raises
        `ConnectionError` when the connection is closed."""
        if not self.open_now or self.protocol.state is not State.OPEN:
            raise ConnectionError("the connection is closed")
        command_id = command_id or self.next_id()
        self.write(frames.encode(Subprotocol.MSGPACK, frames.cmd(command_id, name, args)))
        return command_id

    def abort(self) -> None:
        """Drop the connection without a close frame."""
        if self.transport is not None:
            self.transport.abort()

    async def close(self, within: float = 2.0) -> None:
        if self.transport is None or self.closed is None or self.closed.done():
            return
        if self.protocol.state is State.OPEN:
            self.protocol.send_close(1000)
            self._flush()
        try:
            async with asyncio.timeout(within):
                await asyncio.shield(self.closed)
        except TimeoutError:
            self.abort()


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


async def welcome_sizes(url: str, code: str) -> tuple[int, int]:
    """The sizes in bytes (msgpack) of the welcomes this code gets now: a client's first, which
    carries the scenario's catalogue, and then that of a client holding it (it names the
    catalogue's tag in its hello, as the pages and the SDK do: docs/protocol.md)."""
    wire = Wire(url, code=code)
    welcome = await wire.open()
    await wire.close()
    tag = str((welcome.get("snapshot") or {}).get("catalogue_tag") or "")
    holding = Wire(url, code=code)
    await holding.open(catalogue=tag)
    await holding.close()
    return wire.welcome_bytes, holding.welcome_bytes
