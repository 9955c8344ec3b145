"""A connection's bounded send queue, as the hub sees it (`server.adapters.hub.Subscriber`).

Frames go straight to the socket when nothing is queued (`server.adapters.direct_send`);
otherwise they wait in a queue of at most `LIAISON_SEND_QUEUE` frames for the writer task. A
connection whose queue overflows is too slow: it is kicked (`too_slow`, 4001) and resumes
exactly when it comes back. A kick clears the queue; `stop` (a graceful stop of the
instance) keeps it, so that the replies already queued reach the client before it closes.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from starlette.websockets import WebSocket

from server.adapters import metrics
from server.adapters.direct_send import DirectWriter
from server.core.audience import Viewer
from server.protocol.codec import Subprotocol


@dataclass(eq=False)
class Connection:
    """One live WebSocket: a viewer and a bounded send queue."""

    websocket: WebSocket
    subprotocol: Subprotocol
    viewer: Viewer
    id: str
    limit: int
    last_seq: int = 0
    holder: str = ""
    """Whose credential this is, when not the viewer's (a preview: the staff member)."""
    frames_out: int = 0
    frames_direct: int = 0
    """Of `frames_out`, those written directly (not through the writer task)."""
    direct: DirectWriter | None = None
    """Writes a frame at once when nothing is queued (`server.adapters.direct_send`)."""
    closing: tuple[int, str, str] | None = None
    kicked: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the instance stops gracefully (`server.adapters.graceful_stop`)."""
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    """Set while no command of this connection is being executed."""
    _queue: deque[bytes | str] = field(default_factory=deque)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    _drained: asyncio.Event = field(default_factory=asyncio.Event)
    _sending: bool = False

    def push(self, frame: bytes | str, seq: int, wire: bytes | None = None) -> None:
        """Send `frame` (`wire`: the same frame serialised for the socket, when the caller has it)."""
        if self.closing is not None:
            return
        if seq > self.last_seq:
            self.last_seq = seq
        if (
            not self._queue
            and not self._sending
            and self.direct is not None
            and self.direct.write(frame, wire)
        ):
            self.frames_out += 1
            self.frames_direct += 1
            return
        if len(self._queue) >= self.limit:
            metrics.slow_consumer_kicked()
            self.kick(4001, "too_slow", "the connection did not keep up; reconnect to resume")
            return
        self._queue.append(frame)
        self._drained.clear()
        self._wakeup.set()

    def queued(self) -> int:
        """Frames waiting in the send queue (for the metrics)."""
        return len(self._queue)

    def kick(self, code: int, error: str, reason: str) -> None:
        """Close this connection soon with `code` (the session's main task does it)."""
        if self.closing is None:
            self.closing = (code, error, reason)
            self._queue.clear()
            self.kicked.set()

    def stop(self) -> None:
        """Close this connection soon with `shutting_down` (4000), after the command in flight."""
        self.stopping.set()

    async def drained(self) -> None:
        """Until every queued frame was handed to the socket."""
        if self._queue or self._sending:
            await self._drained.wait()

    async def write(self) -> None:
        """Send queued frames, forever; the session cancels this task when it ends."""
        send = self.websocket.send_bytes if self.subprotocol.binary else self.websocket.send_text
        while True:
            if not self._queue:
                self._drained.set()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            self._sending = True
            try:
                await send(self._queue.popleft())  # type: ignore[arg-type]
            finally:
                self._sending = False
            self.frames_out += 1
