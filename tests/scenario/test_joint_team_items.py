"""What the validator says of items scoped to a joint team, and of what an expected request
says it brings (found by a scenario written from docs/scenarios.md alone)."""

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
