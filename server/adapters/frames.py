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


async def receive(websocket: WebSocket, subprotocol: Subprotocol) -> dict[str, Any] | None:
    """The next frame, decoded; None when the client has gone."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    data: bytes | str | None = message.get("bytes")
    if data is None:
        data = message.get("text") or ""
    try:
        return decode(subprotocol, data)
    except FrameError as error:
        raise Refused(4500, "protocol", str(error)) from None


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
