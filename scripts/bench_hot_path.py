"""Two pieces of the server's per-event work, timed in one process (docs/performance.md,
"Server CPU per frame (2 December)"):

    PYTHONPATH=. .venv/bin/python scripts/bench_hot_path.py

1. The scheduler's look after a batch of events, on the flagship under way (the day's mix of
   `scripts/bench_lifetime.py` after 3,000 commands): what the hub did before (`injects.due`, then
   `injects.next_due` twice with the requests' times) against one `schedule.outlook`.
2. Framing an event for 83 connections: websockets' `send_binary` + `data_to_send` per connection
   against one `wire_frame` whose bytes every connection shares.
"""

from __future__ import annotations

import time

import msgpack
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

from scripts.bench_lifetime import Course
from server.adapters.direct_send import wire_frame
from server.core.effects import world_of
from server.core.injects import due, next_due
from server.core.requests import next_warning
from server.core.schedule import _msel, outlook
from server.core.state import Exercise


def _before(state: Exercise, now: float) -> None:
    """The hub's `is_due` (due, then next_wake) and `_wake_in` (next_wake again), as before."""
    sim_now = state.clock.sim_at(now)
    morning, world = state.scenario.clock.morning, world_of(state)
    due(_msel(state), sim_now, morning, state.facts, world)
    for _ in range(2):
        times = [
            next_due(_msel(state), sim_now, morning, state.facts, world),
            *(next_warning(request) for request in state.facts.in_flight.values()),
            *(r.scheduled.answer_at for r in state.facts.in_flight.values() if r.scheduled is not None),
            *(pending.sim_time for pending in state.pending),
        ]
        min((t for t in times if t is not None), default=None)


def _per_call(run: object, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        run()  # type: ignore[operator]
    return (time.perf_counter() - started) / repeat * 1e6


def main() -> None:
    course = Course()
    while len(course.log) < 3_000:
        course.play_one()
    state, now = course.state, course.now
    print(f"flagship after {len(course.log)} events, {len(state.facts.in_flight)} requests in flight")
    before = _per_call(lambda: _before(state, now), 300)
    after = _per_call(lambda: outlook(state, now), 300)
    print(
        f"scheduler look per batch: before {before:.0f} µs, outlook {after:.0f} µs ({before / after:.1f} x)"
    )

    payload = msgpack.packb({"type": "event", "seq": 1234, "at": now, "event": {"kind": "message.posted"}})
    connections = []
    for _ in range(83):
        protocol = ServerProtocol()
        protocol.state = State.OPEN
        connections.append(protocol)

    def per_connection() -> None:
        for protocol in connections:
            protocol.send_binary(payload)
            b"".join(protocol.data_to_send())

    def shared() -> None:
        wire = wire_frame(payload, True)
        for protocol in connections:
            if not protocol.extensions and not protocol.expect_continuation_frame:
                protocol.data_to_send()
                _ = wire

    assert wire_frame(payload, True) == Frame(Opcode.BINARY, payload).serialize(mask=False)
    framed = _per_call(per_connection, 2_000) / 83
    once = _per_call(shared, 2_000) / 83
    print(f"framing per delivered frame: per connection {framed:.2f} µs, shared {once:.2f} µs")


if __name__ == "__main__":
    main()
