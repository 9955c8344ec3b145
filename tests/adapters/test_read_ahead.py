"""`ReadAhead` rests on two things of uvicorn's sans-I/O protocol: the method that queues a received
message for the application, and the flag that says reading is paused. Fails if an upgrade renames
either (the override would then silently do nothing, or break the pausing)."""

from __future__ import annotations

import inspect

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from server.adapters.read_ahead import ReadAhead


def test_uvicorn_still_queues_messages_and_pauses_reading_where_read_ahead_expects() -> None:
    queueing = inspect.getsource(WebSocketsSansIOProtocol.send_receive_event_to_app)
    assert "self.queue.put_nowait" in queueing
    assert "if not self.read_paused" in queueing and "pause_reading()" in queueing
    receiving = inspect.getsource(WebSocketsSansIOProtocol.receive)
    assert "self.read_paused and self.queue.empty()" in receiving and "resume_reading()" in receiving
    assert ReadAhead.send_receive_event_to_app is not WebSocketsSansIOProtocol.send_receive_event_to_app
