"""Sharing case-file items: who may pass on what, what is flagged, who knew what from when."""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Viewer, can_see
from server.core.decide import create
from server.core.errors import Forbidden, NotFound
from server.core.events import ArtefactShared, JointTeamFormed, SharingFlagged
from server.core.scenario import (
    Agency,
    Artefact,
    Channel,
    EvidentialStatus,
    Inject,
    InjectAudience,
    JointTeam,
    Recipient,
    Scope,
    Trigger,
    TriggerKind,
    Visibility,
)
from server.core.sharing import share
from server.core.view import snapshot
from server.core.visibility import audience
from tests.core.test_requests import REQUEST_SCENARIO, draft
from tests.core.transcript import NOW, ROSTER, Run


def _item(
    item_id: str,
    *,
    handling: str = "H1",
    status: EvidentialStatus = EvidentialStatus.EVIDENCE,
    owner: str = "nl.pol",
) -> Artefact:
    return Artefact(
        item_id,
        f"Item {item_id}",
        "document",
        owner,
        Visibility(Scope.TEAM, team="nl"),
        status,
        handling,
        "content",
    )


ITEMS = (
    _item("A-OWN"),
    _item("A-H3", handling="H3"),
    _item("A-BE-INTEL", status=EvidentialStatus.CONSENT_NEEDED, owner="be.pol"),
    _item("A-NL-INTEL", status=EvidentialStatus.CONSENT_NEEDED),
)
COUNTRIES = tuple(
    dataclasses.replace(country, agencies=(Agency(f"{country.id}.pol", "Police", "police"),))
    for country in REQUEST_SCENARIO.countries
)
SHARING_SCENARIO = dataclasses.replace(REQUEST_SCENARIO, artefacts=ITEMS, countries=COUNTRIES, injects=())


@pytest.fixture
def play() -> Run:
    run = Run(create(SHARING_SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana)
    run.do(c.StartExercise(), dana, at=NOW + 10)
    return run


def test_an_item_shared_reaches_the_other_team_and_the_log_says_who_knew_what(play: Run) -> None:
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    assert "A-OWN" not in {a["id"] for a in snapshot(play.state, carla)["case_file"]}
    (shared,) = play.do(c.ShareArtefact("A-OWN", "be"), anna)
    assert isinstance(shared, ArtefactShared)
    assert can_see(carla, audience(play.state, shared))
    items = {a["id"]: a for a in snapshot(play.state, carla)["case_file"]}
    assert items["A-OWN"]["released_by"] == "nl:direct"
    (knowledge,) = snapshot(play.state, play.viewer("Dana"))["knowledge"]
    assert (knowledge["artefact"], knowledge["audience"]["teams"], knowledge["source"]) == (
        "A-OWN",
        ["be"],
        "nl:direct",
    )
    with pytest.raises(NotFound, match="no other team"):
        play.do(c.ShareArtefact("A-OWN", "be"), carla)  # be's own team: nothing to pass on to itself


def test_sharing_against_the_handling_code_is_flagged_to_staff(play: Run) -> None:
    anna = play.viewer("Anna")
    events = play.do(c.ShareArtefact("A-H3", "be"), anna)
    assert [type(e) for e in events] == [ArtefactShared, SharingFlagged]
    flag = events[1]
    assert "H3" in flag.reason  # type: ignore[attr-defined]
    assert not can_see(play.viewer("Carla"), audience(play.state, flag))
    assert not can_see(anna, audience(play.state, flag))
    (_, consent) = play.do(c.ShareArtefact("A-BE-INTEL", "be"), anna)
    assert "consent" in consent.reason  # type: ignore[attr-defined]
    assert (
        play.do(c.ShareArtefact("A-NL-INTEL", "be"), anna)[-1].kind == "artefact.shared"
    )  # its own intelligence


def test_items_travel_with_requests_between_the_two_teams_only(play: Run) -> None:
    anna, bas = play.viewer("Anna"), play.viewer("Bas")
    request = draft(play, "Anna", "SIENA")
    (shared,) = play.do(c.ShareArtefact("A-OWN", "be", request), anna)
    assert shared.request == request  # type: ignore[attr-defined]
    with pytest.raises(NotFound, match="no request"):
        play.do(c.ShareArtefact("A-OWN", "fr", request), anna)
    to_fr = draft(play, "Anna", "SIENA", to="fr")
    with pytest.raises(Forbidden, match="nobody plays fr"):
        play.do(c.ShareArtefact("A-OWN", "fr", to_fr), bas)


def test_nobody_shares_what_they_do_not_have(play: Run) -> None:
    with pytest.raises(NotFound, match="no item"):
        play.do(c.ShareArtefact("A-OWN", "nl"), play.viewer("Carla"))
    with pytest.raises(NotFound):
        play.do(c.ShareArtefact("A-NOPE", "be"), play.viewer("Anna"))
    with pytest.raises(NotFound):
        play.do(c.ShareArtefact("A-OWN", "be"), play.viewer("Dana"))  # staff hold no case file to pass on


JIT = JointTeam("JIT-1", "Joint team nl-be", frozenset({"nl", "be"}), formed_by="SIENA")
JOINT_ITEM = Artefact(
    "A-JOINT",
    "Joint analysis",
    "report",
    "nl.pol",
    Visibility(Scope.JOINT_TEAM, joint_team="JIT-1"),
    EvidentialStatus.EVIDENCE,
    "H1",
    "Shared once the JIT exists.",
)
PUBLIC_ITEM = dataclasses.replace(ITEMS[0], id="A-PUBLIC", visibility=Visibility(Scope.PUBLIC))
JIT_SCENARIO = dataclasses.replace(
    SHARING_SCENARIO, joint_teams=(JIT,), artefacts=(*ITEMS, JOINT_ITEM, PUBLIC_ITEM)
)


def test_a_joint_team_forms_when_its_agreement_is_answered_and_opens_a_shared_scope() -> None:
    play = Run(create(JIT_SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = play.viewer("Dana")
    play.do(c.MarkReady(), dana)
    play.do(c.StartExercise(), dana, at=NOW + 10)
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    assert "A-JOINT" not in {a["id"] for a in snapshot(play.state, anna)["case_file"]}
    with pytest.raises(NotFound):
        play.do(c.ShareArtefact("A-OWN", "JIT-1"), anna)  # not formed yet: no such target
    request = draft(play, "Anna", "SIENA")
    play.do(c.SendRequest(request), anna)
    partial = play.do(c.AnswerRequest(request, "Part.", partial=True), carla)
    assert [e.kind for e in partial] == ["request.answered"]  # a partial answer signs nothing
    second = draft(play, "Anna", "SIENA")
    play.do(c.SendRequest(second), anna)
    _, formed = play.do(c.AnswerRequest(second, "Agreed and signed."), carla)
    assert isinstance(formed, JointTeamFormed)
    assert formed.teams == ("be", "nl")
    assert can_see(carla, audience(play.state, formed))
    for viewer in (anna, carla):
        assert "A-JOINT" in {a["id"] for a in snapshot(play.state, viewer)["case_file"]}
    (into,) = play.do(c.ShareArtefact("A-OWN", "JIT-1"), anna)
    assert can_see(carla, audience(play.state, into))
    assert "A-OWN" in {a["id"] for a in snapshot(play.state, carla)["case_file"]}
    third = draft(play, "Anna", "SIENA")
    play.do(c.SendRequest(third), anna)
    assert [e.kind for e in play.do(c.AnswerRequest(third, "Again."), carla)] == [
        "request.answered"
    ]  # formed once
    outsider = Viewer("P0099", "fr", "police", False)
    with pytest.raises(Forbidden, match="not a member"):
        share(play.state, outsider, "A-PUBLIC", "JIT-1", "", 0.0)


def test_a_joint_team_item_that_an_inject_releases_arrives_with_the_inject_not_with_the_agreement() -> None:
    """The flagship's "Joint Action Day results" are scoped to its JIT and released by the action
    day's inject: they must not be in the members' case files the day the agreement is signed."""
    results = dataclasses.replace(JOINT_ITEM, id="A-JOINT-RESULTS", title="Action day results")
    action_day = Inject(
        id="I-AD",
        title="Action day",
        body="Searches and arrests in both countries.",
        channel=Channel.SCENE,
        sender="Exercise control",
        audience=InjectAudience(recipients=(Recipient("nl"), Recipient("be"))),
        trigger=Trigger(TriggerKind.MANUAL),
        releases=("A-JOINT-RESULTS",),
    )
    scenario = dataclasses.replace(
        JIT_SCENARIO, artefacts=(*JIT_SCENARIO.artefacts, results), injects=(action_day,)
    )
    play = Run(create(scenario, "EX1", "", ROSTER, NOW), NOW)
    dana = play.viewer("Dana")
    play.do(c.MarkReady(), dana)
    play.do(c.StartExercise(), dana, at=NOW + 10)
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    request = draft(play, "Anna", "SIENA")
    play.do(c.SendRequest(request), anna)
    _, formed = play.do(c.AnswerRequest(request, "Agreed and signed."), carla)
    assert isinstance(formed, JointTeamFormed)
    held = {a["id"] for a in snapshot(play.state, anna)["case_file"]}
    assert "A-JOINT" in held  # the joint team's own item: now
    assert "A-JOINT-RESULTS" not in held  # the action day's: not yet
    play.do(c.ReleaseInject("I-AD"), dana)
    for viewer in (anna, carla):
        assert "A-JOINT-RESULTS" in {a["id"] for a in snapshot(play.state, viewer)["case_file"]}


def test_items_attached_to_messages_are_shared_with_the_readers(play: Run) -> None:
    anna, bas, carla = play.viewer("Anna"), play.viewer("Bas"), play.viewer("Carla")
    role_item = dataclasses.replace(
        ITEMS[0], id="A-POLICE", visibility=Visibility(Scope.ROLE, team="nl", role="police")
    )
    play.state = dataclasses.replace(
        play.state,
        scenario=dataclasses.replace(SHARING_SCENARIO, artefacts=(*ITEMS, role_item), informal_channels=True),
    )
    assert "A-POLICE" not in {a["id"] for a in snapshot(play.state, bas)["case_file"]}
    events = play.do(c.PostMessage("See the attached note", ("A-POLICE", "A-POLICE")), anna)
    assert [e.kind for e in events] == ["message.posted", "artefact.shared"]  # once, however often attached
    assert "A-POLICE" in {
        a["id"] for a in snapshot(play.state, bas)["case_file"]
    }  # the prosecutor has it now
    assert "A-POLICE" not in {a["id"] for a in snapshot(play.state, carla)["case_file"]}
    events = play.do(c.WriteToTeam("be", "For you", ("A-H3",)), anna)
    assert [e.kind for e in events] == ["message.direct", "artefact.shared", "artefact.flagged"]
    assert "A-H3" in {a["id"] for a in snapshot(play.state, carla)["case_file"]}
    with pytest.raises(NotFound):
        play.do(c.PostMessage("nope", ("A-NOPE",)), anna)
