"""Who can do what, worked out from the scenario alone: for the dead-condition checks.

A trigger, a SimCell template or an expected request names its sides the way
`server.core.matching` reads them (a country, a team or, receiving, an agency). Here each name
is resolved once into the teams it can mean, and each team into the roles that can play in it,
so `server.scenario.checks` can say why a condition can never hold: nobody there can send that
instrument, the instrument is not available between those countries, nobody there may take that
action.

A role plays in a team when the team's country lists it in its `composition` (when it has
one), and, for a unit, when the role works for the unit's agency type (a role with no
`agency_types` may work anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.scenario import Role, Scenario
from server.core.team_models import TeamSpec, team_specs


@dataclass(frozen=True, slots=True)
class Named:
    """What a name in a condition means: these teams (and their countries)."""

    teams: tuple[TeamSpec, ...]
    agency: str | None = None
    """The agency, when the name is one (a request addressed to it)."""

    @property
    def countries(self) -> set[str]:
        return {team.country for team in self.teams}


def named(scenario: Scenario, name: str | None) -> Named | None:
    """The teams `name` means (None: any team); None when it names nothing (reported apart)."""
    teams = team_specs(scenario)
    if name is None:
        return Named(teams)
    exact = tuple(team for team in teams if team.id == name)
    if exact:
        return Named(exact)
    if scenario.country(name) is not None:
        return Named(tuple(team for team in teams if team.country == name))
    found = scenario.agency(name)
    if found is not None:
        country, agency = found
        units = tuple(t for t in teams if t.unit is not None and t.unit.agency == agency.id)
        return Named(units or tuple(t for t in teams if t.country == country.id), agency.id)
    return None


def roles_in(scenario: Scenario, team: TeamSpec) -> list[Role]:
    """The participant roles that can play in `team`."""
    country = scenario.country(team.country)
    seats = {seat.role for seat in country.composition} if country else set()
    agency = scenario.agency(team.unit.agency) if team.unit else None
    kind = agency[1].type if agency else None
    return [
        role
        for role in scenario.roles
        if (not seats or role.id in seats)
        and (kind is None or not role.agency_types or kind in role.agency_types)
    ]


def senders(scenario: Scenario, instrument: str, side: Named) -> list[TeamSpec]:
    """The teams of `side` with a role that may issue or draft `instrument`."""
    return [
        team
        for team in side.teams
        if any(r.can("issue", instrument) or r.can("draft", instrument) for r in roles_in(scenario, team))
    ]


def takers(scenario: Scenario, action: str, side: Named) -> list[TeamSpec]:
    """The teams of `side` with a role that may take `action`."""
    return [team for team in side.teams if any(r.can("act", action) for r in roles_in(scenario, team))]


def reachable(scenario: Scenario, instrument: str, source: Named, target: Named) -> bool:
    """Whether some team of `source` can send `instrument` to some team of `target`."""
    return any(
        scenario.available(instrument, a.country, b.country) and (a.id != b.id or a.unit is None)
        for a in senders(scenario, instrument, source)
        for b in target.teams
    )


def describe(name: str | None, what: str = "team") -> str:
    return f"any {what}" if name is None else name
