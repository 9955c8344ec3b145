"""The roster and presence: participants added, join codes revoked and reissued, connections."""

from __future__ import annotations

from server.core import commands as c
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import (
    ConnectionClosed,
    ConnectionOpened,
    CredentialIssued,
    CredentialRevoked,
    Event,
    ParticipantAdded,
)
from server.core.exercise import Exercise
from server.core.guards import known_participant, require_not_ended
from server.core.roles import is_staff_role

MAX_NAME = 200

Connection = c.OpenConnection | c.CloseConnection | c.CloseInstanceConnections
RosterChange = c.AddParticipant | c.RevokeCredential | c.ReissueCredential


def decide_connection(state: Exercise, command: Connection) -> list[Event]:
    """`command` comes from the server itself (the caller checked)."""
    if isinstance(command, c.CloseInstanceConnections):
        prefix = f"{command.instance}:"
        return [
            ConnectionClosed(participant=participant, connection=connection)
            for participant, connections in sorted(state.connections.items())
            for connection in sorted(connections)
            if connection.startswith(prefix)
        ]
    is_open = command.connection in state.connections.get(command.participant, frozenset())
    if isinstance(command, c.CloseConnection):
        return [ConnectionClosed(command.participant, command.connection)] if is_open else []
    if known_participant(state, command.participant).revoked:
        raise Forbidden("this join code has been revoked")
    return [] if is_open else [ConnectionOpened(command.participant, command.connection)]


def decide_roster(state: Exercise, command: RosterChange) -> list[Event]:
    """`command` comes from control (the caller checked)."""
    match command:
        case c.AddParticipant():
            require_not_ended(state)
            return [add_participant(state, command.entry)]
        case c.RevokeCredential():
            participant = known_participant(state, command.participant)
            if participant.revoked:
                raise InvalidState(f"the join code of {participant.id} is already revoked")
            # Close the open connections as events of their own, so the team (which does not
            # see credential events) learns that the participant went offline.
            return [
                *(
                    ConnectionClosed(participant=participant.id, connection=connection)
                    for connection in sorted(state.connections.get(participant.id, ()))
                ),
                CredentialRevoked(participant=participant.id, generation=participant.generation),
            ]
        case c.ReissueCredential():  # pragma: no branch (the last of the family)
            participant = known_participant(state, command.participant)
            return [
                CredentialIssued(
                    participant=participant.id,
                    generation=participant.generation + 1,
                    code_hash=command.code_hash,
                )
            ]


def add_participant(state: Exercise, entry: c.RosterEntry) -> ParticipantAdded:
    name = entry.name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidArguments(f"a name needs 1 to {MAX_NAME} characters, got {len(name)}")
    staff = is_staff_role(entry.role)
    if not staff and state.scenario.role(entry.role) is None:
        known = ", ".join(sorted(r.id for r in state.scenario.roles))
        raise NotFound(f"unknown role {entry.role!r} (roles: {known}, or a staff role)")
    if entry.team is None and not staff:
        raise InvalidArguments(f"participant {name!r} needs a team")
    if entry.team is not None and entry.team not in state.teams:
        raise NotFound(f"unknown team {entry.team!r} (teams: {', '.join(sorted(state.teams))})")
    country = None if entry.team is None else state.scenario.country(state.teams[entry.team].country)
    if country is not None and country.played_by_simcell:
        raise InvalidArguments(f"nobody plays in team {entry.team!r}: its country is played by SimCell")
    return ParticipantAdded(
        participant=f"P{len(state.participants) + 1:04d}",
        name=name,
        team=entry.team,
        role=entry.role,
        staff=staff,
        code_hash=entry.code_hash,
    )
