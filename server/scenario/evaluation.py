"""Reading what a scenario says about evaluation: `rating_scale` (the evaluators' scale, HSEEP's
P/S/M/U when left out) and `questionnaires` (participants' feedback), often in a
`feedback.yaml` of their own (docs/scenarios.md, "Evaluation and feedback")."""

from __future__ import annotations

from typing import Any

from server.core.evaluation_model import Moment, Question, QuestionKind, Questionnaire, RatingLevel
from server.scenario.fields import FieldReader

MOST_QUESTIONS = 40
"""Questions a questionnaire may hold (a form a participant fills in at the end of a day)."""


class EvaluationReader(FieldReader):
    def rating_scale(self, data: dict[str, Any]) -> tuple[RatingLevel, ...]:
        levels = tuple(self.items(data, "rating_scale", self.rating_level))
        if "rating_scale" in data and len(levels) < 2:
            self.problem("rating_scale", "a rating scale needs at least two levels (the best first)")
        codes = [level.code for level in levels]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                self.problem(f"rating_scale[{i}].code", f"duplicate code {code!r} in rating_scale")
        return levels

    def rating_level(self, value: Any, path: str) -> RatingLevel | None:
        data = self.map(value, path, {"code", "label", "description"}, {"code", "label"})
        if data is None:
            return None
        return RatingLevel(
            code=self.text(data.get("code"), f"{path}.code"),
            label=self.text(data.get("label"), f"{path}.label"),
            description=self.text(data.get("description"), f"{path}.description", required=False),
        )

    def questionnaire(self, value: Any, path: str) -> Questionnaire | None:
        keys = {"id", "title", "intro", "anonymous", "when", "questions"}
        data = self.map(value, path, keys, {"id", "title", "questions"})
        if data is None:
            return None
        questions = tuple(self.items_at(data, "questions", path, self.question))
        if not questions and isinstance(data.get("questions"), list):
            self.problem(f"{path}.questions", "a questionnaire needs at least one question")
        if len(questions) > MOST_QUESTIONS:
            self.problem(f"{path}.questions", f"at most {MOST_QUESTIONS} questions, got {len(questions)}")
        ids = [q.id for q in questions]
        for i, qid in enumerate(ids):
            if qid in ids[:i]:
                self.problem(
                    f"{path}.questions[{i}].id", f"duplicate question id {qid!r} in this questionnaire"
                )
        return Questionnaire(
            id=self.identifier(data.get("id"), f"{path}.id"),
            title=self.text(data.get("title"), f"{path}.title"),
            intro=self.text(data.get("intro"), f"{path}.intro", required=False),
            anonymous=self.boolean(data.get("anonymous"), f"{path}.anonymous", False),
            when=self.enum(data.get("when"), f"{path}.when", Moment, Moment.ANY),
            questions=questions,
        )

    def question(self, value: Any, path: str) -> Question | None:
        keys = {"id", "text", "type", "choices", "required", "low", "high"}
        data = self.map(value, path, keys, {"id", "text", "type"})
        if data is None:
            return None
        kind = self.enum(data.get("type"), f"{path}.type", QuestionKind, QuestionKind.TEXT)
        choices = self.strings(data.get("choices"), f"{path}.choices")
        if kind is QuestionKind.CHOICE and len(set(choices)) < 2:
            self.problem(f"{path}.choices", "a choice question needs at least two different choices")
        if kind is not QuestionKind.CHOICE and choices:
            self.problem(f"{path}.choices", f"only a choice question has choices (this one is {kind})")
        low = self.integer(data.get("low"), f"{path}.low", 1, 0, 10)
        high = self.integer(data.get("high"), f"{path}.high", 5, 1, 10)
        if kind is QuestionKind.RATING and low >= high:
            self.problem(f"{path}.high", f"high ({high}) must be above low ({low})")
        if kind is not QuestionKind.RATING and ("low" in data or "high" in data):
            self.problem(f"{path}.low", f"only a rating question has low and high (this one is {kind})")
        return Question(
            id=self.identifier(data.get("id"), f"{path}.id"),
            text=self.text(data.get("text"), f"{path}.text"),
            kind=kind,
            choices=choices,
            required=self.boolean(data.get("required"), f"{path}.required", False),
            low=low,
            high=high,
        )
