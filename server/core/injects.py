"""Injects at run time: the master events list (MSEL) as it is played.

Each inject of the scenario becomes an `InjectRun` when the exercise is created. Control can
hold, skip, re-time and edit it until it is released; it is released once, by the scheduler
when its trigger holds (its time has come, another inject was released, a deadline was
missed ...), by control ("release now"), or it is written ad hoc by control.

When is an inject due? Its trigger has an *earliest* simulated time at which it holds given
what has happened so far (`earliest`); the inject is due once the clock passes that time
plus its delay. The scheduler asks `due` which injects to release now and `next_due` when
to look again; `decide` releases an inject the scheduler names only if it is still due, so
however many instances ask, it is released once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from server.core import commands as c
from server.core.audience import Audience, Viewer, can_see
from server.core.conditions import NO_WORLD, World, action_time, character_holds, request_time, statuses_of
from server.core.delays import after
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import (
    Event,
    InjectAcknowledged,
    InjectEdited,
    InjectHeld,
    InjectHoldLifted,
    InjectOpened,
    InjectReleased,
    InjectRetimed,
    InjectSkipped,
)
from server.core.facts import NO_FACTS, Facts
from server.core.matching import audience_named, names_receiver, names_team, teams_named
from server.core.requests import RequestRun, RequestStatus, answer_due
from server.core.roles import CONTROL, StaffRole
from server.core.scenario import Delay, Inject, InjectAudience, Scenario, Trigger, TriggerKind
from server.core.team_models import team_countries


class InjectStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    RELEASED = "released"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class InjectRun:
    id: str
    title: str
    body: str
    channel: str
    sender: str
    audience: Audience
    at: float | None
    """Planned simulated time (re-timed by control); None: on its trigger or by hand."""
    trigger: Trigger | None = None
    delay: Delay | None = None
    releases: tuple[str, ...] = ()
    status: InjectStatus = InjectStatus.PLANNED
    released_at: float | None = None
    """Simulated time of the release."""
    delivered: frozenset[str] = frozenset()
    """Recipients who had the server's connection open at the release or since: their
    station has it."""
    opened: frozenset[str] = frozenset()
    acknowledged: frozenset[str] = frozenset()
    adhoc: bool = False
    released_seq: int = 0
    """The seq of its release: recipients who connected after it have it too (`Exercise.delivered`)."""
    stand_in_for: str | None = None
    """A scripted stand-in for this team's answer (`stand_in_time`)."""
    roleplay: str = ""
    """The role-players' and controllers' brief (staff only; never released)."""
    scope: bool = False
    """`scope: team`: the trigger holds for one team, and the inject goes to it (`scoped_time`)."""

    @property
    def open(self) -> bool:
        """Still to be released (planned or held)."""
        return self.status in (InjectStatus.PLANNED, InjectStatus.HELD)


def audience_of(audience: InjectAudience, countries: Mapping[str, str] | None = None) -> Audience:
    """The core audience of a scenario inject's recipients.

    `countries` maps each team to its country (`server.core.team_models.team_countries`): a
    recipient naming a country means every team of it, so `QAD` is all of Qadira's units when
    Qadira plays as agency units, and `QAD: police` the police of each of them (docs/scenarios.md,
    "Who a name means"). Without it, a name is taken as a team id.
    """
    if audience.everyone:
        return Audience.all()
    teams: set[str] = set()
    roles: set[str] = set()
    team_roles: set[str] = set()
    for recipient in audience.recipients:
        if recipient.team is None:
            roles |= recipient.roles
            continue
        named = teams_named(recipient.team, countries or {})
        if not recipient.roles:
            teams |= set(named)
        else:
            team_roles |= {f"{team}/{role}" for team in named for role in recipient.roles}
    return Audience.of(teams=teams, roles=roles, team_roles=team_roles)


def plan(scenario: Scenario) -> dict[str, InjectRun]:
    """The MSEL of a new exercise: every scenario inject, planned."""
    countries = team_countries(scenario)
    return {inject.id: _run(inject, countries) for inject in scenario.injects}


def _run(inject: Inject, countries: Mapping[str, str]) -> InjectRun:
    return InjectRun(
        id=inject.id,
        title=inject.title,
        body=inject.body,
        channel=str(inject.channel),
        sender=inject.sender,
        audience=audience_of(inject.audience, countries),
        at=None if inject.at is None else float(inject.at),  # a float, as a snapshot gives it back
        trigger=inject.trigger,
        delay=inject.delay,
        releases=inject.releases,
        stand_in_for=inject.stand_in_for,
        roleplay=inject.roleplay,
        scope=inject.scope,
    )


def earliest(
    trigger: Trigger,
    injects: Mapping[str, InjectRun],
    sim_now: float,
    morning: int,
    facts: Facts = NO_FACTS,
    team: str | None = None,
    world: World = NO_WORLD,
) -> float | None:
    """The earliest simulated time at which `trigger` holds, given what has happened; None: not yet.

    Request and action triggers hold from the first time a matching request reached the state
    or a matching action was taken: a lookup in `facts`, however long the exercise has run.
    `team`: every part must hold for this team (`scope: team`, `server.core.conditions`).
    """

    def of(child: Trigger) -> float | None:
        return earliest(child, injects, sim_now, morning, facts, team, world)

    match trigger.kind:
        case TriggerKind.TIME:
            return None if trigger.at is None else float(trigger.at)
        case TriggerKind.INJECT:
            other = injects.get(trigger.inject or "")
            if other is None or other.released_at is None:
                return None
            return after(other.released_at, trigger.delay, morning)
        case TriggerKind.REQUEST:
            reached = request_time(trigger, facts, team, trigger_statuses(trigger))
            return None if reached is None else after(reached, trigger.delay, morning)
        case TriggerKind.ALL_OF:
            times = [of(child) for child in trigger.of]
            return (
                None if not times or any(t is None for t in times) else max(t for t in times if t is not None)
            )
        case TriggerKind.ANY_OF:
            found = [t for child in trigger.of if (t := of(child)) is not None]
            return min(found) if found else None
        case TriggerKind.NOT:
            child = of(trigger.of[0]) if trigger.of else None
            return 0.0 if child is None or child > sim_now else None
        case TriggerKind.DEADLINE_MISSED:
            if trigger.at is None:
                return None
            kept = any(t is not None and t <= trigger.at for t in map(of, trigger.of))
            return None if kept else float(trigger.at)
        case TriggerKind.ACTION:
            taken = action_time(trigger, facts, team)
            return None if taken is None else after(taken, trigger.delay, morning)
        case TriggerKind.NOT_BEFORE:
            return None if trigger.at is None else float(trigger.at)
        case TriggerKind.CHARACTER:
            return 0.0 if character_holds(trigger.character, world.characters) else None
    return None  # manual


def _request_reached(trigger: Trigger, request: RequestRun, countries: Mapping[str, str]) -> float | None:
    """When `request` reached the state `trigger` waits for, if it matches the trigger at all."""
    if trigger.instrument not in (None, request.instrument):
        return None
    if not names_team(trigger.source, request.source_team, countries):
        return None
    if not names_receiver(trigger.target, request.target_team, request.target_agency, countries):
        return None
    times = [t for status in trigger_statuses(trigger) if (t := request.reached(status)) is not None]
    return min(times) if times else None


def trigger_statuses(trigger: Trigger) -> tuple[RequestStatus, ...]:
    """The statuses a request trigger waits for (its `state`, "sent" by default)."""
    return statuses_of(trigger.state)


UNANSWERED = frozenset({RequestStatus.SENT, RequestStatus.ACKNOWLEDGED, RequestStatus.CLARIFIED})
"""The receiving team has the request and owes the next move."""
OWN_ANSWERS = (RequestStatus.ANSWERED, RequestStatus.PARTIALLY_ANSWERED, RequestStatus.REFUSED)
"""A team that reached one of these on a matching request gave its own answer: no stand-in for it."""


@dataclass(frozen=True, slots=True)
class StandIn:
    """When a scripted stand-in for a team's answer fires, and for which request."""

    due_at: float | None
    """None: not due (nothing asked yet, or the team answers itself)."""
    waiting: list[str]
    """The played requests whose game deadline it waits for, the team still owing the answer."""
    answers: str = ""
    """The request its release answers (closes), if one is still open; "" none."""


def stand_in_time(run: InjectRun, facts: Facts, morning: int) -> StandIn:
    """When a scripted stand-in for a team's answer fires, and the request it answers.

    A reply the scenario scripts for a team (the SPOC answers 30 minutes after the request) must
    not give the case a second version when people play that team and answer it themselves. So:
    for a request nobody plays (SimCell's), it fires as scripted unless SimCell answered (refused,
    scheduled an answer to) a matching request first; for a played one, only once its
    game deadline has passed with the team still owing the answer (never when it has no deadline:
    control may release it by hand, or skip it), and never once the team answered or refused a
    matching request itself (a later request is the team's to answer too). Its release answers
    the request it stood in for, so the case has one answer (`server.core.effects`).
    """
    trigger = run.trigger
    assert trigger is not None  # a stand-in's trigger is the request (the validator checks it)
    found: list[tuple[float, str]] = []  # (when, the open request it answers)
    waiting: list[str] = []
    statuses = trigger_statuses(trigger)
    first = [
        t
        for s in statuses
        if (t := facts.simcell_reached(trigger.instrument, trigger.source, trigger.target, s)) is not None
    ]
    simcell_answered = any(
        facts.simcell_reached(trigger.instrument, trigger.source, trigger.target, s) is not None
        for s in OWN_ANSWERS
    )
    if first and not simcell_answered:  # a request nobody plays: as scripted, while still open
        scripted = after(after(min(first), trigger.delay, morning), run.delay, morning)
        still_open = [
            request.id
            for request in facts.in_flight.values()
            if request.simcell
            and _owes(request)
            and _request_reached(trigger, request, facts.countries) == min(first)
        ]
        if still_open:  # SimCell answered it by hand, or with a template: no second answer
            found.append((scripted, min(still_open)))
    answered_itself = any(
        facts.played_reached(trigger.instrument, trigger.source, trigger.target, s) is not None
        for s in OWN_ANSWERS
    )
    for request in [] if answered_itself else facts.in_flight.values():
        if request.simcell or _request_reached(trigger, request, facts.countries) is None:
            continue
        owed = answer_due(request)  # not an acknowledgement's deadline: the answer's
        if _owes(request) and owed is not None:
            found.append((owed, request.id))
            waiting.append(request.id)
    if not found:
        return StandIn(None, sorted(waiting))
    when, answers = min(found)
    return StandIn(when, sorted(waiting), answers)


def _owes(request: RequestRun) -> bool:
    """The receiving team still owes the answer (none is on its way either)."""
    return request.status in UNANSWERED and request.scheduled is None


def due_time(
    run: InjectRun,
    injects: Mapping[str, InjectRun],
    sim_now: float,
    morning: int,
    facts: Facts = NO_FACTS,
    world: World = NO_WORLD,
) -> float | None:
    """When a planned inject becomes due; None: not (yet) known or not planned."""
    if run.status is not InjectStatus.PLANNED:
        return None
    if run.stand_in_for is not None and run.trigger is not None:
        return stand_in_time(run, facts, morning).due_at
    if run.scope and run.trigger is not None:
        return scoped_time(run, injects, sim_now, morning, facts, world)[0]
    start = (
        run.at
        if run.trigger is None
        else earliest(run.trigger, injects, sim_now, morning, facts, None, world)
    )
    return None if start is None else after(start, run.delay, morning)


def scoped_time(
    run: InjectRun,
    injects: Mapping[str, InjectRun],
    sim_now: float,
    morning: int,
    facts: Facts,
    world: World,
) -> tuple[float | None, str | None]:
    """When a scoped inject is due and for which team: the first team its trigger holds for
    (the first in the roster when two tie)."""
    assert run.trigger is not None
    found = [
        (after(t, run.delay, morning), i, team)
        for i, team in enumerate(world.teams)
        if (t := earliest(run.trigger, injects, sim_now, morning, facts, team, world)) is not None
    ]
    if not found:
        return None, None
    when, _, team = min(found)
    return when, team


def due(
    injects: Mapping[str, InjectRun],
    sim_now: float,
    morning: int,
    facts: Facts = NO_FACTS,
    world: World = NO_WORLD,
) -> list[str]:
    """Planned injects whose time has come, in order of that time, then id."""
    timed = [
        (t, run.id)
        for run in injects.values()
        if (t := due_time(run, injects, sim_now, morning, facts, world)) is not None
    ]
    return [inject for t, inject in sorted(timed) if t <= sim_now]


def next_due(
    injects: Mapping[str, InjectRun],
    sim_now: float,
    morning: int,
    facts: Facts = NO_FACTS,
    world: World = NO_WORLD,
) -> float | None:
    """The simulated time at which the next planned inject becomes due, if any is known."""
    times = [
        t
        for run in injects.values()
        if (t := due_time(run, injects, sim_now, morning, facts, world)) is not None
    ]
    later = [t for t in times if t > sim_now]
    return min(later) if later else None


# -- decisions ------------------------------------------------------------------------------


def decide_inject(
    injects: Mapping[str, InjectRun],
    command: c.Command,
    actor: c.Actor,
    sim_now: float,
    morning: int,
    adhoc_written: int = 0,
    countries: Mapping[str, str] | None = None,
) -> list[Event]:
    """The rules of the MSEL: who may release, hold, skip, re-time, edit, write and acknowledge.
    `adhoc_written`: how many ad-hoc injects control wrote so far (the next is `ADHOC-<n + 1>`);
    `countries` (team id → country id): what names in a written inject's audience mean."""
    match command:
        case c.OpenInject() | c.AcknowledgeInject():
            viewer = _participant(actor)
            run = injects.get(command.inject)
            if run is None or run.status is not InjectStatus.RELEASED or not can_see(viewer, run.audience):
                # The same answer whether it does not exist, is not released or is for others:
                # the answer must not tell a participant which inject ids exist.
                raise NotFound(f"no inject {command.inject!r} for you")
            who = viewer.participant
            if isinstance(command, c.OpenInject):
                return [] if who in run.opened else [InjectOpened(run.id, who)]
            return [] if who in run.acknowledged else [InjectAcknowledged(run.id, who)]
    _require(actor, RELEASERS if isinstance(command, c.ReleaseInject | c.WriteInject) else CONTROL)
    match command:
        case c.ReleaseInject():
            run = _open(injects, command.inject, "release")
            return [_release(run, sim_now, "control")]
        case c.HoldInject():
            run = _open(injects, command.inject, "hold")
            return [] if run.status is InjectStatus.HELD else [InjectHeld(run.id)]
        case c.LiftHold():
            run = _open(injects, command.inject, "lift the hold of")
            return [InjectHoldLifted(run.id)] if run.status is InjectStatus.HELD else []
        case c.SkipInject():
            run = _open(injects, command.inject, "skip")
            return [InjectSkipped(run.id)]
        case c.RetimeInject():
            run = _open(injects, command.inject, "re-time")
            if run.trigger is not None:
                raise InvalidState(f"inject {run.id} is released by its trigger, not at a time")
            if not 0 <= command.at < math.inf:
                raise InvalidArguments("a simulated time is a number of seconds from D1 00:00")
            return [InjectRetimed(run.id, command.at)]
        case c.EditInject():
            run = _open(injects, command.inject, "edit")
            title = run.title if command.title is None else _text(command.title, MAX_TITLE)
            body = run.body if command.body is None else _text(command.body, MAX_BODY)
            return [InjectEdited(run.id, title, body)]
        case c.WriteInject():
            number = 1 + adhoc_written
            return [
                InjectReleased(
                    inject=f"ADHOC-{number}",
                    title=_text(command.title, MAX_TITLE),
                    body=_text(command.body, MAX_BODY),
                    channel=command.channel,
                    sender="Exercise control",
                    audience=command.audience
                    if countries is None
                    else audience_named(command.audience, countries),
                    releases=(),
                    sim_time=sim_now,
                    reason="adhoc",
                )
            ]
    raise AssertionError(f"not an inject command: {type(command).__name__}")


RELEASERS: frozenset[str] = frozenset({StaffRole.DIRECTOR, StaffRole.CONTROLLER, StaffRole.SIMCELL})
MAX_TITLE = 200
MAX_BODY = 20_000


def _release(run: InjectRun, sim_now: float, reason: str) -> InjectReleased:
    return InjectReleased(
        inject=run.id,
        title=run.title,
        body=run.body,
        channel=run.channel,
        sender=run.sender,
        audience=run.audience,
        releases=run.releases,
        sim_time=sim_now,
        reason=reason,
    )


def _known(injects: Mapping[str, InjectRun], inject: str) -> InjectRun:
    run = injects.get(inject)
    if run is None:
        raise NotFound(f"no inject {inject!r} in this exercise")
    return run


def _open(injects: Mapping[str, InjectRun], inject: str, doing: str) -> InjectRun:
    run = _known(injects, inject)
    if not run.open:
        raise InvalidState(f"cannot {doing} inject {run.id}: it is {run.status}")
    return run


def _participant(actor: c.Actor) -> Viewer:
    if not isinstance(actor, Viewer) or actor.staff:
        raise Forbidden("only participants open and acknowledge injects")
    return actor


def _require(actor: c.Actor, roles: frozenset[str]) -> Viewer:
    if not isinstance(actor, Viewer) or actor.role not in roles:
        role = actor.role if isinstance(actor, Viewer) else "system"
        raise Forbidden(f"the role {role!r} may not do this (needs {' or '.join(sorted(roles))})")
    return actor


def _text(text: str, limit: int) -> str:
    stripped = text.strip()
    if not stripped or len(stripped) > limit:
        raise InvalidArguments(f"a text needs 1 to {limit} characters, got {len(stripped)}")
    return stripped
