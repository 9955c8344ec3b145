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
from enum import StrEnum
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from server.core.audience import Audience
from server.core.clock import Clock
from server.core.evaluation_model import Question
from server.core.evaluation_records import Answer
from server.core.requests import FieldChange, FieldValue, StageDue
from server.core.scenario import Scenario

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
    jump: str = ""
    """The scenario's scheduled jump (`clock.jumps`) the scheduler made; empty: control's button."""
    reason: str = ""


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
    sim_time: float | None = None
    """When it was posted, in simulated time (None in logs written before messages had one)."""


@dataclass(frozen=True, slots=True)
class AnnouncementMade(Event):
    kind: ClassVar[str] = "announcement.made"
    author: str
    audience: Audience
    text: str
    sim_time: float | None = None
    """When it was posted, in simulated time (None in logs written before messages had one)."""


@dataclass(frozen=True, slots=True)
class InjectReleased(Event):
    kind: ClassVar[str] = "inject.released"
    inject: str
    title: str
    body: str
    channel: str
    sender: str
    audience: Audience
    releases: tuple[str, ...]
    """Artefacts this inject brings into the recipients' case file."""
    sim_time: float
    reason: str
    """time, trigger, control or adhoc."""


@dataclass(frozen=True, slots=True)
class InjectHeld(Event):
    kind: ClassVar[str] = "inject.held"
    inject: str


@dataclass(frozen=True, slots=True)
class InjectHoldLifted(Event):
    kind: ClassVar[str] = "inject.hold_lifted"
    inject: str


@dataclass(frozen=True, slots=True)
class InjectSkipped(Event):
    kind: ClassVar[str] = "inject.skipped"
    inject: str


@dataclass(frozen=True, slots=True)
class InjectRetimed(Event):
    kind: ClassVar[str] = "inject.retimed"
    inject: str
    at: float


@dataclass(frozen=True, slots=True)
class InjectEdited(Event):
    kind: ClassVar[str] = "inject.edited"
    inject: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class InjectOpened(Event):
    kind: ClassVar[str] = "inject.opened"
    inject: str
    participant: str


@dataclass(frozen=True, slots=True)
class InjectAcknowledged(Event):
    kind: ClassVar[str] = "inject.acknowledged"
    inject: str
    participant: str


@dataclass(frozen=True, slots=True)
class RequestDrafted(Event):
    kind: ClassVar[str] = "request.drafted"
    request: str
    instrument: str
    source_team: str
    author: str
    target_team: str
    target_agency: str
    fields: tuple[FieldValue, ...]
    urgent: bool
    spontaneous: bool
    simcell: bool
    sim_time: float
    author_name: str = ""
    author_agency: str = ""
    cosigners: tuple[str, ...] = ()
    """Other units of the requesting country that may co-sign it (`server.core.team_models`)."""
    subject: str = ""


@dataclass(frozen=True, slots=True)
class RequestUpdated(Event):
    kind: ClassVar[str] = "request.updated"
    request: str
    by: str
    fields: tuple[FieldValue, ...]
    urgent: bool
    sim_time: float
    by_name: str = ""
    """Who acted, as the other country knows them (`server.core.signatures`): the name ("" for
    SimCell playing an agency) and the agency."""
    by_agency: str = ""
    subject: str | None = None
    """The new subject line (None: unchanged)."""


@dataclass(frozen=True, slots=True)
class RequestValidated(Event):
    kind: ClassVar[str] = "request.validated"
    request: str
    by: str
    sim_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class RequestSent(Event):
    """Sent: the request is in the other team's inbox (or SimCell's queue). It carries the whole
    request, since the receiving team saw none of its drafting."""

    kind: ClassVar[str] = "request.sent"
    request: str
    by: str
    sim_time: float
    due_at: float | None
    due_stage: str
    legal: str
    instrument: str = ""
    source_team: str = ""
    author: str = ""
    target_team: str = ""
    target_agency: str = ""
    fields: tuple[FieldValue, ...] = ()
    urgent: bool = False
    spontaneous: bool = False
    author_name: str = ""
    author_agency: str = ""
    by_name: str = ""
    by_agency: str = ""
    subject: str = ""
    deadlines: tuple[StageDue, ...] = ()
    """Every game deadline that now runs (`due_at`, `due_stage`, `legal`: the first of them);
    none in logs written before a request could have several."""


@dataclass(frozen=True, slots=True)
class RequestAcknowledged(Event):
    kind: ClassVar[str] = "request.acknowledged"
    request: str
    by: str
    sim_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class ClarificationRequested(Event):
    kind: ClassVar[str] = "request.clarification_requested"
    request: str
    by: str
    text: str
    sim_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class RequestClarified(Event):
    kind: ClassVar[str] = "request.clarified"
    request: str
    by: str
    text: str
    sim_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class RequestAnswered(Event):
    kind: ClassVar[str] = "request.answered"
    request: str
    by: str
    text: str
    partial: bool
    releases: tuple[str, ...]
    """Artefacts the answer brings to the requesting team, at `release_at`."""
    release_at: float
    sim_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class RequestRefused(Event):
    kind: ClassVar[str] = "request.refused"
    request: str
    by: str
    ground: str
    text: str
    sim_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class RequestWithdrawn(Event):
    kind: ClassVar[str] = "request.withdrawn"
    request: str
    by: str
    sim_time: float
    sent: bool
    """Whether it had been sent: then the receiving team learns of the withdrawal too."""
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class RequestDeadlineWarned(Event):
    """A request's game deadline is near ("due_soon") or past ("overdue")."""

    kind: ClassVar[str] = "request.deadline"
    request: str
    warning: str
    due_at: float
    sim_time: float
    stage: str = ""
    """The stage whose deadline it is ("": the request's first deadline, `due_stage`)."""


@dataclass(frozen=True, slots=True)
class RequestAmended(Event):
    """After the receiving side asked for clarification, the requesting team changed the sent
    request's form: the changes (old and new values), a note; the clarification loop closes."""

    kind: ClassVar[str] = "request.amended"
    request: str
    by: str
    changes: tuple[FieldChange, ...]
    fields: tuple[FieldValue, ...]
    """The whole form as amended."""
    note: str
    sim_time: float
    wall_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class ConsentGranted(Event):
    """One side of a request consents to onward use of what it passed on the request (its form
    and attachments, or what its answer released): as evidence, onward to a third party."""

    kind: ClassVar[str] = "request.consent_granted"
    request: str
    by: str
    side: str
    """`requester` or `receiver`."""
    uses: tuple[str, ...]
    note: str
    sim_time: float
    sent: bool = True
    """Whether the request was sent: a requester may grant consent on its draft (only its side
    sees that, until it is sent)."""
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class ArtefactReleased(Event):
    """An artefact reaches case files (after an answer's delay)."""

    kind: ClassVar[str] = "artefact.released"
    artefact: str
    audience: Audience
    source: str
    sim_time: float


@dataclass(frozen=True, slots=True)
class ActionTaken(Event):
    kind: ClassVar[str] = "action.taken"
    action: str
    participant: str
    team: str
    subject: str
    note: str
    sim_time: float
    flags: tuple[str, ...] = ()
    """Only in logs written before `ActionFlagged`: the flags are for evaluators, not the team."""


@dataclass(frozen=True, slots=True)
class ActionFlagged(Event):
    """What evaluators should look at in the action just taken: a safeguard skipped (a child
    interviewed before a guardian was appointed). Staff only: the team sees the action, not the
    evaluators' flag on it."""

    kind: ClassVar[str] = "action.flagged"
    action: str
    participant: str
    team: str
    flags: tuple[str, ...]
    sim_time: float


@dataclass(frozen=True, slots=True)
class ControlMessagePosted(Event):
    """On the channel between one team and control (control writes, or a team member)."""

    kind: ClassVar[str] = "message.control"
    author: str
    team: str
    text: str
    from_control: bool
    sim_time: float | None = None
    """When it was posted, in simulated time (None in logs written before messages had one)."""


@dataclass(frozen=True, slots=True)
class MentorPrompted(Event):
    kind: ClassVar[str] = "message.prompt"
    author: str
    team: str
    text: str
    sim_time: float | None = None
    """When it was posted, in simulated time (None in logs written before messages had one)."""


@dataclass(frozen=True, slots=True)
class ArtefactShared(Event):
    kind: ClassVar[str] = "artefact.shared"
    artefact: str
    from_team: str
    to_team: str
    by: str
    request: str
    """The request it was attached to, or "" when passed on directly."""
    sim_time: float


@dataclass(frozen=True, slots=True)
class SharingFlagged(Event):
    """Sharing against an item's handling code or evidential status, for control and mentors."""

    kind: ClassVar[str] = "artefact.flagged"
    artefact: str
    by: str
    from_team: str
    to_team: str
    reason: str


@dataclass(frozen=True, slots=True)
class JointTeamFormed(Event):
    """A joint investigation team's agreement is signed: its shared scope opens."""

    kind: ClassVar[str] = "jit.formed"
    joint_team: str
    teams: tuple[str, ...]
    sim_time: float


@dataclass(frozen=True, slots=True)
class CharacterChanged(Event):
    """A role-played character's state changed: recorded by control, or a scenario reaction to
    an inject (Ion collected by Andrei: lost contact)."""

    kind: ClassVar[str] = "character.changed"
    character: str
    trust: int
    status: str
    note: str
    by: str
    safety: str | None = None
    """None: unchanged (as in logs written before an inject could change it)."""
    location: str | None = None


@dataclass(frozen=True, slots=True)
class DirectMessagePosted(Event):
    """An informal message between two teams (only where the scenario allows it)."""

    kind: ClassVar[str] = "message.direct"
    author: str
    from_team: str
    to_team: str
    text: str
    sim_time: float | None = None
    """When it was posted, in simulated time (None in logs written before messages had one)."""


@dataclass(frozen=True, slots=True)
class NoteWritten(Event):
    """A timestamped note by staff (a mentor observing a team), for the hot wash."""

    kind: ClassVar[str] = "note.written"
    author: str
    team: str | None
    about: int | None
    text: str
    sim_time: float


@dataclass(frozen=True, slots=True)
class StationPreviewed(Event):
    """Control opened a read-only preview of a participant's station (the audit: staff see it)."""

    kind: ClassVar[str] = "station.previewed"
    by: str
    participant: str
    team: str


@dataclass(frozen=True, slots=True)
class ObservationRecorded(Event):
    """An evaluator's observation of a team against an objective, rated on the scenario's scale
    (staff only, like every event of evaluation: `server.core.evaluating`)."""

    kind: ClassVar[str] = "observation.recorded"
    observation: str
    author: str
    team: str
    objective: str
    rating: str
    text: str
    inject: str
    request: str
    sim_time: float
    wall_time: float


@dataclass(frozen=True, slots=True)
class ObservationEdited(Event):
    kind: ClassVar[str] = "observation.edited"
    observation: str
    by: str
    rating: str
    text: str
    sim_time: float


@dataclass(frozen=True, slots=True)
class ArtefactChanged(Event):
    """An inject changed an artefact (degraded, destroyed, moved): its holders see the new state
    in their case file (`server.core.effects`)."""

    kind: ClassVar[str] = "artefact.changed"
    artefact: str
    condition: str
    note: str
    location: str | None
    inject: str
    audience: Audience
    """The teams holding it when it changed (staff always)."""
    sim_time: float


@dataclass(frozen=True, slots=True)
class AnswerScheduled(Event):
    """SimCell confirmed an answer whose text arrives later (`answer_delayed`): staff see it
    now, the requesting team when the scheduler answers at `answer_at`."""

    kind: ClassVar[str] = "request.answer_scheduled"
    request: str
    by: str
    text: str
    partial: bool
    releases: tuple[str, ...]
    answer_at: float
    sim_time: float


@dataclass(frozen=True, slots=True)
class ObservationWithdrawn(Event):
    kind: ClassVar[str] = "observation.withdrawn"
    observation: str
    by: str


@dataclass(frozen=True, slots=True)
class QuestionnaireOpened(Event):
    """Control opens a round of a questionnaire; it carries the questions, for the stations."""

    kind: ClassVar[str] = "questionnaire.opened"
    questionnaire: str
    round: int
    by: str
    title: str
    intro: str
    anonymous: bool
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class QuestionnaireClosed(Event):
    kind: ClassVar[str] = "questionnaire.closed"
    questionnaire: str
    round: int
    by: str


@dataclass(frozen=True, slots=True)
class FeedbackGiven(Event):
    """A participant's answers to a round of a questionnaire; for an anonymous questionnaire,
    `participant` is "" and `team` None: nothing in it says who answered."""

    kind: ClassVar[str] = "feedback.given"
    questionnaire: str
    round: int
    participant: str
    team: str | None
    answers: tuple[Answer, ...]
    sim_time: float


@dataclass(frozen=True, slots=True)
class ImprovementRecorded(Event):
    kind: ClassVar[str] = "improvement.recorded"
    improvement: str
    author: str
    text: str
    owner: str
    due: str
    team: str | None
    objective: str | None


@dataclass(frozen=True, slots=True)
class ImprovementEdited(Event):
    kind: ClassVar[str] = "improvement.edited"
    improvement: str
    by: str
    text: str
    owner: str
    due: str
    team: str | None
    objective: str | None


@dataclass(frozen=True, slots=True)
class ImprovementWithdrawn(Event):
    kind: ClassVar[str] = "improvement.withdrawn"
    improvement: str
    by: str


EVALUATION_EVENTS: tuple[type[Event], ...] = (
    ObservationRecorded,
    ObservationEdited,
    ObservationWithdrawn,
    QuestionnaireOpened,
    QuestionnaireClosed,
    FeedbackGiven,
    ImprovementRecorded,
    ImprovementEdited,
    ImprovementWithdrawn,
)
"""The staff's record of the exercise (`server.core.evaluating`)."""


@dataclass(frozen=True, slots=True)
class AnswerDeferred(Event):
    """SimCell acknowledged a request whose answer arrives after ENDEX (shown in the debrief)."""

    kind: ClassVar[str] = "request.answer_deferred"
    request: str
    by: str
    text: str
    sim_time: float
    by_name: str = ""
    by_agency: str = ""


@dataclass(frozen=True, slots=True)
class RequestFlagged(Event):
    """A request sent against a legal rule the scenario flags (`server.core.legal`): for the
    evaluators and the debrief. Staff only: the request itself went through."""

    kind: ClassVar[str] = "request.flagged"
    request: str
    team: str
    rules: tuple[str, ...]
    grounds: tuple[str, ...]
    sim_time: float


@dataclass(frozen=True, slots=True)
class ClockJumpSkipped(Event):
    """Control skipped a scheduled clock jump (`clock.jumps`): the scheduler will not make it."""

    kind: ClassVar[str] = "clock.jump_skipped"
    jump: str
    by: str


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
        InjectReleased,
        InjectHeld,
        InjectHoldLifted,
        InjectSkipped,
        InjectRetimed,
        InjectEdited,
        InjectOpened,
        InjectAcknowledged,
        RequestDrafted,
        RequestUpdated,
        RequestValidated,
        RequestSent,
        RequestAcknowledged,
        ClarificationRequested,
        RequestClarified,
        RequestAnswered,
        RequestRefused,
        RequestWithdrawn,
        RequestDeadlineWarned,
        ArtefactReleased,
        ActionTaken,
        ActionFlagged,
        ControlMessagePosted,
        MentorPrompted,
        ArtefactShared,
        SharingFlagged,
        JointTeamFormed,
        CharacterChanged,
        DirectMessagePosted,
        NoteWritten,
        StationPreviewed,
        ArtefactChanged,
        AnswerScheduled,
        AnswerDeferred,
        RequestAmended,
        ConsentGranted,
        RequestFlagged,
        ClockJumpSkipped,
    )
}
EVENT_TYPES.update((cls.kind, cls) for cls in EVALUATION_EVENTS)


def to_data(event: Event) -> Data:
    """The event's fields as plain data (no `kind`)."""
    return {f.name: _plain(getattr(event, f.name)) for f in _fields(type(event)) or ()}


def from_data(kind: str, data: Data) -> Event:
    """Rebuild an event from its kind and `to_data` output; KeyError for an unknown kind."""
    event: Event = _build(EVENT_TYPES[kind], data)
    return event


def plain(value: Any) -> Any:
    """Any value of the core (dataclasses, enums, tuples, frozensets) as plain data."""
    return _plain(value)


def typed(hint: Any, value: Any) -> Any:
    """A value of type `hint` rebuilt from `plain` output."""
    return _typed(hint, value)


_LEAVES = frozenset({str, int, float, bool, bytes, type(None)})
"""Types `_plain` hands back as they are (checked first: most values of an event are these)."""


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    fields = _fields(kind)
    if fields is not None:
        if kind.__module__ == _SCENARIO_MODULE:
            return {f.name: _plain(getattr(value, f.name)) for f in fields if not _at_default(value, f)}
        return {f.name: _plain(getattr(value, f.name)) for f in fields}
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _fields(kind: type[Any]) -> tuple[dataclasses.Field[Any], ...] | None:
    """The fields of a dataclass, None for any other type; worked out once per type."""
    try:
        return _FIELDS[kind]
    except KeyError:
        found = _FIELDS[kind] = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else None
        return found


_FIELDS: dict[type[Any], tuple[dataclasses.Field[Any], ...] | None] = {}


def _at_default(value: Any, field: dataclasses.Field[Any]) -> bool:
    """Scenario values leave out fields at their default: a scenario is big and mostly defaults."""
    return field.default is not dataclasses.MISSING and getattr(value, field.name) == field.default


_SCENARIO_MODULE = Scenario.__module__


def _build(cls: type[Any], data: Data) -> Any:
    hints = _hints(cls)
    return cls(
        **{
            f.name: _typed(hints[f.name], data[f.name])
            for f in dataclasses.fields(cls)
            if f.name in data or f.default is dataclasses.MISSING
        }
    )


def _hints(cls: type[Any]) -> dict[str, Any]:
    """The resolved type hints of a class, worked out once (a scenario has many nested values)."""
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = get_type_hints(cls)
    return found


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _typed(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _typed(inner, value)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:  # tuple[X, ...]
            return tuple(_typed(args[0], item) for item in value)
        return tuple(_typed(arg, item) for arg, item in zip(args, value, strict=True))  # tuple[X, Y]
    if origin is frozenset:
        return frozenset(value)
    if hint is float:
        return float(value)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    return value
