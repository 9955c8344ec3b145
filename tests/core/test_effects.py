"""Inject effects (issue 12, item 8): a tip-off that destroys evidence and scares a victim.

Twin Ports with one more inject: when Sudria has not referred Erik by D1 11:00, the recruiter
is tipped off; Norland's job advert (which only Norland holds) is taken down and the web page
is gone, and Erik's trust falls and he is moved. The case file of the holder shows the new
state, others see nothing of it, and a snapshot of the state carries it.
"""

from __future__ import annotations

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.events import ArtefactChanged, CharacterChanged
from server.core.snapshots import capture, restore
from server.core.view import snapshot
from server.core.visibility import audience
from server.scenario.errors import ScenarioError
from tests.core.transcript import Run
from tests.core.twin import advance, play, twin

FRAGMENT = """
injects:
  - id: E-TIPOFF
    title: SeaCrew takes its advert down
    trigger:
      deadline_missed:
        at: "D1 11:00"
        unless: {action: {action: refer_nrm, team: SUD}}
    channel: media
    from: Norland Police cyber unit
    to: "NOR: police"
    body: "SeaCrew's advert and web page went offline this morning."
    effects:
      - {artefact: A-NOR-AD, state: destroyed, note: "The page is gone; only the screenshot in the file remains."}
      - {character: CH-ERIK, trust: -1, safety: high_risk, location: "on board the Kittiwake"}
"""
SCENARIO = twin(FRAGMENT)


@pytest.fixture
def run() -> Run:
    return play(SCENARIO)


def the_advert(run: Run, who: str) -> dict[str, object] | None:
    return next((a for a in snapshot(run.state, run.viewer(who))["case_file"] if a["id"] == "A-NOR-AD"), None)


def test_a_tip_off_destroys_evidence_and_moves_a_victim(run: Run) -> None:
    before = the_advert(run, "Nils")
    assert before is not None and "condition" not in before
    events = advance(run, "D1 11:00")
    (changed,) = (e for e in events if isinstance(e, ArtefactChanged))
    assert (changed.artefact, changed.condition, changed.inject) == ("A-NOR-AD", "destroyed", "E-TIPOFF")
    assert audience(run.state, changed) == Audience.team("NOR")  # its holders
    advert = the_advert(run, "Nils")
    assert advert is not None
    assert advert["condition"] == {
        "state": "destroyed",
        "note": "The page is gone; only the screenshot in the file remains.",
        "sim_time": 11 * 3600.0,
    }
    assert the_advert(run, "Sara") is None  # Sudria never held it, and learns nothing of it
    (erik,) = (e for e in events if isinstance(e, CharacterChanged))
    assert audience(run.state, erik).is_staff_only
    now = run.state.characters["CH-ERIK"]
    assert (now.trust, now.safety, now.location, now.status) == (
        1,
        "high_risk",
        "on board the Kittiwake",
        "unidentified",
    )
    (shown,) = snapshot(run.state, run.viewer("Dana"))["characters"]
    assert (shown["trust"], shown["location"]) == (1, "on board the Kittiwake")
    assert restore(capture(run.state), run.state.scenario) == run.state


def test_no_effect_when_the_team_acted_in_time(run: Run) -> None:
    run.do(c.TakeAction("refer_nrm"), run.viewer("Santi"), at=run.now)
    events = advance(run, "D1 11:30")
    assert not [e for e in events if isinstance(e, ArtefactChanged | CharacterChanged)]
    advert = the_advert(run, "Nils")
    assert advert is not None and "condition" not in advert
    assert run.state.characters["CH-ERIK"].trust == 2


def test_control_releasing_it_by_hand_has_the_same_effects(run: Run) -> None:
    events = run.do(c.ReleaseInject("E-TIPOFF"), run.viewer("Carl"))
    assert [type(e).__name__ for e in events] == ["InjectReleased", "ArtefactChanged", "CharacterChanged"]
    assert run.state.artefact_states["A-NOR-AD"].condition == "destroyed"


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ("{artefact: A-NOR-AD, character: CH-ERIK}", "one artefact or one character"),
        ("{artefact: A-NOR-AD}", "say what happens to the artefact"),
        ("{artefact: A-NOR-AD, state: burnt}", "expected one of intact, degraded, destroyed, moved"),
        ("{artefact: A-NOR-AD, trust: -1, state: degraded}", "trust is a character's"),
        ("{character: CH-ERIK, state: destroyed}", "not a state"),
        ("{character: CH-NOBODY, trust: -1}", "CH-NOBODY"),
        ("{artefact: A-NOR-AD, state: moved, colour: red}", "unknown key 'colour'"),
    ],
)
def test_the_validator_explains_a_malformed_effect(effect: str, message: str) -> None:
    broken = FRAGMENT.replace(
        '      - {character: CH-ERIK, trust: -1, safety: high_risk, location: "on board the Kittiwake"}',
        f"      - {effect}",
    )
    with pytest.raises(ScenarioError, match=message) as error:
        twin(broken)
    assert "injects[6].effects" in str(error.value)
