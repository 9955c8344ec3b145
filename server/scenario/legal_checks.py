"""Cross-checks of legal rules: the fields and values they name exist on their instruments,
and a rule can hold at all (a dead rule is an error, with the reason)."""

from __future__ import annotations

from server.core.legal import SIDE_VALUES, profile_value
from server.core.scenario import PROFILE_ENTRIES, LegalRule, Scenario
from server.scenario.fields import FieldReader
from server.scenario.source import suggestion

_CHOICE_TYPES = frozenset({"enum", "multiselect"})


def check_legal(reader: FieldReader, scenario: Scenario) -> None:
    seen: set[str] = set()
    for rule in scenario.legal_rules:
        path = reader.paths.get(id(rule), "legal_rules")
        if rule.id in seen:
            reader.problem(f"{path}.id", f"duplicate legal rule id {rule.id!r}")
        seen.add(rule.id)
        _fields(reader, scenario, rule, path)
        if _entries_known(reader, scenario, rule, path):
            _can_hold(reader, scenario, rule, path)


def _entries_known(reader: FieldReader, scenario: Scenario, rule: LegalRule, path: str) -> bool:
    """The legal_profile entries a rule compares are named entries, or `other` entries that some
    country states."""
    known = [*PROFILE_ENTRIES, *sorted({k for c in scenario.countries for k, _ in c.legal_profile.other})]
    unknown = [key for key, _ in rule.target_profile if key not in known]
    for key in unknown:
        reader.problem(
            f"{path}.when.target_profile.{key}",
            f"unknown legal_profile entry {key!r}{suggestion(key, known)} (entries: {', '.join(known)}; "
            "a country's own are written under its legal_profile's `other`)",
        )
    return not unknown


def _fields(reader: FieldReader, scenario: Scenario, rule: LegalRule, path: str) -> None:
    instruments = [i for i in scenario.instruments if not rule.instruments or i.id in rule.instruments]
    for match in rule.fields:
        where = f"{path}.when.fields.{match.key}"
        specs = [spec for i in instruments if (spec := i.field(match.key)) is not None]
        if not specs:
            keys = sorted({f.key for i in instruments for f in i.fields})
            named = ", ".join(sorted(rule.instruments)) or "any instrument"
            reader.problem(
                where,
                f"{match.key!r} is not a field of {named}{suggestion(match.key, keys)}"
                f" (fields: {', '.join(keys)})",
            )
            continue
        for spec in specs:
            allowed: set[str] = set()
            if spec.type in _CHOICE_TYPES:
                allowed = set(spec.choices)
            elif spec.type == "bool":
                allowed = {"true", "false"}
            elif spec.type == "agency":
                allowed = {a.id for c in scenario.countries for a in c.agencies}
            if not allowed:
                continue
            for value in match.values:
                if value not in SIDE_VALUES and value not in allowed:
                    reader.problem(
                        where,
                        f"{value!r} is not a value of {spec.type} field {spec.key!r}"
                        f"{suggestion(value, sorted(allowed))} (values: {', '.join(sorted(allowed))})",
                    )


def _can_hold(reader: FieldReader, scenario: Scenario, rule: LegalRule, path: str) -> None:
    """A rule no request could meet: no pair of countries its instruments go between, or no
    target country whose legal profile matches."""
    sources = [c for c in scenario.countries if not rule.source_countries or c.id in rule.source_countries]
    targets = [c for c in scenario.countries if not rule.target_countries or c.id in rule.target_countries]
    targets_ok = [
        c
        for c in targets
        if all(profile_value(c.legal_profile, key) == value.lower() for key, value in rule.target_profile)
    ]
    if rule.target_profile and targets and not targets_ok:
        wanted = ", ".join(f"{key}: {value}" for key, value in rule.target_profile)
        reader.problem(
            f"{path}.when.target_profile",
            f"legal rule {rule.id!r} never holds: no target country has {wanted} in its legal_profile "
            "(an entry a country leaves out matches no rule: its law is not stated)",
        )
        return
    instruments = [i.id for i in scenario.instruments if not rule.instruments or i.id in rule.instruments]
    pairs = [(a.id, b.id) for a in sources for b in targets_ok]
    if instruments and pairs and not any(scenario.available(i, a, b) for i in instruments for a, b in pairs):
        reader.problem(
            path,
            f"legal rule {rule.id!r} never holds: {', '.join(instruments)} is not available between "
            "the countries it names (see the instrument matrix of `liaison scenario show`)",
        )
