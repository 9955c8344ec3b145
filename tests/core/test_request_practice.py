"""Requests as practitioners use them: several deadlines per instrument (different for played and
SimCell receivers), next-morning deadlines across the overnight jump, amendments after a
clarification, consent to onward use, and fields required because of another field's value.

The scenario is tests/core/test_requests.py's (nl and be played, fr by SimCell; Anna nl police,
Bas nl prosecutor, Carla be police, Sam SimCell), with SIENA given an acknowledgement deadline
(two hours to a played team, one hour to SimCell) and an answer deadline of the next morning,
consent to onward use granted by either side, and an urgency reason required when urgent.
"""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import can_see
from server.core.debrief.played import Entry, play
from server.core.debrief.request_stats import request_stats
from server.core.decide import create
from server.core.errors import Forbidden, InvalidArguments, InvalidState
from server.core.events import (
    ArtefactReleased,
    ConsentGranted,
    RequestAmended,
    RequestDeadlineWarned,
    RequestSent,
    SharingFlagged,
)
from server.core.requests import RequestStatus, deadline_state, stage_deadlines
from server.core.scenario import (
    Anchor,
    Consent,
    Deadline,
    Delay,
    EvidentialStatus,
    Field,
    RequiredIf,
)
from server.core.schedule import next_wake
from server.core.simtime import HOUR, parse_sim_time
from server.core.snapshots import capture, restore
from server.core.view import snapshot
from server.core.visibility import audience
from tests.core.test_requests import BANK, EIO, REQUEST_SCENARIO, SIENA
from tests.core.transcript import NOW, ROSTER, Run

PRACTICE_SIENA = dataclasses.replace(
    SIENA,
    fields=(
        Field("question", "text", min_length=10),
        Field("urgency", "enum", choices=("none", "evidence_destruction", "danger_to_life"), required=False),
        Field(
            "urgency_reason",
            "text",
            required=False,
            required_if=RequiredIf("urgency", ("evidence_destruction", "danger_to_life")),
        ),
    ),
    deadlines=(
        Deadline("acknowledged", "2 hours", Delay(seconds=2 * HOUR), receiver="played"),
        Deadline("acknowledged", "1 hour", Delay(seconds=HOUR), receiver="simcell"),
        Deadline("answered", "the next morning", Delay(anchor=Anchor.NEXT_MORNING)),
    ),
    consent=Consent(granted_by="both"),
)
SCENARIO = dataclasses.replace(
    REQUEST_SCENARIO,
    instruments=(EIO, PRACTICE_SIENA, *REQUEST_SCENARIO.instruments[2:]),
    artefacts=(dataclasses.replace(BANK, evidential_status=EvidentialStatus.CONSENT_NEEDED),),
)
QUESTION = {"question": "Who owns the account FR76 3000 6000 0112 3456 7890 189 and since when?"}


def at(sim: str) -> float:
    """The wall time of simulated time `sim` at 60x from D1 08:00."""
    return NOW + 10 + (parse_sim_time(sim) - parse_sim_time("D1 08:00")) / 60


@pytest.fixture
def play_() -> Run:
    run = Run(create(SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana, at=NOW + 5)
    run.do(c.SetClockSpeed(60.0), dana)
    run.do(c.StartExercise(), dana, at=NOW + 10)
    return run


def send(run: Run, to: str = "be", fields: dict[str, object] | None = None, when: str = "D1 16:00") -> str:
    anna = run.viewer("Anna")
    _, sent = run.do(c.DraftRequest("SIENA", to, fields or QUESTION, send=True), anna, at=at(when))
    assert isinstance(sent, RequestSent)
    return str(sent.request)


def warnings(events: list[object]) -> list[tuple[str, str]]:
    return [(e.stage, e.warning) for e in events if isinstance(e, RequestDeadlineWarned)]


# -- several deadlines ---------------------------------------------------------------------------


def test_each_deadline_runs_from_sending_and_a_played_receiver_gets_its_own(play_: Run) -> None:
    request = send(play_)
    dues = stage_deadlines(play_.state.requests[request])
    assert [(d.stage, d.due_at, d.legal) for d in dues] == [
        ("acknowledged", parse_sim_time("D1 18:00"), "2 hours"),
        ("answered", parse_sim_time("D2 08:30"), "the next morning"),  # the morning's first hour
    ]
    sent = play_.log[-1]
    assert isinstance(sent, RequestSent)
    assert (sent.due_at, sent.due_stage) == (parse_sim_time("D1 18:00"), "acknowledged")  # the first


def test_a_simcell_receiver_gets_the_simcell_deadline(play_: Run) -> None:
    request = send(play_, to="fr")
    assert play_.state.requests[request].simcell
    dues = stage_deadlines(play_.state.requests[request])
    assert [(d.stage, d.due_at) for d in dues] == [
        ("acknowledged", parse_sim_time("D1 17:00")),
        ("answered", parse_sim_time("D2 08:30")),
    ]


def test_a_met_deadline_stops_warning_and_the_others_keep_theirs(play_: Run) -> None:
    request = send(play_)
    assert next_wake(play_.state, at("D1 16:00")) == parse_sim_time("D1 17:36")  # 20 % of 2 h left
    assert warnings(play_.do(c.Advance(), c.SYSTEM, at=at("D1 17:36"))) == [("acknowledged", "due_soon")]
    play_.do(c.AcknowledgeRequest(request), play_.viewer("Carla"), at=at("D1 17:50"))
    assert warnings(play_.do(c.Advance(), c.SYSTEM, at=at("D1 18:30"))) == []  # met at 17:50
    # the answer deadline warns when its morning begins, not overnight
    assert next_wake(play_.state, at("D1 18:30")) == parse_sim_time("D2 07:30")
    shown = snapshot(play_.state, play_.viewer("Anna"))["requests"][0]["deadlines"]
    assert [(d["stage"], d["state"], d["met_at"]) for d in shown] == [
        ("acknowledged", "met", parse_sim_time("D1 17:50")),
        ("answered", "running", None),
    ]


def test_an_acknowledgement_deadline_is_met_by_any_first_reply(play_: Run) -> None:
    request = send(play_)
    play_.do(c.AskClarification(request, "Which bank branch?"), play_.viewer("Carla"), at=at("D1 16:30"))
    states = [
        deadline_state(play_.state.requests[request], d)["state"]
        for d in stage_deadlines(play_.state.requests[request])
    ]
    assert states == ["met", "running"]


def test_a_next_morning_deadline_is_not_due_soon_and_overdue_at_once_after_the_overnight_jump(
    play_: Run,
) -> None:
    request = send(play_)
    play_.do(c.AcknowledgeRequest(request), play_.viewer("Carla"), at=at("D1 16:10"))
    play_.do(c.Advance(), c.SYSTEM, at=at("D1 17:30"))
    play_.do(c.JumpClock(), play_.viewer("Dana"), at=at("D1 17:31"))  # to the next morning, 07:30
    jumped = play_.now
    assert play_.sim_now == parse_sim_time("D2 07:30")
    assert warnings(play_.do(c.Advance(), c.SYSTEM, at=jumped)) == [("answered", "due_soon")]
    assert play_.do(c.Advance(), c.SYSTEM, at=jumped + 30) == []  # 30 minutes on: an hour is left
    late = play_.do(c.Advance(), c.SYSTEM, at=jumped + 60)
    assert warnings(late) == [("answered", "overdue")]
    assert can_see(play_.viewer("Carla"), audience(play_.state, late[0]))  # both teams see it


def test_a_jump_past_a_deadline_gives_the_overdue_alone(play_: Run) -> None:
    send(play_)
    play_.do(c.JumpClock(parse_sim_time("D2 09:00")), play_.viewer("Dana"), at=at("D1 16:10"))
    found = warnings(play_.do(c.Advance(), c.SYSTEM, at=play_.now))
    assert found == [("acknowledged", "overdue"), ("answered", "overdue")]  # no "due soon" of what is late
    assert next_wake(play_.state, play_.now) is None


def test_the_debrief_counts_each_stage_against_its_own_deadline(play_: Run) -> None:
    on_time = send(play_)
    late = send(play_, when="D1 16:05")
    carla = play_.viewer("Carla")
    play_.do(c.AcknowledgeRequest(on_time), carla, at=at("D1 16:30"))
    play_.do(c.Advance(), c.SYSTEM, at=at("D1 18:10"))  # late's acknowledgement is overdue
    play_.do(c.AnswerRequest(late, "Viktor S., since 2021."), carla, at=at("D1 18:20"))
    play_.do(c.AnswerRequest(on_time, "Viktor S., since 2021."), carla, at=at("D1 18:30"))
    entries = [Entry(seq, t, e) for seq, (t, e) in enumerate(zip(play_.times, play_.log, strict=True), 1)]
    stats = request_stats(play(entries))
    rows = {row.id: row for row in stats.rows}
    assert [(s.stage, s.game_overdue) for s in rows[on_time].stages] == [
        ("acknowledged", False),
        ("answered", False),
    ]
    assert [(s.stage, s.game_overdue) for s in rows[late].stages] == [
        ("acknowledged", True),
        ("answered", False),
    ]
    assert rows[late].game_overdue and not rows[on_time].game_overdue
    assert stats.cohort.stages == (("acknowledged", 2, 1, 1), ("answered", 2, 2, 0))


def test_several_deadlines_survive_a_snapshot(play_: Run) -> None:
    send(play_)
    play_.do(c.Advance(), c.SYSTEM, at=at("D1 17:40"))
    assert restore(capture(play_.state), play_.state.scenario) == play_.state


# -- amendments ----------------------------------------------------------------------------------


def test_the_requester_amends_after_a_clarification_and_the_loop_closes(play_: Run) -> None:
    anna, carla = play_.viewer("Anna"), play_.viewer("Carla")
    request = send(play_)
    with pytest.raises(InvalidState, match="cannot amend request R-1: it is sent"):
        play_.do(c.AmendRequest(request, {"urgency": "none"}), anna)
    play_.do(c.AcknowledgeRequest(request), carla, at=at("D1 16:10"))
    play_.do(c.AskClarification(request, "Which account exactly?"), carla, at=at("D1 16:20"))
    with pytest.raises(Forbidden, match="only the requesting team"):
        play_.do(c.AmendRequest(request, {"urgency": "none"}), carla)
    with pytest.raises(InvalidArguments, match="field 'question': at least 10 characters"):
        play_.do(c.AmendRequest(request, {"question": "short"}), anna)
    with pytest.raises(InvalidArguments, match="changes no field"):
        play_.do(c.AmendRequest(request, QUESTION), anna)
    new_question = "Who owns FR76 3000 6000 0112 3456 7890 189, opened at the Lille branch?"
    (amended,) = play_.do(
        c.AmendRequest(request, {"question": new_question, "urgency": "none"}, "Branch added"),
        anna,
        at=at("D1 16:40"),
    )
    assert isinstance(amended, RequestAmended)
    assert amended.by_name == "Anna"
    assert can_see(carla, audience(play_.state, amended))  # the receiving team sees the amendment
    run = play_.state.requests[request]
    assert run.status is RequestStatus.ACKNOWLEDGED  # acknowledged before: back to acknowledged
    last = snapshot(play_.state, carla)["requests"][0]["history"][-1]
    assert (last["status"], last["by"], last["note"]) == ("clarified", anna.participant, "Branch added")
    # the requesting team answered by amending: it acknowledged nothing (the receiver did, before)
    acknowledged = [step for step in run.history if step.status is RequestStatus.ACKNOWLEDGED]
    assert [step.by for step in acknowledged] == [carla.participant]
    assert run.field("question") is not None and run.field("question").text == new_question  # type: ignore[union-attr]
    shown = snapshot(play_.state, carla)["requests"][0]["amendments"]
    assert shown == [
        {
            "by": anna.participant,
            "by_name": "Anna",
            "by_agency": "",
            "sim_time": parse_sim_time("D1 16:40"),
            "wall_time": at("D1 16:40"),
            "note": "Branch added",
            "changes": [
                {"key": "question", "old": QUESTION["question"], "new": new_question},
                {"key": "urgency", "old": None, "new": "none"},
            ],
        }
    ]
    play_.do(c.AskClarification(request, "And the holder's birth date?"), carla, at=at("D1 17:00"))
    play_.do(c.AmendRequest(request, {"urgency": ""}), anna, at=at("D1 17:10"))  # emptied
    assert [len(a.changes) for a in play_.state.requests[request].amendments] == [2, 1]
    assert play_.state.requests[request].field("urgency") is None


def test_an_amendment_never_acknowledged_goes_back_to_sent(play_: Run) -> None:
    request = send(play_)
    play_.do(c.AskClarification(request, "Which account?"), play_.viewer("Carla"))
    play_.do(c.AmendRequest(request, {"urgency": "none"}), play_.viewer("Anna"))
    assert play_.state.requests[request].status is RequestStatus.SENT


def test_an_amendment_of_a_co_signed_instrument_is_signed_by_the_validating_role(play_: Run) -> None:
    anna, bas = play_.viewer("Anna"), play_.viewer("Bas")
    fields = {
        "facts": "Workers held in containers at a farm.",
        "measures": ["bank_accounts"],
        "urgency": "none",
    }
    (drafted,) = play_.do(c.DraftRequest("EIO", "be", fields), anna)
    request = drafted.request  # type: ignore[attr-defined]
    play_.do(c.ValidateRequest(request), bas)
    play_.do(c.SendRequest(request), anna)
    play_.do(
        c.AskClarification(request, "Which accounts?"), play_.viewer("Sam")
    )  # SimCell plays be's prosecutor
    with pytest.raises(Forbidden, match="signed as the request was"):
        play_.do(c.AmendRequest(request, {"measures": ["bank_accounts", "search"]}), anna)
    (amended,) = play_.do(c.AmendRequest(request, {"measures": ["bank_accounts", "search"]}), bas)
    assert amended.changes[0].new.items == ("bank_accounts", "search")  # type: ignore[attr-defined, union-attr]


# -- consent to onward use -----------------------------------------------------------------------


def test_consent_to_onward_use_keeps_the_sharing_flag_down(play_: Run) -> None:
    anna, sam = play_.viewer("Anna"), play_.viewer("Sam")
    first = send(play_, to="fr", when="D1 09:00")
    play_.do(c.AnswerRequest(first, as_proposed=True), sam, at=at("D1 09:10"))  # A-BANK in 2 hours
    (released,) = play_.do(c.Advance(), c.SYSTEM, at=at("D1 11:10"))
    assert isinstance(released, ArtefactReleased)
    flagged = play_.do(c.ShareArtefact("A-BANK", "be"), anna)
    assert any(isinstance(e, SharingFlagged) for e in flagged)  # no consent yet

    with pytest.raises(InvalidArguments, match="uses: trial not among"):
        play_.do(c.GrantConsent(first, ("trial",)), sam)
    (granted,) = play_.do(c.GrantConsent(first, ("onward",), "May go to Belgium"), sam)
    assert isinstance(granted, ConsentGranted) and granted.side == "receiver"
    assert can_see(anna, audience(play_.state, granted))
    with pytest.raises(InvalidState, match="already"):
        play_.do(c.GrantConsent(first, ("onward",)), sam)
    shared = play_.do(c.ShareArtefact("A-BANK", "be"), anna)
    assert not any(isinstance(e, SharingFlagged) for e in shared)
    view = snapshot(play_.state, anna)
    item = next(a for a in view["case_file"] if a["id"] == "A-BANK")
    assert item["consent"] == {"onward": [first]}
    assert view["requests"][0]["consents"][0]["side"] == "receiver"


def test_consent_comes_only_from_the_side_the_instrument_names(play_: Run) -> None:
    only_receiver = dataclasses.replace(PRACTICE_SIENA, consent=Consent(granted_by="receiver"))
    run = Run(
        create(dataclasses.replace(SCENARIO, instruments=(EIO, only_receiver)), "EX2", "", ROSTER, NOW), NOW
    )
    run.do(c.MarkReady(), run.viewer("Dana"))
    run.do(c.StartExercise(), run.viewer("Dana"))
    request = send(run)
    with pytest.raises(Forbidden, match="granted by the receiver"):
        run.do(c.GrantConsent(request), run.viewer("Anna"))
    (granted,) = run.do(c.GrantConsent(request), run.viewer("Carla"))
    assert granted.uses == ("evidence", "onward")  # type: ignore[attr-defined]
    (drafted,) = run.do(c.DraftRequest("EIO", "be", {}), run.viewer("Bas"))
    with pytest.raises(InvalidState, match="asks no consent"):
        run.do(c.GrantConsent(drafted.request), run.viewer("Bas"))  # type: ignore[attr-defined]


# -- conditional required fields -----------------------------------------------------------------


def test_a_field_is_required_while_another_holds_a_value(play_: Run) -> None:
    anna = play_.viewer("Anna")
    urgent = {**QUESTION, "urgency": "evidence_destruction"}
    with pytest.raises(
        InvalidArguments, match="field 'urgency_reason': required because urgency is evidence_destruction"
    ):
        play_.do(c.DraftRequest("SIENA", "be", urgent, send=True), anna)
    (drafted,) = play_.do(c.DraftRequest("SIENA", "be", urgent), anna)  # a draft may wait for it
    with pytest.raises(InvalidArguments, match="required because urgency is evidence_destruction"):
        play_.do(c.SendRequest(drafted.request), anna)  # type: ignore[attr-defined]
    play_.do(
        c.UpdateRequest(drafted.request, {**urgent, "urgency_reason": "The phone is wiped tonight."}), anna
    )  # type: ignore[attr-defined]
    play_.do(c.SendRequest(drafted.request), anna)  # type: ignore[attr-defined]
    send(play_, fields={**QUESTION, "urgency": "none"})  # not urgent: no reason needed


# -- who sees what -------------------------------------------------------------------------------


def test_amendments_and_consent_reach_the_request_s_audience_only(play_: Run) -> None:
    anna, carla, mia = play_.viewer("Anna"), play_.viewer("Carla"), play_.viewer("Mia")
    (drafted,) = play_.do(c.DraftRequest("SIENA", "be", QUESTION), anna)
    request = drafted.request  # type: ignore[attr-defined]
    (on_draft,) = play_.do(c.GrantConsent(request, ("onward",)), anna)  # the requester, on its draft
    assert isinstance(on_draft, ConsentGranted) and not on_draft.sent
    assert audience(play_.state, on_draft).teams == {"nl"}
    assert not can_see(carla, audience(play_.state, on_draft)) and can_see(
        mia, audience(play_.state, on_draft)
    )
    (to_simcell,) = play_.do(c.DraftRequest("SIENA", "fr", QUESTION), anna)
    with pytest.raises(InvalidState, match="not sent yet"):  # the receiver consents once it has it
        play_.do(c.GrantConsent(to_simcell.request), play_.viewer("Sam"))  # type: ignore[attr-defined]
    play_.do(c.SendRequest(request), anna)
    assert snapshot(play_.state, carla)["requests"][0]["consents"][0]["side"] == "requester"  # now theirs too
    play_.do(c.AskClarification(request, "Which account?"), carla)
    (amended,) = play_.do(c.AmendRequest(request, {"urgency": "none"}), anna)
    assert audience(play_.state, amended).teams == {"nl", "be"}
    to_fr = send(play_, to="fr")  # nobody plays fr: SimCell asks, nl amends, fr's team sees nothing
    play_.do(c.AskClarification(to_fr, "Which account?"), play_.viewer("Sam"))
    (amended,) = play_.do(c.AmendRequest(to_fr, {"urgency": "none"}), anna)
    assert audience(play_.state, amended).teams == {"nl"}
    assert restore(capture(play_.state), play_.state.scenario) == play_.state  # kept by snapshots too


def test_simcell_judges_the_amended_request_by_its_new_fields(play_: Run) -> None:
    anna, sam = play_.viewer("Anna"), play_.viewer("Sam")
    vague = send(play_, to="fr", fields={"question": "Whose account is it?"})
    (asked,) = play_.do(c.AnswerRequest(vague, as_proposed=True), sam)  # the template: too short
    assert asked.text == "Too short: which account?"  # type: ignore[attr-defined]
    play_.do(c.AmendRequest(vague, QUESTION, "Account number given"), anna)
    (answered,) = play_.do(c.AnswerRequest(vague, as_proposed=True), sam)
    assert answered.releases == ("A-BANK",)  # type: ignore[attr-defined]
