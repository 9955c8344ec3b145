"""The scenarios shipped in scenarios/: every one is valid, and the flagship is complete."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from server.core import events
from server.core.audience import Viewer
from server.core.casefile import starting_case_file
from server.core.clock import Clock
from server.core.commands import RosterEntry
from server.core.decide import create
from server.core.events import ExerciseCreated
from server.core.roles import STAFF_ROLES
from server.core.scenario import Scenario, TeamModel
from server.core.state import fold
from server.core.team_models import team_specs
from server.scenario.errors import ScenarioError
from server.scenario.loader import bundle_scenario, load_scenario, parse_scenario
from server.scenario.roster import load_roster

SCENARIOS = Path(__file__).parents[2] / "scenarios"
ALL = sorted(p.name for p in SCENARIOS.iterdir() if (p / "scenario.yaml").is_file())
GREENHOUSE = SCENARIOS / "greenhouse"


@pytest.fixture(scope="module")
def greenhouse() -> Scenario:
    return load_scenario(GREENHOUSE)


def test_there_are_a_small_scenario_and_the_flagship() -> None:
    assert {"twin-ports", "greenhouse"} <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_every_scenario_validates_with_its_roster(name: str) -> None:
    scenario = load_scenario(SCENARIOS / name)
    roster = load_roster(SCENARIOS / name / "roster.csv", scenario)
    assert {row.team for row in roster if row.role not in STAFF_ROLES} == {t.id for t in team_specs(scenario)}


@pytest.mark.parametrize("name", ALL)
def test_every_scenario_round_trips_through_the_log(name: str) -> None:
    scenario = load_scenario(SCENARIOS / name)
    created = ExerciseCreated("EX", scenario.title, scenario, (), Clock(0.0, 0.0, 1.0), 0.0)
    assert events.from_data("exercise.created", events.to_data(created)) == created


def test_the_small_scenario_is_small() -> None:
    small = load_scenario(SCENARIOS / "twin-ports")
    assert len(small.countries) == 2
    assert 3 <= len(small.injects) <= 10
    assert 1 <= len(small.instruments) <= 4
    assert [c.id for c in small.countries] == ["NOR", "SUD"]
    assert [r.id for r in small.roles] == ["police", "prosecutor", "social_worker"]


def test_the_flagship_has_the_three_countries_and_their_legal_profiles(greenhouse: Scenario) -> None:
    assert greenhouse.team_model is TeamModel.COUNTRY_TEAMS
    by_id = {c.id: c for c in greenhouse.countries}
    assert [(c.id, c.route_role) for c in greenhouse.countries] == [
        ("VAR", "origin"),
        ("KAL", "transit"),
        ("WES", "destination"),
    ]
    assert not by_id["VAR"].legal_profile.extradites_nationals
    assert by_id["KAL"].legal_profile.reflection_period_days == 45
    assert all(c.legal_profile.thb_offence and c.agencies for c in greenhouse.countries)
    assert "EU" not in by_id["VAR"].blocs and {"EU", "SCHENGEN"} <= by_id["WES"].blocs


def test_the_flagship_composition_seats_200_and_the_roster_matches_it(greenhouse: Scenario) -> None:
    seats = {(c.id, s.role): s.count for c in greenhouse.countries for s in c.composition}
    assert sum(seats.values()) == 200
    roster = load_roster(GREENHOUSE / "roster.csv", greenhouse)
    players = Counter((row.team, row.role) for row in roster if row.role not in STAFF_ROLES)
    assert players == seats
    staff = Counter(row.role for row in roster if row.role in STAFF_ROLES)
    assert set(staff) == STAFF_ROLES
    mentors = sorted(row.team or "" for row in roster if row.role == "mentor")
    assert mentors == ["KAL", "VAR", "WES"]  # one per team


def test_the_flagship_has_all_30_injects_with_real_texts(greenhouse: Scenario) -> None:
    ids = {i.id for i in greenhouse.injects}
    assert {f"I-{n:02d}" for n in range(1, 31)} <= ids
    assert ids - {f"I-{n:02d}" for n in range(1, 31)} == {
        "I-06b",
        "I-08b",
        "I-12K",
        "I-13m",
        "I-15b",
        "I-18b",
        "I-24b",
        "I-26b",
    }
    for inject in greenhouse.injects:
        assert len(inject.body) >= 80, inject.id
        assert not re.search(r"TODO|TBD|lorem|\.\.\.|…|XXX", inject.body), inject.id
    long = {i.id: i.body for i in greenhouse.injects}
    assert "Clara Brandt" in long["I-02"] and "Kestrel Lane 14" in long["I-18"]


def test_the_flagship_has_the_16_requests_and_what_each_unlocks(greenhouse: Scenario) -> None:
    assert [r.id for r in greenhouse.requests] == [f"R{n}" for n in range(1, 17)]
    assert all(r.unlocks or r.releases or "I-26b" in r.when for r in greenhouse.requests)
    assert {r.instrument for r in greenhouse.requests} >= {
        "SIENA",
        "EIO",
        "MLA",
        "JIT_AGREEMENT",
        "EGMONT",
        "EPOC",
    }


def test_the_flagship_branches_characters_objectives_and_responses(greenhouse: Scenario) -> None:
    entered = {b.id: b.entered_by for b in greenhouse.branches}
    assert entered["B-WITNESS-LOST"] == "I-06b"
    assert entered["B-CHILD-ABSCONDS"] == "I-18b"
    assert entered["B-ASSETS-DISSIPATED"] == "I-26b"
    assert entered["B-MEDIA-LEAK"] == "I-15b"
    assert {"CH-ION", "CH-DARIA", "CH-VIKTOR", "CH-INTERP-POOR"} <= {c.id for c in greenhouse.characters}
    assert [o.id for o in greenhouse.objectives] == [
        "LO-ID", "LO-VC", "LO-CH", "LO-MA", "LO-INV", "LO-FIN", "LO-XB", "LO-MED", "LO-PROS",
    ]  # fmt: skip
    assert all(o.metrics and len(o.rubric) == 4 for o in greenhouse.objectives)
    assert len(greenhouse.responses) >= 5
    eio = greenhouse.instrument("EIO")
    assert eio is not None
    assert [(d.stage, d.legal) for d in eio.deadlines][1] == ("recognised", "30 days (+30 with notice)")


def test_the_flagship_instrument_matrix_follows_the_blocs(greenhouse: Scenario) -> None:
    matrix = {(a, b): set(names) for a, b, names in greenhouse.matrix()}
    assert {"SIENA", "EIO", "JIT_AGREEMENT", "FREEZING_CERT", "IMI", "FIUNET"} <= matrix[("WES", "KAL")]
    assert not {"SIENA", "EIO", "FREEZING_CERT", "IMI", "EAW"} & matrix[("WES", "VAR")]
    assert {"MLA", "INTERPOL_MSG", "EGMONT", "JIT_AGREEMENT", "EUROJUST_COORD"} <= matrix[("WES", "VAR")]


STARTING = {
    "public": {"A-PUB-WORLD", "A-PUB-LEGAL"},
    ("WES", None): {"A-WES-BRIEF"},
    ("WES", "police"): {"A-WES-TIPS"},
    ("WES", "labour_inspector"): {"A-WES-LI-LIST"},
    ("WES", "fiu_analyst"): {"A-WES-STR-PENDING"},
    ("WES", "ngo_worker"): {"A-WES-HOTLINE"},
    ("KAL", None): {"A-KAL-BRIEF", "A-KAL-REGISTRY"},
    ("KAL", "police"): {"A-KAL-BORDER-VS2211", "A-KAL-ESCORT-ADS"},
    ("KAL", "labour_inspector"): {"A-KAL-POSTING-DECL"},
    ("VAR", None): {"A-VAR-BRIEF", "A-VAR-LICENCE"},
    ("VAR", "police"): {"A-VAR-FRAUD-FILE"},
    ("VAR", "fiu_analyst"): {"A-VAR-STR-IRINA"},
    ("VAR", "ngo_worker"): {"A-VAR-NGO-CALLS"},
}
"""Team-private knowledge at STARTEX (DOMAIN §6.3), written out by hand."""


def expected_case_file(team: str, role: str) -> set[str]:
    return STARTING["public"] | STARTING[(team, None)] | STARTING.get((team, role), set())


def test_each_team_and_role_starts_with_its_own_knowledge_only(greenhouse: Scenario) -> None:
    roster = [
        RosterEntry(f"{t} {r.id}", t, r.id, "h") for t in ("VAR", "KAL", "WES") for r in greenhouse.roles
    ]
    state = fold(create(greenhouse, "EX", "", roster, 0.0))
    for p in state.participants.values():
        assert p.team is not None
        seen = {
            a.id for a in starting_case_file(greenhouse, state.teams, Viewer(p.id, p.team, p.role, False))
        }
        assert seen == expected_case_file(p.team, p.role), (p.team, p.role)
    staff = {a.id for a in starting_case_file(greenhouse, state.teams, Viewer("S", None, "mentor", True))}
    assert staff == {a.id for a in greenhouse.artefacts}


@pytest.mark.parametrize("name", ALL)
def test_a_scenario_folder_bundles_into_one_yaml_text_for_the_api(name: str) -> None:
    text = bundle_scenario(SCENARIOS / name)
    assert "include:" not in text and "_file:" not in text
    assert parse_scenario(text, "inline.yaml") == load_scenario(SCENARIOS / name)


def test_an_inline_scenario_cannot_include_files() -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario((GREENHOUSE / "scenario.yaml").read_text(), "scenario.yaml")
    messages = [p.message for p in raised.value.problems]
    assert "cannot include 'countries.yaml': this scenario has no folder" in messages


def test_a_scenario_may_keep_names_inside_each_team() -> None:
    text = (SCENARIOS / "twin-ports" / "scenario.yaml").read_text(encoding="utf-8")
    assert load_scenario(SCENARIOS / "twin-ports").share_names  # the default: names are shared
    assert not parse_scenario(
        text.replace("team_model: country_teams", "team_model: country_teams\nshare_names: false")
    ).share_names
