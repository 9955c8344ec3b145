"""Writing a frame straight to a WebSocket's socket, without a task switch or the ASGI send path.

Most frames are events fanned out to many connections at once. Sent the ASGI way, each one wakes
the connection's writer task and goes through Starlette's and uvicorn's `send` (a message dict and
three wrappers) before uvicorn frames it and writes it to the transport. When the connection has
nothing queued, `DirectWriter.write` does only the last two steps, with uvicorn's own sans-I/O
protocol object, as `websockets.broadcast` does: the frame is on the socket before the hub moves on
to the next connection.

It needs uvicorn's `websockets-sansio` implementation (what `liaison serve` runs) and the raw ASGI
`send` of the connection, which `KeepRawSend` puts in the scope. With anything else, `DirectWriter.of`
returns None and the connection sends the ASGI way; `tests/e2e/test_direct_send.py` fails if a
uvicorn upgrade silently loses the direct path.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

RAW_SEND = "liaison.raw_send"
"""The scope key under which `KeepRawSend` keeps the server's own `send` of a WebSocket."""


class KeepRawSend:
    """ASGI middleware, outermost: remember the server's `send` of each WebSocket in its scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope = {**scope, RAW_SEND: send}
        await self.app(scope, receive, send)


def wire_frame(frame: bytes | str, binary: bool) -> bytes:
    """The bytes of `frame` on the wire as a server sends it: one final, unmasked WebSocket frame
    (binary or text), without extensions. The same for every connection, so a hub serialises an
    event once per subprotocol (`server.adapters.hub.Entry`) and `DirectWriter.write` hands these
    bytes to each transport, as websockets' `Frame.serialize` would have made them for each."""
    data = frame if isinstance(frame, bytes) else frame.encode()
    head = 0x82 if binary else 0x81  # FIN + opcode
    length = len(data)
    if length < 126:
        return bytes((head, length)) + data
    if length < 65536:
        return struct.pack("!BBH", head, 126, length) + data
    return struct.pack("!BBQ", head, 127, length) + data


class DirectWriter:
    def __init__(self, protocol: WebSocketsSansIOProtocol, binary: bool) -> None:
        self._protocol = protocol
        self._binary = binary

    @classmethod
    def of(cls, scope: Mapping[str, Any], binary: bool) -> DirectWriter | None:
        """The direct writer of the connection with this scope, if its server allows one."""
        protocol = getattr(scope.get(RAW_SEND), "__self__", None)
        if not isinstance(protocol, WebSocketsSansIOProtocol):
            return None
        return cls(protocol, binary)

    def write(self, frame: bytes | str, wire: bytes | None = None) -> bool:
        """Write one frame now; False (and nothing written) when it must go the ASGI way: the
        socket's buffer is full (flow control), or the connection is closing or gone.

        `wire` is the frame already serialised (`wire_frame`), shared by every connection that
        gets it; it is used when the connection negotiated no extension (permessage-deflate
        makes each connection's bytes its own) and no fragmented message is under way."""
        protocol = self._protocol
        transport = protocol.transport
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.handshake_complete
            or not protocol.writable.is_set()
            or transport.is_closing()
        ):
            return False
        conn = protocol.conn
        if wire is not None and not conn.extensions and not conn.expect_continuation_frame:
            if conn.state is not State.OPEN:
                return False  # closing: uvicorn's own send path says what happens next
            if conn.writes:  # normally empty: uvicorn flushes after each read
                transport.write(b"".join(conn.data_to_send()) + wire)
            else:
                transport.write(wire)
            return True
        if self._binary:
            conn.send_binary(frame if isinstance(frame, bytes) else frame.encode())
        else:
            conn.send_text(frame.encode() if isinstance(frame, str) else frame)
        protocol.transport.write(b"".join(conn.data_to_send()))
        return True

    def close(self, last: bytes | str | None, code: int, reason: str) -> bool:
        """Write `last` (an error frame) and the close frame now, even past flow control, so that a
        client that reads slowly still learns why it was closed (a slow consumer's `too_slow`,
        4001) instead of seeing the transport dropped. It does what uvicorn's own
        `websocket.close` does, without first waiting for the socket's buffer to drain; uvicorn
        then waits for the client's close frame (at most its close timeout). False when the
        connection is already closing or gone (nothing written)."""
        protocol = self._protocol
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.handshake_complete
            or protocol.transport.is_closing()
        ):
            return False
        if last is not None:
            if self._binary:
                protocol.conn.send_binary(last if isinstance(last, bytes) else last.encode())
            else:
                protocol.conn.send_text(last.encode() if isinstance(last, str) else last)
        protocol.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        protocol.conn.send_close(code, reason)
        protocol.transport.write(b"".join(protocol.conn.data_to_send()))
        protocol.close_sent = True
        if protocol.read_paused:
            protocol.read_paused = False
            protocol.transport.resume_reading()
        protocol.close_timer = protocol.loop.call_later(protocol.close_timeout, protocol.transport.close)
        return True
