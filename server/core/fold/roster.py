"""The roster and presence: participants, their credentials, their open connections."""

from __future__ import annotations

from dataclasses import replace

from server.core.events import (
    ConnectionClosed,
    ConnectionOpened,
    CredentialIssued,
    CredentialRevoked,
    ParticipantAdded,
    StationPreviewed,
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
    """Online; every inject released for them before is now in their station too (by the seq
    of this connection, `Exercise.delivered`: no walk through the MSEL)."""
    open_now = state.connections.get(event.participant, frozenset())
    return replace(
        state,
        connections=state.connections.set(event.participant, open_now | {event.connection}),
        connected_at=state.connected_at.set(event.participant, state.seq + 1),
    )


def _closed(state: Exercise, event: ConnectionClosed) -> Exercise:
    left = state.connections.get(event.participant, frozenset()) - {event.connection}
    if left:
        return replace(state, connections=state.connections.set(event.participant, left))
    if event.participant in state.connections:
        return replace(state, connections=state.connections.delete(event.participant))
    return state


def _previewed(state: Exercise, event: StationPreviewed) -> Exercise:
    return state  # an audit fact: the log keeps who previewed whom, the exercise does not change


HANDLERS: dict[type, Handler] = {
    ParticipantAdded: _added,
    CredentialIssued: _issued,
    CredentialRevoked: _revoked,
    ConnectionOpened: _opened,
    ConnectionClosed: _closed,
    StationPreviewed: _previewed,
}
