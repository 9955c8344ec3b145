"""The staff's record of how the exercise went, as the state holds it: evaluators'
observations, participants' feedback and the improvement plan (`Exercise.evaluation`).

Plain immutable records; `server.core.fold.evaluation` keeps them, `server.core.evaluating`
decides the changes, `server.core.evaluation` reads them. None of it ever reaches a participant
(`server.core.visibility`), except which questionnaires are open and their questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from immutables import Map

from server.core.ordered import Ordered


@dataclass(frozen=True, slots=True)
class Observation:
    """An evaluator's observation of a team against one of the scenario's objectives."""

    id: str
    author: str
    team: str
    objective: str
    rating: str
    """A code of the scenario's scale ("P", "S" ...), or "" for an observation not rated."""
    text: str
    inject: str
    """The inject it is about, or ""."""
    request: str
    """The request it is about, or ""."""
    sim_time: float
    wall_time: float
    seq: int
    """The seq of its `observation.recorded`."""
    edited_at: float | None = None
    """The simulated time of its latest edit."""
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """One question answered: `rating` for a rating question, `value` for a choice or a text."""

    question: str
    rating: int | None = None
    value: str = ""


@dataclass(frozen=True, slots=True)
class Response:
    """One participant's answers to one round of a questionnaire. An anonymous one has no
    participant and no team."""

    questionnaire: str
    round: int
    participant: str
    team: str | None
    answers: tuple[Answer, ...]
    sim_time: float
    seq: int


@dataclass(frozen=True, slots=True)
class Improvement:
    """A recommendation of the improvement plan."""

    id: str
    author: str
    text: str
    owner: str
    due: str
    """A calendar date, YYYY-MM-DD (the plan is carried out after the exercise, in real life)."""
    team: str | None
    objective: str | None
    seq: int
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class Evaluation:
    observations: Ordered[str, Observation] = field(default_factory=Ordered)
    rounds: Map[str, int] = field(default_factory=Map)
    """The round of each questionnaire opened so far (1 the first time, 2 when reopened ...)."""
    open: frozenset[str] = frozenset()
    """The questionnaires open now."""
    responses: Ordered[str, Response] = field(default_factory=Ordered)
    """By `response_key`: a named participant's second answer to a round replaces the first."""
    improvements: Ordered[str, Improvement] = field(default_factory=Ordered)


def response_key(response: Response) -> str:
    who = response.participant or f"#{response.seq}"
    return f"{response.questionnaire}/{response.round}/{who}"


@dataclass(frozen=True, slots=True)
class CapturedEvaluation:
    """`Evaluation` as plain typed data, for snapshots (`server.core.snapshots`)."""

    observations: tuple[Observation, ...]
    rounds: tuple[tuple[str, int], ...]
    open: tuple[str, ...]
    responses: tuple[Response, ...]
    improvements: tuple[Improvement, ...]


def capture_evaluation(evaluation: Evaluation) -> CapturedEvaluation:
    return CapturedEvaluation(
        observations=tuple(evaluation.observations.values()),
        rounds=tuple(evaluation.rounds.items()),
        open=tuple(sorted(evaluation.open)),
        responses=tuple(evaluation.responses.values()),
        improvements=tuple(evaluation.improvements.values()),
    )


def restore_evaluation(captured: CapturedEvaluation) -> Evaluation:
    return Evaluation(
        observations=Ordered((o.id, o) for o in captured.observations),
        rounds=Map(captured.rounds),
        open=frozenset(captured.open),
        responses=Ordered((response_key(r), r) for r in captured.responses),
        improvements=Ordered((i.id, i) for i in captured.improvements),
    )
