"""The case file at STARTEX: which artefacts each viewer sees by their initial visibility."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from server.core import commands as c
from server.core.audience import Viewer
from server.core.casefile import may_see, starting_case_file
from server.core.decide import create
from server.core.events import Team
from server.core.scenario import (
    Agency,
    Artefact,
    ClockSpec,
    Country,
    EvidentialStatus,
    Role,
    RouteRole,
    Scenario,
    Scope,
    TeamModel,
    Unit,
    Visibility,
)
from server.core.state import fold
from server.core.view import snapshot


def artefact(name: str, visibility: Visibility) -> Artefact:
    return Artefact(name, name, "note", "owner", visibility, EvidentialStatus.INTELLIGENCE, "H1", "text")


ARTEFACTS = (
    artefact("public", Visibility(Scope.PUBLIC)),
    artefact("team-a", Visibility(Scope.TEAM, team="A")),
    artefact("police-a", Visibility(Scope.ROLE, team="A", role="police")),
    artefact("police-any", Visibility(Scope.ROLE, role="police")),
    artefact("fiu-a", Visibility(Scope.AGENCY, agency="A.FIU")),
    artefact("fiu-nowhere", Visibility(Scope.AGENCY, agency="X.FIU")),
    artefact("jit", Visibility(Scope.JOINT_TEAM, joint_team="JIT-1")),
    artefact("staff", Visibility(Scope.STAFF)),
)
SCENARIO = Scenario(
    id="s",
    title="S",
    countries=(
        Country("A", "Aland", RouteRole.ORIGIN, agencies=(Agency("A.FIU", "FIU", "fiu"),)),
        Country("B", "Bland", RouteRole.DESTINATION, agencies=(Agency("B.FIU", "FIU", "fiu"),)),
    ),
    roles=(Role("police", "Police", frozenset({"police"})), Role("fiu", "FIU analyst", frozenset({"fiu"}))),
    clock=ClockSpec(start=0, morning=0),
    artefacts=ARTEFACTS,
)
TEAMS = MappingProxyType({"A": Team("A", "Aland", "A"), "B": Team("B", "Bland", "B")})


def seen(viewer: Viewer, scenario: Scenario = SCENARIO) -> list[str]:
    return [a.id for a in starting_case_file(scenario, TEAMS, viewer)]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (Viewer("p1", "A", "police", False), ["public", "team-a", "police-a", "police-any"]),
        (Viewer("p2", "A", "fiu", False), ["public", "team-a", "fiu-a"]),
        (Viewer("p3", "B", "police", False), ["public", "police-any"]),
        (Viewer("p4", "B", "fiu", False), ["public"]),
        (Viewer("p5", None, "police", False), ["public", "police-any"]),
        (Viewer("p6", "Z", "fiu", False), ["public"]),
        (Viewer("p7", "A", "judge", False), ["public", "team-a"]),
    ],
)
def test_players_see_their_scope_only(viewer: Viewer, expected: list[str]) -> None:
    assert seen(viewer) == expected


def test_staff_see_every_artefact() -> None:
    assert seen(Viewer("s", None, "observer", True)) == [a.id for a in ARTEFACTS]


def test_an_agency_artefact_in_the_agency_units_model_goes_to_that_unit() -> None:
    units = replace(
        SCENARIO,
        team_model=TeamModel.AGENCY_UNITS,
        units=(Unit("A-FIU", "Aland FIU", "A", "A.FIU"), Unit("A-POL", "Aland police", "A", "A.POL")),
    )
    teams = {"A-FIU": Team("A-FIU", "Aland FIU", "A"), "A-POL": Team("A-POL", "Aland police", "A")}
    fiu_a = ARTEFACTS[4]
    assert may_see(units, teams, Viewer("p", "A-FIU", "police", False), fiu_a)
    assert not may_see(units, teams, Viewer("p", "A-POL", "fiu", False), fiu_a)


def test_create_makes_one_team_per_unit_in_the_agency_units_model() -> None:
    units = Scenario(
        id="u",
        title="U",
        countries=SCENARIO.countries,
        roles=SCENARIO.roles,
        clock=SCENARIO.clock,
        team_model=TeamModel.AGENCY_UNITS,
        units=(Unit("A-FIU", "Aland FIU", "A", "A.FIU"), Unit("B-FIU", "Bland FIU", "B", "B.FIU")),
        artefacts=ARTEFACTS,
    )
    roster = [c.RosterEntry("Ann", "A-FIU", "fiu", "h1"), c.RosterEntry("Bo", "B-FIU", "fiu", "h2")]
    state = fold(create(units, "EX", "", roster, 0.0))
    assert [(t.id, t.country) for t in state.teams.values()] == [("A-FIU", "A"), ("B-FIU", "B")]
    ann = Viewer("P0001", "A-FIU", "fiu", False)
    assert [item["id"] for item in snapshot(state, ann)["case_file"]] == ["public", "fiu-a"]


def test_the_welcome_snapshot_shows_the_case_file_with_its_handling() -> None:
    state = fold(create(SCENARIO, "EX", "", [c.RosterEntry("Ann", "A", "fiu", "h1")], 0.0))
    (first, *_) = snapshot(state, Viewer("P0001", "A", "fiu", False))["case_file"]
    assert first == {
        "id": "public",
        "title": "public",
        "kind": "note",
        "owner": "owner",
        "scope": "public",
        "evidential_status": "intelligence",
        "handling": "H1",
        "content": "text",
    }
