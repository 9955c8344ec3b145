"""`schedule.outlook` works out `is_due` and `next_wake` in one walk of the MSEL: it must say what
the scheduler's separate rules say (`injects.due` and `injects.next_due` and the requests' times),
at every minute of a played day, before and after a request is sent, answered and warned."""

from __future__ import annotations

from server.core import commands as c
from server.core.effects import world_of
from server.core.injects import due, next_due
from server.core.requests import next_warning
from server.core.schedule import _msel, outlook
from server.core.state import Exercise
from tests.core.test_requests import draft, play, wall
from tests.core.transcript import Run

__all__ = ["play"]


def _reference(state: Exercise, now: float) -> tuple[bool, float | None]:
    """The scheduler's rules as written before `outlook`: three walks of the MSEL."""
    sim_now = state.clock.sim_at(now)
    morning, world = state.scenario.clock.morning, world_of(state)
    times = [
        next_due(_msel(state), sim_now, morning, state.facts, world),
        *(next_warning(request) for request in state.facts.in_flight.values()),
        *(r.scheduled.answer_at for r in state.facts.in_flight.values() if r.scheduled is not None),
        *(pending.sim_time for pending in state.pending),
    ]
    found = [t for t in times if t is not None]
    wake = min(found) if found else None
    now_due = bool(due(_msel(state), sim_now, morning, state.facts, world))
    return now_due or (wake is not None and wake <= sim_now), wake


def _agree(state: Exercise, start: str, minutes: int) -> int:
    checked = 0
    for minute in range(minutes):
        now = wall(start) + minute  # a wall second is a simulated minute at 60x
        found = outlook(state, now)
        assert (found.due, found.wake) == _reference(state, now), f"at minute {minute} after {start}"
        checked += found.due
    return checked


def test_the_outlook_says_what_the_separate_rules_say(play: Run) -> None:
    _agree(play.state, "D1 08:00", 600)
    request = draft(play, "Bas")
    play.do(c.SendRequest(request), play.viewer("Bas"), at=wall("D1 09:00"))
    assert _agree(play.state, "D1 09:00", 600) > 0  # the trigger of I-20 and the deadline warnings
    play.do(c.Advance(), c.SYSTEM, at=wall("D1 09:30"))
    _agree(play.state, "D1 09:30", 900)
