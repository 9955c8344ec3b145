"""`schedule.outlook` works out `is_due` and `next_wake` in one walk of the MSEL: it must say what
the scheduler's separate rules say (`injects.due` and `injects.next_due` and the requests' times),
at every minute of a played day, before and after a request is sent, answered and warned."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from loadtest.playbook import Step, passive, strong
from server.core import commands as c
from server.core.effects import world_of
from server.core.events import ExerciseCreated
from server.core.injects import due, next_due
from server.core.requests import next_warning
from server.core.scenario import Scenario
from server.core.schedule import OutlookMemo, _msel, outlook
from server.core.state import Exercise, apply, initial
from tests.core.debrief.cohorts import passive_cohort, strong_cohort
from tests.core.test_injects import msel, tick
from tests.core.test_injects import wall as injects_wall
from tests.core.test_requests import draft, play, wall
from tests.core.test_steppe_playthrough import ENDEX, TeamCohort, steppe
from tests.core.transcript import Run

__all__ = ["msel", "play"]


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


@cache
def steppe_run(script: Callable[[Scenario], list[Step]]) -> Run:
    cohort = TeamCohort(steppe())
    cohort.play(script(steppe()), until=ENDEX)
    return cohort.run


PLAYED: dict[str, Callable[[], Run]] = {
    "greenhouse-strong": lambda: strong_cohort().run,
    "greenhouse-passive": lambda: passive_cohort().run,
    "steppe-strong": lambda: steppe_run(strong),
    "steppe-passive": lambda: steppe_run(passive),
}


@pytest.mark.parametrize("played", PLAYED)
def test_a_remembered_outlook_says_what_a_fresh_one_says(played: str) -> None:
    """The hub keeps one `OutlookMemo` for the life of an exercise: after every event of a whole
    played course (both scenarios have `not` conditions, whose due times move with the clock),
    at the event's time and later, it must answer what a look from scratch answers."""
    run = PLAYED[played]()
    memo = OutlookMemo()
    kept = 0
    state: Exercise | None = None
    clocked: set[str] = set()
    for at, event in zip(run.times, run.log, strict=True):
        state = initial(event) if isinstance(event, ExerciseCreated) else apply(state, event)  # type: ignore[arg-type]
        for later in (0.0, 30.0, 600.0):
            assert outlook(state, at + later, memo) == outlook(state, at + later), (event, later)
        clocked |= set(memo.clocked)
        kept += bool(memo.clocked_due)
    assert clocked and kept, "the scenario's `not` conditions were looked at, and remembered"


def test_a_message_keeps_the_remembered_outlook(play: Run) -> None:
    """What makes the memo worth keeping: the most common events change nothing it read."""
    request = draft(play, "Bas")
    play.do(c.SendRequest(request), play.viewer("Bas"), at=wall("D1 09:00"))
    memo = OutlookMemo()
    outlook(play.state, wall("D1 09:01"), memo)
    remembered = memo.parts
    play.do(c.PostMessage("who has the Kalmarian number?"), play.viewer("Bas"), at=wall("D1 09:02"))
    assert outlook(play.state, wall("D1 09:02"), memo) == outlook(play.state, wall("D1 09:02"))
    assert memo.parts is remembered


def test_an_acknowledgement_keeps_the_remembered_outlook(msel: Run) -> None:
    """An acknowledgement changes the state's injects (who acknowledged a released one) but no
    planned inject's due time: the memo is kept, and still answers what a fresh look answers."""
    tick(msel, "D1 09:00")
    memo = OutlookMemo()
    outlook(msel.state, injects_wall("D1 09:01"), memo)
    remembered, injects = memo.signature, msel.state.injects
    msel.do(c.AcknowledgeInject("I-02"), msel.viewer("Anna"), at=injects_wall("D1 09:02"))
    for minute in ("D1 09:02", "D1 09:30", "D1 12:00"):
        assert outlook(msel.state, injects_wall(minute), memo) == outlook(msel.state, injects_wall(minute))
    assert msel.state.injects is not injects and memo.signature is remembered
