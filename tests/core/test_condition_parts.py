"""The parts of the condition language one by one: field tests, request tests, who holds an
artefact, audiences narrowed at release, counts at their limit (issue 12, items 3, 4 and 8)."""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.conditions import character_holds, holders, narrowed, teams_at_release
from server.core.events import AnswerDeferred, ArtefactChanged
from server.core.facts import MAX_COUNT, Facts, Watch
from server.core.records import Release, Taken
from server.core.request_tests import request_passes
from server.core.requests import FieldValue, RequestRun, RequestStatus, Step, field_holds
from server.core.scenario import (
    CharacterState,
    CharacterTest,
    FieldTest,
    InjectAudience,
    Recipient,
    Recipients,
    RequestTest,
    TeamsAtRelease,
    Trigger,
    TriggerKind,
)
from server.core.state import apply
from server.core.view import snapshot
from tests.core.twin import play, twin, wall

SCENARIO = twin()
TEAMS = ["NOR", "SUD"]


@pytest.mark.parametrize(
    ("test", "value", "holds"),
    [
        (FieldTest("f", equals="true"), FieldValue("f", flag=True), True),
        (FieldTest("f", equals="false"), FieldValue("f", flag=True), False),
        (FieldTest("f", equals="3"), FieldValue("f", number=3.0), True),
        (FieldTest("f", equals="3.5"), FieldValue("f", number=3.5), True),
        (FieldTest("f", equals="search"), FieldValue("f", items=("search",)), True),
        (FieldTest("f", equals="Urgent "), FieldValue("f", text=" urgent"), True),
        (FieldTest("f", includes_any=frozenset({"Search"})), FieldValue("f", items=("search", "x")), True),
        (FieldTest("f", includes_any=frozenset({"a"})), FieldValue("f", text="A"), True),
        (FieldTest("f", includes_any=frozenset({"a"})), FieldValue("f", items=("b",)), False),
        (FieldTest("f", contains="crew"), FieldValue("f", text="SeaCrew Agency"), True),
        (FieldTest("f", contains="crew"), FieldValue("f", text="Nordline"), False),
        (FieldTest("f", min_length=5), FieldValue("f", text="four"), False),
        (FieldTest("f", min_length=4), FieldValue("f", text="four"), True),
        (FieldTest("f", contains="x"), None, False),
        (FieldTest("f", contains="x"), FieldValue("f", text=""), False),
        (FieldTest("f", includes_any=frozenset({"x"})), FieldValue("f", items=()), False),
    ],
)
def test_a_field_test(test: FieldTest, value: FieldValue | None, holds: bool) -> None:
    assert field_holds(test, value) is holds


REQUEST = RequestRun(
    "R-1", "MLA", "SUD", "P0007", "NOR", "NOR.PROS", (FieldValue("facts", text="SeaCrew"),), True, False, True,
    status=RequestStatus.REFUSED, history=(Step(RequestStatus.REFUSED, "P0003", 0.0, "No court order."),),
    ground="incomplete",
)  # fmt: skip


@pytest.mark.parametrize(
    ("test", "holds"),
    [
        (RequestTest(urgent=True), True),
        (RequestTest(urgent=False), False),
        (RequestTest(ground="incomplete"), True),
        (RequestTest(ground="no_double_criminality"), False),
        (RequestTest(answer_contains="COURT ORDER"), True),
        (RequestTest(answer_contains="records attached"), False),
        (RequestTest(fields=(FieldTest("facts", contains="seacrew"),)), True),
        (RequestTest(fields=(FieldTest("measures", includes_any=frozenset({"search"})),)), False),
    ],
)
def test_a_request_test(test: RequestTest, holds: bool) -> None:
    assert request_passes(test, REQUEST) is holds
    assert request_passes(test, dataclasses.replace(REQUEST, history=())) is (
        holds and not test.answer_contains
    )


def test_a_character_test_on_a_character_that_does_not_exist() -> None:
    assert not character_holds(None, {})
    assert not character_holds(CharacterTest("CH-NOBODY", trust_below=3), {"CH-ERIK": CharacterState()})
    erik = {"CH-ERIK": CharacterState(trust=2, safety="low", status="identified", location="harbour")}
    assert character_holds(CharacterTest("CH-ERIK", trust_at_least=2, safety="low", location="harbour"), erik)
    assert not character_holds(CharacterTest("CH-ERIK", status="sheltered"), erik)


def test_who_holds_an_artefact() -> None:
    assert holders(SCENARIO, [], "A-NOBODY", TEAMS) == []
    assert holders(SCENARIO, [], "A-PUB-ROUTE", TEAMS) == TEAMS  # public
    assert holders(SCENARIO, [], "A-NOR-COMPLAINT", TEAMS) == ["NOR"]  # a role of one team
    assert holders(SCENARIO, [], "A-SUD-SHELTER", TEAMS) == ["SUD"]  # an agency's
    assert holders(SCENARIO, [], "A-SUD-CREWLIST", TEAMS) == []  # staff only, not released
    to_nor_police = Release("A-SUD-CREWLIST", Audience.of(team_roles=["NOR/police"]), "T-04", 0.0)
    other = Release("A-NOR-AD", Audience.all(), "T-01", 0.0)
    assert holders(SCENARIO, [other, to_nor_police], "A-SUD-CREWLIST", TEAMS) == ["NOR"]
    to_all = Release("A-SUD-CREWLIST", Audience.all(), "T-04", 0.0)
    assert holders(SCENARIO, [to_nor_police, to_all], "A-SUD-CREWLIST", TEAMS) == TEAMS
    unknown_agency = dataclasses.replace(
        SCENARIO,
        artefacts=tuple(
            dataclasses.replace(a, visibility=dataclasses.replace(a.visibility, agency="XX.NONE"))
            for a in SCENARIO.artefacts
        ),
    )
    assert holders(unknown_agency, [], "A-SUD-SHELTER", TEAMS) == []
    every_police = dataclasses.replace(
        SCENARIO,
        artefacts=tuple(
            dataclasses.replace(a, visibility=dataclasses.replace(a.visibility, team=None))
            for a in SCENARIO.artefacts
        ),
    )
    assert holders(every_police, [], "A-NOR-COMPLAINT", TEAMS) == TEAMS  # the police of every team


def test_an_audience_narrowed_to_some_teams() -> None:
    (t01,) = (i for i in SCENARIO.injects if i.id == "T-01")  # to all
    assert narrowed(t01, Audience.all(), ["SUD"]) == Audience.team("SUD")
    whole = dataclasses.replace(t01, audience=InjectAudience(recipients=(Recipient("NOR"),)))
    assert narrowed(whole, Audience.team("NOR"), ["SUD"]) == Audience.team("SUD")
    roles = dataclasses.replace(
        t01, audience=InjectAudience(recipients=(Recipient(None, frozenset({"police"})),))
    )
    assert narrowed(roles, Audience.of(roles=["police"]), TEAMS) == Audience.of(
        team_roles=["NOR/police", "SUD/police"]
    )


def test_teams_that_reached_a_state_of_a_request() -> None:
    run = play(SCENARIO)
    sara = run.viewer("Sara")
    (drafted,) = run.do(
        c.DraftRequest("POLICE_MSG", "NOR", {"question": "Who is SeaCrew's owner, please?"}), sara
    )
    run.do(c.SendRequest(drafted.request), sara, at=wall("D1 09:00"))  # type: ignore[attr-defined]
    facts, releases = run.state.facts, run.state.releases
    sent = TeamsAtRelease(Recipients.REQUESTED, request=Trigger(TriggerKind.REQUEST, instrument="POLICE_MSG"))
    assert teams_at_release(SCENARIO, facts, releases, sent, TEAMS) == ["SUD"]
    answered = dataclasses.replace(sent, request=Trigger(TriggerKind.REQUEST, state="answered"))
    assert teams_at_release(SCENARIO, facts, releases, answered, TEAMS) == []
    assert teams_at_release(SCENARIO, facts, releases, TeamsAtRelease(Recipients.REFUSED), TEAMS) == []


def test_counts_stop_at_their_limit() -> None:
    facts = Facts()
    for n in range(MAX_COUNT + 2):
        facts = facts.action_taken(
            Taken("search", "P0006", "SUD", "", float(n)), Watch(counted=frozenset({"search"}))
        )
    assert facts.nth_taken("search", "SUD", None, MAX_COUNT) == MAX_COUNT - 1
    assert facts.nth_taken("search", "SUD", None, MAX_COUNT + 1) is None
    assert facts.firsts[("taken", "search", "SUD", None)] == MAX_COUNT
    uncounted = Facts().action_taken(
        Taken("refer_nrm", "P0008", "SUD", "", 0.0), Watch(counted=frozenset({"search"}))
    )
    assert (
        uncounted.nth_taken("refer_nrm", "SUD", None, 1) is None
    )  # only what conditions count costs entries


def test_an_answer_after_endex_on_an_acknowledged_request_and_a_moved_artefact() -> None:
    run = play(twin("responses: [{id: R-NOR-MLA, outcomes: [{outcome: answer_after_endex, text: Later.}]}]"))
    sofia = run.viewer("Sofia")
    facts = {
        "facts": "SeaCrew Agency recruits young men for harbour work in Sudria. " * 3,
        "measures": ["search"],
    }
    (drafted,) = run.do(c.DraftRequest("MLA", "NOR", facts), sofia, at=wall("D1 09:00"))
    request = drafted.request  # type: ignore[attr-defined]
    run.do(c.SendRequest(request), sofia)
    run.do(c.AcknowledgeRequest(request), run.viewer("Sim"))
    (deferred,) = run.do(c.AnswerRequest(request, as_proposed=True), run.viewer("Sim"))
    assert isinstance(deferred, AnswerDeferred)
    assert run.state.requests[request].status is RequestStatus.ACKNOWLEDGED
    assert run.state.requests[request].after_endex
    moved = ArtefactChanged("A-NOR-AD", "moved", "", "the archive", "T-06", Audience.team("NOR"), 0.0)
    state = apply(run.state, moved)
    (advert,) = (a for a in snapshot(state, run.viewer("Nils"))["case_file"] if a["id"] == "A-NOR-AD")
    assert advert["condition"] == {"state": "moved", "note": "", "sim_time": 0.0, "location": "the archive"}
