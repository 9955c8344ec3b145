"""`decide`: the rules. Given the state, a command, its actor and the time, which events?

A command is either refused with a `DomainError` (and nothing is written) or turned into
zero or more events. Zero events means "already so" (opening an open connection), which
makes retries harmless. `create` makes the opening events of a new exercise.

Each family of commands has its rules in a module of its own (`lifecycle`, `roster`,
`messaging`, `injects`, `request_flow`, `sharing`, `characters`, `actions`, `schedule`);
`RULES` says which family decides which command, after the checks the whole family shares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from server.core import commands as c
from server.core.actions import take
from server.core.characters import reactions_to, record
from server.core.clock import Clock
from server.core.effects import as_released, effects_of
from server.core.errors import InvalidArguments, NotFound
from server.core.evaluating import decide_evaluation
from server.core.events import Event, ExerciseCreated, InjectReleased, Team
from server.core.guards import (
    MAX_TEXT,
    require_not_ended,
    require_role,
    require_status,
    require_system,
    require_viewer,
)
from server.core.injects import decide_inject
from server.core.lifecycle import decide_lifecycle
from server.core.local_time import skip_jump
from server.core.messaging import decide_message
from server.core.preview import decide_preview
from server.core.request_flow import decide_request
from server.core.roles import CONTROL, StaffRole
from server.core.roster import add_participant, decide_connection, decide_roster
from server.core.scenario import Scenario
from server.core.schedule import advance
from server.core.sharing import share
from server.core.state import Exercise, Status, apply, initial
from server.core.team_models import team_specs

__all__ = ["MAX_TEXT", "RULES", "create", "decide"]

Rule = Callable[[Exercise, Any, c.Actor, float], list[Event]]
"""`(state, command, actor, now) -> events`, for the command types it is listed for."""


def create(
    scenario: Scenario,
    exercise_id: str,
    title: str,
    roster: Sequence[c.RosterEntry],
    now: float,
) -> list[Event]:
    """The opening events of a new exercise: created, then one per roster entry."""
    teams = tuple(Team(id=spec.id, name=spec.name, country=spec.country) for spec in team_specs(scenario))
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
        added = add_participant(state, entry)
        state = apply(state, added)
        events.append(added)
    return events


def decide(state: Exercise, command: c.Command, actor: c.Actor, now: float) -> list[Event]:
    rule = RULES.get(type(command))
    if rule is None:
        require_role(actor, CONTROL)
        raise InvalidArguments(f"unknown command {type(command).__name__}")
    return rule(state, command, actor, now)


def _connection(state: Exercise, command: Any, actor: c.Actor, now: float) -> list[Event]:
    require_system(actor)
    return decide_connection(state, command)


def _roster(state: Exercise, command: Any, actor: c.Actor, now: float) -> list[Event]:
    require_role(actor, CONTROL)
    return decide_roster(state, command)


def _lifecycle(state: Exercise, command: Any, actor: c.Actor, now: float) -> list[Event]:
    return decide_lifecycle(state, command, require_role(actor, CONTROL), now)


def _skip_jump(state: Exercise, command: c.SkipClockJump, actor: c.Actor, now: float) -> list[Event]:
    viewer = require_role(actor, CONTROL)
    require_not_ended(state)
    try:
        return [skip_jump(state, command.jump, viewer.participant)]
    except ValueError as error:
        raise NotFound(str(error)) from None


def _share(state: Exercise, command: c.ShareArtefact, actor: c.Actor, now: float) -> list[Event]:
    require_status(state, "share in", Status.RUNNING, Status.PAUSED)
    viewer = require_viewer(actor)
    return share(state, viewer, command.artefact, command.to, command.request, state.clock.sim_at(now))


def _character(state: Exercise, command: c.SetCharacter, actor: c.Actor, now: float) -> list[Event]:
    viewer = require_role(actor, CONTROL | {StaffRole.SIMCELL})
    require_not_ended(state)
    return [record(state, viewer, command.character, command.trust, command.status, command.note)]


def _action(state: Exercise, command: c.TakeAction, actor: c.Actor, now: float) -> list[Event]:
    require_status(state, "act in", Status.RUNNING, Status.PAUSED)
    viewer = require_viewer(actor)
    sim_now = state.clock.sim_at(now)
    return take(state.scenario, state.facts, viewer, command.action, command.subject, command.note, sim_now)


def _advance(state: Exercise, command: c.Advance, actor: c.Actor, now: float) -> list[Event]:
    require_system(actor)
    return advance(state, now) if state.status is Status.RUNNING else []


def _request(state: Exercise, command: Any, actor: c.Actor, now: float) -> list[Event]:
    require_status(state, "work on requests in", Status.RUNNING, Status.PAUSED)
    return decide_request(state, command, actor, now)


def _inject_seen(state: Exercise, command: Any, actor: c.Actor, now: float) -> list[Event]:
    adhoc = len(state.injects) - len(state.scenario.injects)  # every inject not in the scenario
    countries = {team.id: team.country for team in state.teams.values()}
    return decide_inject(
        state.injects, command, actor, state.clock.sim_at(now), state.scenario.clock.morning, adhoc, countries
    )


def _msel(state: Exercise, command: Any, actor: c.Actor, now: float) -> list[Event]:
    require_status(state, "change the MSEL of", Status.READY, Status.RUNNING, Status.PAUSED)
    decided = _inject_seen(state, command, actor, now)
    released = [as_released(state, e, e.sim_time) for e in decided if isinstance(e, InjectReleased)]
    after = [apply(state, e) for e in released]  # effects: as the case is once it is released
    return [
        *(released or decided),
        *(change for e in released for change in reactions_to(state, e.inject)),
        *(
            change
            for e, s in zip(released, after, strict=True)
            for change in effects_of(s, e.inject, e.sim_time)
        ),
    ]


def _preview(state: Exercise, command: c.PreviewStation, actor: c.Actor, now: float) -> list[Event]:
    return decide_preview(state, command, actor)


def _family(rule: Rule, *commands: type[c.Command]) -> dict[type[c.Command], Rule]:
    return dict.fromkeys(commands, rule)


RULES: dict[type[c.Command], Rule] = {
    **_family(_connection, c.OpenConnection, c.CloseConnection, c.CloseInstanceConnections),
    **_family(_roster, c.AddParticipant, c.RevokeCredential, c.ReissueCredential),
    **_family(
        _lifecycle,
        c.MarkReady,
        c.StartExercise,
        c.PauseExercise,
        c.ResumeExercise,
        c.EndExercise,
        c.SetClockSpeed,
        c.JumpClock,
    ),
    **_family(
        decide_message,
        c.PostMessage,
        c.PostToControl,
        c.WriteToTeam,
        c.WriteNote,
        c.PromptTeam,
        c.MakeAnnouncement,
    ),
    c.ShareArtefact: _share,
    c.SkipClockJump: _skip_jump,
    c.SetCharacter: _character,
    c.TakeAction: _action,
    c.Advance: _advance,
    c.PreviewStation: _preview,
    **_family(
        _request,
        c.DraftRequest,
        c.UpdateRequest,
        c.ValidateRequest,
        c.SendRequest,
        c.AcknowledgeRequest,
        c.AskClarification,
        c.ClarifyRequest,
        c.AmendRequest,
        c.GrantConsent,
        c.AnswerRequest,
        c.RefuseRequest,
        c.WithdrawRequest,
    ),
    **_family(_inject_seen, c.OpenInject, c.AcknowledgeInject),
    **_family(decide_evaluation, *c.EVALUATION_COMMANDS),
    **_family(
        _msel,
        c.ReleaseInject,
        c.HoldInject,
        c.LiftHold,
        c.SkipInject,
        c.RetimeInject,
        c.EditInject,
        c.WriteInject,
    ),
}
"""Which rule decides each command."""
