"""What a scenario written from docs/scenarios.md alone, for another region, found the validator
saying wrongly or not at all: items scoped to a joint team, what an expected request says it
brings, a `to` line with a role that does not play there."""

from __future__ import annotations

import pytest

from server.scenario.errors import Problem, ScenarioError
from server.scenario.loader import parse_scenario
from tests.core.twin import twin, twin_text

JOINT = """
joint_teams:
  - {id: JIT-PORTS, name: "JIT Twin Ports", members: [NOR, SUD]%s}
artefacts:
  - id: A-JIT-LOG
    title: "The JIT's shared log"
    kind: document
    owner: SUD.POL
    visible_to: {scope: joint_team, joint_team: JIT-PORTS}
    status: intelligence
    content: "What both police forces saw at the ferry."
"""


def test_an_item_of_a_joint_team_that_can_be_formed_needs_nothing_else_to_release_it() -> None:
    scenario = twin(JOINT % ", formed_by: MLA")
    assert any(a.id == "A-JIT-LOG" for a in scenario.artefacts)


def test_an_item_of_a_joint_team_that_nothing_forms_is_refused() -> None:
    with pytest.raises(ScenarioError) as error:
        twin(JOINT % "")
    assert any(
        p.path.endswith(".visible_to") and "give that joint team a `formed_by`" in p.message
        for p in error.value.problems
    ), error.value


def test_an_expected_request_that_says_it_brings_an_item_nothing_releases_is_a_warning() -> None:
    brings = (
        JOINT % ", formed_by: MLA"
        + """
  - id: A-NOR-MANIFEST
    title: "Passenger manifest"
    kind: document
    owner: NOR.POL
    visible_to: staff
    status: evidence
    content: "Forty names."
injects:
  - id: T-MANIFEST
    title: "Manifest"
    trigger: manual
    channel: auto
    from: Exercise control
    to: SUD
    body: "The manifest."
    releases: [A-NOR-MANIFEST]
requests:
  - {id: R1, releases: [A-NOR-MANIFEST, A-JIT-LOG, A-NOR-AD]}
"""
    )
    warnings: list[Problem] = []
    parse_scenario(twin_text(brings), "twin.yaml", warnings=warnings)
    assert not warnings  # an inject releases the manifest; the JIT brings its log; the advert is held
    warnings = []
    parse_scenario(
        twin_text(brings.replace("    releases: [A-NOR-MANIFEST]\n", "")), "twin.yaml", warnings=warnings
    )
    (warning,) = warnings
    assert warning.path == "requests[0].releases"
    assert "R1 says it brings A-NOR-MANIFEST, but no inject and no SimCell answer template" in warning.message


def test_a_to_line_with_a_role_that_does_not_play_there_is_a_warning() -> None:
    fragment = """
countries:
  - {id: NOR, composition: {police: 1, social_worker: 1}}
injects:
  - id: T-BOTH
    title: "To Norland's police and prosecutor"
    at: "D1 09:00"
    channel: auto
    from: Exercise control
    to: "NOR: police, prosecutor"
    body: "Some of it reaches nobody."
"""
    warnings: list[Problem] = []
    parse_scenario(twin_text(fragment), "twin.yaml", warnings=warnings)
    found = [w for w in warnings if w.path.endswith(".to")]
    assert found and "goes to prosecutor in" in found[0].message and "reach nobody" in found[0].message


def test_a_metric_kind_misspelt_is_one_problem_not_three() -> None:
    with pytest.raises(ScenarioError) as error:
        twin("metrics:\n  - {id: M-X, name: X, kind: artifact_released, artefact: A-NOR-AD}\n")
    (problem,) = error.value.problems
    assert problem.path.endswith(".kind") and "did you mean 'artefact_released'?" in problem.message
