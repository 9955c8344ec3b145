"""Evaluation: observations, questionnaires' rounds and answers, the improvement plan, kept in
`Exercise.evaluation` (`server.core.evaluation_records`)."""

from __future__ import annotations

from dataclasses import replace

from server.core.evaluation_records import Evaluation, Improvement, Observation, Response, response_key
from server.core.events import (
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
from server.core.exercise import Exercise
from server.core.fold import Handler


def _with(state: Exercise, evaluation: Evaluation) -> Exercise:
    return replace(state, evaluation=evaluation)


def _recorded(state: Exercise, event: ObservationRecorded) -> Exercise:
    observation = Observation(
        id=event.observation,
        author=event.author,
        team=event.team,
        objective=event.objective,
        rating=event.rating,
        text=event.text,
        inject=event.inject,
        request=event.request,
        sim_time=event.sim_time,
        wall_time=event.wall_time,
        seq=state.seq + 1,
    )
    ev = state.evaluation
    return _with(state, replace(ev, observations=ev.observations.set(observation.id, observation)))


def _edited(state: Exercise, event: ObservationEdited) -> Exercise:
    ev = state.evaluation
    changed = replace(
        ev.observations[event.observation], rating=event.rating, text=event.text, edited_at=event.sim_time
    )
    return _with(state, replace(ev, observations=ev.observations.set(changed.id, changed)))


def _withdrawn(state: Exercise, event: ObservationWithdrawn) -> Exercise:
    ev = state.evaluation
    changed = replace(ev.observations[event.observation], withdrawn=True)
    return _with(state, replace(ev, observations=ev.observations.set(changed.id, changed)))


def _opened(state: Exercise, event: QuestionnaireOpened) -> Exercise:
    ev = state.evaluation
    rounds = ev.rounds.set(event.questionnaire, event.round)
    return _with(state, replace(ev, rounds=rounds, open=ev.open | {event.questionnaire}))


def _closed(state: Exercise, event: QuestionnaireClosed) -> Exercise:
    ev = state.evaluation
    return _with(state, replace(ev, open=ev.open - {event.questionnaire}))


def _given(state: Exercise, event: FeedbackGiven) -> Exercise:
    response = Response(
        questionnaire=event.questionnaire,
        round=event.round,
        participant=event.participant,
        team=event.team,
        answers=event.answers,
        sim_time=event.sim_time,
        seq=state.seq + 1,
    )
    ev = state.evaluation
    return _with(state, replace(ev, responses=ev.responses.set(response_key(response), response)))


def _planned(state: Exercise, event: ImprovementRecorded) -> Exercise:
    plan = Improvement(
        id=event.improvement,
        author=event.author,
        text=event.text,
        owner=event.owner,
        due=event.due,
        team=event.team,
        objective=event.objective,
        seq=state.seq + 1,
    )
    ev = state.evaluation
    return _with(state, replace(ev, improvements=ev.improvements.set(plan.id, plan)))


def _replanned(state: Exercise, event: ImprovementEdited) -> Exercise:
    ev = state.evaluation
    plan = replace(
        ev.improvements[event.improvement],
        text=event.text,
        owner=event.owner,
        due=event.due,
        team=event.team,
        objective=event.objective,
    )
    return _with(state, replace(ev, improvements=ev.improvements.set(plan.id, plan)))


def _unplanned(state: Exercise, event: ImprovementWithdrawn) -> Exercise:
    ev = state.evaluation
    changed = replace(ev.improvements[event.improvement], withdrawn=True)
    return _with(state, replace(ev, improvements=ev.improvements.set(changed.id, changed)))


HANDLERS: dict[type, Handler] = {
    ObservationRecorded: _recorded,
    ObservationEdited: _edited,
    ObservationWithdrawn: _withdrawn,
    QuestionnaireOpened: _opened,
    QuestionnaireClosed: _closed,
    FeedbackGiven: _given,
    ImprovementRecorded: _planned,
    ImprovementEdited: _replanned,
    ImprovementWithdrawn: _unplanned,
}
