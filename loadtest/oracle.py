"""Lost events: what the Redis log says each simulated client may see, against what it received.

This is the one oracle of the project: the load test and the end-to-end suite (`tests/e2e/log.py`
imports it) both read the exercise's stream with `server.adapters.store.Store` and decide, with the
server's own rules (`server.core.visibility.audience` and `server.core.audience.can_see`), which
events a viewer may see. It is the only place where the load test reads the server's model while
it plays; the clients speak the protocol only (the set-up, `loadtest.cohort` and
`loadtest.cluster`, borrows the scenario bundler and the Redis launcher).

A client's history is a list of segments, one per snapshot-mode welcome: from the snapshot's
`seq` (the base, which the snapshot covers) to the last position the client had in it. Every
visible event inside a segment must have been received; anything missing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.adapters.store import Store, StoredEvent, connect
from server.core.audience import Audience, Viewer, can_see
from server.core.state import fold
from server.core.visibility import audience


@dataclass(frozen=True, slots=True)
class Log:
    """The exercise's log, with each event's audience decided once."""

    seqs: list[int]
    at: list[float]
    kinds: list[str]
    audiences: list[Audience]

    @property
    def last(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    def contiguous(self) -> bool:
        return self.seqs == list(range(1, len(self.seqs) + 1))


async def read_events(redis_url: str, exercise: str) -> list[StoredEvent]:
    """The exercise's whole log, as stored."""
    client = connect(redis_url)  # redis://, redis+sentinel:// or redis+cluster://
    try:
        return await Store(client).read(exercise, 0)
    finally:
        await client.aclose()


async def read_log(redis_url: str, exercise: str) -> Log:
    stored = await read_events(redis_url, exercise)
    state = fold([item.event for item in stored])
    return Log(
        seqs=[item.seq for item in stored],
        at=[item.at for item in stored],
        kinds=[item.event.kind for item in stored],
        audiences=[audience(state, item.event) for item in stored],
    )


def viewer(participant: str, team: str | None, role: str, staff: bool) -> Viewer:
    """Who a simulated client is, as the server's visibility rules see it."""
    return Viewer(participant, team, role, staff)


def lost(log: Log, viewer: Viewer, segments: Sequence[tuple[int, int]], received: Sequence[int]) -> list[int]:
    """Seqs the viewer may see inside its segments `(base, end]` that it did not receive."""
    got = set(received)
    missing: list[int] = []
    for base, end in segments:
        for index in range(max(base, 0), min(end, len(log.seqs))):
            seq = log.seqs[index]
            if base < seq <= end and seq not in got and can_see(viewer, log.audiences[index]):
                missing.append(seq)
    return missing


# -- the same rules, event by event, for the end-to-end suite ---------------------------------


def viewer_of(welcome: Mapping[str, Any]) -> Viewer:
    """The viewer a welcome frame names (`me`)."""
    me = welcome["me"]
    return Viewer(me["participant"], me["team"], me["role"], me["staff"])


def visible_seqs(log: list[StoredEvent], viewer: Viewer, after: int, until: int | None = None) -> list[int]:
    """Seqs in `(after, until]` of the log that the viewer may see."""
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
