"""The condition language of triggers beyond "when did this first happen": counts, spans,
request tests, a character's state, conditions scoped per team, and audiences worked out at
release.

`server.core.injects.earliest` evaluates a trigger; for the parts written here it asks this
module, which answers from `Facts` (indexes kept by `apply`, `server.core.watch`), never by
walking requests or actions:

- an action part may name a `subject`, a `count` ("three searches": the time of the third)
  and a span (`apart`: the first taking more than that long after the first one);
- a request part may test the request's fields, its answer or its refusal (`RequestTest`);
- `character` holds while a character is in that state (it has no time of its own: 0.0, as
  `not` has, so a delay counts from the other parts of an `all_of`);
- `not_before` holds from that time (in an `all_of`: "not before D2 10:00");
- with `scope: team` on the inject, every part must hold for one team (an action part: taken
  by that team; a request part: sent by it), and the inject goes to that team: the first team
  it holds for (`scoped_time`).

At release, `release_audience` narrows an inject's audience to the team it held for, or to the
teams `to_teams` names: holding an artefact, having sent a request, or having been refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from immutables import Map

from server.core.audience import Audience
from server.core.facts import Facts
from server.core.matching import teams_named
from server.core.records import Release
from server.core.requests import RequestStatus
from server.core.scenario import (
    CharacterState,
    CharacterTest,
    Inject,
    Recipients,
    Scenario,
    Scope,
    TeamsAtRelease,
    Trigger,
    TriggerKind,
)
from server.core.team_models import team_countries
from server.core.watch import watch_key


@dataclass(frozen=True, slots=True)
class World:
    """What conditions read besides the facts: the characters now, and the teams (for `scope`)."""

    characters: Mapping[str, CharacterState] = field(default_factory=Map)
    teams: tuple[str, ...] = ()


NO_WORLD = World()


def bound(named: str | None, team: str | None, facts: Facts) -> tuple[bool, str | None]:
    """Whose taking (or sending) a part looks for, and whether it can hold at all: the team (or
    country) the part names, or anyone; under `scope`, the scoped `team`, which a part naming
    another team (or another country) can never hold for. So "one inject per team, with `team:`
    in its parts" goes to the team its parts name, not to the first team of the roster."""
    if team is None:
        return True, named
    if named is None or named == team or facts.country(team) == named:
        return True, team
    return False, None


def action_time(trigger: Trigger, facts: Facts, team: str | None) -> float | None:
    """When an action part first held: the first (or `count`-th) taking, or the first taking
    more than `apart` seconds after the first; `team` binds the part to one team (`scope`)."""
    can, who = bound(trigger.team, team, facts)
    if not can:
        return None
    if trigger.action is None or (trigger.apart is None and trigger.count == 1 and trigger.subject is None):
        return facts.action_first_taken(trigger.action, who)
    if trigger.apart is not None:
        return facts.taken_apart(trigger.action, who, trigger.subject, trigger.apart)
    return facts.nth_taken(trigger.action, who, trigger.subject, trigger.count)


def request_time(
    trigger: Trigger, facts: Facts, team: str | None, statuses: Iterable[RequestStatus]
) -> float | None:
    """When a request part first held (a request of the instrument, from and to it names, with
    its test passed, reached one of `statuses`); `team` binds the sender (`scope`)."""
    can, source = bound(trigger.source, team, facts)
    if not can:
        return None
    if trigger.test is None:
        times = [facts.request_reached(trigger.instrument, source, trigger.target, s) for s in statuses]
    else:
        key = watch_key(trigger)
        times = [facts.watched_reached(key, source, s) for s in statuses]
    found = [t for t in times if t is not None]
    return min(found) if found else None


def character_holds(test: CharacterTest | None, characters: Mapping[str, CharacterState]) -> bool:
    now = None if test is None else characters.get(test.character)
    if test is None or now is None:
        return False
    return (
        (test.trust_below is None or now.trust < test.trust_below)
        and (test.trust_at_least is None or now.trust >= test.trust_at_least)
        and (test.status is None or now.status == test.status)
        and (test.safety is None or now.safety == test.safety)
        and (test.location is None or now.location == test.location)
    )


# -- audiences at release -----------------------------------------------------------------------


def release_audience(
    scenario: Scenario,
    facts: Facts,
    releases: Iterable[Release],
    inject_id: str,
    audience: Audience,
    team: str | None,
    teams: Iterable[str],
) -> Audience:
    """The audience of a scenario inject at its release: `audience` as planned, narrowed to the
    team a scoped trigger held for, or to the teams its `to_teams` names now."""
    inject = next((i for i in scenario.injects if i.id == inject_id), None)
    if inject is None or (team is None and inject.to_teams is None):
        return audience
    if team is not None:
        chosen = [team]
    else:
        assert inject.to_teams is not None
        chosen = teams_at_release(scenario, facts, releases, inject.to_teams, teams)
    return narrowed(inject, audience, chosen, team_countries(scenario))


def teams_at_release(
    scenario: Scenario,
    facts: Facts,
    releases: Iterable[Release],
    spec: TeamsAtRelease,
    teams: Iterable[str],
) -> list[str]:
    """The teams `spec` names now, in roster order."""
    all_teams = list(teams)
    if spec.kind is Recipients.HOLDING:
        return holders(scenario, releases, spec.artefact or "", all_teams)
    request = spec.request or Trigger(TriggerKind.REQUEST)
    statuses = _statuses(spec.kind, request.state)
    return [t for t in all_teams if request_time(request, facts, t, statuses) is not None]


def holders(scenario: Scenario, releases: Iterable[Release], artefact: str, teams: list[str]) -> list[str]:
    """The teams that hold an artefact: from the start (a team or agency scope, or public), or
    released or shared to them since. Walks the releases: called once per release of an inject
    that asks for it, not per event."""
    found = next((a for a in scenario.artefacts if a.id == artefact), None)
    if found is None:
        return []
    scope = found.visibility.scope
    if scope is Scope.PUBLIC:
        return teams
    held: set[str] = set()
    if scope in (Scope.TEAM, Scope.ROLE) and found.visibility.team:
        held.add(found.visibility.team)
    elif scope is Scope.ROLE:  # that role in every team
        return teams
    if scope is Scope.AGENCY and found.visibility.agency:
        held |= set(_agency_teams(scenario, found.visibility.agency, teams))
    for release in releases:
        if release.artefact == artefact:
            if release.audience.everyone:
                return teams
            held |= release.audience.teams
            held |= {pair.partition("/")[0] for pair in release.audience.team_roles}
    return [t for t in teams if t in held]


def narrowed(
    inject: Inject, audience: Audience, teams: Iterable[str], countries: Mapping[str, str] | None = None
) -> Audience:
    """`audience` for `teams` only: each team whole when the inject goes to whole teams (or
    everyone), else the roles its recipients name, in each of those teams (a recipient naming a
    country names each of its teams, `countries`: team id → country id)."""
    chosen = list(teams)
    roles = {
        role
        for r in inject.audience.recipients
        if r.team is None or r.team in chosen or set(teams_named(r.team, countries or {})) & set(chosen)
        for role in r.roles
    }
    whole = audience.everyone or any(not r.roles for r in inject.audience.recipients)
    if whole or not roles:
        return Audience.of(teams=chosen)
    return Audience.of(team_roles=[f"{team}/{role}" for team in chosen for role in sorted(roles)])


def _agency_teams(scenario: Scenario, agency_id: str, teams: list[str]) -> list[str]:
    found = scenario.agency(agency_id)
    if found is None:
        return []
    country, agency = found
    units = [u.id for u in scenario.units if u.agency == agency.id]
    return [t for t in teams if t == country.id or t in units]


def _statuses(kind: Recipients, state: str | None) -> tuple[RequestStatus, ...]:
    if kind is Recipients.REFUSED:
        return (RequestStatus.REFUSED,)
    return statuses_of(state)


REQUEST_STATES: dict[str, tuple[RequestStatus, ...]] = {
    "received": (RequestStatus.SENT,),
    "answered": (RequestStatus.ANSWERED, RequestStatus.PARTIALLY_ANSWERED),
    "executed": (RequestStatus.ANSWERED,),
    "recognised": (RequestStatus.ANSWERED, RequestStatus.PARTIALLY_ANSWERED),
    "published": (RequestStatus.ANSWERED, RequestStatus.PARTIALLY_ANSWERED),
    "signed": (RequestStatus.ANSWERED,),
}
"""Request states a scenario names, as the states the server plays (the rest are the same)."""


def statuses_of(state: str | None) -> tuple[RequestStatus, ...]:
    """The statuses a request part waits for (its `state`, "sent" by default)."""
    wanted = state or "sent"
    return REQUEST_STATES.get(wanted) or tuple(s for s in RequestStatus if s == wanted)
