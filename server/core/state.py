"""The state of one exercise, and `apply`: how each event changes it.

State is the fold of the log: `state = apply(apply(initial(created), e2), e3) ...`. Every
value here is immutable, so a projection can be shared with the snapshot code safely.
`apply` trusts its events (`decide` checked them before they were written).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from server.core.audience import Audience
from server.core.clock import Clock
from server.core.events import (
    AnnouncementMade,
    ClockJumped,
    ClockSpeedChanged,
    ConnectionClosed,
    ConnectionOpened,
    CredentialIssued,
    CredentialRevoked,
    Event,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
    MessagePosted,
    ParticipantAdded,
    Team,
)
from server.core.scenario import Scenario

K = TypeVar("K")
V = TypeVar("V")


class Status(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    team: str | None
    role: str
    staff: bool
    generation: int
    code_hash: str
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A message or announcement, kept so a snapshot can show the history."""

    author: str
    audience: Audience
    text: str
    channel: str


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    title: str
    scenario: Scenario
    teams: Mapping[str, Team]
    status: Status
    clock: Clock
    participants: Mapping[str, Participant]
    connections: Mapping[str, frozenset[str]]
    """Open connection ids per participant; a participant with one or more is online."""
    feed: tuple[FeedItem, ...]
    created_at: float

    def online(self, participant: str) -> bool:
        return bool(self.connections.get(participant))


def initial(created: ExerciseCreated) -> Exercise:
    return Exercise(
        id=created.exercise,
        title=created.title,
        scenario=created.scenario,
        teams=MappingProxyType({team.id: team for team in created.teams}),
        status=Status.DRAFT,
        clock=created.clock,
        participants=MappingProxyType({}),
        connections=MappingProxyType({}),
        feed=(),
        created_at=created.created_at,
    )


def apply(state: Exercise, event: Event) -> Exercise:
    match event:
        case ParticipantAdded():
            participant = Participant(
                id=event.participant,
                name=event.name,
                team=event.team,
                role=event.role,
                staff=event.staff,
                generation=1,
                code_hash=event.code_hash,
            )
            return replace(state, participants=_with(state.participants, event.participant, participant))
        case CredentialIssued():
            old = state.participants[event.participant]
            new = replace(old, generation=event.generation, code_hash=event.code_hash, revoked=False)
            return replace(state, participants=_with(state.participants, old.id, new))
        case CredentialRevoked():
            old = state.participants[event.participant]
            return replace(
                state,
                participants=_with(state.participants, old.id, replace(old, revoked=True)),
                connections=_without(state.connections, old.id),
            )
        case ExerciseReady():
            return replace(state, status=Status.READY)
        case ExerciseStarted() | ExerciseResumed():
            return replace(state, status=Status.RUNNING, clock=event.clock)
        case ExercisePaused():
            return replace(state, status=Status.PAUSED, clock=event.clock)
        case ExerciseEnded():
            return replace(state, status=Status.ENDED, clock=event.clock)
        case ClockSpeedChanged() | ClockJumped():
            return replace(state, clock=event.clock)
        case ConnectionOpened():
            open_now = state.connections.get(event.participant, frozenset())
            return replace(
                state,
                connections=_with(state.connections, event.participant, open_now | {event.connection}),
            )
        case ConnectionClosed():
            left = state.connections.get(event.participant, frozenset()) - {event.connection}
            connections = (
                _with(state.connections, event.participant, left)
                if left
                else _without(state.connections, event.participant)
            )
            return replace(state, connections=connections)
        case MessagePosted():
            item = FeedItem(event.author, Audience.team(event.team), event.text, "team")
            return replace(state, feed=(*state.feed, item))
        case AnnouncementMade():
            item = FeedItem(event.author, event.audience, event.text, "announcement")
            return replace(state, feed=(*state.feed, item))
        case _:
            raise ValueError(f"cannot apply {event!r} to an existing exercise")


def fold(events: list[Event]) -> Exercise:
    """The state after a whole log, starting with its `ExerciseCreated`."""
    first, *rest = events
    if not isinstance(first, ExerciseCreated):
        raise ValueError("a log starts with exercise.created")
    state = initial(first)
    for event in rest:
        state = apply(state, event)
    return state


def _with(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    return MappingProxyType({**mapping, key: value})


def _without(mapping: Mapping[K, V], key: K) -> Mapping[K, V]:
    return MappingProxyType({k: v for k, v in mapping.items() if k != key})
