"""What the log says a viewer should have received: the oracle for delivery tests.

It is the load test's oracle (`loadtest/oracle.py`), shared so that the end-to-end suite and the
load test judge deliveries by one set of rules: the exercise's stream read straight from Redis
and the server's own visibility rules (`server.core.visibility`).
"""

from __future__ import annotations

from typing import Any

from loadtest.oracle import assert_contiguous, read_events, received_seqs, visible_seqs
from loadtest.oracle import viewer_of as _viewer_of
from server.adapters.store import StoredEvent
from server.core.audience import Viewer

read_log = read_events


def viewer_of(log: list[StoredEvent], welcome: dict[str, Any]) -> Viewer:
    """The viewer a welcome names (the log argument is kept for the existing callers)."""
    return _viewer_of(welcome)


__all__ = ["assert_contiguous", "read_log", "received_seqs", "viewer_of", "visible_seqs"]
