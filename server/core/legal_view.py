"""What the welcome's catalogue carries of the law and local time (`server.core.view`): each
country's legal profile, treaties, local time offset and office hours; the legal rules; the
scheduled clock jumps. The station's request composer shows them."""

from __future__ import annotations

from typing import Any

from server.core.exercise import Exercise
from server.core.scenario import Country, LegalProfile, LegalRule, OfficeCalendar, Scenario


def profile_lines(profile: LegalProfile) -> dict[str, Any]:
    """The entries of a legal profile that the scenario states (a client shows those that
    matter), its `other` ones included; an entry it left out is no fact to show."""
    return profile.entries()


def calendar_data(calendar: OfficeCalendar | None) -> dict[str, Any] | None:
    if calendar is None:
        return None
    return {
        "opens": calendar.opens,
        "closes": calendar.closes,
        "workdays": sorted(calendar.workdays),
        "holidays": sorted(calendar.holidays),
    }


def country_law(country: Country) -> dict[str, Any]:
    """The keys a catalogue country gains: treaties, legal_profile, time_offset, calendar."""
    return {
        "treaties": sorted(country.treaties),
        "legal_profile": profile_lines(country.legal_profile),
        "time_offset": country.time_offset,
        "calendar": calendar_data(country.calendar),
    }


def rule_data(rule: LegalRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "effect": str(rule.effect),
        "ground": rule.ground,
        "instruments": sorted(rule.instruments),
        "source_countries": sorted(rule.source_countries),
        "target_countries": sorted(rule.target_countries),
        "fields": {match.key: list(match.values) for match in rule.fields},
        "target_profile": dict(rule.target_profile),
        "treaty_missing": sorted(rule.missing_treaties),
    }


def legal_catalogue(scenario: Scenario) -> list[dict[str, Any]]:
    return [rule_data(rule) for rule in scenario.legal_rules]


def jumps_view(state: Exercise) -> list[dict[str, Any]]:
    """The scheduled clock jumps, each with whether it was made or skipped (`done`)."""
    return [
        {"id": j.id, "at": j.at, "to": j.to, "reason": j.reason, "done": j.id in state.jumps_done}
        for j in state.scenario.clock.jumps
    ]
