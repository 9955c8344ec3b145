"""Cross-border requests, played through the core: enforcement, lifecycle, SimCell, deadlines.

The scenario: nl and be are EU members taking part in the EIO; fr is in the EU but not in the
EIO. Police may draft an EIO (a prosecutor validates it) and issue a SIENA request; prosecutors
issue and answer EIOs. Nobody plays fr, so requests to fr go to SimCell, which answers SIENA
requests to fr from a template: executed two hours later, releasing A-BANK.
Roster: Anna (nl police), Bas (nl prosecutor), Carla (be police), Sam (SimCell), Dana (director).
"""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Viewer, can_see
from server.core.decide import create
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import (
    ArtefactReleased,
    ClarificationRequested,
    InjectReleased,
    RequestAnswered,
    RequestDeadlineWarned,
    RequestDrafted,
    RequestRefused,
    RequestSent,
    RequestUpdated,
)
from server.core.facts import Facts
from server.core.injects import earliest
from server.core.requests import (
    FieldValue,
    RequestRun,
    RequestStatus,
    Step,
    check_fields,
    may_answer,
    propose,
)
from server.core.scenario import (
    Artefact,
    Channel,
    Country,
    Deadline,
    Delay,
    Discovery,
    EvidentialStatus,
    Field,
    Inject,
    InjectAudience,
    Instrument,
    Outcome,
    OutcomeRule,
    PairOverride,
    Recipient,
    Response,
    ResponseOutcome,
    Role,
    RouteRole,
    Scenario,
    Scope,
    Trigger,
    TriggerKind,
    Visibility,
)
from server.core.schedule import advance, is_due, next_wake
from server.core.simtime import HOUR, MINUTE, parse_sim_time
from server.core.view import catalogue, snapshot
from server.core.visibility import audience
from tests.core.transcript import NOW, ROSTER, SCENARIO, Run

EU = frozenset({"EU"})
EIO = Instrument(
    id="EIO",
    name="European Investigation Order",
    legal_basis="Directive 2014/41/EU",
    channel="direct",
    issuer="prosecutor",
    receiver="prosecutor",
    requires_blocs=EU,
    requires_eio=True,
    fields=(
        Field("facts", "text", min_length=20),
        Field("measures", "multiselect", choices=("bank_accounts", "search", "hearing")),
        Field("persons", "entities", required=False),
        Field("amount", "number", required=False),
        Field("urgency", "enum", choices=("none", "urgent")),
        Field("video", "bool", required=False),
    ),
    refusal_grounds=("ne_bis_in_idem", "incomplete_form"),
    deadlines=(
        Deadline("recognised", "30 days", Delay(anchor=None, seconds=10 * HOUR), Delay(seconds=2 * HOUR)),
    ),
)
SIENA = Instrument(
    id="SIENA",
    name="Police information request",
    legal_basis="Directive (EU) 2023/977",
    channel="SIENA",
    issuer="police",
    receiver="spoc",
    requires_blocs=EU,
    fields=(Field("question", "text", min_length=10),),
    refusal_grounds=("not_available",),
)
SPONTANEOUS = Instrument(
    id="SPONT",
    name="Spontaneous information",
    legal_basis="Art. 7",
    channel="SIENA",
    issuer="police",
    receiver="police",
    fields=(Field("information", "text"),),
)
BANK = Artefact(
    id="A-BANK",
    title="Bank records",
    kind="bank_records",
    owner="fr.bank",
    visibility=Visibility(Scope.STAFF),
    evidential_status=EvidentialStatus.INTELLIGENCE,
    handling="H2",
    content="Account FR76 ...",
)
TEMPLATE = Response(
    id="R-FR-SIENA",
    instrument="SIENA",
    target="fr",
    outcomes=(
        ResponseOutcome(
            OutcomeRule(field="question", min_length=40),
            Outcome.EXECUTED,
            "Here are the records.",
            Delay(seconds=2 * HOUR),
            ("A-BANK",),
        ),
        ResponseOutcome(OutcomeRule(), Outcome.CLARIFICATION, "Too short: which account?"),
    ),
)
TRIGGERED = Inject(
    id="I-20",
    title="Europol cross-match",
    body="Hit in both countries.",
    channel=Channel.AUTO,
    sender="Europol",
    audience=InjectAudience(recipients=(Recipient("nl"),)),
    trigger=Trigger(
        TriggerKind.REQUEST,
        instrument="EIO",
        source="nl",
        target="be",
        state="sent",
        delay=Delay(seconds=30 * MINUTE),
    ),
)
REQUEST_SCENARIO = dataclasses.replace(
    SCENARIO,
    countries=(
        Country("nl", "Netherlands", RouteRole.ORIGIN, blocs=EU, eio_participant=True),
        Country("be", "Belgium", RouteRole.TRANSIT, blocs=EU, eio_participant=True),
        Country("fr", "France", RouteRole.DESTINATION, blocs=EU),
    ),
    roles=(
        Role(
            "police",
            "Police investigator",
            frozenset({"police", "spoc"}),
            frozenset({"draft:EIO", "issue:SIENA", "issue:SPONT"}),
        ),
        Role(
            "prosecutor",
            "Prosecutor",
            frozenset({"prosecutor"}),
            frozenset({"issue:EIO", "validate:EIO", "answer:EIO"}),
        ),
    ),
    instruments=(EIO, SIENA, SPONTANEOUS),
    pair_overrides=(PairOverride("nl", "fr", allow=frozenset({"SPONT"})),),
    artefacts=(BANK,),
    responses=(TEMPLATE,),
    injects=(TRIGGERED,),
)
GOOD_EIO = {
    "facts": "Workers held in containers at a farm.",
    "measures": ["bank_accounts"],
    "urgency": "none",
}


@pytest.fixture
def play() -> Run:
    """Running at 60x from D1 08:00 (wall NOW + 10)."""
    run = Run(create(REQUEST_SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana, at=NOW + 5)
    run.do(c.SetClockSpeed(60.0), dana)
    run.do(c.StartExercise(), dana, at=NOW + 10)
    return run


def wall(sim: str) -> float:
    return NOW + 10 + (parse_sim_time(sim) - parse_sim_time("D1 08:00")) / 60


def draft(play: Run, who: str = "Anna", instrument: str = "EIO", to: str = "be", **more: object) -> str:
    fields = more.pop("fields", GOOD_EIO if instrument == "EIO" else {"question": "Who owns the account?"})
    (event,) = play.do(c.DraftRequest(instrument, to, fields, **more), play.viewer(who))  # type: ignore[arg-type]
    return event.request  # type: ignore[attr-defined]


def test_a_police_eio_needs_a_prosecutors_validation_before_it_is_sent(play: Run) -> None:
    anna, bas = play.viewer("Anna"), play.viewer("Bas")
    request = draft(play)
    with pytest.raises(InvalidState, match="must be validated"):
        play.do(c.SendRequest(request), anna)
    with pytest.raises(Forbidden, match="may not validate"):
        play.do(c.ValidateRequest(request), anna)
    play.do(c.ValidateRequest(request), bas)
    (sent,) = play.do(c.SendRequest(request), anna, at=wall("D1 09:00"))
    assert isinstance(sent, RequestSent)
    assert (sent.due_at, sent.due_stage, sent.legal) == (parse_sim_time("D1 19:00"), "recognised", "30 days")
    assert play.state.requests[request].status is RequestStatus.SENT
    assert play.state.requests[request].validated_by == bas.participant


def test_a_prosecutor_issues_an_eio_alone_and_urgency_shortens_the_game_deadline(play: Run) -> None:
    request = draft(play, "Bas", urgent=True)
    (sent,) = play.do(c.SendRequest(request), play.viewer("Bas"), at=wall("D1 09:00"))
    assert sent.due_at == parse_sim_time("D1 11:00")  # type: ignore[attr-defined]


def test_the_server_refuses_what_the_law_and_the_scenario_do_not_allow(play: Run) -> None:
    anna, bas, carla = play.viewer("Anna"), play.viewer("Bas"), play.viewer("Carla")
    with pytest.raises(Forbidden, match="not available from nl to fr"):
        draft(play, "Bas", to="fr")  # fr does not take part in the EIO
    with pytest.raises(Forbidden, match="may not draft or issue a SIENA"):
        draft(play, "Bas", "SIENA")
    with pytest.raises(NotFound, match="no other team"):
        draft(play, to="nl")
    with pytest.raises(NotFound, match="no instrument 'EIOO'"):
        draft(play, instrument="EIOO")
    with pytest.raises(NotFound, match="no agency"):
        draft(play, agency="nowhere")
    with pytest.raises(Forbidden, match="drafted by a team"):
        play.do(c.DraftRequest("EIO", "be", GOOD_EIO), play.viewer("Dana"))
    with pytest.raises(InvalidArguments) as wrong:
        draft(
            play,
            fields={
                "facts": "short",
                "measures": ["fly"],
                "urgency": "maybe",
                "amount": "x",
                "video": 1,
                "zzz": 1,
            },
        )
    for expected in (
        "'facts': at least 20",
        "'measures': not among",
        "'urgency': one of",
        "'amount': expected a number",
        "'video': expected true",
        "'zzz': not a field",
    ):
        assert expected in str(wrong.value)
    incomplete = draft(play, "Bas", fields={"facts": "Workers held in containers."})
    with pytest.raises(InvalidArguments, match=r"field .measures.: required; field .urgency.: required"):
        play.do(c.SendRequest(incomplete), bas)
    with pytest.raises(NotFound):
        play.do(c.SendRequest(incomplete), carla)  # be sees nothing of nl's drafts
    with pytest.raises(NotFound):
        play.do(c.SendRequest("R-99"), anna)
    assert len(play.state.requests) == 1  # only the incomplete draft was written


def test_the_lifecycle_between_two_played_teams(play: Run) -> None:
    anna, bas, carla = play.viewer("Anna"), play.viewer("Bas"), play.viewer("Carla")
    request = draft(play, "Anna", "SIENA")
    play.do(c.SendRequest(request), anna)
    with pytest.raises(Forbidden, match="may not acknowledge"):
        play.do(c.AcknowledgeRequest(request), bas)  # nl cannot answer its own request
    with pytest.raises(Forbidden) as sim:  # SimCell does not answer for a played team
        play.do(c.AcknowledgeRequest(request), play.viewer("Sam"))
    assert str(sim.value).startswith("the role 'simcell' may not acknowledge")  # not "of None"
    play.do(c.AcknowledgeRequest(request), carla)
    play.do(c.AskClarification(request, "Which phone number?"), carla)
    with pytest.raises(Forbidden, match="only the requesting team"):
        play.do(c.ClarifyRequest(request, "x"), carla)
    with pytest.raises(InvalidState, match="clarification_requested"):
        play.do(c.AcknowledgeRequest(request), carla)
    play.do(c.ClarifyRequest(request, "+KAL 417"), anna)
    play.do(c.AnswerRequest(request, "Subscriber is Viktor S.", partial=True), carla)
    history = [step.status for step in play.state.requests[request].history]
    assert history == [
        RequestStatus.DRAFT,
        RequestStatus.SENT,
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.CLARIFICATION_REQUESTED,
        RequestStatus.CLARIFIED,
        RequestStatus.PARTIALLY_ANSWERED,
    ]
    with pytest.raises(InvalidState, match="partially_answered"):
        play.do(c.WithdrawRequest(request), anna)
    second = draft(play, "Anna", "SIENA")
    play.do(c.UpdateRequest(second, {"question": "Who drives VS-2211?"}, urgent=True), anna)
    assert play.state.requests[second].urgent
    play.do(c.SendRequest(second), anna)
    with pytest.raises(InvalidArguments, match="one of not_available"):
        play.do(c.RefuseRequest(second, "too_busy"), carla)
    (refused,) = play.do(c.RefuseRequest(second, "not_available", "No data kept."), carla)
    assert isinstance(refused, RequestRefused)
    third = draft(play, "Anna", "SIENA")
    play.do(c.WithdrawRequest(third), anna)
    assert play.state.requests[third].status is RequestStatus.WITHDRAWN


def test_who_sees_a_request_and_when(play: Run) -> None:
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    request = draft(play, "Anna", "SIENA")
    drafted = play.log[-1]
    assert not can_see(carla, audience(play.state, drafted))
    assert can_see(anna, audience(play.state, drafted))
    assert [r["id"] for r in snapshot(play.state, carla)["requests"]] == []
    (sent,) = play.do(c.SendRequest(request), anna)
    assert can_see(carla, audience(play.state, sent))
    assert isinstance(sent, RequestSent)  # it carries the whole request: be saw none of the drafting
    assert (sent.instrument, sent.source_team, sent.target_team, sent.fields) == (
        "SIENA",
        "nl",
        "be",
        (FieldValue("question", text="Who owns the account?"),),
    )
    assert audience(play.state, drafted) == audience(play.state, play.log[-2])  # never changes
    seen = snapshot(play.state, carla)["requests"]
    assert [(r["id"], r["status"], r["fields"]) for r in seen] == [
        (request, "sent", {"question": "Who owns the account?"})
    ]
    withdrawn_draft = draft(play, "Anna", "SIENA")
    (gone,) = play.do(c.WithdrawRequest(withdrawn_draft), anna)
    assert not can_see(carla, audience(play.state, gone))  # it never left nl
    assert "proposal" not in seen[0]


def test_simcell_answers_from_the_template_and_the_artefact_reaches_only_the_requesting_team(
    play: Run,
) -> None:
    anna, carla, sam = play.viewer("Anna"), play.viewer("Carla"), play.viewer("Sam")
    request = draft(
        play,
        "Anna",
        "SIENA",
        to="fr",
        fields={"question": "Owner of account FR76 3000 6000 0112 3456 7890 189?"},
    )
    play.do(c.SendRequest(request), anna, at=wall("D1 09:00"))
    run = play.state.requests[request]
    assert run.simcell
    assert not can_see(carla, audience(play.state, play.log[-1]))  # SimCell is staff: be learns nothing
    with pytest.raises(NotFound):
        play.do(c.AnswerRequest(request, "x"), carla)  # SimCell's business: be does not even see it
    with pytest.raises(Forbidden, match="SimCell answers"):
        play.do(c.AnswerRequest(request, "x"), play.viewer("Mia"))  # a mentor is staff, not SimCell
    staff_view = {r["id"]: r for r in snapshot(play.state, play.viewer("Dana"))["requests"]}
    assert staff_view[request]["proposal"]["outcome"] == "executed"
    assert staff_view[request]["proposal"]["releases"] == ["A-BANK"]
    (answered,) = play.do(c.AnswerRequest(request, as_proposed=True), sam, at=wall("D1 09:10"))
    assert isinstance(answered, RequestAnswered)
    assert answered.release_at == parse_sim_time("D1 11:10")
    assert next_wake(play.state, wall("D1 09:10")) == parse_sim_time("D1 11:10")
    assert advance(play.state, wall("D1 11:09")) == []
    assert not is_due(play.state, wall("D1 11:09"))
    assert is_due(play.state, wall("D1 11:10"))
    (released,) = play.do(c.Advance(), c.SYSTEM, at=wall("D1 11:10"))
    assert isinstance(released, ArtefactReleased)
    assert can_see(anna, audience(play.state, released))
    assert not can_see(carla, audience(play.state, released))
    assert [a["id"] for a in snapshot(play.state, anna)["case_file"]] == ["A-BANK"]
    assert snapshot(play.state, carla)["case_file"] == []
    assert play.do(c.Advance(), c.SYSTEM) == []  # released once


def test_a_vague_request_gets_a_clarification_from_the_template(play: Run) -> None:
    request = draft(play, "Anna", "SIENA", to="fr", fields={"question": "Any bank info?"})
    play.do(c.SendRequest(request), play.viewer("Anna"))
    (asked,) = play.do(c.AnswerRequest(request, as_proposed=True), play.viewer("Sam"))
    assert isinstance(asked, ClarificationRequested)
    assert asked.text == "Too short: which account?"
    assert propose(play.state.scenario, play.state.requests[request]) is not None


def test_deadlines_warn_when_due_soon_and_when_overdue_once_each(play: Run) -> None:
    request = draft(play, "Bas")
    play.do(c.SendRequest(request), play.viewer("Bas"), at=wall("D1 09:00"))  # due D1 19:00
    assert next_wake(play.state, wall("D1 09:00")) == parse_sim_time("D1 09:30")  # I-20 first
    play.do(c.Advance(), c.SYSTEM, at=wall("D1 09:30"))
    assert next_wake(play.state, wall("D1 09:30")) == parse_sim_time("D1 17:00")  # 20 % of 10 h left
    (soon,) = play.do(c.Advance(), c.SYSTEM, at=wall("D1 17:00"))
    assert isinstance(soon, RequestDeadlineWarned)
    assert soon.warning == "due_soon"
    assert play.do(c.Advance(), c.SYSTEM, at=wall("D1 18:00")) == []
    (late,) = play.do(c.Advance(), c.SYSTEM, at=wall("D1 19:00"))
    assert late.warning == "overdue"  # type: ignore[attr-defined]
    assert can_see(play.viewer("Bas"), audience(play.state, late))
    assert play.state.requests[request].simcell  # nobody in be may answer an EIO: SimCell does
    assert not can_see(play.viewer("Carla"), audience(play.state, late))
    assert next_wake(play.state, wall("D1 19:00")) is None


def test_a_request_goes_to_simcell_when_nobody_may_answer_it_or_simcell_plays_the_agency(play: Run) -> None:
    to_be = draft(play, "Anna", "SIENA")  # be's police answer SIENA requests (they are the SPOC)
    assert not play.state.requests[to_be].simcell
    eio = draft(play, "Bas")  # nobody in be may answer an EIO: no prosecutor on be's roster
    assert play.state.requests[eio].simcell


def test_an_inject_triggered_by_a_request_is_released_after_its_delay(play: Run) -> None:
    request = draft(play, "Bas")
    play.do(c.SendRequest(request), play.viewer("Bas"), at=wall("D1 09:00"))
    assert play.do(c.Advance(), c.SYSTEM, at=wall("D1 09:29")) == []
    assert is_due(play.state, wall("D1 09:30"))
    (released,) = [
        e for e in play.do(c.Advance(), c.SYSTEM, at=wall("D1 09:30")) if isinstance(e, InjectReleased)
    ]
    assert (released.inject, released.sim_time, released.reason) == (
        "I-20",
        parse_sim_time("D1 09:30"),
        "trigger",
    )


def test_spontaneous_information_expects_no_answer(play: Run) -> None:
    request = draft(
        play, "Anna", "SPONT", to="fr", spontaneous=True, fields={"information": "Minor found in Brenna."}
    )
    (sent,) = play.do(c.SendRequest(request), play.viewer("Anna"))
    assert sent.due_at is None  # type: ignore[attr-defined]
    assert next_wake(play.state, play.now) is None


def test_requests_are_worked_on_while_running_or_paused_only(play: Run) -> None:
    dana = play.viewer("Dana")
    play.do(c.PauseExercise(), dana)
    draft(play, "Anna", "SIENA")
    assert play.do(c.Advance(), c.SYSTEM) == []  # nothing is due while paused
    play.do(c.EndExercise(), dana)
    with pytest.raises(InvalidState, match="ended"):
        draft(play, "Anna", "SIENA")
    with pytest.raises(Forbidden):
        play.do(c.Advance(), play.viewer("Dana"))


def test_forms_are_typed() -> None:
    typed = check_fields(EIO, {**GOOD_EIO, "persons": ["P-ELENA"], "amount": 61_000, "video": True})
    assert FieldValue("amount", number=61_000.0) in typed
    assert {f.key: f.value for f in typed}["persons"] == ["P-ELENA"]
    with pytest.raises(InvalidArguments, match="'persons': expected a list"):
        check_fields(EIO, {**GOOD_EIO, "persons": "P-ELENA"})
    with pytest.raises(InvalidArguments, match="'facts': expected a text"):
        check_fields(EIO, {**GOOD_EIO, "facts": 3})
    with pytest.raises(InvalidArguments, match="'facts': required"):
        check_fields(EIO, {"measures": ["search"], "urgency": "none"})
    assert check_fields(EIO, {}, partial=True) == ()
    assert FieldValue("x").value is None


def test_viewers_outside_a_request_cannot_touch_it(play: Run) -> None:
    request = draft(play, "Anna", "SIENA")
    with pytest.raises(NotFound):
        play.do(c.ValidateRequest(request), play.viewer("Carla"))
    with pytest.raises(Forbidden):
        play.do(c.ValidateRequest(request), Viewer("P0099", "nl", "intruder", False))


# -- the rules one by one --------------------------------------------------------------------------


def _run(**changes: object) -> RequestRun:
    base = RequestRun(
        id="R-1",
        instrument="SIENA",
        source_team="nl",
        author="P0006",
        target_team="fr",
        target_agency="fr.spoc",
        fields=(FieldValue("question", text="Owner of account FR76 and of the car VS-2211?"),),
        urgent=False,
        spontaneous=False,
        simcell=True,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _outcome(rule: OutcomeRule, outcome: Outcome = Outcome.EXECUTED) -> Scenario:
    template = Response("T", "SIENA", "fr", (ResponseOutcome(rule, outcome, "ok"),))
    return dataclasses.replace(REQUEST_SCENARIO, responses=(template,))


@pytest.mark.parametrize(
    ("rule", "fits"),
    [
        (OutcomeRule(), True),
        (OutcomeRule(missing_required=False), True),
        (OutcomeRule(missing_required=True), False),
        (OutcomeRule(urgent=True), False),
        (OutcomeRule(field="nothing"), False),
        (OutcomeRule(field="question", min_length=500), False),
        (OutcomeRule(field="question", includes_any=frozenset({"FR76"})), False),  # a text is one item
        (OutcomeRule(field="question", includes_any=frozenset({_run().fields[0].text or ""})), True),
        (OutcomeRule(mentions_any=frozenset({"VS-2211"})), True),
        (OutcomeRule(mentions_any=frozenset({"P-ELENA"})), False),
    ],
)
def test_outcome_rules(rule: OutcomeRule, fits: bool) -> None:
    assert (propose(_outcome(rule), _run()) is not None) is fits


def test_templates_fit_by_instrument_target_and_source() -> None:
    rule = OutcomeRule()
    by_source = Response("T", "SIENA", "fr", (ResponseOutcome(rule, Outcome.EXECUTED, "ok"),), source="be")
    assert propose(dataclasses.replace(REQUEST_SCENARIO, responses=(by_source,)), _run()) is None
    by_agency = Response("T", "SIENA", "fr.spoc", (ResponseOutcome(rule, Outcome.PARTIAL, "ok"),))
    assert propose(dataclasses.replace(REQUEST_SCENARIO, responses=(by_agency,)), _run()) is not None


def test_simcell_refusals_partial_answers_and_no_template(play: Run) -> None:
    sam, anna = play.viewer("Sam"), play.viewer("Anna")
    for outcome, expected in ((Outcome.REFUSED, RequestRefused), (Outcome.PARTIAL, RequestAnswered)):
        play.state = dataclasses.replace(play.state, scenario=_outcome(OutcomeRule(), outcome))
        request = draft(play, "Anna", "SIENA", to="fr")
        play.do(c.SendRequest(request), anna)
        (answer,) = play.do(c.AnswerRequest(request, as_proposed=True), sam)
        assert isinstance(answer, expected)
    assert answer.partial  # type: ignore[union-attr]
    play.state = dataclasses.replace(
        play.state,
        scenario=dataclasses.replace(
            _outcome(OutcomeRule(), Outcome.REFUSED),
            instruments=(EIO, dataclasses.replace(SIENA, refusal_grounds=()), SPONTANEOUS),
        ),
    )
    request = draft(play, "Anna", "SIENA", to="fr")
    play.do(c.SendRequest(request), anna)
    (refused,) = play.do(c.AnswerRequest(request, as_proposed=True), sam)
    assert refused.ground == "refused"  # type: ignore[attr-defined]
    play.state = dataclasses.replace(play.state, scenario=dataclasses.replace(REQUEST_SCENARIO, responses=()))
    request = draft(play, "Anna", "SIENA", to="fr")
    play.do(c.SendRequest(request), anna)
    with pytest.raises(InvalidState, match="no response template"):
        play.do(c.AnswerRequest(request, as_proposed=True), sam)
    play.do(c.AnswerRequest(request, "Answered by hand."), play.viewer("Dana"))  # control may stand in


def test_a_refusal_needs_a_ground_and_text_limits(play: Run) -> None:
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    request = draft(play, "Anna", "SPONT", to="be", fields={"information": "Minor found."})
    play.do(c.SendRequest(request), anna)
    with pytest.raises(InvalidArguments, match="needs a ground"):
        play.do(c.RefuseRequest(request, "  "), carla)
    with pytest.raises(InvalidArguments, match="a text needs"):
        play.do(c.AskClarification(request, ""), carla)
    with pytest.raises(InvalidArguments, match="at most"):
        check_fields(SIENA, {"question": "x" * 20_001})
    with pytest.raises(Forbidden, match="may not send"):
        play.do(
            c.SendRequest(draft(play, "Anna", "SIENA")), Viewer(anna.participant, "nl", "intruder", False)
        )
    with pytest.raises(Forbidden, match="made by people"):
        play.do(c.SendRequest("R-1"), c.SYSTEM)


def test_request_triggers_filter_by_instrument_source_target_and_state() -> None:
    answered = _run(
        history=(Step(RequestStatus.SENT, "x", 10.0), Step(RequestStatus.PARTIALLY_ANSWERED, "y", 20.0))
    )
    requests = {"R-1": answered}

    def when(**kw: object) -> float | None:
        return earliest(Trigger(TriggerKind.REQUEST, **kw), {}, 100.0, 0, Facts.of(requests))  # type: ignore[arg-type]

    assert when() == 10.0
    assert when(instrument="EIO") is None
    assert when(source="be") is None
    assert when(target="be") is None
    assert when(target="fr.spoc", state="answered") == 20.0
    assert when(state="acknowledged") is None
    assert earliest(Trigger(TriggerKind.REQUEST), {}, 100.0, 0) is None


def test_who_sees_validation_and_updates(play: Run) -> None:
    request = draft(play)
    (validated,) = play.do(c.ValidateRequest(request), play.viewer("Bas"))
    assert audience(play.state, validated) == audience(play.state, play.log[-2])
    assert not can_see(play.viewer("Carla"), audience(play.state, validated))
    assert not may_answer(REQUEST_SCENARIO, Viewer("x", "be", "nobody", False), EIO)


def test_an_answer_brings_in_what_the_scenario_says_it_discovers(play: Run) -> None:
    found = dataclasses.replace(
        BANK, id="A-SUBSCRIBER", discovery=(Discovery(instrument="SIENA", target="be"),)
    )
    elsewhere = dataclasses.replace(
        BANK, id="A-ELSEWHERE", discovery=(Discovery(instrument="SIENA", target="fr"),)
    )
    play.state = dataclasses.replace(
        play.state, scenario=dataclasses.replace(REQUEST_SCENARIO, artefacts=(BANK, found, elsewhere))
    )
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    request = draft(play, "Anna", "SIENA")
    play.do(c.SendRequest(request), anna)
    (answered,) = play.do(c.AnswerRequest(request, "Subscriber attached."), carla)
    assert answered.releases == ("A-SUBSCRIBER",)  # type: ignore[attr-defined]
    (released,) = play.do(c.Advance(), c.SYSTEM)
    assert isinstance(released, ArtefactReleased)
    assert [a["id"] for a in snapshot(play.state, anna)["case_file"]] == ["A-SUBSCRIBER"]
    # the answering team holds what it gave (it may share it on; a live check found Kalmaria's
    # bank records in Westria's case file only)
    assert [a["id"] for a in snapshot(play.state, carla)["case_file"]] == ["A-SUBSCRIBER"]


def test_an_agency_field_names_an_agency_of_its_own_side_of_the_request() -> None:
    # Issue 11, item 2: the EIO's issuing authority offered (and took) the receiving country's
    # bodies, even a bank; the receiver then saw the EIO as issued by its own office.
    from tests.core.test_signatures import SCENARIO as WITH_AGENCIES

    eio = dataclasses.replace(
        EIO,
        fields=(
            *EIO.fields,
            Field("issuing_authority", "agency", agency_types=frozenset({"prosecutor"})),
            Field("executing_authority", "agency", side="target", required=False),
        ),
    )
    scenario = dataclasses.replace(WITH_AGENCIES, instruments=(eio, SIENA, SPONTANEOUS))
    run = Run(create(scenario, "EX1", "", ROSTER, NOW), NOW)
    run.do(c.MarkReady(), run.viewer("Dana"))
    run.do(c.StartExercise(), run.viewer("Dana"))
    bas = run.viewer("Bas")
    for wrong, message in (
        ("be.pros", "issuing_authority': an agency of the requesting country: one of nl.om (got 'be.pros')"),
        ("nl.pol", "one of nl.om (got 'nl.pol')"),  # of nl, but not a prosecutor's office
        ("the competent authority", "one of nl.om"),
    ):
        with pytest.raises(InvalidArguments) as refused:
            run.do(c.DraftRequest("EIO", "be", {**GOOD_EIO, "issuing_authority": wrong}), bas)
        assert message in str(refused.value)
    with pytest.raises(InvalidArguments, match="executing_authority': an agency of the receiving country"):
        run.do(
            c.DraftRequest(
                "EIO", "be", {**GOOD_EIO, "issuing_authority": "nl.om", "executing_authority": "nl.om"}
            ),
            bas,
        )
    (drafted,) = run.do(
        c.DraftRequest(
            "EIO", "be", {**GOOD_EIO, "issuing_authority": "nl.om", "executing_authority": "be.pros"}
        ),
        bas,
    )
    request = drafted.request  # type: ignore[attr-defined]
    with pytest.raises(InvalidArguments, match="requesting country"):  # a change is checked the same way
        run.do(c.UpdateRequest(request, {**GOOD_EIO, "issuing_authority": "be.pros"}), bas)
    assert run.state.requests[request].field("issuing_authority") == FieldValue(
        "issuing_authority", text="nl.om"
    )
    # The catalogue tells the pages which side's agencies to offer.
    (shown,) = [i for i in catalogue(scenario)["instruments"] if i["id"] == "EIO"]
    agency_fields = [f for f in shown["fields"] if f["type"] == "agency"]
    assert [(f["key"], f["side"], f["agency_types"]) for f in agency_fields] == [
        ("issuing_authority", "source", ["prosecutor"]),
        ("executing_authority", "target", []),
    ]
    assert "side" not in shown["fields"][0]  # only agency fields have a side


# -- subject lines, editing drafts, drafting and sending at once (issue 11, items 11 and 12) ----------


def test_a_request_keeps_its_subject_line_and_both_teams_see_it(play: Run) -> None:
    request = draft(play, "Bas", subject="  Bank records of\n SeaCrew  ")
    assert play.state.requests[request].subject == "Bank records of SeaCrew"  # one line, trimmed
    (sent,) = play.do(c.SendRequest(request), play.viewer("Bas"))
    assert sent.subject == "Bank records of SeaCrew"  # type: ignore[attr-defined]
    assert snapshot(play.state, play.viewer("Bas"))["requests"][0]["subject"] == "Bank records of SeaCrew"
    with pytest.raises(InvalidArguments, match="subject: at most 200 characters"):
        draft(play, "Bas", subject="x" * 201)


def test_editing_a_validated_draft_clears_its_co_signature_and_may_change_the_subject(play: Run) -> None:
    anna, bas = play.viewer("Anna"), play.viewer("Bas")
    request = draft(play, subject="Containers")
    play.do(c.ValidateRequest(request), bas)
    assert play.state.requests[request].status is RequestStatus.VALIDATED
    (updated,) = play.do(c.UpdateRequest(request, GOOD_EIO, None, "Containers at the farm"), anna)
    assert isinstance(updated, RequestUpdated)
    run = play.state.requests[request]
    assert (run.status, run.validated_by, run.subject) == (
        RequestStatus.DRAFT,
        None,
        "Containers at the farm",
    )
    with pytest.raises(InvalidState, match="must be validated"):
        play.do(c.SendRequest(request), anna)  # the change needs a new co-signature
    play.do(c.UpdateRequest(request, GOOD_EIO, True), anna)  # no subject: it stays
    assert play.state.requests[request].subject == "Containers at the farm"
    assert play.state.requests[request].urgent


def test_draft_and_send_at_once_is_both_or_neither(play: Run) -> None:
    bas = play.viewer("Bas")
    incomplete = {"facts": "Too short"}
    with pytest.raises(InvalidArguments) as refused:
        play.do(c.DraftRequest("EIO", "be", incomplete, subject="S", send=True), bas)
    # Every problem at once, each naming its field, and no draft is left behind.
    assert str(refused.value) == (
        "field 'facts': at least 20 characters (got 9); field 'measures': required; field 'urgency': required"
    )
    assert len(play.state.requests) == 0
    drafted, sent = play.do(c.DraftRequest("EIO", "be", GOOD_EIO, subject="Farm", send=True), bas)
    assert isinstance(drafted, RequestDrafted) and isinstance(sent, RequestSent)
    assert sent.by_name == "Bas" and sent.request == drafted.request
    assert play.state.requests[drafted.request].status is RequestStatus.SENT
    anna = play.viewer("Anna")  # a police EIO needs a co-signature first: refused, nothing written
    with pytest.raises(InvalidState, match="must be validated"):
        play.do(c.DraftRequest("EIO", "be", GOOD_EIO, subject="Farm", send=True), anna)
    assert len(play.state.requests) == 1
