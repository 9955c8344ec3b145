"""The calendar of the simulated days: weekdays, public holidays and office hours per country.

Simulated time counts seconds from D1 00:00 (`server.core.simtime`); the scenario says which
weekday D1 is (`clock.d1_weekday`, Monday by default) and, per country, when its offices work
(`OfficeCalendar`: opening hours, working weekdays, public holidays as day numbers). A SimCell
rule can then answer a request received on a Saturday, a holiday or at night like a real office
would (`server.core.requests.propose`). Office hours, weekdays and holidays are read in the
country's local time: exercise time plus its `time_offset` (`server.core.local_time`); an agency
with its own `calendar` keeps its own hours, and one with its own `time_offset` (an embassy
abroad) its own clock.
"""

from __future__ import annotations

from server.core.scenario import Agency, Country, Receipt, Scenario
from server.core.simtime import DAY

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def day_number(sim_time: float) -> int:
    """1 for D1, 2 for D2 ..."""
    return int(sim_time) // DAY + 1


def weekday(scenario: Scenario, sim_time: float) -> int:
    """The weekday of a simulated time, 0 for Monday."""
    return (scenario.clock.d1_weekday + day_number(sim_time) - 1) % 7


def local_offset(country: Country | None, agency: Agency | None = None) -> int:
    """What `agency`'s clocks (its own `time_offset`, an embassy abroad's), else its country's,
    show minus exercise time."""
    if agency is not None and agency.time_offset is not None:
        return agency.time_offset
    return 0 if country is None else country.time_offset


def receipt(
    scenario: Scenario, country: Country | None, sim_time: float, agency: Agency | None = None
) -> frozenset[Receipt]:
    """What a time of receipt is in `country` (at `agency`, when it has its own calendar): within
    office hours, or out of hours (and then also a weekend or a holiday when it is one), in local
    time. A country without a calendar is always open."""
    calendar = None if country is None else country.calendar
    if agency is not None and agency.calendar is not None:
        calendar = agency.calendar
    sim_time += local_offset(country, agency)
    if calendar is None:
        return frozenset({Receipt.OFFICE_HOURS})
    found: set[Receipt] = set()
    if weekday(scenario, sim_time) not in calendar.workdays:
        found.add(Receipt.WEEKEND)
    if day_number(sim_time) in calendar.holidays:
        found.add(Receipt.HOLIDAY)
    if not found and calendar.opens <= int(sim_time) % DAY < calendar.closes:
        return frozenset({Receipt.OFFICE_HOURS})
    return frozenset({*found, Receipt.OUT_OF_HOURS})
