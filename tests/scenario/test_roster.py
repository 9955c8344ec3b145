"""Rosters against the scenario's teams, in both team models."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from server.core.scenario import TeamModel, Unit
from server.scenario.errors import ScenarioError
from server.scenario.loader import load_scenario
from server.scenario.roster import RosterRow, parse_roster

SMALL = load_scenario(Path(__file__).parents[2] / "scenarios" / "twin-ports")


def test_country_teams_take_the_country_ids() -> None:
    rows = parse_roster("name,team,role\nAnn,NOR,police\nMo,NOR,mentor\n", "csv", SMALL)
    assert rows == [RosterRow("Ann", "NOR", "police"), RosterRow("Mo", "NOR", "mentor")]


def test_agency_units_take_the_unit_ids() -> None:
    units = replace(
        SMALL,
        team_model=TeamModel.AGENCY_UNITS,
        units=(Unit("NOR-POL", "Norland police", "NOR", "NOR.POL"),),
    )
    assert parse_roster("name,team,role\nAnn,NOR-POL,police\n", "csv", units) == [
        RosterRow("Ann", "NOR-POL", "police")
    ]
    with pytest.raises(ScenarioError) as raised:
        parse_roster("name,team,role\nAnn,NOR,police\n", "csv", units)
    assert (
        str(raised.value)
        == "roster:2 row 1.team: unknown team 'NOR' (did you mean 'NOR-POL'?) (teams: NOR-POL)"
    )
