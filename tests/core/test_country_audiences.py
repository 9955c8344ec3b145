"""An inject's audience naming a country means the same under every team model (issue 12).

`to: MAR` reaches everyone in Marenland: its one team, or every one of its units; `to: "MAR:
prosecutor"` the prosecutors of Marenland, whichever unit they sit in; an audience worked out
at release (`to_teams`) keeps the roles a country line names for the team it narrows to. The
same scenario (`tests/scenario/mixed` with three injects added) is played with Marenland and
Ostmark as one team each, as units each, and mixed, as `tests/core/test_team_models.py` does.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from server.core import commands as c
from server.core.audience import Audience, can_see
from server.core.errors import InvalidArguments
from server.core.events import AnnouncementMade, InjectReleased
from server.core.scenario import Scenario, TeamModel, Unit
from server.scenario.loader import parse_scenario
from tests.core.test_team_models import PEOPLE, draft, started, team_for
from tests.core.transcript import Run

MIXED_TEXT = (Path(__file__).parents[1] / "scenario" / "mixed" / "scenario.yaml").read_text(encoding="utf-8")
EXTRA = """
  - {id: A-ALL, title: To Marenland, body: "Everyone in Marenland.", channel: auto, from: Control,
     to: MAR, at: "D1 08:30"}
  - {id: A-PROS, title: To the prosecutors, body: "Prosecutors only.", channel: auto, from: Control,
     to: "MAR: prosecutor; OST: police", at: "D1 08:30"}
  - id: A-REQ
    title: To the police of whoever referred
    body: "The referring police."
    channel: auto
    from: Control
    to: "MAR: police; OST: police"
    to_teams: {requested: {instrument: REFERRAL, state: sent}}
    trigger: {request: {instrument: REFERRAL, from: MAR, state: sent}}
"""
MIXED = parse_scenario(MIXED_TEXT.replace("\ninjects:\n", "\ninjects:\n" + EXTRA.lstrip("\n"), 1), "s.yaml")


def as_model(model: str) -> Scenario:
    if model == "mixed":
        return MIXED
    if model == "country_teams":
        countries = tuple(dataclasses.replace(country, team_model=None) for country in MIXED.countries)
        return dataclasses.replace(MIXED, countries=countries, units=())
    ostmark = (
        Unit("OST-POL", "Ostmark police", "OST", "OST.POL"),
        Unit("OST-PROS", "Ostmark prosecution", "OST", "OST.PROS"),
    )
    return dataclasses.replace(MIXED, team_model=TeamModel.AGENCY_UNITS, units=(*MIXED.units, *ostmark))


def reached(run: Run, inject: str) -> set[str]:
    (released,) = [e for e in run.log if isinstance(e, InjectReleased) and e.inject == inject]
    return {name for name, _, _ in PEOPLE[1:] if can_see(run.viewer(name), released.audience)}


@pytest.mark.parametrize("model", ["country_teams", "agency_units", "mixed"])
def test_an_inject_to_a_country_reaches_all_of_it_under_every_team_model(model: str) -> None:
    scenario = as_model(model)
    run = started(scenario)
    run.do(c.Advance(), c.SYSTEM)
    assert reached(run, "A-ALL") == {"Mats", "Mira", "Maja", "Milo"}
    assert reached(run, "A-PROS") == {"Mira", "Olek"}
    referral = draft(run, "Mats", "REFERRAL", team_for(scenario, "MAR", "prosecutor"))
    run.do(c.SendRequest(referral), run.viewer("Mats"))
    run.do(c.Advance(), c.SYSTEM)
    assert reached(run, "A-REQ") == {"Mats"}  # the requesting team's police, not Ostmark's


def test_the_validator_accepts_the_country_audiences() -> None:
    assert {i.id for i in MIXED.injects} >= {"A-ALL", "A-PROS", "A-REQ"}


@pytest.mark.parametrize("model", ["country_teams", "agency_units", "mixed"])
def test_control_writing_to_a_country_reaches_all_of_it_and_an_unknown_name_is_refused(model: str) -> None:
    run = started(as_model(model))
    director = run.viewer("Dana")
    run.do(
        c.WriteInject("Road closed", "The border crossing is closed.", Audience(teams=frozenset({"MAR"}))),
        director,
    )
    assert reached(run, "ADHOC-1") == {"Mats", "Mira", "Maja", "Milo"}
    (announced,) = run.do(
        c.MakeAnnouncement(Audience(teams=frozenset({"OST"})), "Briefing at 14:00"), director
    )
    assert isinstance(announced, AnnouncementMade)
    assert {n for n, _, _ in PEOPLE[1:] if can_see(run.viewer(n), announced.audience)} == {"Olek", "Oona"}
    for command in (
        c.WriteInject("Lost", "To nobody.", Audience(teams=frozenset({"NOWHERE"}))),
        c.MakeAnnouncement(Audience(teams=frozenset({"NOWHERE"})), "To nobody."),
    ):
        with pytest.raises(InvalidArguments, match="no team or country 'NOWHERE'"):
            run.do(command, director)
