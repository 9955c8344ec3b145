"""Legal rules the engine applies to a request as it is sent (`Scenario.legal_rules`).

A scenario declares rules of law for its countries: a country that does not extradite its own
nationals, no dual criminality for an offence, a treaty one side has not ratified. A rule holds
for a request when every part of its `when` holds: the instrument, the two countries, the
request's fields, the target country's legal profile, a treaty missing. Its `effect` says what
the engine does:

- `refuse`: the send is refused by rule. Nothing leaves; the sender gets an error naming the rule,
  the country and the ground. A legal bar is refused at the sender's desk rather than delivered
  and refused by the other side: the lesson comes at once, the other team's inbox does not fill
  with requests no authority could execute, and no deadline starts running for nothing.
- `flag`: the request goes through as in reality (the other side may still act on it) and a
  staff-only `request.flagged` records the rule and ground for evaluators and the debrief.

Availability (which instrument may be used between two countries at all, `requires_treaties`,
pair overrides) is `Scenario.available`; rules come after it.
"""

from __future__ import annotations

from server.core.errors import Forbidden
from server.core.events import Event, RequestFlagged, RequestSent
from server.core.exercise import Exercise
from server.core.requests import FieldValue
from server.core.scenario import Country, LegalEffect, LegalProfile, LegalRule, Scenario

SIDE_VALUES = {"$source": "source", "$target": "target"}
"""Rule values that stand for the country id of a side of the request."""


def profile_value(profile: LegalProfile, key: str) -> str | None:
    """A legal profile entry as a rule compares it: booleans as true/false, numbers as digits;
    None when the scenario does not state it (no rule holds on what the law is not said to be)."""
    value = profile.entries().get(key)
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value).strip().lower()


def _values(value: FieldValue) -> set[str]:
    if value.flag is not None:
        return {"true" if value.flag else "false"}
    if value.number is not None:
        return {f"{value.number:g}"}
    if value.items is not None:
        return {item.strip().lower() for item in value.items}
    return {(value.text or "").strip().lower()}


def _missing_treaty(rule: LegalRule, countries: tuple[Country, Country]) -> Country | None:
    """The first of the two countries that has not ratified one of the rule's treaties."""
    return next((c for c in countries if not rule.missing_treaties <= c.treaties), None)


def holds(
    rule: LegalRule,
    instrument: str,
    source: Country,
    target: Country,
    fields: tuple[FieldValue, ...],
) -> bool:
    """Whether `rule` holds for a request of `instrument` from `source` to `target`."""
    if rule.instruments and instrument not in rule.instruments:
        return False
    if rule.source_countries and source.id not in rule.source_countries:
        return False
    if rule.target_countries and target.id not in rule.target_countries:
        return False
    if any(profile_value(target.legal_profile, key) != value.lower() for key, value in rule.target_profile):
        return False
    if rule.missing_treaties and _missing_treaty(rule, (source, target)) is None:
        return False
    sides = {"source": source.id.lower(), "target": target.id.lower()}
    given = {value.key: _values(value) for value in fields}
    for match in rule.fields:
        wanted = {sides[SIDE_VALUES[v]] if v in SIDE_VALUES else v.strip().lower() for v in match.values}
        if not given.get(match.key, set()) & wanted:
            return False
    return True


def rules_for(
    scenario: Scenario, instrument: str, source: str, target: str, fields: tuple[FieldValue, ...] = ()
) -> list[LegalRule]:
    """The rules that hold for a request between two country ids (none for unknown countries)."""
    a, b = scenario.country(source), scenario.country(target)
    if a is None or b is None:
        return []
    return [rule for rule in scenario.legal_rules if holds(rule, instrument, a, b, fields)]


def where(scenario: Scenario, rule: LegalRule, source: str, target: str) -> str:
    """The country whose law the rule is: the one lacking the treaty, else the target."""
    a, b = scenario.country(source), scenario.country(target)
    if a is not None and b is not None and rule.missing_treaties:
        lacking = _missing_treaty(rule, (a, b))
        if lacking is not None:
            return lacking.name
    return b.name if b is not None else target


def on_send(state: Exercise, events: list[Event]) -> list[Event]:
    """`events` decided for a request command, checked against the legal rules: Forbidden when a
    `refuse` rule holds for a request sent; each `flag` rule that holds adds a `request.flagged`
    after the send."""
    checked: list[Event] = []
    scenario = state.scenario
    for event in events:
        checked.append(event)
        if not isinstance(event, RequestSent):
            continue
        source = state.teams[event.source_team].country
        target = state.teams[event.target_team].country
        found = rules_for(scenario, event.instrument, source, target, event.fields)
        refused = [r for r in found if r.effect is LegalEffect.REFUSE]
        if refused:
            raise Forbidden(
                "; ".join(
                    f"{event.instrument} to {where(scenario, rule, source, target)} refused by legal rule "
                    f"{rule.id!r}: {rule.ground}"
                    for rule in refused
                )
            )
        flagged = [r for r in found if r.effect is LegalEffect.FLAG]
        if flagged:
            checked.append(
                RequestFlagged(
                    event.request,
                    event.source_team,
                    tuple(r.id for r in flagged),
                    tuple(r.ground for r in flagged),
                    event.sim_time,
                )
            )
    return checked
