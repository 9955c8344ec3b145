"""Legal moves from the welcome's catalogue: the same answers as the server's own rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtest.catalogue import read_catalogue
from server.core.audience import Viewer
from server.core.requests import check_fields, may_answer, may_issue
from server.core.scenario import Scenario
from server.core.view import catalogue as server_catalogue
from server.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def snapshot_of(name: str) -> tuple[Scenario, dict[str, object]]:
    scenario = load_scenario(SCENARIOS / name)
    teams = [
        {"id": country.id, "name": country.name, "country": country.id} for country in scenario.countries
    ]
    return scenario, {"catalogue": server_catalogue(scenario), "teams": teams}


@pytest.mark.parametrize("name", ["twin-ports", "greenhouse"])
def test_every_request_move_is_one_the_server_allows(name: str) -> None:
    scenario, snapshot = snapshot_of(name)
    catalogue = read_catalogue(snapshot)
    assert catalogue.roles and catalogue.instruments
    moves = 0
    for team in catalogue.team_country:
        for role in catalogue.roles:
            for move in catalogue.requests_for(team, role):
                moves += 1
                instrument = scenario.instrument(move.instrument)
                assert instrument is not None
                assert may_issue(scenario, Viewer("bot", team, role, False), instrument)
                assert scenario.available(move.instrument, team, move.to)
                sides = {"source": scenario.country(team), "target": scenario.country(move.to)}
                check_fields(instrument, move.fields, sides=sides)  # raises InvalidArguments
    assert moves > 0


@pytest.mark.parametrize("name", ["twin-ports", "greenhouse"])
def test_the_answering_role_may_answer(name: str) -> None:
    scenario, snapshot = snapshot_of(name)
    catalogue = read_catalogue(snapshot)
    for instrument_id in catalogue.instruments:
        role = catalogue.answering_role(instrument_id)
        if role is not None:
            instrument = scenario.instrument(instrument_id)
            assert instrument is not None
            assert may_answer(scenario, Viewer("bot", "X", role, False), instrument)


def test_actions_come_from_the_role_capabilities() -> None:
    _, snapshot = snapshot_of("greenhouse")
    catalogue = read_catalogue(snapshot)
    assert "arrange_shelter" in catalogue.actions_for("social_worker")
    assert "arrange_shelter" not in catalogue.actions_for("fiu_analyst")
    assert catalogue.actions_for("nobody") == []


@pytest.mark.parametrize(
    "snapshot",
    [None, {}, {"catalogue": "x"}, {"catalogue": {"roles": 3, "instruments": [1, None, {"id": 5}]}}],
)
def test_a_catalogue_of_another_shape_means_no_moves(snapshot: object) -> None:
    catalogue = read_catalogue(snapshot)  # type: ignore[arg-type]
    assert catalogue.requests_for("NOR", "police") == []
    assert catalogue.answering_role("MLA") is None
