"""Events: the facts an exercise's log is made of, named in the past tense.

Every event has a wire `kind` ("exercise.started") and converts to and from plain data
(dicts, lists, strings, numbers) so that the store and the protocol can encode it without
knowing its class. The sequence number and append time are the log's business
(`server.protocol.messages.EventFrame`), not the event's.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from server.core.audience import Audience
from server.core.clock import Clock
from server.core.scenario import ClockSpec, Country, Role, RouteRole, Scenario

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class Event:
    kind: ClassVar[str] = ""


@dataclass(frozen=True, slots=True)
class ExerciseCreated(Event):
    kind: ClassVar[str] = "exercise.created"
    exercise: str
    title: str
    scenario: Scenario
    teams: tuple[Team, ...]
    clock: Clock
    created_at: float


@dataclass(frozen=True, slots=True)
class ParticipantAdded(Event):
    kind: ClassVar[str] = "participant.added"
    participant: str
    name: str
    team: str | None
    role: str
    staff: bool
    code_hash: str
    """Keyed hash of the join code; never sent to clients (`server.protocol`)."""


@dataclass(frozen=True, slots=True)
class CredentialIssued(Event):
    kind: ClassVar[str] = "credential.issued"
    participant: str
    generation: int
    code_hash: str


@dataclass(frozen=True, slots=True)
class CredentialRevoked(Event):
    kind: ClassVar[str] = "credential.revoked"
    participant: str
    generation: int


@dataclass(frozen=True, slots=True)
class ExerciseReady(Event):
    kind: ClassVar[str] = "exercise.ready"


@dataclass(frozen=True, slots=True)
class ExerciseStarted(Event):
    kind: ClassVar[str] = "exercise.started"
    clock: Clock


@dataclass(frozen=True, slots=True)
class ExercisePaused(Event):
    kind: ClassVar[str] = "exercise.paused"
    clock: Clock


@dataclass(frozen=True, slots=True)
class ExerciseResumed(Event):
    kind: ClassVar[str] = "exercise.resumed"
    clock: Clock


@dataclass(frozen=True, slots=True)
class ExerciseEnded(Event):
    kind: ClassVar[str] = "exercise.ended"
    clock: Clock


@dataclass(frozen=True, slots=True)
class ClockSpeedChanged(Event):
    kind: ClassVar[str] = "clock.speed_changed"
    clock: Clock


@dataclass(frozen=True, slots=True)
class ClockJumped(Event):
    kind: ClassVar[str] = "clock.jumped"
    clock: Clock
    from_sim: float


@dataclass(frozen=True, slots=True)
class ConnectionOpened(Event):
    kind: ClassVar[str] = "connection.opened"
    participant: str
    connection: str


@dataclass(frozen=True, slots=True)
class ConnectionClosed(Event):
    kind: ClassVar[str] = "connection.closed"
    participant: str
    connection: str


@dataclass(frozen=True, slots=True)
class MessagePosted(Event):
    kind: ClassVar[str] = "message.posted"
    author: str
    team: str | None
    text: str


@dataclass(frozen=True, slots=True)
class AnnouncementMade(Event):
    kind: ClassVar[str] = "announcement.made"
    author: str
    audience: Audience
    text: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        ExerciseCreated,
        ParticipantAdded,
        CredentialIssued,
        CredentialRevoked,
        ExerciseReady,
        ExerciseStarted,
        ExercisePaused,
        ExerciseResumed,
        ExerciseEnded,
        ClockSpeedChanged,
        ClockJumped,
        ConnectionOpened,
        ConnectionClosed,
        MessagePosted,
        AnnouncementMade,
    )
}


def to_data(event: Event) -> Data:
    """The event's fields as plain data (no `kind`)."""
    return {f.name: _plain(getattr(event, f.name)) for f in dataclasses.fields(event)}


def from_data(kind: str, data: Data) -> Event:
    """Rebuild an event from its kind and `to_data` output; KeyError for an unknown kind."""
    event: Event = _build(EVENT_TYPES[kind], data)
    return event


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _build(cls: type[Any], data: Data) -> Any:
    hints = get_type_hints(cls)
    return cls(**{f.name: _typed(hints[f.name], data[f.name]) for f in dataclasses.fields(cls)})


def _typed(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _typed(inner, value)
    if origin is tuple:
        return tuple(_typed(get_args(hint)[0], item) for item in value)
    if origin is frozenset:
        return frozenset(value)
    if hint is float:
        return float(value)
    if hint is RouteRole:
        return RouteRole(value)
    if hint in _NESTED:
        return _build(hint, value)
    return value


_NESTED: frozenset[type[Any]] = frozenset({Audience, Clock, Team, Scenario, Country, Role, ClockSpec})
