"""Evaluation (issue 13): evaluators' observations and scorecards, questionnaires and feedback,
the improvement plan; read as transcripts of the Twin Ports scenario."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from server.core import commands as c
from server.core.audience import can_see
from server.core.debrief import analyse
from server.core.debrief.played import Entry
from server.core.decide import create
from server.core.errors import DomainError
from server.core.evaluation import (
    OBSERVATIONS_LATEST,
    feedback_results,
    improvements,
    is_anonymous,
    observations,
    participant_view,
    scale,
    scorecard,
    staff_view,
)
from server.core.evaluation_model import HSEEP, RatingLevel
from server.core.evaluation_records import Answer
from server.core.events import (
    Event,
    FeedbackGiven,
    ImprovementEdited,
    ImprovementRecorded,
    ImprovementWithdrawn,
    ObservationEdited,
    ObservationRecorded,
    ObservationWithdrawn,
    QuestionnaireClosed,
    QuestionnaireOpened,
    to_data,
)
from server.core.scenario import Scenario
from server.core.snapshots import capture, restore
from server.core.state import apply, fold
from server.core.view import snapshot
from server.core.visibility import audience
from server.report.sections import sections
from server.scenario.loader import load_scenario
from tests.core.transcript import NOW, Run

SCENARIO = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "twin-ports")
Q_DAY = next(q for q in SCENARIO.questionnaires if q.id == "Q-DAY")

EVALUATION_EXAMPLES: list[Event] = [
    ObservationRecorded(
        "O-1", "P0012", "nl", "LO-ID", "S", "Interpreter late.", "I-02", "R-1", 40_000.0, NOW
    ),
    ObservationEdited("O-1", "P0012", "P", "Interpreter on time after all.", 40_100.0),
    ObservationWithdrawn("O-1", "P0012"),
    QuestionnaireOpened("Q-DAY", 1, "P0001", "End of the day", "", False, Q_DAY.questions),
    QuestionnaireClosed("Q-DAY", 1, "P0001"),
    FeedbackGiven("Q-DAY", 1, "P0006", "nl", (Answer("clarity", rating=4), Answer("note", value="x")), 1.0),
    FeedbackGiven("Q-END", 2, "", None, (Answer("realism", rating=2),), 2.0),
    ImprovementRecorded("IP-1", "P0012", "Train the EIO form.", "Academy", "2027-03-31", "nl", "LO-ID"),
    ImprovementEdited("IP-1", "P0001", "Train the EIO form.", "Academy", "2027-04-30", None, None),
    ImprovementWithdrawn("IP-1", "P0001"),
]
"""One of each event of evaluation (tests/core/test_events.py round-trips them)."""

ROSTER = (
    ("Dana", None, "director"),  # P0001
    ("Carl", None, "controller"),  # P0002
    ("Mona", None, "mentor"),  # P0003
    ("Otto", None, "observer"),  # P0004
    ("Eva", None, "evaluator"),  # P0005
    ("Ed", None, "evaluator"),  # P0006
    ("Nils", "NOR", "police"),  # P0007
    ("Nora", "NOR", "prosecutor"),  # P0008
    ("Sara", "SUD", "police"),  # P0009
)


@pytest.fixture
def run() -> Run:
    entries = [c.RosterEntry(name, team, role, f"h-{name}") for name, team, role in ROSTER]
    started = Run(create(SCENARIO, "EX1", "", entries, NOW), NOW)
    started.do(c.MarkReady(), started.viewer("Dana"), at=NOW + 1)
    started.do(c.StartExercise(), started.viewer("Dana"), at=NOW + 2)
    return started


def _small(scenario: Scenario, *, ready: bool = False) -> Run:
    """Another exercise with a director, an evaluator and a participant: a draft, or ready."""
    entries = [c.RosterEntry("Dana", None, "director", "h"), c.RosterEntry("Eva", None, "evaluator", "h")]
    small = Run(
        create(scenario, "EX2", "", [*entries, c.RosterEntry("Nils", "NOR", "police", "h")], NOW), NOW
    )
    if ready:
        small.do(c.MarkReady(), small.viewer("Dana"))
    return small


def refused(run: Run, command: c.Command, who: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        run.do(command, run.viewer(who))
    return caught.value


def test_an_evaluator_records_an_observation_stamped_with_both_clocks(run: Run) -> None:
    (event,) = run.do(
        c.RecordObservation("NOR", "LO-ID", "  Referred Erik at once.  ", "P", "T-01"),
        run.viewer("Eva"),
        at=NOW + 62,
    )
    assert event == ObservationRecorded(
        "O-1",
        "P0005",
        "NOR",
        "LO-ID",
        "P",
        "Referred Erik at once.",
        "T-01",
        "",
        run.state.clock.sim_at(NOW + 62),
        NOW + 62,
    )
    (recorded,) = observations(run.state)
    assert (recorded.id, recorded.seq, recorded.wall_time) == ("O-1", run.state.seq, NOW + 62)
    assert audience(run.state, event).is_staff_only


def test_the_scorecard_counts_each_evaluators_latest_rating(run: Run) -> None:
    eva, ed = run.viewer("Eva"), run.viewer("Ed")
    run.do(c.RecordObservation("NOR", "LO-ID", "Slow start.", "M"), eva, at=NOW + 10)
    run.do(c.RecordObservation("NOR", "LO-ID", "Better now.", "S"), eva, at=NOW + 20)
    run.do(c.RecordObservation("NOR", "LO-ID", "Indicators named.", "P"), ed, at=NOW + 30)
    run.do(c.RecordObservation("NOR", "LO-ID", "A note, not rated."), ed, at=NOW + 40)
    run.do(c.RecordObservation("SUD", "LO-ID", "Nothing yet.", "U"), ed, at=NOW + 50)
    card = scorecard(run.state, "NOR")
    (row,) = card.objectives
    assert row.latest == (("P0005", "S"), ("P0006", "P"))
    assert dict(row.counts) == {"P": 1, "S": 1, "M": 0, "U": 0}
    assert (row.observations, card.observations) == (4, 4)
    assert dict(scorecard(run.state, "SUD").objectives[0].counts)["U"] == 1
    run.do(c.EditObservation("O-1", rating="U"), eva, at=NOW + 60)  # an edit is the latest word
    assert scorecard(run.state, "NOR").objectives[0].latest == (("P0005", "U"), ("P0006", "P"))


def test_bad_observations_say_what_is_wrong(run: Run) -> None:
    cases = [
        (
            c.RecordObservation("NOR", "LO-XX", "t"),
            "not_found",
            "no objective 'LO-XX' in this scenario (objectives: LO-ID)",
        ),
        (
            c.RecordObservation("NOR", "LO-ID", "t", "Q"),
            "invalid_args",
            "rating: 'Q' is not on the scale (P, S, M, U, or none)",
        ),
        (c.RecordObservation("XXX", "LO-ID", "t"), "not_found", "no team 'XXX'"),
        (
            c.RecordObservation("NOR", "LO-ID", "t", inject="I-99"),
            "not_found",
            "no inject 'I-99' in this exercise",
        ),
        (
            c.RecordObservation("NOR", "LO-ID", "t", request="R-9"),
            "not_found",
            "no request 'R-9' in this exercise",
        ),
        (c.RecordObservation("NOR", "LO-ID", "  "), "invalid_args", "a text needs 1 to"),
    ]
    for command, code, message in cases:
        error = refused(run, command, "Eva")
        assert (error.code, error.message[: len(message)]) == (code, message)


def test_a_scenario_scale_replaces_hseep(run: Run) -> None:
    levels = (RatingLevel("3", "Fully met"), RatingLevel("2", "Partly met"), RatingLevel("1", "Not met"))
    custom = _small(dataclasses.replace(SCENARIO, rating_scale=levels), ready=True)
    custom.do(c.RecordObservation("NOR", "LO-ID", "t", "2"), custom.viewer("Eva"))
    assert refused(custom, c.RecordObservation("NOR", "LO-ID", "t", "P"), "Eva").code == "invalid_args"
    assert scale(custom.state) == levels and scale(run.state) == HSEEP
    assert dict(scorecard(custom.state, "NOR").objectives[0].counts) == {"3": 0, "2": 1, "1": 0}


def test_only_its_author_edits_or_withdraws_an_observation(run: Run) -> None:
    run.do(c.RecordObservation("NOR", "LO-ID", "Calm.", "S"), run.viewer("Eva"))
    for who in ("Ed", "Dana"):
        error = refused(run, c.EditObservation("O-1", "P"), who)
        assert (error.code, error.message) == (
            "forbidden",
            "only its author edits or withdraws the observation 'O-1'",
        )
        assert refused(run, c.WithdrawObservation("O-1"), who).code == "forbidden"
    assert run.do(c.EditObservation("O-1", "S", " Calm. "), run.viewer("Eva")) == []  # already so
    (edited,) = run.do(c.EditObservation("O-1", text="Calm and precise."), run.viewer("Eva"))
    assert isinstance(edited, ObservationEdited) and (edited.rating, edited.text) == (
        "S",
        "Calm and precise.",
    )
    assert isinstance(run.do(c.WithdrawObservation("O-1"), run.viewer("Eva"))[0], ObservationWithdrawn)
    assert run.do(c.WithdrawObservation("O-1"), run.viewer("Eva")) == []
    assert refused(run, c.EditObservation("O-1", "P"), "Eva").code == "invalid_state"
    assert refused(run, c.EditObservation("O-7", "P"), "Eva").code == "not_found"
    assert observations(run.state) == [] and [o.id for o in observations(run.state, withdrawn=True)] == [
        "O-1"
    ]
    assert scorecard(run.state, "NOR").objectives[0].observations == 0


def test_participants_observers_and_simcell_record_no_observations(run: Run) -> None:
    for who in ("Nils", "Otto"):
        assert refused(run, c.RecordObservation("NOR", "LO-ID", "t"), who).code == "forbidden"
    for who in ("Mona", "Dana", "Carl", "Eva"):
        assert run.do(c.RecordObservation("NOR", "LO-ID", "t"), run.viewer(who))


def test_a_questionnaire_opens_in_rounds_and_participants_answer_it(run: Run) -> None:
    dana, nils, nora = run.viewer("Dana"), run.viewer("Nils"), run.viewer("Nora")
    assert refused(run, c.GiveFeedback("Q-DAY", {"clarity": 3}), "Nils").code == "invalid_state"
    (opened,) = run.do(c.OpenQuestionnaire("Q-DAY"), dana)
    assert (
        isinstance(opened, QuestionnaireOpened) and opened.round == 1 and audience(run.state, opened).everyone
    )
    assert run.do(c.OpenQuestionnaire("Q-DAY"), dana) == []  # already open
    (given,) = run.do(c.GiveFeedback("Q-DAY", {"clarity": 2, "blocker": "Waiting", "note": " "}), nils)
    assert isinstance(given, FeedbackGiven) and (given.participant, given.team) == ("P0007", "NOR")
    assert audience(run.state, given).participants == {"P0007"}  # its author (and staff) only
    run.do(c.GiveFeedback("Q-DAY", {"clarity": 4}), nils)  # given again: replaces the first
    run.do(c.GiveFeedback("Q-DAY", {"clarity": 5, "note": "More time for the MLA."}), nora)
    (result,) = feedback_results(run.state)
    assert (result.round, result.responses, result.open, result.teams) == (1, 2, True, (("NOR", 2),))
    clarity, blocker, note = result.questions
    assert dict(clarity.counts) == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1} and clarity.mean == 4.5
    assert dict(blocker.counts) == {"Instruments": 0, "Waiting": 0, "Nothing": 0}
    assert note.texts == ("More time for the MLA.",)
    assert participant_view(run.state, nils)["questionnaires"][0]["answered"] is True
    assert participant_view(run.state, run.viewer("Sara"))["questionnaires"][0]["answered"] is False
    (closed,) = run.do(c.CloseQuestionnaire("Q-DAY"), dana)
    assert isinstance(closed, QuestionnaireClosed) and run.do(c.CloseQuestionnaire("Q-DAY"), dana) == []
    assert participant_view(run.state, nils) == {"questionnaires": []}
    assert refused(run, c.GiveFeedback("Q-DAY", {"clarity": 3}), "Nils").code == "invalid_state"
    (again,) = run.do(c.OpenQuestionnaire("Q-DAY"), dana)  # the next evening
    assert isinstance(again, QuestionnaireOpened) and again.round == 2
    run.do(c.GiveFeedback("Q-DAY", {"clarity": 1}), nils)
    assert [(r.round, r.responses, r.open) for r in feedback_results(run.state)] == [
        (1, 2, False),
        (2, 1, True),
    ]


def test_bad_answers_say_which_question(run: Run) -> None:
    run.do(c.OpenQuestionnaire("Q-DAY"), run.viewer("Dana"))
    cases = [
        ({"clarity": 6}, "answers.clarity: expected a whole number from 1 to 5"),
        ({"clarity": True}, "answers.clarity: expected a whole number from 1 to 5"),
        (
            {"clarity": 3, "blocker": "Weather"},
            "answers.blocker: expected one of Instruments, Waiting, Nothing",
        ),
        ({"clarity": 3, "note": 7}, "answers.note: expected a text of at most 4000 characters"),
        ({"blocker": "Waiting"}, "answers.clarity: this question needs an answer"),
        (
            {"clarity": 3, "mood": 1},
            "answers.mood: no such question in 'Q-DAY' (questions: clarity, blocker, note)",
        ),
    ]
    for answers, message in cases:
        error = refused(run, c.GiveFeedback("Q-DAY", answers), "Nils")
        assert (error.code, error.message) == ("invalid_args", message)
    assert refused(run, c.GiveFeedback("Q-XX", {}), "Nils").message.startswith("no questionnaire 'Q-XX'")
    assert refused(run, c.GiveFeedback("Q-DAY", {"clarity": 3}), "Eva").code == "forbidden"
    assert refused(run, c.OpenQuestionnaire("Q-END"), "Eva").code == "forbidden"
    no_required = dataclasses.replace(
        Q_DAY, id="Q-OPT", questions=tuple(dataclasses.replace(q, required=False) for q in Q_DAY.questions)
    )
    optional = _small(dataclasses.replace(SCENARIO, questionnaires=(no_required,)), ready=True)
    for command in (c.StartExercise(), c.OpenQuestionnaire("Q-OPT")):
        optional.do(command, optional.viewer("Dana"))
    assert (
        refused(optional, c.GiveFeedback("Q-OPT", {"note": ""}), "Nils").message
        == "answers: answer at least one question"
    )


def test_an_anonymous_answer_carries_nobody(run: Run) -> None:
    run.do(c.OpenQuestionnaire("Q-END"), run.viewer("Dana"))
    nils = run.viewer("Nils")
    (given,) = run.do(c.GiveFeedback("Q-END", {"realism": 4, "change": "More SimCell."}), nils)
    run.do(c.GiveFeedback("Q-END", {"realism": 2}), nils)  # nobody can tell it is the same person
    assert isinstance(given, FeedbackGiven) and (given.participant, given.team) == ("", None)
    assert audience(run.state, given).is_staff_only
    assert "P0007" not in json.dumps(to_data(given)) and "NOR" not in json.dumps(to_data(given))
    assert "P0007" not in json.dumps(staff_view(run.state)["results"])
    assert "P0007" not in repr(run.state.evaluation.responses)
    (result,) = feedback_results(run.state)
    assert (result.responses, result.teams, result.anonymous) == (2, (), True)
    assert "answered" in participant_view(run.state, nils)["questionnaires"][0]
    assert participant_view(run.state, nils)["questionnaires"][0]["answered"] is False  # never known


def test_the_improvement_plan(run: Run) -> None:
    eva, dana = run.viewer("Eva"), run.viewer("Dana")
    (planned,) = run.do(
        c.RecordImprovement(" Practise the EIO form. ", "National academy", "2027-03-31", "NOR", "LO-ID"), eva
    )
    assert planned == ImprovementRecorded(
        "IP-1", "P0005", "Practise the EIO form.", "National academy", "2027-03-31", "NOR", "LO-ID"
    )
    assert run.do(c.EditImprovement("IP-1", owner="National academy"), dana) == []
    run.do(c.EditImprovement("IP-1", due="2028-02-29", team="", objective=""), dana)
    (plan,) = improvements(run.state)
    assert (plan.due, plan.team, plan.objective, plan.author) == ("2028-02-29", None, None, "P0005")
    run.do(c.EditImprovement("IP-1", team="SUD", objective="LO-ID", text="Joint EIO drill."), dana)
    assert (improvements(run.state)[0].team, improvements(run.state)[0].text) == ("SUD", "Joint EIO drill.")
    for command, message in [
        (c.RecordImprovement("t", "o", "31/03/2027"), "due: expected a date as YYYY-MM-DD, got '31/03/2027'"),
        (c.RecordImprovement("t", "o", "2027-02-29"), "due: expected a date as YYYY-MM-DD, got '2027-02-29'"),
        (c.RecordImprovement("t", "o", "2027-13-01"), "due: expected a date"),
        (c.RecordImprovement("t", " ", "2027-03-31"), "owner: needs 1 to 200 characters, got 0"),
        (c.RecordImprovement("t", "o", "2027-03-31", objective="LO-X"), "no objective 'LO-X'"),
        (c.EditImprovement("IP-9", owner="x"), "no recommendation 'IP-9' in the improvement plan"),
    ]:
        assert refused(run, command, "Eva").message.startswith(message)
    assert refused(run, c.RecordImprovement("t", "o", "2027-03-31"), "Nils").code == "forbidden"
    assert isinstance(run.do(c.WithdrawImprovement("IP-1"), eva)[0], ImprovementWithdrawn)
    assert run.do(c.WithdrawImprovement("IP-1"), eva) == [] and improvements(run.state) == []
    assert refused(run, c.EditImprovement("IP-1", owner="x"), "Eva").code == "invalid_state"
    assert [i.id for i in improvements(run.state, withdrawn=True)] == ["IP-1"]


def test_nothing_of_evaluation_is_recorded_in_a_draft(run: Run) -> None:
    draft = _small(SCENARIO)
    assert refused(draft, c.RecordObservation("NOR", "LO-ID", "t"), "Eva").code == "invalid_state"
    assert refused(draft, c.RecordImprovement("t", "o", "2027-01-01"), "Eva").code == "invalid_state"
    assert refused(draft, c.OpenQuestionnaire("Q-DAY"), "Dana").code == "invalid_state"


def _played(run: Run) -> Run:
    eva, dana, nils = run.viewer("Eva"), run.viewer("Dana"), run.viewer("Nils")
    run.do(c.RecordObservation("NOR", "LO-ID", "OBS-SECRET-1", "S"), eva)
    run.do(c.RecordObservation("SUD", "LO-ID", "OBS-SECRET-2", "M"), run.viewer("Mona"))
    run.do(c.EditObservation("O-1", "P", "OBS-SECRET-3"), eva)
    run.do(c.OpenQuestionnaire("Q-DAY"), dana)
    run.do(c.OpenQuestionnaire("Q-END"), dana)
    run.do(c.GiveFeedback("Q-DAY", {"clarity": 3, "note": "FEEDBACK-SECRET-1"}), run.viewer("Sara"))
    run.do(c.GiveFeedback("Q-DAY", {"clarity": 4, "note": "FEEDBACK-SECRET-2"}), nils)
    run.do(c.GiveFeedback("Q-END", {"realism": 4, "change": "FEEDBACK-SECRET-3"}), nils)
    run.do(c.RecordImprovement("PLAN-SECRET-1", "Academy", "2027-03-31", "NOR"), eva)
    run.do(c.WithdrawObservation("O-2"), run.viewer("Mona"))
    run.do(c.CloseQuestionnaire("Q-DAY"), dana)
    return run


def test_observations_and_feedback_never_reach_participants(run: Run) -> None:
    played = _played(run)
    state = fold(played.log)
    for name in ("Nils", "Nora", "Sara"):
        viewer = played.viewer(name)
        seen = json.dumps(snapshot(state, viewer))
        assert "SECRET" not in seen and "O-1" not in seen and "IP-1" not in seen
        assert set(snapshot(state, viewer)["evaluation"]) == {"questionnaires"}
        told = [e for e in _with_audiences(played.log) if can_see(viewer, e[1])]
        kinds = {event.kind for event, _ in told}
        assert not kinds & {"observation.recorded", "observation.edited", "observation.withdrawn"}
        assert not kinds & {"improvement.recorded", "improvement.edited", "improvement.withdrawn"}
        for event, _ in told:
            if isinstance(event, FeedbackGiven):
                assert event.participant == viewer.participant  # only their own named answer
    staff = json.dumps(snapshot(state, played.viewer("Otto")))
    for word in (
        "OBS-SECRET-3",
        "FEEDBACK-SECRET-1",
        "FEEDBACK-SECRET-2",
        "FEEDBACK-SECRET-3",
        "PLAN-SECRET-1",
    ):
        assert word in staff, word
    assert "OBS-SECRET-2" in staff  # withdrawn, but still in the staff's list (marked withdrawn)


def _with_audiences(log: list[Event]) -> list[tuple[Event, object]]:
    state = fold(log[:1])
    seen = []
    for event in log[1:]:
        state = apply(state, event)
        seen.append((event, audience(state, event)))
    return seen


def test_a_participant_snapshot_equals_what_its_events_told_it(run: Run) -> None:
    played = _played(run)
    for name in ("Nils", "Sara"):
        viewer = played.viewer(name)
        told = fold(played.log[:1])
        for seq, (event, seen_by) in enumerate(_with_audiences(played.log), start=2):
            if can_see(viewer, seen_by):  # type: ignore[arg-type]
                told = apply(dataclasses.replace(told, seq=seq - 1), event)
        told = dataclasses.replace(told, seq=played.state.seq)
        assert snapshot(told, viewer)["evaluation"] == snapshot(played.state, viewer)["evaluation"]


def test_a_snapshot_carries_the_evaluation_and_the_tail_folds_onto_it(run: Run) -> None:
    played = _played(run)
    scenario = played.state.scenario
    assert restore(capture(played.state), scenario) == played.state
    for cut in range(1, len(played.log)):
        at_cut = fold(played.log[:cut])
        state = restore(capture(at_cut), scenario)
        for event in played.log[cut:]:
            state = apply(state, event)
        assert state == played.state, cut


def test_a_staff_welcome_is_bounded(run: Run) -> None:
    eva = run.viewer("Eva")
    for i in range(OBSERVATIONS_LATEST + 5):
        run.do(c.RecordObservation("NOR", "LO-ID", f"note {i}", "S"), eva)
    shown = staff_view(run.state)
    assert len(shown["observations"]) == OBSERVATIONS_LATEST and shown["observations_older"] is True
    assert shown["observations"][-1]["text"] == f"note {OBSERVATIONS_LATEST + 4}"
    assert shown["scorecards"][0]["objectives"][0]["observations"] == OBSERVATIONS_LATEST + 5
    assert [s["code"] for s in shown["scale"]] == ["P", "S", "M", "U"]


def test_which_commands_answer_an_anonymous_questionnaire(run: Run) -> None:
    assert is_anonymous(run.state, c.GiveFeedback("Q-END", {}))
    assert not is_anonymous(run.state, c.GiveFeedback("Q-DAY", {}))
    assert not is_anonymous(run.state, c.GiveFeedback("Q-XX", {}))
    assert not is_anonymous(run.state, c.PostMessage("hello"))


def test_the_report_holds_the_observations_the_feedback_and_the_plan(run: Run) -> None:
    played = _played(run)
    debrief = analyse(
        Entry(seq, at, event) for seq, (at, event) in enumerate(zip(played.times, played.log, strict=True), 1)
    )
    whole = {section.title: section for section in sections(debrief)}
    observations = whole["Observations"].table.rows
    assert [row[-1] for row in observations] == ["OBS-SECRET-3"]  # edited; O-2 withdrawn
    assert observations[0][5] == "P Performed without challenges"
    feedback = whole["Participant feedback"].table.rows
    assert ("Q-DAY (round 1): How clear were today's tasks?", "NOR", "Nils", 4) in feedback
    anonymous = [row for row in feedback if row[0].startswith("Q-END")]
    assert anonymous and {row[1:3] for row in anonymous} == {(None, "anonymous")}
    assert any("Q-DAY" in line or "round 1" in line for line in whole["Participant feedback"].lines)
    assert [row[0] for row in whole["Improvement plan"].table.rows] == ["PLAN-SECRET-1 (NOR)"]
    sud = {section.title: section for section in sections(debrief, "SUD")}
    assert sud["Observations"].table.rows == ()
    assert all(row[1] == "SUD" for row in sud["Participant feedback"].table.rows)
    assert sud["Improvement plan"].table.rows == ()
