"""Validator messages a trainer can act on: one root cause, line and column, a hint for the
usual YAML slips, and YAML read the way a trainer means it (NO is Norway, 10:30 a time)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.scenario.errors import Problem, ScenarioError
from server.scenario.loader import load_scenario, parse_scenario

ROOT = Path(__file__).parents[2]
MIXED = (Path(__file__).parent / "mixed" / "scenario.yaml").read_text(encoding="utf-8")


def problems(text: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "s.yaml")
    return raised.value.problems


def edited(old: str, new: str) -> str:
    assert MIXED.count(old) == 1, old
    return MIXED.replace(old, new)


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


def test_an_unquoted_colon_in_an_included_file_is_one_problem_not_a_hundred(tmp_path: Path) -> None:
    folder = tmp_path / "greenhouse"
    shutil.copytree(ROOT / "scenarios" / "greenhouse", folder)
    countries = folder / "countries.yaml"
    text = countries.read_text(encoding="utf-8")
    countries.write_text(text.replace("    name: Kalmaria\n", "    name: Kalmaria: the north\n", 1))
    warnings: list[Problem] = []
    with pytest.raises(ScenarioError) as raised:
        load_scenario(folder, warnings)
    (problem,) = raised.value.problems  # no "unknown country KAL" for every inject that names it
    assert problem.file == str(countries)
    assert (problem.line, problem.column) == (43, 19)
    assert str(problem).startswith(f"{countries}:43:19: not valid YAML: mapping values are not allowed")
    assert 'put the value in quotes (name: "Kalmaria: the north")' in problem.message
    assert [w.message for w in warnings] == [
        "the cross-checks (references, triggers, availability) run once the YAML error above is fixed"
    ]


def test_two_broken_files_are_two_problems(tmp_path: Path) -> None:
    folder = tmp_path / "greenhouse"
    shutil.copytree(ROOT / "scenarios" / "greenhouse", folder)
    for name in ("countries.yaml", "roles.yaml"):
        file = folder / name
        file.write_text(file.read_text(encoding="utf-8").replace("\n  - id:", "\n\t- id:", 1))
    with pytest.raises(ScenarioError) as raised:
        load_scenario(folder)
    assert sorted(Path(p.file).name for p in raised.value.problems) == ["countries.yaml", "roles.yaml"]


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        (
            "    title: The child speaks\n",
            "    title: The child speaks: a name\n",
            'put the value in quotes (title: "The child speaks: a name")',
        ),
        ("    title: The child speaks\n", "\ttitle: The child speaks\n", "replace the tab at the start"),
        ("  - id: I-05\n", "  -id: I-05\n", "a list item needs a space after the dash"),
    ],
    ids=["unquoted colon", "tab", "no space after the dash"],
)
def test_a_yaml_slip_is_named_at_its_line_and_column_with_what_to_change(
    old: str, new: str, hint: str
) -> None:
    text = edited(old, new)
    (problem,) = problems(text)
    assert problem.line == line_of(text, new)
    assert problem.column is not None
    assert problem.message.startswith("not valid YAML: ")
    assert hint in problem.message


def test_a_duplicate_key_is_an_error_not_a_silent_loss() -> None:
    text = edited("    title: The child speaks\n", "    title: The child speaks\n    title: Again\n")
    (problem,) = problems(text)
    assert (problem.line, problem.column) == (line_of(text, "    title: Again"), 5)
    assert problem.message == (
        f"duplicate key 'title' (also on line {line_of(text, '    title: The child')}): "
        "YAML keeps only the last one, silently; remove one or rename it"
    )


def test_a_list_item_without_its_space_in_a_flow_map_is_named_too() -> None:
    (problem,) = problems(edited("      - {id: MAR-FIU,", "      -{id: MAR-FIU,"))
    assert "a list item needs a space after the dash" in problem.message


def test_a_key_that_lost_its_space_after_the_dash_says_so() -> None:
    text = edited("    from: Control\n    to: all\n    at:", "    from: Control\n    -to: all\n    at:")
    found = [p for p in problems(text) if p.path == "injects[0].-to"]
    assert found
    assert found[0].message == (
        "unknown key '-to' (a list item needs a space after the dash: `- id: ...`, not `-id: ...`)"
    )


def test_no_yes_and_times_of_day_are_read_as_a_trainer_means_them() -> None:
    text = MIXED.replace("OST", "NO").replace('morning: "08:30"', "morning: 10:30")
    text = text.replace(
        "    blocs: [COE, INTERPOL]\n    agencies:\n      - {id: NO.POL",
        "    blocs: [COE, INTERPOL]\n    eio_participant: yes\n    agencies:\n      - {id: NO.POL",
    )
    scenario = parse_scenario(text, "s.yaml")
    assert scenario.countries[0].id == "NO"  # Norway, not false
    assert scenario.countries[0].eio_participant is True
    assert scenario.clock.morning == 10 * 3600 + 30 * 60  # not 630 (base 60)


def test_a_missing_key_is_said_once() -> None:
    found = [p for p in problems(edited("    from: Control\n    to: all\n    at:", "    to: all\n    at:"))]
    assert [(p.path, p.message) for p in found] == [("injects[0].from", "missing 'from'")]


def test_a_problem_points_at_the_column_of_its_key() -> None:
    text = edited(
        "trigger: {action: {action: interview_child, team: MAR}}",
        "trigger: {action: {action: interview_kid, team: MAR}}",
    )
    (problem,) = problems(text)
    assert problem.path == "injects[3].trigger.action.action"
    assert problem.line == line_of(text, "interview_kid")
    assert problem.column == text.splitlines()[problem.line - 1].index("action: interview_kid") + 1
    assert "did you mean 'interview_child'" in problem.message


def test_a_comma_inside_a_flow_map_that_splits_a_text_says_to_quote_it() -> None:
    text = edited(
        "      - {id: MAR-FIU, name: Marenland FIU unit,",
        "      - {id: MAR-FIU, name: Marenland FIU, the unit),",
    )
    found = [p for p in problems(text) if "unit)" in p.path]
    assert found and "a comma ends a value, so put the whole text in quotes" in found[0].message


def test_a_question_mark_inside_a_flow_map_says_to_quote_it() -> None:
    (problem,) = problems(
        edited("      - {id: MAR-FIU, name: Marenland FIU unit,", "      - {id: MAR-FIU, name: Who?, x,")
    )
    assert problem.message.startswith("not valid YAML: ")
    assert "inside { } or [ ], a comma, a colon or a ? ends the value" in problem.message


def test_a_time_of_day_out_of_range_is_one_problem_that_says_the_range() -> None:
    text = edited('    at: "D1 08:30"\n', '    at: "D1 25:00"\n')
    (problem,) = problems(text)
    assert problem.path == "injects[0].at"
    assert "hours 00 to 23" in problem.message
