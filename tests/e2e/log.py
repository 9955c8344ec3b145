"""What the log says a viewer should have received: the oracle for delivery tests.

It reads the exercise's stream straight from Redis and applies the server's own
visibility rules (`server.core.visibility`), so a test can compare, event by event, what a
client received with what it may see.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from server.adapters.store import Store, StoredEvent
from server.core.audience import Viewer, can_see
from server.core.state import fold
from server.core.visibility import audience


async def read_log(redis_url: str, exercise: str) -> list[StoredEvent]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return await Store(client).read(exercise, 0)
    finally:
        await client.aclose()


def viewer_of(log: list[StoredEvent], welcome: dict[str, Any]) -> Viewer:
    me = welcome["me"]
    return Viewer(me["participant"], me["team"], me["role"], me["staff"])


def visible_seqs(log: list[StoredEvent], viewer: Viewer, after: int, until: int | None = None) -> list[int]:
    state = fold([item.event for item in log])
    return [
        item.seq
        for item in log
        if item.seq > after
        and (until is None or item.seq <= until)
        and can_see(viewer, audience(state, item.event))
    ]


def assert_contiguous(log: list[StoredEvent]) -> None:
    """The log never forks: its sequence numbers are exactly 1, 2, 3 ..."""
    seqs = [item.seq for item in log]
    assert seqs == list(range(1, len(seqs) + 1)), f"log has holes or forks: {seqs[:20]}..."


def received_seqs(frames: list[dict[str, Any]]) -> list[int]:
    return [frame["seq"] for frame in frames if frame["type"] == "event"]
