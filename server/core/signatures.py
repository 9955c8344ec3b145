"""Who acted on a request, as the other country may know it: a name and an agency.

A request passes between two countries' teams; neither team's roster is the other's business
(`server.core.view` lists only the viewer's own team), so a participant id alone tells the
other side nothing. Every step of a request therefore carries a signature: the person's name
and the agency they act for, as a real form or a police message would. SimCell (staff)
acting for an agency nobody plays signs with the agency alone: its people play a role, and
their names are none of the trainees' business. A scenario that does not share names across
borders (`share_names: false`) signs every step with the agency alone.

A signature depends only on facts that never change (a participant's name, team and role, the
request's countries and agencies), so it is the same in the event and in a later snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.requests import RequestRun
from server.core.scenario import Agency
from server.core.state import Exercise
from server.core.team_models import unit_of


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    """The person's name; "" where names are not shared (staff playing an agency)."""
    agency: str
    """The id of the agency they act for; "" when the scenario has none that fits."""


def signature(state: Exercise, request: RequestRun, participant: str) -> Signature:
    """How `participant`, acting on `request` (drafted or not yet), signs it."""
    member = state.participants.get(participant)
    if member is None or member.staff or member.team is None:
        return Signature("", request.target_agency)  # SimCell answering for the agency
    scenario = state.scenario
    instrument = scenario.instrument(request.instrument)
    receiving = member.team == request.target_team
    unit = unit_of(scenario, member.team)
    if unit is not None:  # a unit is one agency: its people sign for it (a co-signing unit too)
        return Signature(member.name if scenario.share_names else "", unit.agency)
    team = state.teams.get(member.team)
    country = scenario.country(team.country) if team else None
    role = scenario.role(member.role)
    works_for = role.agency_types if role else frozenset()
    agencies: tuple[Agency, ...] = country.agencies if country else ()
    preferred = (
        request.target_agency
        if receiving
        else next((a.id for a in agencies if instrument and a.type == instrument.issuer), "")
    )
    fitting = [a.id for a in agencies if a.type in works_for]
    name = member.name if scenario.share_names else ""
    if preferred in fitting or (preferred and not fitting):
        return Signature(name, preferred)
    return Signature(name, fitting[0] if fitting else "")
