"""`decide`: the rules. Given the state, a command, its actor and the time, which events?

A command is either refused with a `DomainError` (and nothing is written) or turned into
zero or more events. Zero events means "already so" (opening an open connection), which
makes retries harmless. `create` makes the opening events of a new exercise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from server.core import commands as c
from server.core.actions import take
from server.core.audience import Viewer
from server.core.characters import reactions_to, record
from server.core.clock import MAX_SPEED, Clock
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import (
    AnnouncementMade,
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
    InjectReleased,
    MentorPrompted,
    MessagePosted,
    NoteWritten,
    ParticipantAdded,
    Team,
)
from server.core.injects import decide_inject
from server.core.request_flow import decide_request
from server.core.roles import CONTROL, StaffRole, is_staff_role
from server.core.scenario import Scenario, TeamModel
from server.core.schedule import advance
from server.core.sharing import share
from server.core.simtime import next_morning
from server.core.state import Exercise, Participant, Status, apply, initial

MAX_TEXT = 4_000
MAX_NAME = 200


def create(
    scenario: Scenario,
    exercise_id: str,
    title: str,
    roster: Sequence[c.RosterEntry],
    now: float,
) -> list[Event]:
    """The opening events of a new exercise: created, then one per roster entry."""
    teams = (
        tuple(Team(id=unit.id, name=unit.name, country=unit.country) for unit in scenario.units)
        if scenario.team_model is TeamModel.AGENCY_UNITS
        else tuple(
            Team(id=country.id, name=country.name, country=country.id) for country in scenario.countries
        )
    )
    created = ExerciseCreated(
        exercise=exercise_id,
        title=title or scenario.title,
        scenario=scenario,
        teams=teams,
        clock=Clock(sim_anchor=scenario.clock.start, wall_anchor=now, speed=scenario.clock.speed),
        created_at=now,
    )
    state = initial(created)
    events: list[Event] = [created]
    for entry in roster:
        added = _add_participant(state, entry)
        state = apply(state, added)
        events.append(added)
    return events


def decide(state: Exercise, command: c.Command, actor: c.Actor, now: float) -> list[Event]:
    match command:
        case c.OpenConnection() | c.CloseConnection() | c.CloseInstanceConnections():
            _require_system(actor)
            return _decide_connection(state, command)
        case c.PostMessage():
            viewer = _require_viewer(actor)
            _require_not_ended(state)
            if viewer.staff:
                raise Forbidden("staff write to teams with announcement.make")
            posted = MessagePosted(author=viewer.participant, team=viewer.team, text=_text(command.text))
            sim_now = state.clock.sim_at(now)
            team = viewer.team or ""
            return [posted, *_attached(state, viewer, command.attachments, team, sim_now, within_team=True)]

        case c.ShareArtefact():
            _require_status(state, "share in", Status.RUNNING, Status.PAUSED)
            viewer = _require_viewer(actor)
            return share(
                state, viewer, command.artefact, command.to, command.request, state.clock.sim_at(now)
            )
        case c.SetCharacter():
            viewer = _require_role(actor, CONTROL | {StaffRole.SIMCELL})
            _require_not_ended(state)
            return [record(state, viewer, command.character, command.trust, command.status, command.note)]
        case c.TakeAction():
            _require_status(state, "act in", Status.RUNNING, Status.PAUSED)
            viewer = _require_viewer(actor)
            sim_now = state.clock.sim_at(now)
            return take(
                state.scenario,
                state.actions,
                viewer,
                command.action,
                command.subject,
                command.note,
                sim_now,
            )
        case c.PostToControl():
            _require_not_ended(state)
            viewer = _require_viewer(actor)
            if viewer.staff:
                _require_role(actor, CONTROL | {StaffRole.SIMCELL})
                team = _team(state, command.team)
            else:
                team = viewer.team or ""
            return [ControlMessagePosted(viewer.participant, team, _text(command.text), viewer.staff)]
        case c.WriteToTeam():
            _require_not_ended(state)
            viewer = _require_viewer(actor)
            if not state.scenario.informal_channels:
                raise Forbidden("this scenario has no informal channels: use an instrument")
            if viewer.staff or viewer.team is None or command.to == viewer.team:
                raise Forbidden("direct messages go from one team to another")
            return [
                DirectMessagePosted(
                    viewer.participant, viewer.team, _team(state, command.to), _text(command.text)
                ),
                *_attached(state, viewer, command.attachments, command.to, state.clock.sim_at(now)),
            ]
        case c.WriteNote():
            viewer = _require_viewer(actor)
            if not viewer.staff:
                raise Forbidden("notes are for mentors, observers and control")
            if command.team is not None:
                _team(state, command.team)
            if command.about is not None and command.about < 1:
                raise InvalidArguments("about: the sequence number of an event")
            return [
                NoteWritten(
                    viewer.participant,
                    command.team,
                    command.about,
                    _text(command.text),
                    state.clock.sim_at(now),
                )
            ]
        case c.PromptTeam():
            _require_not_ended(state)
            viewer = _require_role(actor, CONTROL | {StaffRole.MENTOR})
            return [MentorPrompted(viewer.participant, _team(state, command.team), _text(command.text))]
        case c.Advance():
            _require_system(actor)
            return advance(state, now) if state.status is Status.RUNNING else []
        case (
            c.DraftRequest()
            | c.UpdateRequest()
            | c.ValidateRequest()
            | c.SendRequest()
            | c.AcknowledgeRequest()
            | c.AskClarification()
            | c.ClarifyRequest()
            | c.AnswerRequest()
            | c.RefuseRequest()
            | c.WithdrawRequest()
        ):
            _require_status(state, "work on requests in", Status.RUNNING, Status.PAUSED)
            return decide_request(state, command, actor, now)
        case c.OpenInject() | c.AcknowledgeInject():
            return decide_inject(
                state.injects, command, actor, state.clock.sim_at(now), state.scenario.clock.morning
            )
        case (
            c.ReleaseInject()
            | c.HoldInject()
            | c.LiftHold()
            | c.SkipInject()
            | c.RetimeInject()
            | c.EditInject()
            | c.WriteInject()
        ):
            _require_status(state, "change the MSEL of", Status.READY, Status.RUNNING, Status.PAUSED)
            decided = decide_inject(
                state.injects, command, actor, state.clock.sim_at(now), state.scenario.clock.morning
            )
            released = [e.inject for e in decided if isinstance(e, InjectReleased)]
            return decided + [change for inject in released for change in reactions_to(state, inject)]

    viewer = _require_role(actor, CONTROL)
    match command:
        case c.MarkReady():
            _require_status(state, "mark ready", Status.DRAFT)
            if not any(not p.staff for p in state.participants.values()):
                raise InvalidState("the roster has no participants yet")
            return [ExerciseReady()]
        case c.StartExercise():
            _require_status(state, "start", Status.READY)
            return [ExerciseStarted(clock=state.clock.run(now))]
        case c.PauseExercise():
            _require_status(state, "pause", Status.RUNNING)
            return [ExercisePaused(clock=state.clock.stop(now))]
        case c.ResumeExercise():
            _require_status(state, "resume", Status.PAUSED)
            return [ExerciseResumed(clock=state.clock.run(now))]
        case c.EndExercise():
            if viewer.role != StaffRole.DIRECTOR:
                raise Forbidden("only the exercise director may end the exercise")
            _require_status(state, "end", Status.READY, Status.RUNNING, Status.PAUSED)
            return [ExerciseEnded(clock=state.clock.stop(now))]
        case c.SetClockSpeed():
            _require_not_ended(state)
            if not 0 < command.speed <= MAX_SPEED:
                raise InvalidArguments(f"speed must be above 0 and at most {MAX_SPEED:g}")
            return [ClockSpeedChanged(clock=state.clock.with_speed(now, command.speed))]
        case c.JumpClock():
            _require_not_ended(state)
            current = state.clock.sim_at(now)
            target = next_morning(current, state.scenario.clock.morning) if command.to is None else command.to
            if not current < target < math.inf:
                raise InvalidArguments("the clock only jumps forward, to a finite time")
            return [ClockJumped(clock=state.clock.jumped(now, target), from_sim=current)]
        case c.AddParticipant():
            _require_not_ended(state)
            return [_add_participant(state, command.entry)]
        case c.RevokeCredential():
            participant = _participant(state, command.participant)
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
        case c.ReissueCredential():
            participant = _participant(state, command.participant)
            return [
                CredentialIssued(
                    participant=participant.id,
                    generation=participant.generation + 1,
                    code_hash=command.code_hash,
                )
            ]
        case c.MakeAnnouncement():
            _require_not_ended(state)
            return [
                AnnouncementMade(
                    author=viewer.participant, audience=command.audience, text=_text(command.text)
                )
            ]
    raise InvalidArguments(f"unknown command {type(command).__name__}")


def _decide_connection(
    state: Exercise, command: c.OpenConnection | c.CloseConnection | c.CloseInstanceConnections
) -> list[Event]:
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
    if _participant(state, command.participant).revoked:
        raise Forbidden("this join code has been revoked")
    return [] if is_open else [ConnectionOpened(command.participant, command.connection)]


def _add_participant(state: Exercise, entry: c.RosterEntry) -> ParticipantAdded:
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
    return ParticipantAdded(
        participant=f"P{len(state.participants) + 1:04d}",
        name=name,
        team=entry.team,
        role=entry.role,
        staff=staff,
        code_hash=entry.code_hash,
    )


def _participant(state: Exercise, participant_id: str) -> Participant:
    participant = state.participants.get(participant_id)
    if participant is None:
        raise NotFound(f"no participant {participant_id!r} in this exercise")
    return participant


def _attached(
    state: Exercise,
    viewer: Viewer,
    items: tuple[str, ...],
    to: str,
    sim_now: float,
    *,
    within_team: bool = False,
) -> list[Event]:
    """The sharing that attaching case-file items to a message means, item by item."""
    events: list[Event] = []
    for item in dict.fromkeys(items):
        events.extend(share(state, viewer, item, to, "", sim_now, within_team=within_team))
    return events


def _team(state: Exercise, team: str | None) -> str:
    if team is None or team not in state.teams:
        raise NotFound(f"no team {team!r} (teams: {', '.join(sorted(state.teams))})")
    return team


def _text(text: str) -> str:
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_TEXT:
        raise InvalidArguments(f"a text needs 1 to {MAX_TEXT} characters, got {len(stripped)}")
    return stripped


def _require_system(actor: c.Actor) -> None:
    if not isinstance(actor, c.System):
        raise Forbidden("only the server itself does this")


def _require_viewer(actor: c.Actor) -> Viewer:
    if not isinstance(actor, Viewer):
        raise Forbidden("this command needs a participant")
    return actor


def _require_role(actor: c.Actor, roles: frozenset[str]) -> Viewer:
    viewer = _require_viewer(actor)
    if viewer.role not in roles:
        raise Forbidden(f"the role {viewer.role!r} may not do this (needs {' or '.join(sorted(roles))})")
    return viewer


def _require_status(state: Exercise, doing: str, *allowed: Status) -> None:
    if state.status not in allowed:
        raise InvalidState(f"cannot {doing} an exercise that is {state.status}")


def _require_not_ended(state: Exercise) -> None:
    if state.status is Status.ENDED:
        raise InvalidState("the exercise has ended")
