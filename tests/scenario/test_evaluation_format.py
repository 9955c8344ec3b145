"""The scenario format's evaluation parts: `rating_scale` and `questionnaires` (docs/scenarios.md,
"Evaluation and feedback"): read into the model, and each mistake named with its file, line and path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.core.evaluation_model import Moment, QuestionKind, RatingLevel
from server.scenario.errors import ScenarioError
from server.scenario.loader import load_scenario, parse_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"

SCALE = """
rating_scale:
  - {code: "3", label: Fully met, description: "All the expected actions, in time"}
  - {code: "2", label: Partly met}
  - {code: "1", label: Not met}
"""


def _twin_ports(tmp_path: Path, extra: str = "", old: str = "", new: str = "") -> Path:
    folder = tmp_path / "twin-ports"
    shutil.copytree(SCENARIOS / "twin-ports", folder)
    file = folder / "scenario.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1) + extra, encoding="utf-8")
    return folder


def test_the_flagship_has_an_end_of_day_and_an_anonymous_end_of_exercise_questionnaire() -> None:
    greenhouse = load_scenario(SCENARIOS / "greenhouse")
    day, end = greenhouse.questionnaires
    assert (day.id, day.when, day.anonymous) == ("Q-DAY", Moment.END_OF_DAY, False)
    assert (end.id, end.when, end.anonymous) == ("Q-END", Moment.END_OF_EXERCISE, True)
    kinds = {q.kind for q in day.questions + end.questions}
    assert kinds == {QuestionKind.RATING, QuestionKind.CHOICE, QuestionKind.TEXT}
    assert greenhouse.rating_scale == ()  # HSEEP's P/S/M/U


def test_a_scenario_declares_its_own_scale(tmp_path: Path) -> None:
    scenario = load_scenario(_twin_ports(tmp_path, SCALE))
    assert scenario.rating_scale == (
        RatingLevel("3", "Fully met", "All the expected actions, in time"),
        RatingLevel("2", "Partly met"),
        RatingLevel("1", "Not met"),
    )


MISTAKES = [
    ("rating_scale:\n  - {code: P, label: Passed}\n", "", "", "rating_scale", "at least two levels"),
    (
        "rating_scale:\n  - {code: P, label: A}\n  - {code: P, label: B}\n",
        "",
        "",
        "rating_scale[1].code",
        "duplicate code 'P' in rating_scale",
    ),
    ("rating_scale:\n  - {code: P}\n  - {code: S, label: B}\n", "", "", "rating_scale[0].label", "missing 'label'"),
    ("", "type: rating, required: true}", "type: ratings, required: true}", "questionnaires[0].questions[0].type", "expected one of rating, choice, text"),
    ("", "choices: [Instruments, Waiting, Nothing]", "choices: [Waiting]", "questionnaires[0].questions[1].choices", "at least two different choices"),
    ("", "{id: note, text: One thing to do differently, type: text}", "{id: note, text: x, type: text, choices: [a, b]}", "questionnaires[0].questions[2].choices", "only a choice question has choices"),
    ("", "{id: clarity, text:", "{id: blocker, text:", "questionnaires[0].questions[1].id", "duplicate question id 'blocker'"),
    ("", "type: rating, required: true}\n      - {id: blocker", "type: rating, low: 5, high: 5}\n      - {id: blocker", "questionnaires[0].questions[0].high", "high (5) must be above low (5)"),
    ("", "{id: note, text: One thing to do differently, type: text}", "{id: note, text: x, type: text, high: 3}", "questionnaires[0].questions[2].low", "only a rating question has low and high"),
    ("", "when: end_of_exercise", "when: end_of_course", "questionnaires[1].when", "expected one of end_of_day, end_of_exercise, any"),
    ("", "anonymous: true", "anonymous: yes please", "questionnaires[1].anonymous", "expected true or false"),
    ("", "  - id: Q-END", "  - id: Q-DAY", "questionnaires[1].id", "duplicate id 'Q-DAY' in questionnaires"),
    ("", "    anonymous: true\n    questions:", "    anonymous: true\n    questionz:", "questionnaires[1].questionz", "unknown key 'questionz'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "old", "new", "path", "message"), MISTAKES, ids=[m[3] + ":" + m[4] for m in MISTAKES]
)
def test_each_mistake_is_named_with_its_path(
    tmp_path: Path, extra: str, old: str, new: str, path: str, message: str
) -> None:
    folder = _twin_ports(tmp_path, extra, old, new)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(folder)
    matching = [p for p in raised.value.problems if p.path == path and message in p.message]
    assert matching, "\n".join(map(str, raised.value.problems))
    assert matching[0].file == str(folder / "scenario.yaml") and matching[0].line is not None


def test_a_questionnaire_needs_questions_and_not_too_many() -> None:
    base = (SCENARIOS / "twin-ports" / "scenario.yaml").read_text(encoding="utf-8")
    empty = base.replace(
        "questionnaires:\n", "questionnaires:\n  - {id: Q-EMPTY, title: Empty, questions: []}\n", 1
    )
    with pytest.raises(ScenarioError, match="a questionnaire needs at least one question"):
        parse_scenario(empty)
    many = "\n".join(f"      - {{id: q{i}, text: Q{i}, type: text}}" for i in range(41))
    crowded = base.replace(
        "questionnaires:\n", f"questionnaires:\n  - id: Q-MANY\n    title: Many\n    questions:\n{many}\n", 1
    )
    with pytest.raises(ScenarioError, match="at most 40 questions, got 41"):
        parse_scenario(crowded)
