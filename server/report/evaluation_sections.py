"""The report's sections from the staff's record of the exercise: evaluators' observations,
participants' feedback and the improvement plan (`server.core.evaluation`).

A team's report holds the observations of that team, the named answers of its members (and
every anonymous answer's counts are left to the exercise's report, since they name no team) and
the recommendations for that team or for everyone.
"""

from __future__ import annotations

from server.core.evaluation import feedback_results, improvements, observations, scale
from server.core.evaluation_records import Answer
from server.core.exercise import Exercise
from server.core.simtime import format_sim_time

Cell = str | int | float | None

OBSERVATION_HEADER = ("time", "evaluator", "team", "objective", "inject or request", "rating", "observation")
FEEDBACK_HEADER = ("question", "team", "respondent", "answer")
IMPROVEMENT_HEADER = ("recommendation", "objective", "owner", "due", "status")


def observation_rows(state: Exercise, team: str | None) -> tuple[tuple[Cell, ...], ...]:
    labels = dict(_rating_labels(state))
    return tuple(
        (
            format_sim_time(o.sim_time),
            _name(state, o.author),
            o.team,
            _objective(state, o.objective),
            o.inject or o.request or None,
            labels.get(o.rating, o.rating) or None,
            o.text,
        )
        for o in observations(state, team)
    )


def feedback_rows(state: Exercise, team: str | None) -> tuple[tuple[Cell, ...], ...]:
    questions = {
        (form.id, question.id): question.text
        for form in state.scenario.questionnaires
        for question in form.questions
    }
    rows: list[tuple[Cell, ...]] = []
    for response in state.evaluation.responses.values():
        if team is not None and response.team != team:
            continue
        respondent = _name(state, response.participant) if response.participant else "anonymous"
        for answer in response.answers:
            question = questions.get((response.questionnaire, answer.question), answer.question)
            rows.append((
                f"{response.questionnaire} (round {response.round}): {question}",
                response.team, respondent, _answer(answer),
            ))  # fmt: skip
    return tuple(rows)


def feedback_summary(state: Exercise) -> tuple[str, ...]:
    """One line per questionnaire round: how many answered, and the mean of each rating."""
    lines = []
    for result in feedback_results(state):
        means = ", ".join(f"{q.text} {q.mean:.1f}" for q in result.questions if q.mean is not None)
        lines.append(
            f"{result.title} (round {result.round}): {result.responses} answers"
            + (f"; means: {means}" if means else "")
        )
    return tuple(lines)


def improvement_rows(state: Exercise, team: str | None) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            i.text + (f" ({i.team})" if i.team else ""),
            _objective(state, i.objective) if i.objective else None,
            i.owner,
            i.due,
            "open",
        )
        for i in improvements(state)
        if team is None or i.team in (None, team)
    )


def _answer(answer: Answer) -> Cell:
    return answer.rating if answer.rating is not None else answer.value


def _name(state: Exercise, participant: str) -> str:
    person = state.participants.get(participant)
    return person.name if person is not None else participant


def _objective(state: Exercise, objective: str) -> str:
    found = next((o for o in state.scenario.objectives if o.id == objective), None)
    return f"{objective} {found.title}" if found is not None else objective


def _rating_labels(state: Exercise) -> list[tuple[str, str]]:
    return [(level.code, f"{level.code} {level.label}") for level in scale(state)]
