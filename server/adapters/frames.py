"""Reading v1 frames from a WebSocket, and closing it with a reason (an `error` frame first)."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from starlette.websockets import WebSocket

from server.adapters.direct_send import DirectWriter
from server.adapters.wire_errors import Refused
from server.protocol import messages
from server.protocol.codec import FrameError, Subprotocol, decode, encode

log = structlog.get_logger("liaison.endpoint")

CLOSE_WAIT = 1.0
"""Seconds to hand the error and close frames to a socket that applies back-pressure."""


OVERSIZE_FACTOR = 16
"""uvicorn closes with 1009 a frame over this many times `LIAISON_MAX_FRAME_BYTES` (`hard_limit`);
a frame between the two is read, and a command in it answered `too_large`."""


def hard_limit(max_frame_bytes: int) -> int:
    """The largest frame uvicorn reads at all (`ws_max_size`)."""
    return max_frame_bytes * OVERSIZE_FACTOR


class Oversized(Refused):
    """A frame over `LIAISON_MAX_FRAME_BYTES`. A command in it (`command_id`) is answered
    `too_large` and the session goes on, so a page keeps its form; anything else closes 1009."""

    def __init__(self, size: int, limit: int, command_id: str | None) -> None:
        message = f"the frame is {size} bytes, more than the {limit} this server takes: nothing was done"
        super().__init__(1009, "too_large", message)
        self.command_id = command_id


async def receive(
    websocket: WebSocket, subprotocol: Subprotocol, limit: int | None = None
) -> dict[str, Any] | None:
    """The next frame, decoded; None when the client has gone. A frame over `limit` bytes
    raises `Oversized` (with the id of the command in it, when it holds one)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    data: bytes | str | None = message.get("bytes")
    if data is None:
        data = message.get("text") or ""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    try:
        frame = decode(subprotocol, data)
    except FrameError as error:
        if limit is not None and size > limit:
            raise Oversized(size, limit, None) from None
        raise Refused(4500, "protocol", str(error)) from None
    if limit is not None and size > limit:
        command_id = frame.get("id") if frame.get("type") == "cmd" else None
        valid = isinstance(command_id, str) and 1 <= len(command_id) <= 64
        raise Oversized(size, limit, command_id if valid else None)
    return frame


async def close(
    websocket: WebSocket,
    subprotocol: Subprotocol,
    code: int,
    error: str,
    reason: str,
    direct: DirectWriter | None = None,
) -> None:
    """Say why (an error frame), then close.

    With a direct writer, both frames are written at once, past flow control, so a client
    that reads slowly still gets them after what it has not read yet; otherwise they go the
    ASGI way, and a peer that does not read is given up on after `CLOSE_WAIT` seconds.
    """
    frame = encode(subprotocol, messages.error(error, reason)) if error else None
    if direct is not None and direct.close(frame, code, reason[:120]):
        return
    try:
        async with asyncio.timeout(CLOSE_WAIT):
            if isinstance(frame, bytes):
                await websocket.send_bytes(frame)
            elif frame is not None:
                await websocket.send_text(frame)
            await websocket.close(code, reason[:120])
    except (TimeoutError, RuntimeError, OSError):
        pass
    except Exception as exc:  # the peer vanished mid-close (uvicorn's ClientDisconnected)
        log.debug("connection.close_failed", error=repr(exc))
