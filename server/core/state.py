"""The state of one exercise, and `apply`: how each event changes it.

State is the fold of the log: `state = apply(apply(initial(created), e2), e3) ...`. Every
value here is immutable, so a projection can be shared with the snapshot code safely.
`apply` trusts its events (`decide` checked them before they were written).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from server.core.audience import Audience, Viewer, can_see
from server.core.clock import Clock
from server.core.events import (
    ActionFlagged,
    ActionTaken,
    AnnouncementMade,
    ArtefactReleased,
    ArtefactShared,
    CharacterChanged,
    ClarificationRequested,
    ClockJumped,
    ClockSpeedChanged,
    ConnectionClosed,
    ConnectionOpened,
    ControlMessagePosted,
    CredentialIssued,
    CredentialRevoked,
    DirectMessagePosted,
    Event,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
    InjectAcknowledged,
    InjectEdited,
    InjectHeld,
    InjectHoldLifted,
    InjectOpened,
    InjectReleased,
    InjectRetimed,
    InjectSkipped,
    JointTeamFormed,
    MentorPrompted,
    MessagePosted,
    NoteWritten,
    ParticipantAdded,
    RequestAcknowledged,
    RequestAnswered,
    RequestClarified,
    RequestDeadlineWarned,
    RequestDrafted,
    RequestRefused,
    RequestSent,
    RequestUpdated,
    RequestValidated,
    RequestWithdrawn,
    SharingFlagged,
    Team,
)
from server.core.injects import InjectRun, InjectStatus, plan
from server.core.requests import RequestRun, RequestStatus, Step
from server.core.scenario import CharacterState, Scenario

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
class Taken:
    """An action a participant took, for triggers and evaluation."""

    action: str
    participant: str
    team: str
    subject: str
    sim_time: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Release:
    """An artefact released during play (by an inject) to an audience."""

    artefact: str
    audience: Audience
    source: str
    sim_time: float


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
    injects: Mapping[str, InjectRun] = field(default_factory=lambda: MappingProxyType({}))
    """The MSEL as played, by inject id (`server.core.injects`)."""
    releases: tuple[Release, ...] = ()
    """Artefacts brought into case files during play, with who may see them."""
    requests: Mapping[str, RequestRun] = field(default_factory=lambda: MappingProxyType({}))
    """Cross-border requests, by id (`server.core.requests`)."""
    pending: tuple[Release, ...] = ()
    """Artefacts an answer will release at their `sim_time` (SimCell templates' delays)."""
    actions: tuple[Taken, ...] = ()
    joint_teams: frozenset[str] = frozenset()
    """Joint investigation teams formed (their agreements signed)."""
    characters: Mapping[str, CharacterState] = field(default_factory=lambda: MappingProxyType({}))
    """The role-played characters' state now (trust, status ...), by character id."""

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
        injects=MappingProxyType(plan(created.scenario)),
        characters=MappingProxyType({ch.id: ch.state for ch in created.scenario.characters}),
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
            return _delivered(
                replace(
                    state,
                    connections=_with(state.connections, event.participant, open_now | {event.connection}),
                ),
                event.participant,
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
        case InjectReleased():
            return _released(state, event)
        case InjectHeld():
            return _inject(state, event.inject, status=InjectStatus.HELD)
        case InjectHoldLifted():
            return _inject(state, event.inject, status=InjectStatus.PLANNED)
        case InjectSkipped():
            return _inject(state, event.inject, status=InjectStatus.SKIPPED)
        case InjectRetimed():
            return _inject(state, event.inject, at=event.at)
        case InjectEdited():
            return _inject(state, event.inject, title=event.title, body=event.body)
        case InjectOpened():
            run = state.injects[event.inject]
            return _inject(state, event.inject, opened=run.opened | {event.participant})
        case RequestDrafted():
            request = RequestRun(
                id=event.request,
                instrument=event.instrument,
                source_team=event.source_team,
                author=event.author,
                target_team=event.target_team,
                target_agency=event.target_agency,
                fields=event.fields,
                urgent=event.urgent,
                spontaneous=event.spontaneous,
                simcell=event.simcell,
                history=(Step(RequestStatus.DRAFT, event.author, event.sim_time),),
            )
            return replace(state, requests=_with(state.requests, request.id, request))
        case RequestUpdated():
            return _step(
                state,
                event.request,
                RequestStatus.DRAFT,
                event.by,
                event.sim_time,
                fields=event.fields,
                urgent=event.urgent,
                validated_by=None,
            )
        case RequestValidated():
            return _step(
                state, event.request, RequestStatus.VALIDATED, event.by, event.sim_time, validated_by=event.by
            )
        case RequestSent():
            return _step(
                state,
                event.request,
                RequestStatus.SENT,
                event.by,
                event.sim_time,
                due_at=event.due_at,
                due_stage=event.due_stage,
                legal=event.legal,
            )
        case RequestAcknowledged():
            return _step(state, event.request, RequestStatus.ACKNOWLEDGED, event.by, event.sim_time)
        case ClarificationRequested():
            return _step(
                state,
                event.request,
                RequestStatus.CLARIFICATION_REQUESTED,
                event.by,
                event.sim_time,
                note=event.text,
            )
        case RequestClarified():
            return _step(
                state, event.request, RequestStatus.CLARIFIED, event.by, event.sim_time, note=event.text
            )
        case RequestAnswered():
            status = RequestStatus.PARTIALLY_ANSWERED if event.partial else RequestStatus.ANSWERED
            answered = _step(state, event.request, status, event.by, event.sim_time, answer=event.text)
            source = Audience.team(answered.requests[event.request].source_team)
            later = tuple(Release(a, source, event.request, event.release_at) for a in event.releases)
            return replace(answered, pending=(*answered.pending, *later))
        case RequestRefused():
            return _step(
                state,
                event.request,
                RequestStatus.REFUSED,
                event.by,
                event.sim_time,
                note=event.text,
                ground=event.ground,
            )
        case RequestWithdrawn():
            return _step(state, event.request, RequestStatus.WITHDRAWN, event.by, event.sim_time)
        case RequestDeadlineWarned():
            request = state.requests[event.request]
            warned = replace(request, warned=(*request.warned, event.warning))
            return replace(state, requests=_with(state.requests, request.id, warned))
        case ArtefactReleased():
            released = Release(event.artefact, event.audience, event.source, event.sim_time)
            pending = tuple(
                p for p in state.pending if (p.artefact, p.source) != (event.artefact, event.source)
            )
            return replace(state, releases=(*state.releases, released), pending=pending)
        case DirectMessagePosted():
            item = FeedItem(
                event.author, Audience.of(teams=[event.from_team, event.to_team]), event.text, "direct"
            )
            return replace(state, feed=(*state.feed, item))
        case NoteWritten():
            return state  # for the debrief: the log keeps it, the exercise does not change
        case CharacterChanged():
            now = replace(state.characters[event.character], trust=event.trust, status=event.status)
            return replace(state, characters=_with(state.characters, event.character, now))
        case JointTeamFormed():
            members = Audience.of(teams=event.teams)
            scoped = tuple(
                Release(a.id, members, f"jit:{event.joint_team}", event.sim_time)
                for a in state.scenario.artefacts
                if a.visibility.joint_team == event.joint_team
            )
            return replace(
                state, joint_teams=state.joint_teams | {event.joint_team}, releases=(*state.releases, *scoped)
            )
        case ArtefactShared():
            shared = Release(
                event.artefact,
                Audience.of(teams=teams_of(state, event.to_team)),
                f"{event.from_team}:{event.request or 'direct'}",
                event.sim_time,
            )
            return replace(state, releases=(*state.releases, shared))
        case SharingFlagged():
            return state  # a note for evaluators: nothing changes in the exercise
        case ActionTaken():
            taken = Taken(
                event.action, event.participant, event.team, event.subject, event.sim_time, event.flags
            )
            return replace(state, actions=(*state.actions, taken))
        case ActionFlagged():  # the flags of the action just taken (`server.core.actions`)
            *earlier, last = state.actions
            return replace(state, actions=(*earlier, replace(last, flags=event.flags)))
        case ControlMessagePosted():
            item = FeedItem(event.author, Audience.team(event.team), event.text, "control")
            return replace(state, feed=(*state.feed, item))
        case MentorPrompted():
            item = FeedItem(event.author, Audience.team(event.team), event.text, "prompt")
            return replace(state, feed=(*state.feed, item))
        case InjectAcknowledged():
            run = state.injects[event.inject]
            return _inject(
                state,
                event.inject,
                opened=run.opened | {event.participant},
                acknowledged=run.acknowledged | {event.participant},
            )
        case _:
            raise ValueError(f"cannot apply {event!r} to an existing exercise")


def _inject(state: Exercise, inject: str, **changes: object) -> Exercise:
    run = replace(state.injects[inject], **changes)  # type: ignore[arg-type]
    return replace(state, injects=_with(state.injects, inject, run))


def _step(
    state: Exercise,
    request_id: str,
    status: RequestStatus,
    by: str,
    sim_time: float,
    note: str = "",
    **changes: Any,
) -> Exercise:
    """A request moves to `status`: its history grows by one step."""
    request = state.requests[request_id]
    history = (*request.history, Step(status, by, sim_time, note))
    moved = replace(request, status=status, history=history, **changes)
    return replace(state, requests=_with(state.requests, request_id, moved))


def _released(state: Exercise, event: InjectReleased) -> Exercise:
    run = state.injects.get(event.inject) or InjectRun(
        id=event.inject,
        title=event.title,
        body=event.body,
        channel=event.channel,
        sender=event.sender,
        audience=event.audience,
        at=event.sim_time,
        adhoc=True,
    )
    online = frozenset(
        p.id for p in state.participants.values() if state.online(p.id) and _recipient(p, event.audience)
    )
    run = replace(
        run,
        title=event.title,
        body=event.body,
        status=InjectStatus.RELEASED,
        released_at=event.sim_time,
        delivered=online,
    )
    releases = tuple(Release(a, event.audience, event.inject, event.sim_time) for a in event.releases)
    return replace(
        state, injects=_with(state.injects, event.inject, run), releases=(*state.releases, *releases)
    )


def _recipient(member: Participant, audience: Audience) -> bool:
    return not member.staff and can_see(Viewer(member.id, member.team, member.role, False), audience)


def _delivered(state: Exercise, participant: str) -> Exercise:
    """A participant connects: every released inject for them is now in their station."""
    member = state.participants.get(participant)
    if member is None:  # presence of someone not on the roster: nothing to deliver
        return state
    reached = {
        run.id: replace(run, delivered=run.delivered | {participant})
        for run in state.injects.values()
        if run.released_at is not None
        and participant not in run.delivered
        and _recipient(member, run.audience)
    }
    if not reached:
        return state
    return replace(state, injects=MappingProxyType({**state.injects, **reached}))


def teams_of(state: Exercise, to: str) -> list[str]:
    """One team, or every member team of a joint team."""
    jit = next((j for j in state.scenario.joint_teams if j.id == to), None)
    if jit is None:
        return [to]
    return sorted(t.id for t in state.teams.values() if t.country in jit.members)


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
