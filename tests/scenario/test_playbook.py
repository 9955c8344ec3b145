"""A scenario's `playbook` (what a strong cohort does) is checked like the rest: every step can
be played, by someone who plays in the team named and may do it, within the exercise."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtest.playbook import strong
from server.core.simtime import parse_sim_time
from server.scenario.errors import Problem, ScenarioError
from server.scenario.loader import parse_scenario

MIXED = (Path(__file__).parent / "mixed" / "scenario.yaml").read_text(encoding="utf-8")
REQUESTS = """
requests:
  - {id: ER-1, title: Refer to the prosecutor, from: MAR, role: police, instrument: REFERRAL, to: MAR,
     content: "The facts of the case", when: D1 morning}
  - {id: ER-2, title: Letter rogatory to Ostmark, from: MAR, role: police, instrument: MLA, to: OST,
     content: "The facts of the case", when: D1 afternoon}
"""


def scenario_with(steps: str) -> str:
    return MIXED.rstrip("\n") + "\n" + REQUESTS + "playbook:\n" + steps


def problems(steps: str) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(scenario_with(steps), "s.yaml")
    problems: list[Problem] = raised.value.problems
    return [f"{p.path}: {p.message}" for p in problems]


def test_a_playbook_times_the_expected_requests_and_the_actions_of_units() -> None:
    scenario = parse_scenario(
        scenario_with(
            '  - {at: "D1 09:00", action: appoint_guardian, team: MAR-SOC, role: social_worker, subject: child A}\n'
            '  - {at: "D1 09:30", request: ER-1}\n'
            '  - {at: "D1 10:00", request: ER-2, to: OST}\n'
        ),
        "s.yaml",
    )
    assert [(s.at, s.request or s.action) for s in scenario.playbook] == [
        (parse_sim_time("D1 09:00"), "appoint_guardian"),
        (parse_sim_time("D1 09:30"), "ER-1"),
        (parse_sim_time("D1 10:00"), "ER-2"),
    ]
    steps = strong(scenario)
    assert [(s.at, s.team, s.role, s.command, s.args.get("to")) for s in steps] == [
        ("D1 09:00", "MAR-SOC", "social_worker", "action.take", None),
        ("D1 09:30", "MAR-POL", "police", "request.draft", "MAR-PROS"),  # the prosecution unit
        ("D1 10:00", "MAR-POL", "police", "request.draft", "OST"),
    ]


def test_without_a_playbook_step_an_expected_request_is_made_four_hours_after_startex() -> None:
    scenario = parse_scenario(scenario_with("  []\n").replace("playbook:\n  []\n", ""), "s.yaml")
    assert {s.at for s in strong(scenario)} == {"D1 12:30"}


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            '  - {at: "D1 09:00", action: appoint_guardian, team: MAR-POL, role: social_worker}\n',
            "playbook[0].role: no social_worker plays in MAR-POL: name a team where the role plays",
        ),
        (
            '  - {at: "D1 09:00", action: search, team: MAR-SOC, role: social_worker}\n',
            "playbook[0].role: social_worker may not take search (add act:search to its capabilities)",
        ),
        ('  - {at: "D1 09:00", request: ER-9}\n', "playbook[0].request: unknown expected request"),
        (
            '  - {at: "D3 09:00", request: ER-1}\n',
            "playbook[0].at: the step is outside the exercise: D3 09:00 is after ENDEX (D2 17:00)",
        ),
        (
            '  - {at: "D1 09:00", request: ER-1, team: OST}\n',
            "playbook[0].team: OST is not a team of MAR (request ER-1 is from MAR to MAR)",
        ),
        (
            '  - {at: "D1 09:00", request: ER-1, action: search}\n',
            "playbook[0]: a playbook step makes either a `request` (an id under `requests`) or an `action`",
        ),
        (
            '  - {at: "D1 09:00", action: search, role: police}\n',
            "playbook[0]: missing 'team': who takes the action (search)",
        ),
    ],
)
def test_a_step_that_cannot_be_played_is_reported(steps: str, expected: str) -> None:
    found = problems(steps)
    assert any(message.startswith(expected) for message in found), found
