"""Scripted answers that stand in for a team (issue 11, item 3).

The flagship's "Kalmarian SPOC answers" inject fired 30 minutes after Westria's request was
sent, while the played Kalmarian team answered the same request with other facts: two versions
of the case. A stand-in (`stand_in_for: be`) now fires as scripted only when nobody plays the
team (the request went to SimCell); when someone does, only once the request's game deadline
has passed with the team still owing the answer. Control sees what a stand-in waits for, and may
skip it. A stand-in's release answers the request it stood in for (the team sees it answered,
nobody answers it twice), and a team that answered a matching request itself gets no stand-in
for a later one (a live check: Westria got the scripted reply about its first request when
Kalmaria, which had answered that one, only acknowledged the second; the second stayed open).

The scenario of test_requests.py, with a SIENA request answered within two game hours, and two
stand-ins to nl police: "Belgian SPOC answers" (for be, played by Carla) and "French SPOC
answers" (for fr, which nobody plays), each scripted 30 minutes after the request is sent.
"""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import can_see
from server.core.decide import create
from server.core.effects import STAND_IN
from server.core.errors import InvalidState
from server.core.events import InjectReleased, RequestAnswered
from server.core.requests import RequestStatus
from server.core.scenario import (
    Channel,
    Deadline,
    Delay,
    Inject,
    InjectAudience,
    Recipient,
    Trigger,
    TriggerKind,
)
from server.core.simtime import HOUR, MINUTE, parse_sim_time
from server.core.view import snapshot
from server.core.visibility import audience
from tests.core.test_requests import REQUEST_SCENARIO, SIENA, wall
from tests.core.transcript import NOW, ROSTER, Run


def spoc_answers(inject_id: str, country: str) -> Inject:
    return Inject(
        id=inject_id,
        title=f"SPOC of {country} answers",
        body="The phone is registered to Viktor S.",
        channel=Channel.AUTO,
        sender=f"SPOC {country}",
        audience=InjectAudience(recipients=(Recipient("nl", frozenset({"police"})),)),
        trigger=Trigger(TriggerKind.REQUEST, instrument="SIENA", source="nl", target=country, state="sent"),
        delay=Delay(seconds=30 * MINUTE),
        stand_in_for=country,
    )


TIMED_SIENA = dataclasses.replace(
    SIENA, deadlines=(Deadline("answered", "8 hours", Delay(seconds=2 * HOUR)),)
)
SCENARIO = dataclasses.replace(
    REQUEST_SCENARIO,
    instruments=(REQUEST_SCENARIO.instruments[0], TIMED_SIENA, *REQUEST_SCENARIO.instruments[2:]),
    injects=(spoc_answers("I-BE", "be"), spoc_answers("I-FR", "fr")),
)
QUESTION = {"question": "Who owns +KAL 7730 552 417?"}


@pytest.fixture
def play() -> Run:
    run = Run(create(SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana, at=NOW + 5)
    run.do(c.SetClockSpeed(60.0), dana)
    run.do(c.StartExercise(), dana, at=NOW + 10)
    return run


def ask(play: Run, to: str, sim: str) -> str:
    anna = play.viewer("Anna")
    (drafted,) = play.do(c.DraftRequest("SIENA", to, QUESTION), anna, at=wall(sim))
    play.do(c.SendRequest(drafted.request), anna)  # type: ignore[attr-defined]
    return drafted.request  # type: ignore[attr-defined]


def released(play: Run, sim: str) -> list[tuple[str, float]]:
    events = play.do(c.Advance(), c.SYSTEM, at=wall(sim))
    return [(e.inject, e.sim_time) for e in events if isinstance(e, InjectReleased)]


def stand_in(play: Run, inject: str) -> object:
    (row,) = [r for r in snapshot(play.state, play.viewer("Colm"))["msel"] if r["id"] == inject]
    shown = dict(row["stand_in"])
    assert shown.pop("request") == {"instrument": "SIENA", "from": "nl", "to": shown["team"]}
    return shown


def test_a_played_team_that_answers_in_time_gets_no_scripted_second_version(play: Run) -> None:
    request = ask(play, "be", "D1 09:00")
    assert play.state.requests[request].due_at == parse_sim_time("D1 11:00")
    assert released(play, "D1 09:30") == []  # the script says 09:30, but be is played
    assert stand_in(play, "I-BE") == {
        "team": "be",
        "waiting_for": [request],
        "due_at": parse_sim_time("D1 11:00"),
    }
    play.do(
        c.AnswerRequest(request, "Prepaid SIM, no subscriber data."),
        play.viewer("Carla"),
        at=wall("D1 10:15"),
    )
    assert released(play, "D1 11:30") == []
    assert released(play, "D2 09:00") == []  # never: be gave its own answer
    assert stand_in(play, "I-BE") == {"team": "be", "waiting_for": [], "due_at": None}
    assert play.state.injects["I-BE"].released_at is None


def test_a_played_team_that_owes_the_answer_at_the_deadline_is_stood_in_for(play: Run) -> None:
    request = ask(play, "be", "D1 09:00")
    play.do(c.AcknowledgeRequest(request), play.viewer("Carla"), at=wall("D1 09:10"))  # not an answer
    assert released(play, "D1 10:59") == []
    assert released(play, "D1 11:05") == [("I-BE", parse_sim_time("D1 11:00"))]
    assert stand_in(play, "I-BE") == {"team": "be", "waiting_for": [], "due_at": None}


def test_a_team_nobody_plays_gets_its_scripted_answer_as_written(play: Run) -> None:
    request = ask(play, "fr", "D1 09:00")
    assert play.state.requests[request].simcell
    assert stand_in(play, "I-FR") == {"team": "fr", "waiting_for": [], "due_at": parse_sim_time("D1 09:30")}
    assert released(play, "D1 09:31") == [("I-FR", parse_sim_time("D1 09:30"))]


@pytest.mark.parametrize("by_template", [False, True])
def test_simcell_answering_first_leaves_no_scripted_second_answer(play: Run, by_template: bool) -> None:
    """A live check: SimCell answered Westria's request to Kalmaria (nobody played it) by hand
    before the SPOC's scripted reply was due; the scripted reply came too, a second answer."""
    request = ask(play, "fr", "D1 09:00")
    sam = play.viewer("Sam")
    if by_template:  # the template's answer comes two hours later: it is on its way
        play.do(c.AnswerRequest(request, "", as_proposed=True), sam, at=wall("D1 09:10"))
    else:
        play.do(c.AnswerRequest(request, "A prepaid SIM; no subscriber."), sam, at=wall("D1 09:10"))
    assert released(play, "D1 09:31") == []
    assert released(play, "D1 12:00") == []
    assert stand_in(play, "I-FR") == {"team": "fr", "waiting_for": [], "due_at": None}


def test_control_sees_a_pending_stand_in_and_may_cancel_it(play: Run) -> None:
    assert stand_in(play, "I-BE") == {"team": "be", "waiting_for": [], "due_at": None}  # nothing asked yet
    request = ask(play, "be", "D1 09:00")
    assert stand_in(play, "I-BE")["waiting_for"] == [request]  # type: ignore[index]
    play.do(c.SkipInject("I-BE"), play.viewer("Colm"))
    assert released(play, "D1 12:00") == []
    assert stand_in(play, "I-BE") == {"team": "be", "waiting_for": [], "due_at": None}
    assert snapshot(play.state, play.viewer("Anna"))["injects"] == []


def test_a_team_asked_to_clarify_owes_nothing_yet_and_other_requests_do_not_count(play: Run) -> None:
    request = ask(play, "be", "D1 09:00")
    carla = play.viewer("Carla")
    (other,) = play.do(c.DraftRequest("SIENA", "nl", QUESTION), carla, at=wall("D1 09:05"))
    play.do(c.SendRequest(other.request), carla)  # type: ignore[attr-defined]  # from be: not the trigger's
    play.do(c.AskClarification(request, "Which number exactly?"), carla, at=wall("D1 09:10"))
    assert stand_in(play, "I-BE") == {"team": "be", "waiting_for": [], "due_at": None}
    assert released(play, "D1 11:30") == []  # the ball is in nl's court


def test_a_stand_in_waits_for_the_answer_deadline_not_the_acknowledgement() -> None:
    two_deadlines = dataclasses.replace(
        SIENA,
        deadlines=(
            Deadline("acknowledged", "promptly", Delay(seconds=30 * MINUTE)),
            Deadline("answered", "8 hours", Delay(seconds=2 * HOUR)),
        ),
    )
    scenario = dataclasses.replace(
        SCENARIO,
        instruments=(REQUEST_SCENARIO.instruments[0], two_deadlines, *REQUEST_SCENARIO.instruments[2:]),
    )
    run = Run(create(scenario, "EX1", "", ROSTER, NOW), NOW)
    run.do(c.MarkReady(), run.viewer("Dana"), at=NOW + 5)
    run.do(c.SetClockSpeed(60.0), run.viewer("Dana"))
    run.do(c.StartExercise(), run.viewer("Dana"), at=NOW + 10)
    request = ask(run, "be", "D1 09:00")
    assert run.state.requests[request].due_at == parse_sim_time("D1 09:30")  # the first: acknowledge
    assert stand_in(run, "I-BE") == {
        "team": "be",
        "waiting_for": [request],
        "due_at": parse_sim_time("D1 11:00"),
    }
    assert released(run, "D1 09:45") == []  # acknowledgement overdue, but the answer is not owed yet
    assert released(run, "D1 11:00") == [("I-BE", parse_sim_time("D1 11:00"))]


def test_a_stand_in_answers_the_request_it_stood_in_for_visibly_to_the_team(play: Run) -> None:
    request = ask(play, "be", "D1 09:00")
    carla = play.viewer("Carla")
    play.do(c.AcknowledgeRequest(request), carla, at=wall("D1 09:10"))
    events = play.do(c.Advance(), c.SYSTEM, at=wall("D1 11:05"))
    (answer,) = [e for e in events if isinstance(e, RequestAnswered)]
    assert (answer.request, answer.by, answer.text) == (
        request,
        STAND_IN,
        "The phone is registered to Viktor S.",
    )
    assert answer.by_agency == play.state.requests[request].target_agency and answer.by_name == ""
    assert can_see(carla, audience(play.state, answer))  # be learns its request was answered for it
    assert play.state.requests[request].status is RequestStatus.ANSWERED
    with pytest.raises(InvalidState):  # one answer in be's name, not two
        play.do(c.AnswerRequest(request, "Prepaid SIM."), carla, at=wall("D1 11:10"))
    (shown,) = [r for r in snapshot(play.state, carla)["requests"] if r["id"] == request]
    assert shown["history"][-1] | {"sim_time": 0} == {
        "status": "answered",
        "by": STAND_IN,
        "by_name": "",
        "by_agency": answer.by_agency,
        "sim_time": 0,
        "note": "",
    }


def test_a_team_that_answered_a_matching_request_gets_no_stand_in_for_a_later_one(play: Run) -> None:
    carla = play.viewer("Carla")
    first = ask(play, "be", "D1 09:00")
    play.do(c.AnswerRequest(first, "Prepaid SIM, no subscriber data."), carla, at=wall("D1 09:20"))
    second = ask(play, "be", "D1 12:00")  # Kalmaria only acknowledges this one
    play.do(c.AcknowledgeRequest(second), carla, at=wall("D1 12:10"))
    assert stand_in(play, "I-BE") == {"team": "be", "waiting_for": [], "due_at": None}
    assert released(play, "D1 14:30") == []  # past the second's deadline: still be's to answer
    assert play.state.requests[second].status is RequestStatus.ACKNOWLEDGED


def test_a_stand_in_for_a_team_nobody_plays_closes_the_request_simcell_would_answer(play: Run) -> None:
    request = ask(play, "fr", "D1 09:00")
    events = play.do(c.Advance(), c.SYSTEM, at=wall("D1 09:31"))
    assert [e.request for e in events if isinstance(e, RequestAnswered)] == [request]
    with pytest.raises(InvalidState):
        play.do(c.AnswerRequest(request, "Another version."), play.viewer("Sam"), at=wall("D1 09:40"))


def test_released_by_control_a_stand_in_answers_the_request_it_waits_for(play: Run) -> None:
    request = ask(play, "be", "D1 09:00")
    events = play.do(c.ReleaseInject("I-BE"), play.viewer("Colm"), at=wall("D1 09:40"))
    assert [type(e).__name__ for e in events] == ["InjectReleased", "RequestAnswered"]
    assert play.state.requests[request].status is RequestStatus.ANSWERED
