"""Who a name in a trigger, a condition or a response template means, under every team model.

A scenario names the sides of a request (`from`, `to`) and the team of an action (`team`) the
same way whatever its team model:

- a **country** id matches every team of that country: the country's one team, or any of its
  units (`from: WES` holds for a request sent by WES's police unit as well as by team WES);
- a **team** id (a unit, or a country's one team) matches that team only;
- on the receiving side, an **agency** id matches requests addressed to that agency.

Under `country_teams` a country's team has the country's id, so both readings agree; under
`agency_units` or a mix, naming the country means "any of its teams". The validator makes
sure no unit has the id of a country (`server.scenario.checks`), so a name has one meaning.

Facts (`server.core.facts`) are indexed under the team and under its country, so a trigger
looks its name up directly; the functions here match one request or action by hand, for the
few places that walk requests (stand-ins, SimCell templates, discoveries).

An inject's audience (`to:`) reads names the same way (`teams_named`): a country means all of
its teams, so `to: QAD` reaches every unit of a country that plays as units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from server.core.audience import Audience
from server.core.errors import InvalidArguments


def names_team(name: str | None, team: str, countries: Mapping[str, str]) -> bool:
    """Whether `name` (None: anyone) means `team`: its id, or the id of its country."""
    return name is None or name == team or name == countries.get(team)


def names_receiver(name: str | None, team: str, agency: str, countries: Mapping[str, str]) -> bool:
    """Whether `name` (None: anyone) means the receiving side of a request to `team`'s
    `agency`: the team, its country or the agency."""
    return (name is not None and name == agency) or names_team(name, team, countries)


def teams_named(name: str, countries: Mapping[str, str]) -> list[str]:
    """The teams an inject's audience means by `name` (`countries`: team id → country id): the
    team of that id, else every team of the country of that id (its one team, or all of its
    units), else the name as it is (an unknown name, reported by the validator)."""
    if name in countries:
        return [name]
    return [team for team, country in countries.items() if country == name] or [name]


def audience_named(audience: Audience, countries: Mapping[str, str]) -> Audience:
    """What control's ad-hoc audience (`inject.write`, `announcement.make`) means: each name in
    `teams` is a team or a country (every team of it, as in a scenario's injects); a name that is
    neither is refused, so that nothing is written to nobody."""
    known = set(countries) | set(countries.values())
    unknown = sorted(name for name in audience.teams if name not in known)
    if unknown:
        raise InvalidArguments(
            f"audience.teams: no team or country {', '.join(map(repr, unknown))} "
            f"(teams: {', '.join(countries)}; countries: {', '.join(sorted(set(countries.values())))})"
        )
    teams = frozenset(team for name in audience.teams for team in teams_named(name, countries))
    return audience if teams == audience.teams else replace(audience, teams=teams)
