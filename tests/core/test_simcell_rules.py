"""SimCell that answers like an unplayed country (issue 12, item 4), played on Twin Ports.

Nobody plays Norland's prosecution, so SimCell answers Sudria's MLA requests from the template.
D1 is a Thursday; Norland's offices open 08:00-16:00 on weekdays, and D2 (Friday) is a public
holiday there. The template answers by the time of receipt, by the measures asked for unless
the request is urgent (`not`), with an answer that arrives with what it releases, and with
"acknowledged: the answer comes after ENDEX" on the holiday.
"""

from __future__ import annotations

import pytest

from server.core import commands as c
from server.core.calendar import receipt, weekday
from server.core.errors import InvalidState
from server.core.events import (
    AnswerDeferred,
    AnswerScheduled,
    ArtefactReleased,
    RequestAcknowledged,
    RequestAnswered,
)
from server.core.requests import RequestStatus
from server.core.scenario import Receipt
from server.core.simtime import parse_sim_time
from server.core.view import snapshot
from server.core.visibility import audience
from server.scenario.errors import ScenarioError
from tests.core.transcript import Run
from tests.core.twin import advance, play, twin, wall

FRAGMENT = """
clock: {d1_weekday: thursday}
countries:
  - id: NOR
    calendar: {opens: "08:00", closes: "16:00", workdays: [monday, tuesday, wednesday, thursday, friday], holidays: [D2]}
responses:
  - id: R-NOR-MLA
    outcomes:
      - when: {missing_required: true}
        outcome: clarification_requested
        text: "Please state the facts and the measures you need."
      - when: {received: holiday}
        outcome: answer_after_endex
        text: "Public holiday in Norland: the prosecutor will deal with it next week."
      - when: {received: out_of_hours}
        outcome: acknowledged
        text: "Received after office hours."
      - when:
          fields: [{field: measures, includes_any: [search]}]
          not: {urgent: true}
        outcome: executed
        delay: PT2H
        answer_delayed: true
        text: "The search of SeaCrew's office was carried out; the crew list is attached."
        releases: [A-SUD-CREWLIST]
      - outcome: executed
        text: "Done at once."
"""
SCENARIO = twin(FRAGMENT)
FACTS = {
    "facts": "SeaCrew Agency recruits young men for harbour work in Sudria. " * 3,
    "measures": ["search"],
}


@pytest.fixture
def run() -> Run:
    return play(SCENARIO)


def send_mla(run: Run, sim: str, urgent: bool = False) -> str:
    sofia = run.viewer("Sofia")
    (drafted,) = run.do(c.DraftRequest("MLA", "NOR", FACTS, urgent=urgent), sofia, at=wall(sim))
    request: str = drafted.request  # type: ignore[attr-defined]
    run.do(c.SendRequest(request), sofia)
    assert run.state.requests[request].simcell
    return request


def as_proposed(run: Run, request: str, sim: str) -> list[object]:
    return list(run.do(c.AnswerRequest(request, as_proposed=True), run.viewer("Sim"), at=wall(sim)))


def test_the_calendar_of_the_simulated_days() -> None:
    norland = SCENARIO.country("NOR")
    assert [weekday(SCENARIO, parse_sim_time(f"D{d} 10:00")) for d in (1, 2, 3, 4, 5)] == [3, 4, 5, 6, 0]
    assert receipt(SCENARIO, norland, parse_sim_time("D1 10:00")) == {Receipt.OFFICE_HOURS}
    assert receipt(SCENARIO, norland, parse_sim_time("D1 16:00")) == {Receipt.OUT_OF_HOURS}
    assert receipt(SCENARIO, norland, parse_sim_time("D2 10:00")) == {Receipt.HOLIDAY, Receipt.OUT_OF_HOURS}
    assert receipt(SCENARIO, norland, parse_sim_time("D3 10:00")) == {Receipt.WEEKEND, Receipt.OUT_OF_HOURS}
    assert receipt(SCENARIO, SCENARIO.country("SUD"), parse_sim_time("D3 03:00")) == {Receipt.OFFICE_HOURS}


def test_in_office_hours_the_answer_arrives_with_what_it_releases(run: Run) -> None:
    request = send_mla(run, "D1 10:00")
    (scheduled,) = as_proposed(run, request, "D1 10:05")
    assert isinstance(scheduled, AnswerScheduled)
    assert scheduled.answer_at == parse_sim_time("D1 12:05")
    assert audience(run.state, scheduled).is_staff_only
    sofia = run.viewer("Sofia")
    (shown,) = snapshot(run.state, sofia)["requests"]
    assert (shown["status"], shown["answer"]) == ("sent", "")
    assert snapshot(run.state, run.viewer("Sim"))["requests"][0]["answer_scheduled_at"] == scheduled.answer_at
    with pytest.raises(InvalidState, match="answer arrives at D1 12:05"):
        as_proposed(run, request, "D1 10:10")  # SimCell cannot answer it twice
    assert not [e for e in advance(run, "D1 12:00") if isinstance(e, RequestAnswered)]
    later = advance(run, "D1 12:10")
    (answered,) = (e for e in later if isinstance(e, RequestAnswered))
    assert (answered.sim_time, answered.by_agency) == (parse_sim_time("D1 12:05"), "NOR.PROS")
    assert any(isinstance(e, ArtefactReleased) and e.artefact == "A-SUD-CREWLIST" for e in later)
    (shown,) = snapshot(run.state, sofia)["requests"]
    assert (shown["status"], shown["answer"]) == ("answered", scheduled.text)
    assert run.state.requests[request].scheduled is None


def test_out_of_office_hours_it_is_only_acknowledged(run: Run) -> None:
    request = send_mla(run, "D1 17:30")
    (acknowledged,) = as_proposed(run, request, "D1 17:35")
    assert isinstance(acknowledged, RequestAcknowledged)
    assert run.state.requests[request].status is RequestStatus.ACKNOWLEDGED
    (scheduled,) = as_proposed(run, request, "D2 08:30")  # then the template gives the answer
    assert isinstance(scheduled, AnswerScheduled)


def test_on_a_public_holiday_the_answer_comes_after_endex(run: Run) -> None:
    request = send_mla(run, "D2 10:00")
    (deferred,) = as_proposed(run, request, "D2 10:05")
    assert isinstance(deferred, AnswerDeferred)
    assert deferred.by_agency == "NOR.PROS"
    assert audience(run.state, deferred).teams == {"SUD"}
    (shown,) = snapshot(run.state, run.viewer("Sofia"))["requests"]
    assert shown["status"] == "acknowledged"
    assert shown["answer_after_endex"] is True
    assert (
        shown["history"][-1]["note"]
        == "Public holiday in Norland: the prosecutor will deal with it next week."
    )


def test_negation_an_urgent_request_gets_the_plain_answer(run: Run) -> None:
    request = send_mla(run, "D1 10:00", urgent=True)
    (answered,) = as_proposed(run, request, "D1 10:05")
    assert isinstance(answered, RequestAnswered)
    assert answered.text == "Done at once."


def test_a_rule_on_a_field_that_does_not_hold(run: Run) -> None:
    sofia = run.viewer("Sofia")
    hearing = {**FACTS, "measures": ["hearing_witness"]}
    (drafted,) = run.do(c.DraftRequest("MLA", "NOR", hearing), sofia, at=wall("D1 10:00"))
    run.do(c.SendRequest(drafted.request), sofia)  # type: ignore[attr-defined]
    (answered,) = as_proposed(run, drafted.request, "D1 10:05")  # type: ignore[attr-defined]
    assert isinstance(answered, RequestAnswered) and answered.text == "Done at once."


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "holidays: [D2]",
            "holidays: [friday]",
            "countries[0].calendar.holidays[0]",
            "a simulated day such as D3",
        ),
        (
            "workdays: [monday,",
            "workdays: [mondey,",
            "countries[0].calendar.workdays[0]",
            "did you mean 'monday'?",
        ),
        ('closes: "16:00"', 'closes: "07:00"', "countries[0].calendar.closes", "close after they open"),
        (
            "{received: holiday}",
            "{received: lunch}",
            "responses[0].outcomes[1].when.received",
            "office_hours",
        ),
        ("        answer_delayed: true\n", "", "", ""),
        ("        delay: PT2H\n", "", "responses[0].outcomes[3].answer_delayed", "needs the delay"),
        ("not: {urgent: true}", "not: always", "responses[0].outcomes[3].when.not", "never holds"),
        (
            "fields: [{field: measures, includes_any: [search]}]",
            "fields: [{field: measures, includes_any: [serch]}]",
            "responses[0].outcomes[3].when.fields[0].includes_any",
            "'serch' is not a choice of MLA.measures",
        ),
        ("clock: {d1_weekday: thursday}", "clock: {d1_weekday: thursdy}", "clock.d1_weekday", "'thursday'"),
    ],
)
def test_the_validator_explains_a_malformed_rule_or_calendar(
    old: str, new: str, path: str, message: str
) -> None:
    assert old in FRAGMENT
    if not path:  # without answer_delayed, the same template is valid
        twin(FRAGMENT.replace(old, new))
        return
    with pytest.raises(ScenarioError) as error:
        twin(FRAGMENT.replace(old, new))
    assert any(p.path == path and message in p.message for p in error.value.problems), error.value


def test_a_rule_on_the_time_of_receipt_needs_a_calendar() -> None:
    without = FRAGMENT.replace(
        'calendar: {opens: "08:00", closes: "16:00", workdays: [monday, tuesday, wednesday, thursday, friday], '
        "holidays: [D2]}",
        "language: Norlandic",
    )
    with pytest.raises(ScenarioError, match=r"NOR has no calendar.*never holds: give the country a calendar"):
        twin(without)


CONDITIONAL = """
responses:
  - id: R-NOR-MLA
    outcomes:
      - when: {condition: {action: {action: refer_nrm, team: SUD}}, not: {condition: {character: {id: CH-ERIK, trust_below: 1}}}}
        outcome: executed
        text: "Erik is referred: the prosecutor will hear him by video."
      - outcome: clarification_requested
        text: "Has the presumed victim been referred to your national referral mechanism?"
"""


def test_a_rule_on_the_play_so_far_uses_the_trigger_language() -> None:
    run = play(twin(CONDITIONAL))
    first = send_mla(run, "D1 09:00")
    staff_view = snapshot(run.state, run.viewer("Sim"))["requests"][0]["proposal"]
    assert staff_view["outcome"] == "clarification_requested"  # not referred yet
    (asked,) = as_proposed(run, first, "D1 09:05")
    assert asked.text.startswith("Has the presumed victim")  # type: ignore[attr-defined]
    run.do(c.TakeAction("refer_nrm"), run.viewer("Santi"), at=wall("D1 09:30"))
    second = send_mla(run, "D1 09:40")
    assert snapshot(run.state, run.viewer("Sim"))["requests"][1]["proposal"]["outcome"] == "executed"
    (answered,) = as_proposed(run, second, "D1 09:45")
    assert isinstance(answered, RequestAnswered) and answered.text.startswith("Erik is referred")
    run.do(c.SetCharacter("CH-ERIK", trust=0, note="frightened"), run.viewer("Sim"))
    third = send_mla(run, "D1 10:00")
    (asked_again,) = as_proposed(run, third, "D1 10:05")  # `not`: his trust fell to 0
    assert not isinstance(asked_again, RequestAnswered)


def test_a_rule_condition_is_checked_like_a_trigger() -> None:
    broken = CONDITIONAL.replace("action: refer_nrm, team: SUD", "action: refer_nmr, team: SUD")
    with pytest.raises(
        ScenarioError, match=r"responses\[0\]\.outcomes\[0\]\.when\.condition\.action\.action"
    ):
        twin(broken)
