"""The roster and presence: participants, their credentials, their open connections."""

from __future__ import annotations

from dataclasses import replace

from server.core.audience import Viewer, can_see
from server.core.events import (
    ConnectionClosed,
    ConnectionOpened,
    CredentialIssued,
    CredentialRevoked,
    ParticipantAdded,
)
from server.core.exercise import Exercise, Participant
from server.core.fold import Handler


def _added(state: Exercise, event: ParticipantAdded) -> Exercise:
    participant = Participant(
        id=event.participant,
        name=event.name,
        team=event.team,
        role=event.role,
        staff=event.staff,
        generation=1,
        code_hash=event.code_hash,
    )
    return replace(state, participants=state.participants.set(event.participant, participant))


def _issued(state: Exercise, event: CredentialIssued) -> Exercise:
    old = state.participants[event.participant]
    new = replace(old, generation=event.generation, code_hash=event.code_hash, revoked=False)
    return replace(state, participants=state.participants.set(old.id, new))


def _revoked(state: Exercise, event: CredentialRevoked) -> Exercise:
    old = state.participants[event.participant]
    connections = state.connections.delete(old.id) if old.id in state.connections else state.connections
    return replace(
        state,
        participants=state.participants.set(old.id, replace(old, revoked=True)),
        connections=connections,
    )


def _opened(state: Exercise, event: ConnectionOpened) -> Exercise:
    open_now = state.connections.get(event.participant, frozenset())
    connected = replace(
        state, connections=state.connections.set(event.participant, open_now | {event.connection})
    )
    return _delivered(connected, event.participant)


def _closed(state: Exercise, event: ConnectionClosed) -> Exercise:
    left = state.connections.get(event.participant, frozenset()) - {event.connection}
    if left:
        return replace(state, connections=state.connections.set(event.participant, left))
    if event.participant in state.connections:
        return replace(state, connections=state.connections.delete(event.participant))
    return state


def _delivered(state: Exercise, participant: str) -> Exercise:
    """A participant connects: every released inject for them is now in their station."""
    member = state.participants.get(participant)
    if member is None:  # presence of someone not on the roster: nothing to deliver
        return state
    if member.staff:
        return state
    viewer = Viewer(member.id, member.team, member.role, False)
    reached = [
        replace(run, delivered=run.delivered | {participant})
        for run in state.injects.values()
        if run.released_at is not None and participant not in run.delivered and can_see(viewer, run.audience)
    ]
    if not reached:
        return state
    return replace(state, injects=state.injects.update((run.id, run) for run in reached))


HANDLERS: dict[type, Handler] = {
    ParticipantAdded: _added,
    CredentialIssued: _issued,
    CredentialRevoked: _revoked,
    ConnectionOpened: _opened,
    ConnectionClosed: _closed,
}
