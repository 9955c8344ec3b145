"""The simulated cohort: scenarios, rosters, and which behaviour each role gets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from loadtest.behaviours import (
    Play,
    announce,
    behaviour_for,
    direct,
    register,
    team_chat,
    unregister,
    watch,
)
from loadtest.cohort import generate_roster, probe_scenario, read_roster, resolve_scenario, roster_for


def test_a_generated_roster_spreads_participants_over_teams_and_roles() -> None:
    scenario = resolve_scenario("twin-ports")
    members = generate_roster(scenario, 12)
    participants = [m for m in members if not m.staff]
    assert len(participants) == 12
    assert Counter(m.team for m in participants) == {"NOR": 6, "SUD": 6}
    assert set(Counter(m.role for m in participants)) == set(scenario.roles)
    assert [m.role for m in members if m.staff].count("director") == 1
    assert len({m.name for m in members}) == len(members)


def test_a_generated_roster_seats_each_unit_with_the_roles_of_its_agency() -> None:
    # steppe-gulf: Tarkand and Bosmira one team each, Qadira five agency units
    scenario = resolve_scenario("steppe-gulf")
    assert scenario.teams == ("TAR", "BOS", "QAD-POL", "QAD-PP", "QAD-MOL", "QAD-FIU", "QAD-SOC")
    participants = [m for m in generate_roster(scenario, 70) if not m.staff]
    assert Counter(m.team for m in participants) == dict.fromkeys(scenario.teams, 10)
    assert {(m.team, m.role) for m in participants if m.team and m.team.startswith("QAD-")} == {
        ("QAD-POL", "police"),
        ("QAD-PP", "prosecutor"),
        ("QAD-MOL", "labour_inspector"),
        ("QAD-FIU", "fiu_analyst"),
        ("QAD-SOC", "social_worker"),
    }
    assert {m.role for m in participants if m.team == "TAR"} == set(scenario.roles)


def test_the_flagship_uses_its_own_roster_when_it_has_one() -> None:
    flagship = Path(__file__).resolve().parents[2] / "scenarios" / "greenhouse" / "roster.csv"
    scenario = resolve_scenario("auto")
    if flagship.exists():
        assert scenario.name == "greenhouse"
        assert roster_for(scenario, 5, None) == read_roster(flagship)
    else:
        assert scenario.name == "twin-ports"


def test_a_roster_file_given_wins(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,team,role\nDana,,director\nNils,NOR,police\n")
    members = roster_for(resolve_scenario("twin-ports"), 200, roster)
    assert [(m.name, m.team, m.role, m.staff) for m in members] == [
        ("Dana", None, "director", True),
        ("Nils", "NOR", "police", False),
    ]


def test_the_probe_scenario_has_small_teams() -> None:
    scenario = probe_scenario(50)
    assert len(scenario.teams) == 50
    assert isinstance(scenario.reference, dict) and "countries" in scenario.reference["yaml"]


def test_behaviours_per_role_and_registered_ones() -> None:
    assert behaviour_for("director") is direct
    assert behaviour_for("controller") is announce
    assert behaviour_for("observer") is watch
    assert behaviour_for("police") is team_chat

    async def investigate(play: Play) -> None:
        await play.bot.command("request.send", instrument="FIU")

    register("fiu_analyst", investigate)
    try:
        assert behaviour_for("fiu_analyst") is investigate
    finally:
        unregister("fiu_analyst")
    assert behaviour_for("fiu_analyst") is team_chat
