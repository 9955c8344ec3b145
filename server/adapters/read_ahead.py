"""uvicorn's WebSocket protocol, reading a few messages ahead of the application.

uvicorn's `websockets-sansio` protocol stops reading a socket after every message it queues for
the application and starts again once the application has taken it: two `epoll_ctl` calls and
their bookkeeping for each command a client sends (about 2.5 % of the server's CPU in a cohort
run: docs/performance.md, "Redis lines"). `ReadAhead` lets up to `AHEAD` messages wait in the
queue before it stops reading, which bounds a connection's unread messages just the same (each
is at most `ws_max_size`), and starts again when the queue is empty, as uvicorn does.

`liaison serve` runs uvicorn with this class (`server.cli`); `tests/e2e/test_direct_send.py`
fails if a uvicorn upgrade changes what it relies on.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

AHEAD = 8
"""Messages a connection may have queued, unread by the application, before reading stops."""


class ReadAhead(WebSocketsSansIOProtocol):
    def send_receive_event_to_app(self) -> None:
        paused = self.read_paused
        self.read_paused = True  # uvicorn queues the message and leaves the reading to us
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = paused
        if not paused and self.queue.qsize() >= AHEAD:
            self.read_paused = True
            self.transport.pause_reading()
