"""Cross-checks of the condition language (`server.scenario.conditions` reads it): what the
section readers cannot see alone, because it needs the instrument, the country or the
character a condition names."""

from __future__ import annotations

from server.core.facts import MAX_COUNT
from server.core.matching import teams_named
from server.core.scenario import FieldTest, Instrument, Receipt, Scenario, Trigger, TriggerKind
from server.core.simtime import format_sim_time
from server.core.team_models import team_countries
from server.core.watch import leaves_of
from server.scenario.fields import FieldReader
from server.scenario.source import suggestion


def check_conditions(reader: FieldReader, scenario: Scenario) -> None:
    for inject in scenario.injects:
        path = reader.paths.get(id(inject), "injects")
        if inject.trigger is not None:
            for leaf in leaves_of(inject.trigger):
                _leaf(reader, scenario, leaf, reader.paths.get(id(leaf), f"{path}.trigger"))
        if (
            inject.scope
            and inject.trigger is not None
            and not any(
                leaf.kind in (TriggerKind.ACTION, TriggerKind.REQUEST) for leaf in leaves_of(inject.trigger)
            )
        ):
            reader.problem(
                f"{path}.scope",
                "scope: team needs an action or a request part in the trigger, taken or sent by a "
                "team; without one it holds for every team at once",
            )
        if inject.scope and inject.trigger is not None:
            _one_team(reader, scenario, inject.trigger, f"{path}.trigger")
        if inject.scope and inject.stand_in_for:
            reader.problem(
                f"{path}.scope", "a stand-in answers one request: it cannot also be scoped per team"
            )
    for response in scenario.responses:
        instrument = scenario.instrument(response.instrument)
        for outcome in response.outcomes:
            where = reader.paths.get(id(outcome), "responses")
            rules = [outcome.when, *outcome.when.unless]
            for rule in rules:
                if instrument is not None:
                    _fields(reader, instrument, rule.fields, f"{where}.when.fields")
                if rule.received is not None and _calendar_missing(scenario, response.target):
                    reader.problem(
                        f"{where}.when.received",
                        f"{response.target} has no calendar, so its offices are always open and "
                        f"`received: {rule.received}` "
                        + ("always holds" if rule.received is Receipt.OFFICE_HOURS else "never holds")
                        + ": give the country a calendar (calendar: {opens: '08:00', closes: '17:00', "
                        "holidays: [D3]}})",
                    )


def _one_team(reader: FieldReader, scenario: Scenario, trigger: Trigger, path: str) -> None:
    """Under `scope: team` every part must hold for one team: parts that must all hold (the
    trigger itself, or its `all_of`) naming teams or countries that share no team never can."""
    countries = team_countries(scenario)
    named: dict[str, set[str]] = {}
    for part in _conjuncts(trigger):
        party = part.team if part.kind is TriggerKind.ACTION else part.source
        if part.kind in (TriggerKind.ACTION, TriggerKind.REQUEST) and party:
            named[party] = set(teams_named(party, countries))
    if len(named) > 1 and not set.intersection(*named.values()):
        names = ", ".join(sorted(named))
        reader.problem(
            f"{path}",
            f"scope: team: its parts name {names}, and no one team is all of them, so it never "
            "fires; name one team (or country) in the parts, or none (the first team to do them all)",
        )


def _conjuncts(trigger: Trigger) -> list[Trigger]:
    """The parts that must all hold for `trigger` to: itself, or the parts of its `all_of`."""
    if trigger.kind is TriggerKind.ALL_OF:
        return [part for child in trigger.of for part in _conjuncts(child)]
    return [trigger]


def _leaf(reader: FieldReader, scenario: Scenario, leaf: Trigger, path: str) -> None:
    if leaf.kind is TriggerKind.REQUEST and leaf.test is not None:
        instrument = scenario.instrument(leaf.instrument or "")
        if instrument is None:
            return
        _fields(reader, instrument, leaf.test.fields, f"{path}.request.fields")
        ground = leaf.test.ground
        if ground is not None and ground not in instrument.refusal_grounds:
            known = ", ".join(instrument.refusal_grounds) or "none"
            reader.problem(
                f"{path}.request.ground",
                f"{instrument.id} has no refusal ground {ground!r} (its grounds: {known})"
                f"{suggestion(ground, instrument.refusal_grounds)}",
            )
    end = scenario.clock.end
    if leaf.kind is TriggerKind.NOT_BEFORE and leaf.at is not None and end is not None and leaf.at > end:
        reader.problem(
            f"{path}.not_before",
            f"{format_sim_time(leaf.at)} is after ENDEX ({format_sim_time(end)}): it can never hold",
        )
    if leaf.kind is TriggerKind.ACTION and leaf.count > MAX_COUNT:
        reader.problem(f"{path}.action.count", f"counts go up to {MAX_COUNT}")


def _fields(reader: FieldReader, instrument: Instrument, tests: tuple[FieldTest, ...], path: str) -> None:
    keys = [f.key for f in instrument.fields]
    for i, test in enumerate(tests):
        spec = instrument.field(test.field)
        if spec is None:
            reader.problem(
                f"{path}[{i}].field",
                f"{instrument.id} has no field {test.field!r}{suggestion(test.field, keys)} "
                f"(its fields: {', '.join(keys) or 'none'})",
            )
            continue
        if spec.choices:
            for value in sorted(test.includes_any - set(spec.choices)):
                reader.problem(
                    f"{path}[{i}].includes_any",
                    f"{value!r} is not a choice of {instrument.id}.{test.field} "
                    f"(choices: {', '.join(spec.choices)}){suggestion(value, spec.choices)}",
                )
        if test.contains is not None and spec.type not in ("text", "entities"):
            reader.problem(
                f"{path}[{i}].contains",
                f"contains looks into a text; {instrument.id}.{test.field} is a {spec.type} field: "
                "use equals or includes_any",
            )


def _calendar_missing(scenario: Scenario, target: str) -> bool:
    country = scenario.country(target)
    if country is None:
        found = scenario.agency(target)
        country = found[0] if found else None
    return country is not None and country.calendar is None
