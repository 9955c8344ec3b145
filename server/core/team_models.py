"""Who a team is: the team model of each country, and the teams it makes.

A country plays either as one multi-agency team (`country_teams`: the team's id is the
country's id, agency roles inside it) or as separate agency units (`agency_units`: one team per
unit, each an agency of that country). The scenario's `team_model` is the default; a country
may declare its own, so one exercise can mix both (a destination country with police,
prosecution, labour inspection and NGO units beside origin countries played as one team each).

Units of one country work together as the agencies of one State do: domestic instruments
between them (`Scenario.available(i, c, c)`), a co-signature from a unit of the same country
(`cosigners`), direct messages (`Scenario.unit_channels`), and prerequisites of actions that
count whichever unit of the country did them (`server.core.facts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.scenario import Instrument, Scenario, TeamModel, Unit


@dataclass(frozen=True, slots=True)
class TeamSpec:
    """A team as the scenario makes it: a country's one team, or one unit of a country."""

    id: str
    name: str
    country: str
    unit: Unit | None = None
    """The unit (and so the agency) this team is; None for a country's one team."""


def model_of(scenario: Scenario, country: str) -> TeamModel:
    """How `country` plays: its own `team_model`, else the scenario's."""
    found = scenario.country(country)
    return (found.team_model if found else None) or scenario.team_model


def team_specs(scenario: Scenario) -> tuple[TeamSpec, ...]:
    """Every team of the scenario, country by country in scenario order."""
    teams: list[TeamSpec] = []
    for country in scenario.countries:
        if model_of(scenario, country.id) is TeamModel.AGENCY_UNITS:
            teams += [TeamSpec(u.id, u.name, u.country, u) for u in scenario.units if u.country == country.id]
        else:
            teams.append(TeamSpec(country.id, country.name, country.id))
    return tuple(teams)


def unit_of(scenario: Scenario, team: str) -> Unit | None:
    """The unit `team` is, if it is one (a team of an `agency_units` country)."""
    return next((spec.unit for spec in team_specs(scenario) if spec.id == team), None)


def team_countries(scenario: Scenario) -> dict[str, str]:
    """Team id → country id, for every team."""
    return {spec.id: spec.country for spec in team_specs(scenario)}


def cosigners(scenario: Scenario, team: str, instrument: Instrument) -> tuple[str, ...]:
    """The other units of `team`'s country that may co-sign its drafts of `instrument`.

    A police unit drafts a letter rogatory; the prosecution unit of the same country validates
    it. A unit may co-sign when some role that may validate the instrument works for its
    agency's type. A country's one team co-signs inside itself (none here).
    """
    own = unit_of(scenario, team)
    if own is None:
        return ()
    validating = {
        t for role in scenario.roles if role.can("validate", instrument.id) for t in role.agency_types
    }
    found = []
    for spec in team_specs(scenario):
        if spec.unit is None or spec.id == team or spec.country != own.country:
            continue
        agency = scenario.agency(spec.unit.agency)
        if agency is not None and agency[1].type in validating:
            found.append(spec.id)
    return tuple(found)
