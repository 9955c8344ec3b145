"""Reading the staff's record of an exercise: observations, scorecards, feedback results and the
improvement plan. Pure functions of the state, for the staff welcome (`server.core.view`) and
the debrief's reports; nothing here is ever shown to a participant, except `participant_view`
(the questionnaires open now, and whether they answered a named one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server.core.audience import Viewer
from server.core.commands import GiveFeedback
from server.core.evaluation_model import HSEEP, QuestionKind, Questionnaire, RatingLevel
from server.core.evaluation_records import Improvement, Observation, Response
from server.core.exercise import Exercise

OBSERVATIONS_LATEST = 1_000
"""Observations a staff welcome carries (the latest); the report reads them all."""
RESPONSES_LATEST = 1_000
"""Answers to questionnaires a staff welcome carries (the latest), for the console to add live
answers to (a named answer given again replaces the first)."""
TEXTS_LATEST = 50
"""Free-text answers per question a staff welcome carries (the latest)."""


def scale(state: Exercise) -> tuple[RatingLevel, ...]:
    """The evaluators' scale, best first: the scenario's, or HSEEP's P/S/M/U."""
    return state.scenario.rating_scale or HSEEP


def observations(state: Exercise, team: str | None = None, *, withdrawn: bool = False) -> list[Observation]:
    """Observations in the order they were recorded (of one team, when given); withdrawn ones
    only when asked for."""
    return [
        o
        for o in state.evaluation.observations.values()
        if (team is None or o.team == team) and (withdrawn or not o.withdrawn)
    ]


@dataclass(frozen=True, slots=True)
class ObjectiveScore:
    objective: str
    title: str
    latest: tuple[tuple[str, str], ...]
    """(evaluator, rating) for each evaluator's latest rated observation, by evaluator."""
    counts: tuple[tuple[str, int], ...]
    """How many of those latest ratings are at each level of the scale (every level, best first)."""
    observations: int
    """Observations of the team against this objective (rated or not, withdrawn left out)."""


@dataclass(frozen=True, slots=True)
class Scorecard:
    team: str
    objectives: tuple[ObjectiveScore, ...]
    """Every objective of the scenario, in its order."""
    observations: int


def scorecard(state: Exercise, team: str) -> Scorecard:
    """A team's ratings per objective: each evaluator's latest rating counts once."""
    levels = [level.code for level in scale(state)]
    mine = observations(state, team)
    rows = []
    for objective in state.scenario.objectives:
        about = [o for o in mine if o.objective == objective.id]
        latest: dict[str, str] = {}
        for o in sorted((o for o in about if o.rating), key=_recorded_order):
            latest[o.author] = o.rating
        counts = Counter(latest.values())
        rows.append(
            ObjectiveScore(
                objective=objective.id,
                title=objective.title,
                latest=tuple(sorted(latest.items())),
                counts=tuple((code, counts.get(code, 0)) for code in levels),
                observations=len(about),
            )
        )
    return Scorecard(team, tuple(rows), len(mine))


def _recorded_order(observation: Observation) -> tuple[float, int]:
    """An edit makes an observation the evaluator's latest word on its objective."""
    return (
        observation.edited_at if observation.edited_at is not None else observation.sim_time,
        observation.seq,
    )


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question: str
    text: str
    kind: QuestionKind
    answered: int
    counts: tuple[tuple[str, int], ...]
    """For a rating (every value, low first) or a choice (every choice): how many gave it."""
    mean: float | None
    """The mean of a rating question's answers."""
    texts: tuple[str, ...]
    """A text question's answers, in the order given."""


@dataclass(frozen=True, slots=True)
class QuestionnaireResult:
    questionnaire: str
    title: str
    round: int
    anonymous: bool
    open: bool
    responses: int
    teams: tuple[tuple[str, int], ...]
    """Responses per team (named questionnaires only)."""
    questions: tuple[QuestionResult, ...]


def feedback_results(state: Exercise) -> list[QuestionnaireResult]:
    """Each round of each questionnaire opened so far, in the scenario's order, round by round."""
    by_round: dict[tuple[str, int], list[Response]] = {}
    for response in state.evaluation.responses.values():
        by_round.setdefault((response.questionnaire, response.round), []).append(response)
    results = []
    for form in state.scenario.questionnaires:
        for round_ in range(1, state.evaluation.rounds.get(form.id, 0) + 1):
            responses = by_round.get((form.id, round_), [])
            is_open = form.id in state.evaluation.open and round_ == state.evaluation.rounds[form.id]
            results.append(_result(form, round_, is_open, responses))
    return results


def _result(
    form: Questionnaire, round_: int, is_open: bool, responses: list[Response]
) -> QuestionnaireResult:
    teams = Counter(r.team for r in responses if r.team is not None)
    questions = []
    for question in form.questions:
        given = [a for r in responses for a in r.answers if a.question == question.id]
        counts: tuple[tuple[str, int], ...] = ()
        mean = None
        if question.kind is QuestionKind.RATING:
            ratings = Counter(a.rating for a in given)
            counts = tuple((str(v), ratings.get(v, 0)) for v in range(question.low, question.high + 1))
            values = [a.rating for a in given if a.rating is not None]
            mean = round(sum(values) / len(values), 2) if values else None
        elif question.kind is QuestionKind.CHOICE:
            chosen = Counter(a.value for a in given)
            counts = tuple((choice, chosen.get(choice, 0)) for choice in question.choices)
        texts = tuple(a.value for a in given) if question.kind is QuestionKind.TEXT else ()
        questions.append(
            QuestionResult(question.id, question.text, question.kind, len(given), counts, mean, texts)
        )
    return QuestionnaireResult(
        form.id,
        form.title,
        round_,
        form.anonymous,
        is_open,
        len(responses),
        tuple(sorted(teams.items())),
        tuple(questions),
    )


def improvements(state: Exercise, *, withdrawn: bool = False) -> list[Improvement]:
    """The improvement plan, in the order recommendations were made."""
    return [i for i in state.evaluation.improvements.values() if withdrawn or not i.withdrawn]


def is_anonymous(state: Exercise, command: object) -> bool:
    """Whether `command` answers an anonymous questionnaire: then nothing kept for it may name
    its sender, not even the record of applied command ids (`server.adapters.command_execution`)."""
    if not isinstance(command, GiveFeedback):
        return False
    form = next((q for q in state.scenario.questionnaires if q.id == command.questionnaire), None)
    return form is not None and form.anonymous


def participant_view(state: Exercise, viewer: Viewer) -> dict[str, Any]:
    """What a participant's welcome says of evaluation: the questionnaires open now (with their
    questions), and for a named one whether they answered this round. Nothing else."""
    forms = {form.id: form for form in state.scenario.questionnaires}
    shown = []
    for qid in sorted(state.evaluation.open):
        form = forms[qid]
        round_ = state.evaluation.rounds[qid]
        answered = (
            not form.anonymous
        ) and f"{qid}/{round_}/{viewer.participant}" in state.evaluation.responses
        shown.append({**questionnaire_data(form), "round": round_, "answered": answered})
    return {"questionnaires": shown}


def questionnaire_data(form: Questionnaire) -> dict[str, Any]:
    return {
        "id": form.id,
        "title": form.title,
        "intro": form.intro,
        "anonymous": form.anonymous,
        "when": str(form.when),
        "questions": [
            {
                "id": q.id,
                "text": q.text,
                "kind": str(q.kind),
                "choices": list(q.choices),
                "required": q.required,
                "low": q.low,
                "high": q.high,
            }
            for q in form.questions
        ],
    }


def staff_view(state: Exercise) -> dict[str, Any]:
    """What a staff welcome says of evaluation: the scale, the objectives, the latest
    observations, every team's scorecard, the questionnaires with their results (the latest
    texts), the improvement plan. Bounded: by the scenario's size and `*_LATEST`."""
    recorded = list(state.evaluation.observations.values())
    forms = {form.id: form for form in state.scenario.questionnaires}
    return {
        "scale": [{"code": level.code, "label": level.label} for level in scale(state)],
        "objectives": [{"id": o.id, "title": o.title} for o in state.scenario.objectives],
        "observations": [observation_data(o) for o in recorded[-OBSERVATIONS_LATEST:]],
        "observations_older": len(recorded) > OBSERVATIONS_LATEST,
        "scorecards": [scorecard_data(scorecard(state, team)) for team in state.teams],
        "questionnaires": [
            {
                **questionnaire_data(form),
                "open": form.id in state.evaluation.open,
                "round": state.evaluation.rounds.get(form.id, 0),
            }
            for form in forms.values()
        ],
        "results": [result_data(result) for result in feedback_results(state)],
        "responses": [
            response_data(r) for r in list(state.evaluation.responses.values())[-RESPONSES_LATEST:]
        ],
        "improvements": [improvement_data(i) for i in _latest(improvements(state), OBSERVATIONS_LATEST)],
    }


def _latest(items: Iterable[Improvement], most: int) -> list[Improvement]:
    return list(items)[-most:]


def observation_data(o: Observation) -> dict[str, Any]:
    return {
        "id": o.id,
        "author": o.author,
        "team": o.team,
        "objective": o.objective,
        "rating": o.rating,
        "text": o.text,
        "inject": o.inject,
        "request": o.request,
        "sim_time": o.sim_time,
        "wall_time": o.wall_time,
        "seq": o.seq,
        "edited_at": o.edited_at,
        "withdrawn": o.withdrawn,
    }


def scorecard_data(card: Scorecard) -> dict[str, Any]:
    return {
        "team": card.team,
        "observations": card.observations,
        "objectives": [
            {
                "objective": row.objective,
                "title": row.title,
                "latest": dict(row.latest),
                "counts": dict(row.counts),
                "observations": row.observations,
            }
            for row in card.objectives
        ],
    }


def result_data(result: QuestionnaireResult) -> dict[str, Any]:
    return {
        "questionnaire": result.questionnaire,
        "title": result.title,
        "round": result.round,
        "anonymous": result.anonymous,
        "open": result.open,
        "responses": result.responses,
        "teams": dict(result.teams),
        "questions": [
            {
                "question": q.question,
                "text": q.text,
                "kind": str(q.kind),
                "answered": q.answered,
                "counts": dict(q.counts),
                "mean": q.mean,
                "texts": list(q.texts[-TEXTS_LATEST:]),
            }
            for q in result.questions
        ],
    }


def response_data(r: Response) -> dict[str, Any]:
    return {
        "questionnaire": r.questionnaire,
        "round": r.round,
        "participant": r.participant,
        "team": r.team,
        "answers": [{"question": a.question, "rating": a.rating, "value": a.value} for a in r.answers],
        "seq": r.seq,
    }


def improvement_data(i: Improvement) -> dict[str, Any]:
    return {
        "id": i.id,
        "author": i.author,
        "text": i.text,
        "owner": i.owner,
        "due": i.due,
        "team": i.team,
        "objective": i.objective,
        "seq": i.seq,
    }
