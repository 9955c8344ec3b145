"""The rules of evaluation: evaluators' observations, questionnaires and the improvement plan.

- Evaluators (and mentors and control: `roles.EVALUATING`) record observations of a team
  against one of the scenario's objectives, optionally about an inject or a request, rated on
  the scenario's scale (HSEEP's P/S/M/U by default) or not rated; only the author edits or
  withdraws one.
- Control opens and closes a questionnaire; each opening is a new round (an end-of-day
  questionnaire is opened once a day). Participants answer an open one; a named answer given
  again replaces the first; an anonymous answer carries no participant and no team, so the
  rules cannot tell whether someone answered twice (docs/protocol.md, "Anonymous feedback").
- Staff who evaluate keep the improvement plan: recommendations with an owner and a due date.

Every event here is staff only (`server.core.visibility`) except a questionnaire's opening and
closing, which the stations need.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from server.core import commands as c
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.evaluation_model import HSEEP, Question, QuestionKind, Questionnaire
from server.core.evaluation_records import Answer, Improvement, Observation
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
)
from server.core.exercise import Exercise, Status
from server.core.guards import MAX_TEXT, known_team, require_role, require_status, require_viewer, text_of
from server.core.roles import CONTROL, EVALUATING
from server.core.scenario import Scenario

Evaluating = (
    c.RecordObservation
    | c.EditObservation
    | c.WithdrawObservation
    | c.OpenQuestionnaire
    | c.CloseQuestionnaire
    | c.GiveFeedback
    | c.RecordImprovement
    | c.EditImprovement
    | c.WithdrawImprovement
)

MAX_SHORT = 200
"""Characters an owner or a choice may hold."""


def scale_codes(scenario: Scenario) -> list[str]:
    """The codes of the scenario's rating scale, best first."""
    return [level.code for level in scenario.rating_scale or HSEEP]


def decide_evaluation(state: Exercise, command: Evaluating, actor: c.Actor, now: float) -> list[Event]:
    sim_now = state.clock.sim_at(now)
    match command:
        case c.RecordObservation():
            viewer = require_role(actor, EVALUATING)
            _not_draft(state, "record observations in")
            observation = ObservationRecorded(
                observation=f"O-{len(state.evaluation.observations) + 1}",
                author=viewer.participant,
                team=known_team(state, command.team),
                objective=_objective(state.scenario, command.objective),
                rating=_rating(state.scenario, command.rating),
                text=text_of(command.text),
                inject=_inject(state, command.inject),
                request=_request(state, command.request),
                sim_time=sim_now,
                wall_time=now,
            )
            return [observation]
        case c.EditObservation():
            viewer = require_role(actor, EVALUATING)
            found = _own_observation(state, command.observation, viewer.participant)
            rating = found.rating if command.rating is None else _rating(state.scenario, command.rating)
            text = found.text if command.text is None else text_of(command.text)
            if (rating, text) == (found.rating, found.text):
                return []
            return [ObservationEdited(found.id, viewer.participant, rating, text, sim_now)]
        case c.WithdrawObservation():
            viewer = require_role(actor, EVALUATING)
            found = _own_observation(state, command.observation, viewer.participant, withdrawn_ok=True)
            return [] if found.withdrawn else [ObservationWithdrawn(found.id, viewer.participant)]
        case c.OpenQuestionnaire():
            viewer = require_role(actor, CONTROL)
            require_status(state, "open a questionnaire in", Status.RUNNING, Status.PAUSED, Status.ENDED)
            form = _questionnaire(state.scenario, command.questionnaire)
            if form.id in state.evaluation.open:
                return []
            round_ = state.evaluation.rounds.get(form.id, 0) + 1
            return [
                QuestionnaireOpened(
                    form.id,
                    round_,
                    viewer.participant,
                    form.title,
                    form.intro,
                    form.anonymous,
                    form.questions,
                )
            ]
        case c.CloseQuestionnaire():
            viewer = require_role(actor, CONTROL)
            form = _questionnaire(state.scenario, command.questionnaire)
            if form.id not in state.evaluation.open:
                return []
            return [QuestionnaireClosed(form.id, state.evaluation.rounds[form.id], viewer.participant)]
        case c.GiveFeedback():
            viewer = require_viewer(actor)
            if viewer.staff:
                raise Forbidden("questionnaires are for participants; staff read the results")
            form = _questionnaire(state.scenario, command.questionnaire)
            if form.id not in state.evaluation.open:
                raise InvalidState(f"the questionnaire {form.id!r} is not open")
            answers = _answers(form, command.answers)
            return [
                FeedbackGiven(
                    questionnaire=form.id,
                    round=state.evaluation.rounds[form.id],
                    participant="" if form.anonymous else viewer.participant,
                    team=None if form.anonymous else viewer.team,
                    answers=answers,
                    sim_time=sim_now,
                )
            ]
        case c.RecordImprovement():
            viewer = require_role(actor, EVALUATING)
            _not_draft(state, "record the improvement plan of")
            return [
                ImprovementRecorded(
                    improvement=f"IP-{len(state.evaluation.improvements) + 1}",
                    author=viewer.participant,
                    text=text_of(command.text),
                    owner=_short(command.owner, "owner"),
                    due=_due(command.due),
                    team=_team(state, command.team),
                    objective=_objective(state.scenario, command.objective) if command.objective else None,
                )
            ]
        case c.EditImprovement():
            viewer = require_role(actor, EVALUATING)
            plan = _improvement(state, command.improvement)
            edited = ImprovementEdited(
                improvement=plan.id,
                by=viewer.participant,
                text=plan.text if command.text is None else text_of(command.text),
                owner=plan.owner if command.owner is None else _short(command.owner, "owner"),
                due=plan.due if command.due is None else _due(command.due),
                team=plan.team if command.team is None else _team(state, command.team),
                objective=plan.objective
                if command.objective is None
                else (_objective(state.scenario, command.objective) if command.objective else None),
            )
            same = (edited.text, edited.owner, edited.due, edited.team, edited.objective) == (
                plan.text,
                plan.owner,
                plan.due,
                plan.team,
                plan.objective,
            )
            return [] if same else [edited]
        case c.WithdrawImprovement():  # pragma: no branch (the last of the family)
            viewer = require_role(actor, EVALUATING)
            plan = _improvement(state, command.improvement, withdrawn_ok=True)
            return [] if plan.withdrawn else [ImprovementWithdrawn(plan.id, viewer.participant)]


def _not_draft(state: Exercise, doing: str) -> None:
    require_status(state, doing, Status.READY, Status.RUNNING, Status.PAUSED, Status.ENDED)


def _objective(scenario: Scenario, objective: str) -> str:
    known = [o.id for o in scenario.objectives]
    if objective not in known:
        raise NotFound(
            f"no objective {objective!r} in this scenario (objectives: {', '.join(known) or 'none'})"
        )
    return objective


def _rating(scenario: Scenario, rating: str) -> str:
    codes = scale_codes(scenario)
    if rating and rating not in codes:
        raise InvalidArguments(f"rating: {rating!r} is not on the scale ({', '.join(codes)}, or none)")
    return rating


def _inject(state: Exercise, inject: str) -> str:
    if inject and inject not in state.injects:
        raise NotFound(f"no inject {inject!r} in this exercise")
    return inject


def _request(state: Exercise, request: str) -> str:
    if request and request not in state.requests:
        raise NotFound(f"no request {request!r} in this exercise")
    return request


def _team(state: Exercise, team: str | None) -> str | None:
    return known_team(state, team) if team else None


def _own_observation(
    state: Exercise, observation: str, participant: str, *, withdrawn_ok: bool = False
) -> Observation:
    found = state.evaluation.observations.get(observation)
    if found is None:
        raise NotFound(f"no observation {observation!r} in this exercise")
    if found.author != participant:
        raise Forbidden(f"only its author edits or withdraws the observation {observation!r}")
    if found.withdrawn and not withdrawn_ok:
        raise InvalidState(f"the observation {observation!r} was withdrawn")
    return found


def _improvement(state: Exercise, improvement: str, *, withdrawn_ok: bool = False) -> Improvement:
    found = state.evaluation.improvements.get(improvement)
    if found is None:
        raise NotFound(f"no recommendation {improvement!r} in the improvement plan")
    if found.withdrawn and not withdrawn_ok:
        raise InvalidState(f"the recommendation {improvement!r} was withdrawn")
    return found


def _questionnaire(scenario: Scenario, questionnaire: str) -> Questionnaire:
    found = next((q for q in scenario.questionnaires if q.id == questionnaire), None)
    if found is None:
        known = ", ".join(q.id for q in scenario.questionnaires) or "none"
        raise NotFound(f"no questionnaire {questionnaire!r} in this scenario (questionnaires: {known})")
    return found


def _short(text: str, what: str) -> str:
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_SHORT:
        raise InvalidArguments(f"{what}: needs 1 to {MAX_SHORT} characters, got {len(stripped)}")
    return stripped


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _due(due: str) -> str:
    """A calendar date as YYYY-MM-DD (read without `datetime`: the core reads no clock)."""
    found = _DATE.match(due.strip())
    if found:
        year, month, day = (int(part) for part in found.groups())
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        if 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1] and (month, day, leap) != (2, 29, False):
            return found.group(0)
    raise InvalidArguments(f"due: expected a date as YYYY-MM-DD, got {due!r}")


def _answers(form: Questionnaire, given: Mapping[str, Any]) -> tuple[Answer, ...]:
    questions = {q.id: q for q in form.questions}
    for key in given:
        if key not in questions:
            raise InvalidArguments(
                f"answers.{key}: no such question in {form.id!r} (questions: {', '.join(questions)})"
            )
    answers = []
    for question in form.questions:
        value = given.get(question.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            if question.required:
                raise InvalidArguments(f"answers.{question.id}: this question needs an answer")
            continue
        answers.append(_answer(question, value))
    if not answers:
        raise InvalidArguments("answers: answer at least one question")
    return tuple(answers)


def _answer(question: Question, value: Any) -> Answer:
    where = f"answers.{question.id}"
    match question.kind:
        case QuestionKind.RATING:
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not question.low <= value <= question.high
            ):
                raise InvalidArguments(
                    f"{where}: expected a whole number from {question.low} to {question.high}"
                )
            return Answer(question.id, rating=value)
        case QuestionKind.CHOICE:
            if value not in question.choices:
                raise InvalidArguments(f"{where}: expected one of {', '.join(question.choices)}")
            return Answer(question.id, value=str(value))
        case QuestionKind.TEXT:  # pragma: no branch (the last kind)
            if not isinstance(value, str) or len(value.strip()) > MAX_TEXT:
                raise InvalidArguments(f"{where}: expected a text of at most {MAX_TEXT} characters")
            return Answer(question.id, value=value.strip())
