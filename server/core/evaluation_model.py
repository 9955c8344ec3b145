"""What a scenario says about evaluating its exercise: the rating scale evaluators use, and the
questionnaires participants answer (docs/scenarios.md, "Evaluation and feedback").

Plain values of the scenario model (`server.core.scenario.Scenario` holds them); the rules that
use them are in `server.core.evaluating`, the read side in `server.core.evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class RatingLevel:
    """One level of a rating scale: its code ("P") and what it means."""

    code: str
    label: str
    description: str = ""


HSEEP: tuple[RatingLevel, ...] = (
    RatingLevel("P", "Performed without challenges"),
    RatingLevel("S", "Performed with some challenges"),
    RatingLevel("M", "Performed with major challenges"),
    RatingLevel("U", "Unable to be performed"),
)
"""The Homeland Security Exercise and Evaluation Program's scale of an Exercise Evaluation
Guide, best first: the scale of every scenario that declares none."""


class QuestionKind(StrEnum):
    RATING = "rating"
    """A whole number from `low` to `high` (1 to 5 unless the scenario says otherwise)."""
    CHOICE = "choice"
    """One of `choices`."""
    TEXT = "text"
    """Free text."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    kind: QuestionKind
    choices: tuple[str, ...] = ()
    required: bool = False
    low: int = 1
    high: int = 5


class Moment(StrEnum):
    """When a questionnaire is meant to be opened: a hint for control, not a trigger."""

    END_OF_DAY = "end_of_day"
    END_OF_EXERCISE = "end_of_exercise"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class Questionnaire:
    id: str
    title: str
    questions: tuple[Question, ...]
    anonymous: bool = False
    """Answers carry neither the participant nor the team (docs/protocol.md says what that
    guarantees)."""
    when: Moment = Moment.ANY
    intro: str = ""
