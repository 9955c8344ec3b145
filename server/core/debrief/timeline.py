"""The timeline: the notable moments of an exercise in order, one line each, for people."""

from __future__ import annotations

from dataclasses import dataclass

from server.core.debrief.played import Channel, Played
from server.core.events import (
    ActionFlagged,
    ActionTaken,
    ArtefactReleased,
    ArtefactShared,
    CharacterChanged,
    ClarificationRequested,
    ClockJumped,
    Event,
    InjectAcknowledged,
    InjectReleased,
    InjectSkipped,
    JointTeamFormed,
    RequestAcknowledged,
    RequestAnswered,
    RequestClarified,
    RequestDeadlineWarned,
    RequestFlagged,
    RequestRefused,
    RequestSent,
    RequestWithdrawn,
    SharingFlagged,
)
from server.core.exercise import Exercise
from server.core.simtime import format_sim_time


@dataclass(frozen=True, slots=True)
class Moment:
    seq: int
    at: float
    """Wall time (Unix seconds)."""
    sim: float
    kind: str
    teams: tuple[str, ...]
    """The teams it concerns (none: control, or everyone)."""
    text: str


def timeline(played: Played) -> tuple[Moment, ...]:
    state = played.state
    moments = []
    releases = {r.seq: r.teams for r in played.releases}
    releases |= {r.seq: r.teams for r in played.reaches if r.channel is not Channel.START}
    for (seq, at, sim), entry in zip(played.sims, played.events, strict=True):
        event = entry.event
        if isinstance(event, InjectAcknowledged):
            continue  # many per inject: the metrics count them
        teams = _teams(state, event) or releases.get(seq, ())
        moments.append(Moment(seq, at, sim, event.kind, teams, _text(state, event)))
    return tuple(moments)


def _teams(state: Exercise, event: Event) -> tuple[str, ...]:
    request_id = getattr(event, "request", "")
    request = state.requests.get(request_id) if isinstance(request_id, str) and request_id else None
    if request is not None and not isinstance(event, ArtefactShared):
        return tuple(dict.fromkeys((request.source_team, request.target_team)))
    if isinstance(event, ArtefactShared | SharingFlagged):
        return (event.from_team, event.to_team)
    if isinstance(event, ActionTaken | ActionFlagged):
        return (event.team,)
    if isinstance(event, JointTeamFormed):
        return tuple(event.teams)
    return ()


def _text(state: Exercise, event: Event) -> str:
    request_id = getattr(event, "request", "")
    request = state.requests.get(request_id) if isinstance(request_id, str) else None
    about = (
        f"{request.instrument} {request.id} {request.source_team} → {request.target_team}" if request else ""
    )
    match event:
        case InjectReleased():
            return f"inject {event.inject} released ({event.reason}): {event.title}"
        case InjectSkipped():
            return f"inject {event.inject} skipped"
        case RequestSent():
            return f"{about} sent" + (" (urgent)" if event.urgent else "")
        case RequestAcknowledged():
            return f"{about} acknowledged"
        case ClarificationRequested():
            return f"{about}: clarification asked"
        case RequestClarified():
            return f"{about} clarified"
        case RequestAnswered():
            return f"{about} {'partly ' if event.partial else ''}answered"
        case RequestRefused():
            return f"{about} refused ({event.ground or 'no ground given'})"
        case RequestWithdrawn():
            return f"{about} withdrawn"
        case RequestDeadlineWarned():
            return f"{about}: {event.warning.replace('_', ' ')}"
        case ArtefactReleased():
            return f"{event.artefact} reached the case file ({event.source})"
        case ArtefactShared():
            return f"{event.from_team} shared {event.artefact} with {event.to_team}"
        case SharingFlagged():
            return f"sharing of {event.artefact} flagged: {event.reason}"
        case ActionTaken():
            return f"{event.team}: {event.action}" + (f" ({event.subject})" if event.subject else "")
        case ActionFlagged():
            return f"{event.team}: {event.action} flagged ({', '.join(event.flags)})"
        case JointTeamFormed():
            return f"joint team {event.joint_team} formed ({', '.join(event.teams)})"
        case CharacterChanged():
            return f"{event.character}: {event.status} (trust {event.trust})"
        case ClockJumped() if event.jump:
            return f"clock jumped to {format_sim_time(event.clock.sim_anchor)} as scheduled ({event.reason})"
        case RequestFlagged():
            return f"{about} flagged by legal rule {', '.join(event.rules)}: {'; '.join(event.grounds)}"
    return event.kind.replace(".", " ")
