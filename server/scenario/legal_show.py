"""What `liaison scenario show` says of the law and of time: treaties and local time per
country, treaty gaps in the matrix, the legal rules, the scheduled clock jumps."""

from __future__ import annotations

from dataclasses import replace

from server.core.scenario import Country, LegalRule, Scenario
from server.core.simtime import HOUR, MINUTE, format_sim_time


def offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    whole = abs(seconds)
    return f"{sign}{whole // HOUR:02d}:{whole % HOUR // MINUTE:02d}"


def country_lines(country: Country) -> list[str]:
    parts = []
    if country.treaties:
        parts.append(f"treaties: {', '.join(sorted(country.treaties))}")
    if country.time_offset:
        parts.append(f"local time: exercise time {offset_text(country.time_offset)}")
    if country.calendar is not None:
        cal = country.calendar
        parts.append(f"offices {format_sim_time(cal.opens)[3:]}-{format_sim_time(cal.closes)[3:]}")
    own = [a.id for a in country.agencies if a.calendar is not None]
    if own:
        parts.append(f"own office hours: {', '.join(own)}")
    clocks = [f"{a.id} {offset_text(a.time_offset)}" for a in country.agencies if a.time_offset is not None]
    if clocks:
        parts.append(f"own local time: {', '.join(clocks)}")
    return [f"        {'; '.join(parts)}"] if parts else []


def treaty_gaps(scenario: Scenario) -> list[str]:
    """Instruments a treaty alone closes between two countries, with the treaties missing."""
    lines = []
    for instrument in scenario.instruments:
        if not instrument.requires_treaties:
            continue
        free = replace(scenario, instruments=(replace(instrument, requires_treaties=frozenset()),))
        for a in scenario.countries:
            for b in scenario.countries:
                if a.id == b.id or scenario.available(instrument.id, a.id, b.id):
                    continue
                if free.available(instrument.id, a.id, b.id):
                    missing = sorted(
                        f"{t} ({', '.join(c.id for c in (a, b) if t not in c.treaties)})"
                        for t in instrument.requires_treaties
                        if t not in a.treaties or t not in b.treaties
                    )
                    gap = f"no {instrument.id}: treaty gap, missing {'; '.join(missing)}"
                    lines.append(f"  {a.id:>5} → {b.id:<5} {gap}")
    return lines


def rule_text(rule: LegalRule) -> str:
    parts = []
    if rule.source_countries:
        parts.append(f"from {', '.join(sorted(rule.source_countries))}")
    if rule.target_countries:
        parts.append(f"to {', '.join(sorted(rule.target_countries))}")
    parts += [f"{m.key} is {' or '.join(m.values)}" for m in rule.fields]
    parts += [f"target's {key} is {value}" for key, value in rule.target_profile]
    if rule.missing_treaties:
        parts.append(f"a side lacks {', '.join(sorted(rule.missing_treaties))}")
    instruments = ", ".join(sorted(rule.instruments)) or "any instrument"
    when = f" when {'; '.join(parts)}" if parts else ""
    return f"  {rule.effect.upper():<7} {rule.id}: {instruments}{when}: {rule.ground}"


def legal_lines(scenario: Scenario) -> list[str]:
    lines = []
    gaps = treaty_gaps(scenario)
    if gaps:
        lines += ["", "TREATY GAPS (instruments the blocs allow but a treaty closes)", *gaps]
    if scenario.legal_rules:
        lines += ["", "LEGAL RULES (applied when a request is sent)"]
        lines += [rule_text(rule) for rule in scenario.legal_rules]
    if scenario.clock.jumps:
        lines += ["", "SCHEDULED CLOCK JUMPS"]
        lines += [
            f"  {format_sim_time(j.at)} → {format_sim_time(j.to)}  {j.id} ({j.reason})"
            for j in scenario.clock.jumps
        ]
    return lines
