"""A country nobody plays, only SimCell: `played_by: simcell` on the country.

A scenario written from the docs alone for another region had a transit country whose police
only answer by template: nothing said so, its team appeared like any other and got a debrief
report of its own, all zeros. Now the scenario says it; requests to it go to SimCell, the roster
places nobody there, and the debrief reports only on the teams people played.
"""

from __future__ import annotations

import pytest

from server.core import commands as c
from server.core.debrief import Entry, analyse
from server.core.decide import create
from server.core.errors import InvalidArguments
from server.core.view import snapshot
from server.report.sections import facts
from server.report.write import render
from server.scenario.errors import ScenarioError
from server.scenario.roster import parse_roster
from tests.core.transcript import NOW, Run
from tests.core.twin import ROSTER, play, twin, wall

MARINIA = """
countries:
  - id: MAR
    name: Marinia
    route_role: transit
    blocs: [COE, UNTOC, INTERPOL]
    played_by: simcell%s
    agencies:
      - {id: MAR.POL, name: Marinia Police, type: police}
"""


def test_requests_to_a_country_played_by_simcell_go_to_simcell() -> None:
    scenario = twin(MARINIA % "")
    (marinia,) = [country for country in scenario.countries if country.id == "MAR"]
    assert marinia.played_by_simcell and all(a.played_by_simcell for a in marinia.agencies)
    run = play(scenario)
    sara = run.viewer("Sara")
    question = {"question": "Who drove the van across the border?"}
    (drafted, _sent) = run.do(
        c.DraftRequest("POLICE_MSG", "MAR", question, send=True), sara, at=wall("D1 09:00")
    )
    assert run.state.requests[drafted.request].simcell  # type: ignore[attr-defined]
    (shown,) = [co for co in snapshot(run.state, sara)["catalogue"]["countries"] if co["id"] == "MAR"]
    assert shown["simcell"] is True


def test_nobody_of_the_roster_plays_in_it() -> None:
    scenario = twin(MARINIA % "")
    with pytest.raises(ScenarioError) as raised:
        parse_roster("name,team,role\nAnn,MAR,police\nBo,SUD,police\n", "csv", scenario)
    assert str(raised.value) == (
        "roster:2 row 1.team: nobody plays in team 'MAR': its country is played by SimCell"
    )
    with pytest.raises(InvalidArguments, match="nobody plays in team 'MAR'"):
        create(scenario, "EX1", "", (*ROSTER, c.RosterEntry("Ann", "MAR", "police", "hash-ann")), NOW)


def test_it_has_no_composition_and_played_by_takes_team_or_simcell() -> None:
    with pytest.raises(ScenarioError) as raised:
        twin(MARINIA % "\n    composition: {police: 2}")
    assert any(
        p.path.endswith(".composition")
        and "played by SimCell" in p.message
        and "no team to fill" in p.message
        for p in raised.value.problems
    ), raised.value
    with pytest.raises(ScenarioError) as raised:
        twin((MARINIA % "").replace("played_by: simcell", "played_by: simcel"))
    assert any("expected team or simcell, got 'simcel'" in p.message for p in raised.value.problems)


def test_the_debrief_reports_only_on_the_teams_people_played() -> None:
    run: Run = play(twin(MARINIA % ""))
    debrief = analyse(
        Entry(seq, at, event) for seq, (at, event) in enumerate(zip(run.times, run.log, strict=True), 1)
    )
    assert debrief.teams == ("NOR", "SUD") and debrief.simcell_teams == ("MAR",)
    with pytest.raises(ValueError, match="team 'MAR' was played by SimCell: it has no report of its own"):
        render(debrief, "html", "MAR")
    assert ("played by SimCell", "Marinia (MAR)") in facts(debrief, None)
    assert all(r.team != "MAR" for m in debrief.metrics for r in m.results)
