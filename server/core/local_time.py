"""Time as the course has it: each country's local time and the clock jumps the scenario
schedules (`clock.jumps`, `clock.overnight`).

A country's `time_offset` is its local time minus exercise time (exercise time is the one
clock of the course, D1 08:30 ...; a country two hours ahead shows D1 10:30 then). A scheduled
jump is made by the scheduler like an inject: once its `at` has passed it emits `clock.jumped`
with the jump's id and reason, unless control skipped it (`clock.skip_jump`).
"""

from __future__ import annotations

from server.core.events import ClockJumped, ClockJumpSkipped, Event
from server.core.exercise import Exercise
from server.core.scenario import ScheduledJump


def local_time(offset: int, sim_time: float) -> float:
    """What a clock `offset` seconds ahead of exercise time shows."""
    return sim_time + offset


def pending_jumps(state: Exercise) -> list[ScheduledJump]:
    """The scheduled jumps not yet made or skipped, in the order of their `at`."""
    return [jump for jump in state.scenario.clock.jumps if jump.id not in state.jumps_done]


def next_jump(state: Exercise) -> ScheduledJump | None:
    return next(iter(pending_jumps(state)), None)


def jumps_due(state: Exercise, now: float) -> list[Event]:
    """The scheduled jump due at wall time `now`: the first not made whose `at` has passed.

    A jump the clock has already gone beyond (control jumped past its `to`) is not made: the
    clock never goes back; it stays in `pending_jumps` but is no longer awaited."""
    sim_now = state.clock.sim_at(now)
    for jump in pending_jumps(state):
        if jump.at > sim_now:
            return []
        if jump.to <= sim_now:
            continue  # the clock is already beyond where it would land
        return [ClockJumped(state.clock.jumped(now, jump.to), sim_now, jump=jump.id, reason=jump.reason)]
    return []


def next_jump_time(state: Exercise, now: float) -> float | None:
    """The simulated time of the next scheduled jump still to be made, if any."""
    sim_now = state.clock.sim_at(now)
    return next((float(j.at) for j in pending_jumps(state) if j.to > sim_now), None)


def skip_jump(state: Exercise, jump_id: str, by: str) -> ClockJumpSkipped:
    """Control skips a scheduled jump (ValueError names the ones that may be skipped)."""
    pending = [jump.id for jump in pending_jumps(state)]
    if jump_id not in pending:
        raise ValueError(
            f"no scheduled clock jump {jump_id!r} to skip"
            + (f" (still to come: {', '.join(pending)})" if pending else " (none is still to come)")
        )
    return ClockJumpSkipped(jump_id, by)
