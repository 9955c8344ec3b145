"""Dead conditions are errors: a trigger, a SimCell template or an expected request that can
never hold is reported with the reason and where it is, under every team model; and the team
models themselves are checked (units of the right country, no id both a unit and a country)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.scenario.errors import Problem, ScenarioError
from server.scenario.loader import parse_scenario

MIXED = (Path(__file__).parent / "mixed" / "scenario.yaml").read_text(encoding="utf-8")

RESPONSES = """
responses:
  - id: RESP-1
    instrument: {instrument}
    to: {to}
    from: {source}
    outcomes:
      - {{outcome: executed, text: "Done"}}
"""


def problems(text: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "s.yaml")
    return raised.value.problems


def with_trigger(trigger: str) -> str:
    old = "trigger: {action: {action: interview_child, team: MAR}}"
    assert MIXED.count(old) == 1
    return MIXED.replace(old, f"trigger: {trigger}")


def test_the_mixed_scenario_is_valid_and_names_countries_units_and_agencies() -> None:
    scenario = parse_scenario(MIXED, "s.yaml")
    assert [(u.id, u.country) for u in scenario.units][:2] == [("MAR-POL", "MAR"), ("MAR-PROS", "MAR")]
    parse_scenario(
        with_trigger("{request: {instrument: MLA, from: MAR-POL, to: OST.PROS, state: sent}}"), "s.yaml"
    )


@pytest.mark.parametrize(
    ("trigger", "path", "reason"),
    [
        (
            "{request: {instrument: REFERRAL, from: MAR, to: OST, state: sent}}",
            "injects[3].trigger.request.instrument",
            "REFERRAL is not available from MAR to OST (it is domestic, used within one country only)",
        ),
        (
            "{request: {instrument: POLICE_MSG, from: MAR-POL, to: MAR-PROS, state: sent}}",
            "injects[3].trigger.request.instrument",
            "POLICE_MSG is not available from MAR-POL to MAR-PROS (the countries' blocs do not cover that pair)",
        ),
        (
            "{request: {instrument: MLA, from: MAR-FIU, state: sent}}",
            "injects[3].trigger.request.from",
            "no role that plays in MAR-FIU may issue or draft MLA",
        ),
        (
            "{request: {instrument: REFERRAL, from: MAR-POL, to: MAR-POL, state: sent}}",
            "injects[3].trigger.request.instrument",
            "REFERRAL is not available from MAR-POL to MAR-POL",
        ),
        (
            "{action: {action: interview_child, team: MAR-SOC}}",
            "injects[3].trigger.action.team",
            "no role that plays in MAR-SOC may do the action 'interview_child'",
        ),
        (
            "{request: {instrument: MLA, from: MAR, state: signed}}",
            "injects[3].trigger.request.state",
            "MLA has no state 'signed'",
        ),
        (
            "{all_of: [{inject: I-01}, {request: {instrument: REFERRAL, from: OST, to: MAR, state: sent}}]}",
            "injects[3].trigger.all_of[1].request.instrument",
            "REFERRAL is not available from OST to MAR",
        ),
    ],
    ids=[
        "domestic across a border",
        "no agreement inside a country",
        "nobody there may send it",
        "a unit to itself",
        "nobody there may act",
        "no such state",
        "inside all_of",
    ],
)
def test_a_trigger_that_can_never_hold_is_an_error_with_its_reason(
    trigger: str, path: str, reason: str
) -> None:
    (problem,) = problems(with_trigger(trigger))
    assert problem.path == path
    assert problem.message.startswith(f"inject 'I-04' can never fire: {reason}")


def test_an_inject_waiting_for_a_dead_one_is_dead_too() -> None:
    text = with_trigger("{request: {instrument: REFERRAL, from: MAR, to: OST, state: sent}}")
    text = text.replace(
        "trigger: {request: {instrument: FIU_REQUEST, to: MAR.FIU, state: sent}}", "trigger: {inject: I-04}"
    )
    messages = [p.message for p in problems(text)]
    assert "inject 'I-05' can never fire: it waits for 'I-04', which can never fire" in messages


@pytest.mark.parametrize(
    ("name", "kind"),
    [("NOWHERE", "country or team"), ("MAR-XX", "country or team")],
)
def test_a_trigger_naming_nobody_is_an_unknown_reference(name: str, kind: str) -> None:
    (problem,) = problems(with_trigger(f"{{request: {{instrument: MLA, from: {name}, state: sent}}}}"))
    assert problem.path == "injects[3].trigger.request.from"
    assert problem.message.startswith(f"unknown {kind} {name!r}")


def test_a_simcell_template_that_can_never_be_used_is_an_error() -> None:
    text = MIXED + RESPONSES.format(instrument="REFERRAL", to="OST", source="MAR")
    (problem,) = problems(text)
    assert problem.path == "responses[0].instrument"
    assert problem.message.startswith("RESP-1 can never be used: REFERRAL is not available from MAR to OST")
    parse_scenario(
        MIXED + RESPONSES.format(instrument="FIU_REQUEST", to="MAR.FIU", source="MAR-POL"), "s.yaml"
    )


def test_an_expected_request_that_cannot_be_made_is_an_error() -> None:
    text = (
        MIXED
        + """
requests:
  - {id: ER-1, title: Referral abroad, from: MAR, role: police, instrument: REFERRAL, to: OST,
     content: "The facts", when: "D1 10:00"}
"""
    )
    (problem,) = problems(text)
    assert problem.path == "requests[0].instrument"
    assert problem.message.startswith("ER-1: REFERRAL is not available from MAR to OST")


# -- the team models ------------------------------------------------------------------------


def test_a_unit_of_a_country_that_plays_as_one_team_is_an_error() -> None:
    text = MIXED.replace("    team_model: agency_units\n", "")
    messages = {p.message for p in problems(text)}
    assert (
        "units are the teams of team_model agency_units; this scenario has country_teams (set "
        "`team_model: agency_units` on the scenario or on the countries that play as units)"
    ) in messages


def test_a_country_playing_as_units_needs_units_of_its_own_agencies() -> None:
    text = MIXED.replace(
        "    blocs: [COE, INTERPOL]\n    agencies:\n      - {id: OST.POL",
        "    blocs: [COE, INTERPOL]\n    team_model: agency_units\n    agencies:\n      - {id: OST.POL",
    )
    text = text.replace(
        "{id: MAR-FIU, name: Marenland FIU unit, agency: MAR.FIU}",
        "{id: MAR-FIU, name: Marenland FIU unit, agency: OST.POL}",
    )
    found = {(p.path, p.message) for p in problems(text)}
    assert (
        "countries[0].units",
        "OST plays as agency_units but has no unit: list its units (units: [{id, name, agency}]) "
        "or give it `team_model: country_teams`",
    ) in found
    assert (
        "countries[1].units[3].agency",
        "unit 'MAR-FIU' of MAR is the agency 'OST.POL' of OST: a unit is one of its own country's "
        "agencies (MAR.POL, MAR.PROS, MAR.SOC, MAR.FIU)",
    ) in found


def test_a_unit_with_the_id_of_a_country_is_ambiguous() -> None:
    (problem,) = problems(MIXED.replace("{id: MAR-FIU,", "{id: OST,"))
    assert problem.path == "countries[1].units[3].id"
    assert problem.message.startswith(
        "unit 'OST' has the id of a country, so a trigger naming 'OST' would be ambiguous"
    )


def test_a_unit_listed_twice_is_an_error() -> None:
    (problem,) = problems(MIXED.replace("{id: MAR-FIU,", "{id: MAR-SOC,"))
    assert (problem.path, problem.message) == ("countries[1].units[3].id", "duplicate unit id 'MAR-SOC'")


def test_units_may_also_be_listed_at_the_top_with_their_country() -> None:
    nested = "    units:\n      - {id: MAR-POL, name: Marenland police unit, agency: MAR.POL}\n"
    assert MIXED.count(nested) == 1
    text = MIXED.replace(nested, "    units:\n").replace(
        "roles:\n",
        "units:\n  - {id: MAR-POL, name: Marenland police unit, country: MAR, agency: MAR.POL}\nroles:\n",
        1,
    )
    scenario = parse_scenario(text, "s.yaml")
    assert {u.id for u in scenario.units} == {"MAR-POL", "MAR-PROS", "MAR-SOC", "MAR-FIU"}


def test_cross_border_and_domestic_must_agree() -> None:
    (problem,) = problems(
        MIXED.replace("    domestic: true\n", "    domestic: true\n    cross_border: true\n")
    )
    assert problem.path == "instruments[2].domestic"
    assert problem.message.startswith("cross_border: true and domestic: true contradict each other")


def test_an_audience_naming_a_country_of_units_is_valid_and_one_that_reaches_nobody_is_not() -> None:
    # Issue 12: `to: MAR` means every unit of Marenland (docs/scenarios.md, "Who a name means").
    for to in ("MAR", '"MAR: prosecutor"', '"MAR-POL; MAR: analyst"', '"*: social_worker"'):
        parse_scenario(
            MIXED.replace('    to: all\n    at: "D1 08:30"', f'    to: {to}\n    at: "D1 08:30"'), "s.yaml"
        )
    for to, where in (('"MAR-PROS: police"', "MAR-PROS"), ('"MAR-SOC: analyst"', "MAR-SOC")):
        text = MIXED.replace('    to: all\n    at: "D1 08:30"', f'    to: {to}\n    at: "D1 08:30"')
        (problem,) = problems(text)
        assert problem.path == "injects[0].to"
        role = to.strip('"').split(": ")[1]
        assert problem.message.startswith(
            f"inject 'I-01' goes to {role} in {where}, but no such role plays there"
        )
