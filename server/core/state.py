"""`apply`: how each event changes an exercise's state, and `fold`: the state after a log.

State is the fold of the log: `state = apply(apply(initial(created), e2), e3) ...`. The state's
types are in `exercise.py`; what each family of events does is in `server.core.fold`, one
module per family. `apply` trusts its events (`decide` checked them before they were written).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from immutables import Map

from server.core.events import Event, ExerciseCreated
from server.core.exercise import Exercise, Participant, Status, teams_of
from server.core.facts import Facts
from server.core.feed import Feed
from server.core.fold import (
    Handler,
    casefile,
    effects,
    evaluation,
    legal,
    lifecycle,
    messages,
    msel,
    requests,
    roster,
)
from server.core.injects import plan
from server.core.ordered import Ordered
from server.core.records import FeedItem, Release, Taken

__all__ = [
    "Exercise",
    "FeedItem",
    "Participant",
    "Release",
    "Status",
    "Taken",
    "apply",
    "fold",
    "initial",
    "teams_of",
]

HANDLERS: dict[type, Handler] = {
    **roster.HANDLERS,
    **lifecycle.HANDLERS,
    **messages.HANDLERS,
    **msel.HANDLERS,
    **requests.HANDLERS,
    **casefile.HANDLERS,
    **evaluation.HANDLERS,
    **effects.HANDLERS,
    **legal.HANDLERS,
}


def initial(created: ExerciseCreated) -> Exercise:
    return Exercise(
        id=created.exercise,
        title=created.title,
        scenario=created.scenario,
        teams=Ordered((team.id, team) for team in created.teams),
        status=Status.DRAFT,
        clock=created.clock,
        participants=Ordered(),
        connections=Map(),
        connected_at=Map(),
        feed=Feed.empty(),
        created_at=created.created_at,
        injects=Ordered(plan(created.scenario).items()),
        characters=Ordered((ch.id, ch.state) for ch in created.scenario.characters),
        facts=Facts(countries=Map((team.id, team.country) for team in created.teams)),
    )


def apply(state: Exercise, event: Event) -> Exercise:
    handler = HANDLERS.get(type(event))
    if handler is None:
        raise ValueError(f"cannot apply {event!r} to an existing exercise")
    return replace(handler(state, event), seq=state.seq + 1)


def fold(events: Iterable[Event]) -> Exercise:
    """The state after a whole log, starting with its `ExerciseCreated`."""
    log = iter(events)
    first = next(log, None)
    if not isinstance(first, ExerciseCreated):
        raise ValueError("a log starts with exercise.created")
    state = initial(first)
    for event in log:
        state = apply(state, event)
    return state
