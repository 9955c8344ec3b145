"""The case file: which artefacts a viewer may see, by the visibility the scenario gives them.

Starting knowledge is the artefacts' initial visibility (`server.core.scenario.Visibility`):
- `public`: everyone;
- `team`: the members of that team;
- `role`: members of that role, in that team when the scenario names one;
- `agency`: members whose role works for that agency's type, in a team of the agency's
  country (in the `agency_units` model: the unit of that agency);
- `joint_team`: the members of a joint investigation team, none at the start (a JIT exists
  only once it is signed);
- `staff`: nobody but staff.
Staff see every artefact.
"""

from __future__ import annotations

from collections.abc import Mapping

from server.core.audience import Viewer
from server.core.events import Team
from server.core.scenario import Artefact, Scenario, Scope
from server.core.team_models import unit_of


def may_see(scenario: Scenario, teams: Mapping[str, Team], viewer: Viewer, artefact: Artefact) -> bool:
    """Whether `viewer` sees `artefact` under its initial visibility."""
    if viewer.staff:
        return True
    visibility = artefact.visibility
    match visibility.scope:
        case Scope.PUBLIC:
            return True
        case Scope.TEAM:
            return viewer.team is not None and viewer.team == visibility.team
        case Scope.ROLE:
            in_team = visibility.team is None or viewer.team == visibility.team
            return in_team and viewer.role == visibility.role
        case Scope.AGENCY:
            return _in_agency(scenario, teams, viewer, visibility.agency)
    return False  # joint_team (none formed yet) and staff


def starting_case_file(scenario: Scenario, teams: Mapping[str, Team], viewer: Viewer) -> list[Artefact]:
    """The artefacts `viewer` sees at STARTEX, in scenario order."""
    return [artefact for artefact in scenario.artefacts if may_see(scenario, teams, viewer, artefact)]


def _in_agency(scenario: Scenario, teams: Mapping[str, Team], viewer: Viewer, agency_id: str | None) -> bool:
    found = scenario.agency(agency_id or "")
    team = teams.get(viewer.team or "")
    role = scenario.role(viewer.role)
    if found is None or team is None or role is None:
        return False
    country, agency = found
    unit = unit_of(scenario, team.id)
    if unit is not None:
        return unit.agency == agency.id
    return team.country == country.id and agency.type in role.agency_types
