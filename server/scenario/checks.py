"""Cross-checks of a scenario, after `server.scenario.loader` has read its shape.

- every reference resolves (with a "did you mean" when a known id is close);
- ids are unique in their section;
- no trigger cycles between injects; no inject that can never fire;
- instruments are used only between countries where they are available;
- roles can issue what the scenario expects of them, and drafts have someone to co-sign them;
- SimCell templates look at fields the instrument has, and always end in an answer;
- no artefact is kept from everyone forever;
- metrics can be computed and measure an objective (`metric_checks`).
"""

from __future__ import annotations

import re

from server.core.roles import STAFF_ROLES
from server.core.scenario import (
    Inject,
    Instrument,
    Scenario,
    Scope,
    TeamModel,
    Trigger,
    TriggerKind,
    scripted_releases,
)
from server.core.simtime import format_sim_time
from server.core.team_models import model_of, team_specs
from server.scenario.condition_checks import check_conditions
from server.scenario.fields import FieldReader
from server.scenario.legal_checks import check_legal
from server.scenario.metric_checks import check_metrics
from server.scenario.reach import describe, named, reachable, roles_in, senders, takers
from server.scenario.source import suggestion

_SECTIONS = (
    "countries", "units", "roles", "actions", "instruments", "entities", "artefacts", "joint_teams",
    "characters", "injects", "responses", "requests", "branches", "objectives", "metrics",
    "questionnaires",
)  # fmt: skip


def check(reader: FieldReader, scenario: Scenario) -> None:
    _unique(reader)
    _references(reader, scenario)
    _team_model(reader, scenario)
    _capabilities(reader, scenario)
    _injects(reader, scenario)
    _requests(reader, scenario)
    _responses(reader, scenario)
    _artefacts(reader, scenario)
    _playbook(reader, scenario)
    check_conditions(reader, scenario)
    check_metrics(reader, scenario)
    check_legal(reader, scenario)


def known_ids(scenario: Scenario) -> dict[str, set[str]]:
    agencies = {a.id for c in scenario.countries for a in c.agencies}
    entities = {e.id for e in scenario.entities}
    teams = {spec.id for spec in team_specs(scenario)}
    countries = {c.id for c in scenario.countries}
    instruments = {i.id for i in scenario.instruments}
    actions = {a.id for a in scenario.actions}
    return {
        "country": countries,
        "team": teams,
        "party": countries | teams,
        "recipient": countries | teams,
        "receiver": countries | teams | agencies,
        "role": {r.id for r in scenario.roles},
        "role_or_staff": {r.id for r in scenario.roles} | STAFF_ROLES,
        "agency": agencies,
        "agency_type": {a.type for c in scenario.countries for a in c.agencies},
        "instrument": instruments,
        "treaty": {t for c in scenario.countries for t in c.treaties},
        "action": actions,
        "action_or_instrument": actions | instruments,
        "artefact": {a.id for a in scenario.artefacts},
        "inject": {i.id for i in scenario.injects},
        "character": {c.id for c in scenario.characters},
        "entity": entities,
        "objective": {o.id for o in scenario.objectives},
        "metric": {m.id for m in scenario.metrics},
        "joint_team": {j.id for j in scenario.joint_teams},
        "expected_request": {r.id for r in scenario.requests},
        "owner": agencies | entities | {name for s in scenario.staff for name in s.plays},
    }


_NAMES = {
    "role_or_staff": "role",
    "action_or_instrument": "action or instrument",
    "agency_type": "agency type",
    "party": "country or team",
    "recipient": "team",
    "expected_request": "expected request (an id under `requests`)",
    "receiver": "country, team or agency",
}


def _references(reader: FieldReader, scenario: Scenario) -> None:
    known = known_ids(scenario)
    for path, kind, value in reader.refs:
        if value not in known[kind]:
            what = _NAMES.get(kind, kind.replace("_", " "))
            listed = f" (known: {', '.join(sorted(known[kind]))})" if 0 < len(known[kind]) <= 8 else ""
            hint = suggestion(value, known[kind])
            if kind == "team" and value in known["country"]:
                units = [t.id for t in team_specs(scenario) if t.country == value]
                hint = f": {value} plays as agency units, name them ({'; '.join(units) or 'none yet'})"
            reader.problem(path, f"unknown {what} {value!r}{hint or listed}")


def _unique(reader: FieldReader) -> None:
    for section in _SECTIONS:
        items = reader.source.data.get(section)
        if not isinstance(items, list):
            continue
        seen: set[object] = set()
        for i, item in enumerate(items):
            if isinstance(item, dict) and "id" in item:
                if item["id"] in seen:
                    reader.problem(f"{section}[{i}].id", f"duplicate id {item['id']!r} in {section}")
                seen.add(item["id"])


def _team_model(reader: FieldReader, scenario: Scenario) -> None:
    """Each country plays as one team or as units (`server.core.team_models`)."""
    if scenario.team_model is TeamModel.AGENCY_UNITS and not scenario.units:
        reader.problem("units", "team_model agency_units needs a list of units (the teams)")
        return
    if scenario.units and not any(
        model_of(scenario, c.id) is TeamModel.AGENCY_UNITS for c in scenario.countries
    ):
        reader.problem(
            "units",
            "units are the teams of team_model agency_units; this scenario has country_teams "
            "(set `team_model: agency_units` on the scenario or on the countries that play as units)",
        )
        return
    seen: set[str] = set()
    for unit in scenario.units:
        path = reader.paths.get(id(unit), "units")
        country = scenario.country(unit.country)
        if unit.id in seen and path.startswith("countries"):
            reader.problem(f"{path}.id", f"duplicate unit id {unit.id!r}")
        seen.add(unit.id)
        if scenario.country(unit.id) is not None:
            reader.problem(
                f"{path}.id",
                f"unit {unit.id!r} has the id of a country, so a trigger naming {unit.id!r} would be "
                f"ambiguous: give the unit another id (such as {unit.id}-{unit.agency.split('.')[-1]})",
            )
        if country is None:
            continue  # reported as an unknown reference
        if model_of(scenario, country.id) is not TeamModel.AGENCY_UNITS:
            reader.problem(
                path,
                f"unit {unit.id!r} belongs to {country.id}, which plays as one team (country_teams): "
                f"give {country.id} `team_model: agency_units`, or remove the unit",
            )
        agency = scenario.agency(unit.agency)
        if agency is not None and agency[0].id != country.id:
            reader.problem(
                f"{path}.agency",
                f"unit {unit.id!r} of {country.id} is the agency {unit.agency!r} of {agency[0].id}: "
                f"a unit is one of its own country's agencies ({', '.join(a.id for a in country.agencies)})",
            )
    for country in scenario.countries:
        if model_of(scenario, country.id) is TeamModel.AGENCY_UNITS and not any(
            u.country == country.id for u in scenario.units
        ):
            path = reader.paths.get(id(country), "countries")
            reader.problem(
                f"{path}.units",
                f"{country.id} plays as agency_units but has no unit: list its units "
                f"(units: [{{id, name, agency}}]) or give it `team_model: country_teams`",
            )


def _capabilities(reader: FieldReader, scenario: Scenario) -> None:
    for role in scenario.roles:
        for capability in sorted(role.capabilities):
            verb, _, what = capability.partition(":")
            if verb == "draft" and not any(r.can("validate", what) for r in scenario.roles):
                path = reader.paths.get(id(role), "roles")
                reader.problem(
                    f"{path}.capabilities",
                    f"{role.id!r} may draft {what!r}, but no role may validate it (the co-signature)",
                )


def _injects(reader: FieldReader, scenario: Scenario) -> None:
    by_id = {inject.id: inject for inject in scenario.injects}
    # cycles: an inject waiting (through its trigger) for itself
    reported: set[str] = set()
    for inject in scenario.injects:
        cycle = _cycle(inject.id, by_id, [])
        if cycle and not reported & set(cycle):
            reported |= set(cycle)
            path = reader.paths.get(id(inject), "injects")
            reader.problem(f"{path}.trigger", f"trigger cycle: {' → '.join([*cycle, cycle[0]])}")
    # never fires
    fires: dict[str, bool] = {}
    for inject in scenario.injects:
        path = reader.paths.get(id(inject), "injects")
        late = None if inject.at is None else _out_of_play(scenario, inject.at)
        if late:
            reader.problem(f"{path}.at", f"inject {inject.id!r} is planned outside the exercise: {late}")
        if inject.trigger is None and inject.at is None:
            if not reader.reported(f"{path}.at"):  # an `at` it could not read is the one mistake
                reader.problem(
                    path, f"inject {inject.id!r} can never fire: it has neither `at` nor a trigger"
                )
            continue
        if inject.trigger is not None:
            reason = _never(reader.paths, scenario, inject.trigger, by_id, fires)
            if reason is not None:
                where, why = reason
                reader.problem(where, f"inject {inject.id!r} can never fire: {why}")
        _expected(reader, scenario, inject, path)
        _reaches(reader, scenario, inject, path)
        _stand_in(reader, scenario, inject, path)
        _directions(reader, scenario, inject, path)


DIRECTIONS = re.compile(
    r"^[\W_]*(?:scene|role-?play(?:ers?)?|stage directions?|for (?:the )?(?:role-?players|controllers))\s*:"
    r"|\brole-?players?\b|\bcontrollers? read\b|^[\W_]*if the (?:team|interview)\b",
    re.IGNORECASE | re.MULTILINE,
)
"""Text that reads like a direction for role-players or controllers ("*Scene:* role-players Ion
and Andrei ...", "If the team brings an interpreter, he ..."), not like what trainees receive."""


def _directions(reader: FieldReader, scenario: Scenario, inject: Inject, path: str) -> None:
    """Warn when a trainee-visible text seems to hold the role-players' brief (`roleplay`)."""
    audience = inject.audience
    participant_roles = {r.id for r in scenario.roles}
    to_trainees = audience.everyone or any(
        not recipient.roles or recipient.roles & participant_roles for recipient in audience.recipients
    )
    found = DIRECTIONS.search(inject.body) if to_trainees else None
    if found is not None:
        line = next(part for part in inject.body[found.start() :].splitlines() if part.strip())
        reader.warn(
            f"{path}.body",
            f"inject {inject.id!r} goes to trainees, but its text reads like a direction for "
            f"role-players ({line.strip()[:60]!r}): move it to `roleplay`, which only staff see",
        )


def _stand_in(reader: FieldReader, scenario: Scenario, inject: Inject, path: str) -> None:
    """A stand-in scripts a team's answer to a request: its trigger is that request to that team."""
    team = inject.stand_in_for
    if team is None:
        return
    trigger = inject.trigger
    country = next((u.country for u in scenario.units if u.id == team), team)
    agencies = {a.id for c in scenario.countries if c.id == country for a in c.agencies}
    if trigger is None or trigger.kind is not TriggerKind.REQUEST or trigger.target not in {team, *agencies}:
        reader.problem(
            f"{path}.stand_in_for",
            f"inject {inject.id!r} stands in for {team}'s answer, so its trigger must be a request "
            f"to {team} (trigger: request: {{instrument: ..., to: {team}}})",
        )


def _cycle(start: str, by_id: dict[str, Inject], trail: list[str]) -> list[str]:
    if start in trail:
        return trail[trail.index(start) :]
    inject = by_id.get(start)
    if inject is None or inject.trigger is None:
        return []
    for waited in _waits_for(inject.trigger):
        found = _cycle(waited, by_id, [*trail, start])
        if found:
            return found
    return []


def _waits_for(trigger: Trigger) -> list[str]:
    own = [trigger.inject] if trigger.kind is TriggerKind.INJECT and trigger.inject else []
    return own + [name for part in trigger.of for name in _waits_for(part)]


def _out_of_play(scenario: Scenario, at: int) -> str | None:
    if at < scenario.clock.start:
        return f"{format_sim_time(at)} is before STARTEX ({format_sim_time(scenario.clock.start)})"
    if scenario.clock.end is not None and at > scenario.clock.end:
        return f"{format_sim_time(at)} is after ENDEX ({format_sim_time(scenario.clock.end)})"
    return None


def _never(
    paths: dict[int, str],
    scenario: Scenario,
    trigger: Trigger,
    by_id: dict[str, Inject],
    fires: dict[str, bool],
) -> tuple[str, str] | None:
    """Where and why `trigger` can never fire, or None."""
    path = paths.get(id(trigger), "trigger")
    match trigger.kind:
        case TriggerKind.TIME | TriggerKind.DEADLINE_MISSED:
            late = None if trigger.at is None else _out_of_play(scenario, trigger.at)
            if late:
                return f"{path}.{trigger.kind}.at", late
        case TriggerKind.REQUEST:
            return _request_never(scenario, trigger, path)
        case TriggerKind.ACTION:
            if trigger.action not in {a.id for a in scenario.actions}:
                return None  # reported as an unknown reference (or no action named)
            if not any(r.can("act", trigger.action) for r in scenario.roles):
                return f"{path}.action.action", f"no role may do the action {trigger.action!r}"
            side = named(scenario, trigger.team)
            if side is not None and not takers(scenario, trigger.action, side):
                return (
                    f"{path}.action.team",
                    f"no role that plays in {trigger.team} may do the action {trigger.action!r}",
                )
        case TriggerKind.INJECT:
            waited = by_id.get(trigger.inject or "")
            if waited is not None and not _fires(paths, scenario, waited, by_id, fires):
                return f"{path}.inject.inject", f"it waits for {waited.id!r}, which can never fire"
        case TriggerKind.ALL_OF:
            positive = [part for part in trigger.of if part.kind is not TriggerKind.NOT]
            if not positive:
                return path, "all_of needs at least one trigger that is not a `not`"
            for part in positive:
                found = _never(paths, scenario, part, by_id, fires)
                if found:
                    return found
        case TriggerKind.ANY_OF:
            reasons = [_never(paths, scenario, part, by_id, fires) for part in trigger.of]
            if reasons and all(reasons):
                return path, "none of its any_of triggers can fire"
        case TriggerKind.NOT:
            return path, "`not` only says what must not have happened; combine it with all_of"
    return None


def _fires(
    paths: dict[int, str],
    scenario: Scenario,
    inject: Inject,
    by_id: dict[str, Inject],
    fires: dict[str, bool],
) -> bool:
    if inject.id not in fires:
        fires[inject.id] = True  # guards recursion; cycles are reported on their own
        if inject.trigger is None:
            fires[inject.id] = inject.at is not None
        else:
            fires[inject.id] = _never(paths, scenario, inject.trigger, by_id, fires) is None
    return fires[inject.id]


def _request_never(scenario: Scenario, trigger: Trigger, path: str) -> tuple[str, str] | None:
    instrument = scenario.instrument(trigger.instrument or "")
    if instrument is None:
        return None  # reported as an unknown reference
    if trigger.state and trigger.state not in instrument.lifecycle:
        hint = suggestion(trigger.state, instrument.lifecycle)
        return f"{path}.request.state", f"{instrument.id} has no state {trigger.state!r}{hint}"
    if not any(r.can("issue", instrument.id) or r.can("draft", instrument.id) for r in scenario.roles):
        return f"{path}.request.instrument", f"no role may issue {instrument.id}"
    return _unreachable(scenario, instrument, trigger.source, trigger.target, f"{path}.request")


def _unreachable(
    scenario: Scenario, instrument: Instrument, source: str | None, target: str | None, path: str
) -> tuple[str, str] | None:
    """Where and why no request of `instrument` from `source` to `target` can ever be made."""
    sides, receivers = named(scenario, source), named(scenario, target)
    if sides is None or receivers is None:
        return None  # reported as an unknown reference
    if not senders(scenario, instrument.id, sides):
        return (
            f"{path}.from" if source else f"{path}.instrument",
            f"no role that plays in {describe(source)} may issue or draft {instrument.id}",
        )
    if not reachable(scenario, instrument.id, sides, receivers):
        between = f"from {describe(source, 'country')} to {describe(target, 'country')}"
        why = (
            "it is domestic, used within one country only"
            if not instrument.cross_border
            else "the countries' blocs do not cover that pair"
            if not instrument.requires_treaties
            else "the countries' blocs or treaties (requires_treaties) do not cover that pair"
        )
        return (
            f"{path}.instrument",
            f"{instrument.id} is not available {between} ({why}): change the instrument or the "
            "countries, or open it with a pair override",
        )
    return None


def _reaches(reader: FieldReader, scenario: Scenario, inject: Inject, path: str) -> None:
    """Each recipient of an inject's `to` reaches someone: the roles it names play in a team it
    names (a country: any of its teams, `server.core.matching.teams_named`; `*`: any team)."""
    roles = {role.id for role in scenario.roles}
    for recipient in inject.audience.recipients:
        wanted = sorted(recipient.roles & roles)
        if not wanted or len(wanted) < len(recipient.roles - STAFF_ROLES):
            continue  # whole teams, staff, or an unknown role (reported as a reference)
        side = named(scenario, recipient.team)
        if side is None or scenario.agency(recipient.team or "") is not None:
            continue  # an unknown team (reported as a reference)
        playing = {role.id for team in side.teams for role in roles_in(scenario, team)}
        if not playing & set(wanted) and not recipient.roles & STAFF_ROLES:
            teams = ", ".join(team.id for team in side.teams) or "none"
            where = describe(recipient.team, "team")
            reader.problem(
                f"{path}.to",
                f"inject {inject.id!r} goes to {', '.join(wanted)} in {where}, but no such role plays "
                f"there (teams: {teams}; a role plays in a team when the country's composition lists "
                "it and, for a unit, when it works for the unit's agency type): name the team or the "
                "roles that should receive it",
            )
        elif missing := [role for role in wanted if role not in playing]:
            reader.warn(
                f"{path}.to",
                f"inject {inject.id!r} goes to {', '.join(missing)} in {describe(recipient.team, 'team')} "
                "too, but no such role plays there: they reach nobody (the others do)",
            )


def _expected(reader: FieldReader, scenario: Scenario, inject: Inject, path: str) -> None:
    roles = {role.id: role for role in scenario.roles}
    audience = inject.audience
    named = {name for r in audience.recipients for name in r.roles if name in roles}
    whole = audience.everyone or any(not r.roles for r in audience.recipients)
    players = set(roles) if whole else named
    for i, name in enumerate(inject.expected_actions):
        verbs = ("act",) if scenario.instrument(name) is None else ("issue", "draft")
        if not any(roles[r].can(verb, name) for r in players for verb in verbs):
            if name not in {a.id for a in scenario.actions} | {i.id for i in scenario.instruments}:
                continue  # reported as an unknown reference
            who = ", ".join(sorted(players)) or "staff only"
            reader.problem(
                f"{path}.expected_actions[{i}]",
                f"{inject.id} expects {name!r}, but none of its recipients' roles ({who}) may do it",
            )


def _requests(reader: FieldReader, scenario: Scenario) -> None:
    for request in scenario.requests:
        path = reader.paths.get(id(request), "requests")
        instrument, role = scenario.instrument(request.instrument), scenario.role(request.role)
        if instrument is None or role is None or scenario.country(request.source) is None:
            continue
        if not (role.can("issue", instrument.id) or role.can("draft", instrument.id)):
            reader.problem(
                f"{path}.role",
                f"{request.id}: role {role.id!r} cannot issue {instrument.id} "
                f"(give it issue:{instrument.id} or draft:{instrument.id})",
            )
        found = _unreachable(scenario, instrument, request.source, request.target, path)
        if found is not None and "not available" in found[1]:
            reader.problem(found[0], f"{request.id}: {found[1]}")


def _responses(reader: FieldReader, scenario: Scenario) -> None:
    for response in scenario.responses:
        path = reader.paths.get(id(response), "responses")
        instrument = scenario.instrument(response.instrument)
        if instrument is None:
            continue
        found = _unreachable(scenario, instrument, response.source, response.target, path)
        if found is not None:
            reader.problem(found[0], f"{response.id} can never be used: {found[1]}")
        for outcome in response.outcomes:
            _rule_fields(
                reader, instrument, outcome.when.field, outcome.when.includes_any, reader.paths[id(outcome)]
            )
        if response.outcomes and response.outcomes[-1].when != type(response.outcomes[-1].when)():
            reader.problem(
                f"{path}.outcomes",
                f"{response.id}: the last outcome has a condition; end with one without `when` "
                "so every request gets an answer",
            )


def _rule_fields(
    reader: FieldReader, instrument: Instrument, key: str | None, values: frozenset[str], path: str
) -> None:
    if key is None:
        return
    field = instrument.field(key)
    if field is None:
        keys = [f.key for f in instrument.fields]
        reader.problem(f"{path}.when.field", f"{instrument.id} has no field {key!r}{suggestion(key, keys)}")
        return
    for value in sorted(values - set(field.choices)):
        reader.problem(
            f"{path}.when.includes_any",
            f"{value!r} is not a choice of {instrument.id}.{key}{suggestion(value, field.choices)}",
        )


def _artefacts(reader: FieldReader, scenario: Scenario) -> None:
    released = set(scripted_releases(scenario))
    # joint teams that can be formed in play: their items reach the members then
    formed = {jit.id for jit in scenario.joint_teams if jit.formed_by is not None}
    _requests_bring(reader, scenario, released)
    released |= {name for request in scenario.requests for name in request.releases}  # by SimCell
    for artefact in scenario.artefacts:
        for i, found in enumerate(artefact.discovery):
            target = named(scenario, found.target) if found.target else None
            instrument = scenario.instrument(found.instrument or "")
            if target is None or instrument is None:
                continue
            if not reachable(scenario, instrument.id, named(scenario, None) or target, target):
                path = reader.paths.get(id(artefact), "artefacts")
                reader.problem(
                    f"{path}.discovery[{i}].instrument",
                    f"{instrument.id} is not available to {found.target} from any country, "
                    f"so {artefact.id} can never be found that way",
                )
        visibility = artefact.visibility
        hidden = visibility.scope is Scope.STAFF or (
            visibility.scope is Scope.JOINT_TEAM and visibility.joint_team not in formed
        )
        if hidden and not artefact.discovery and artefact.id not in released:
            path = reader.paths.get(id(artefact), "artefacts")
            reader.problem(
                f"{path}.visible_to",
                f"artefact {artefact.id!r} is hidden from players and nothing releases it "
                "(an inject, a SimCell answer, a request, a discovery, or forming the joint team "
                "it is scoped to: give that joint team a `formed_by`)",
            )


def _requests_bring(reader: FieldReader, scenario: Scenario, released: set[str]) -> None:
    """An expected request's `releases` says what a strong team's request brings (the MSEL's
    word); an item only staff see must then come by an inject, a SimCell answer template or a
    discovery, or SimCell must release it by hand, which the warning says."""
    artefacts = {artefact.id: artefact for artefact in scenario.artefacts}
    for request in scenario.requests:
        for name in request.releases:
            artefact = artefacts.get(name)
            if artefact is None or name in released or artefact.discovery:
                continue  # unknown: reported as a reference
            if artefact.visibility.scope is not Scope.STAFF:
                continue  # a team holds it (and may attach it to its answer), or the joint team brings it
            reader.warn(
                f"{reader.paths.get(id(request), 'requests')}.releases",
                f"{request.id} says it brings {name}, but no inject and no SimCell answer "
                f"template ({request.instrument} to {request.target}) releases it: SimCell must "
                "release it by hand when answering (or add it to the template's `releases`)",
            )


def _playbook(reader: FieldReader, scenario: Scenario) -> None:
    """A strong cohort's script (`playbook`) can be played: in time, by roles that play in the
    teams named and may do what the step does."""
    teams = {spec.id: spec for spec in team_specs(scenario)}
    for step in scenario.playbook:
        path = reader.paths.get(id(step), "playbook")
        late = _out_of_play(scenario, step.at)
        if late:
            reader.problem(f"{path}.at", f"the step is outside the exercise: {late}")
        if step.action:
            team, role = teams.get(step.team), scenario.role(step.role)
            if team is None or role is None or step.action not in {a.id for a in scenario.actions}:
                continue  # reported as an unknown reference
            if role not in roles_in(scenario, team):
                reader.problem(
                    f"{path}.role", f"no {role.id} plays in {team.id}: name a team where the role plays"
                )
            elif not role.can("act", step.action):
                reader.problem(
                    f"{path}.role",
                    f"{role.id} may not take {step.action} (add act:{step.action} to its capabilities)",
                )
            continue
        expected = next((r for r in scenario.requests if r.id == step.request), None)
        if expected is None:
            continue  # reported as an unknown reference
        for key, name, country in (("team", step.team, expected.source), ("to", step.to, expected.target)):
            found = teams.get(name)
            if found is not None and found.country != country:
                reader.problem(
                    f"{path}.{key}",
                    f"{name} is not a team of {country} (request {expected.id} is from "
                    f"{expected.source} to {expected.target})",
                )
        drafting = teams.get(step.team)
        role = scenario.role(expected.role)
        if drafting is not None and role is not None and role not in roles_in(scenario, drafting):
            reader.problem(f"{path}.team", f"no {role.id} plays in {drafting.id}, who makes {expected.id}")
