"""Team models per country: a mixed exercise played through the core.

The scenario (`tests/scenario/mixed`) has Ostmark as one multi-agency team and Marenland as
four agency units. Units of one country work together: a domestic referral from the police
unit to the prosecution unit, the prosecution unit co-signing the police unit's letter
rogatory, a guardian appointed by child protection counting for the police unit's interview,
direct messages between units. The same triggers hold under every team model.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from server.core import commands as c
from server.core.audience import can_see
from server.core.decide import create
from server.core.errors import DomainError, Forbidden, NotFound
from server.core.events import ActionFlagged, DirectMessagePosted, InjectReleased, RequestDrafted
from server.core.matching import names_receiver, names_team
from server.core.scenario import Scenario, TeamModel, Unit
from server.core.team_models import cosigners, model_of, team_specs, unit_of
from server.core.visibility import audience
from server.scenario.loader import load_scenario
from tests.core.transcript import NOW, Run

MIXED = load_scenario(Path(__file__).parents[1] / "scenario" / "mixed")

PEOPLE = [  # name, country, role
    ("Dana", None, "director"),
    ("Olek", "OST", "police"),
    ("Oona", "OST", "prosecutor"),
    ("Mats", "MAR", "police"),
    ("Mira", "MAR", "prosecutor"),
    ("Maja", "MAR", "social_worker"),
    ("Milo", "MAR", "analyst"),
]


def as_model(model: str) -> Scenario:
    """The mixed scenario, or the same with every country as one team or as units."""
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


def team_for(scenario: Scenario, country: str, role: str) -> str:
    """The team a person of `role` in `country` sits in: the country's team, or the unit of
    the role's agency."""
    kinds = scenario.role(role).agency_types  # type: ignore[union-attr]
    for spec in team_specs(scenario):
        if spec.country != country:
            continue
        agency = scenario.agency(spec.unit.agency) if spec.unit else None
        if agency is None or agency[1].type in kinds:
            return spec.id
    raise AssertionError(f"no team for {role} in {country}")


def started(scenario: Scenario) -> Run:
    roster = [
        c.RosterEntry(name, None if country is None else team_for(scenario, country, role), role, f"h-{name}")
        for name, country, role in PEOPLE
    ]
    run = Run(create(scenario, "EX", "", roster, NOW), NOW)
    run.do(c.MarkReady(), run.viewer("Dana"))
    run.do(c.StartExercise(), run.viewer("Dana"))
    return run


def released(run: Run) -> list[str]:
    return [e.inject for e in run.do(c.Advance(), c.SYSTEM) if isinstance(e, InjectReleased)]


def draft(run: Run, name: str, instrument: str, to: str, key: str = "facts") -> str:
    (event,) = run.do(c.DraftRequest(instrument, to, {key: "the facts of the case"}), run.viewer(name))
    assert isinstance(event, RequestDrafted)
    return event.request


# -- who a team is --------------------------------------------------------------------------


def test_each_country_plays_by_its_own_team_model() -> None:
    assert model_of(MIXED, "OST") is TeamModel.COUNTRY_TEAMS
    assert model_of(MIXED, "MAR") is TeamModel.AGENCY_UNITS
    assert [(t.id, t.country) for t in team_specs(MIXED)] == [
        ("OST", "OST"),
        ("MAR-POL", "MAR"),
        ("MAR-PROS", "MAR"),
        ("MAR-SOC", "MAR"),
        ("MAR-FIU", "MAR"),
    ]
    run = started(MIXED)
    assert list(run.state.teams) == ["OST", "MAR-POL", "MAR-PROS", "MAR-SOC", "MAR-FIU"]
    assert unit_of(MIXED, "OST") is None
    assert unit_of(MIXED, "MAR-PROS") == Unit("MAR-PROS", "Marenland prosecution unit", "MAR", "MAR.PROS")


def test_a_name_means_the_team_or_any_team_of_the_country() -> None:
    countries = {"OST": "OST", "MAR-POL": "MAR"}
    assert names_team("MAR", "MAR-POL", countries)
    assert names_team("MAR-POL", "MAR-POL", countries)
    assert names_team(None, "MAR-POL", countries)
    assert not names_team("OST", "MAR-POL", countries)
    assert not names_team("MAR-PROS", "MAR-POL", countries)
    assert names_receiver("MAR.FIU", "MAR-FIU", "MAR.FIU", countries)
    assert not names_receiver("MAR.POL", "MAR-FIU", "MAR.FIU", countries)


# -- units of one country work together ------------------------------------------------------


def test_a_domestic_referral_goes_from_one_unit_to_another_and_fires_a_trigger_naming_the_country() -> None:
    run = started(MIXED)
    assert released(run) == ["I-01"]
    request = draft(run, "Mats", "REFERRAL", "MAR-PROS")
    run.do(c.SendRequest(request), run.viewer("Mats"))
    assert released(run) == ["I-02"]  # "from: MAR" holds for the police unit
    run.do(c.AcknowledgeRequest(request), run.viewer("Mira"))
    run.do(c.AnswerRequest(request, "File opened"), run.viewer("Mira"))
    assert run.state.requests[request].status == "answered"


def test_a_domestic_instrument_stays_inside_its_country() -> None:
    run = started(MIXED)
    with pytest.raises(Forbidden, match=r"REFERRAL is not available from MAR to OST \(REFERRAL is domestic"):
        run.do(c.DraftRequest("REFERRAL", "OST", {}), run.viewer("Mats"))
    with pytest.raises(NotFound, match=r"no other team 'MAR' \(teams: OST, MAR-PROS, MAR-SOC, MAR-FIU\)"):
        run.do(c.DraftRequest("REFERRAL", "MAR", {}), run.viewer("Mats"))  # a country of units is no team
    with pytest.raises(NotFound, match="a domestic instrument goes to another unit"):
        run.do(c.DraftRequest("REFERRAL", "MAR-POL", {}), run.viewer("Mats"))
    with pytest.raises(Forbidden, match="POLICE_MSG is not available from MAR to MAR"):
        run.do(c.DraftRequest("POLICE_MSG", "MAR-PROS", {}), run.viewer("Mats"))


def test_a_one_team_country_refers_inside_its_team() -> None:
    run = started(MIXED)
    request = draft(run, "Olek", "REFERRAL", "OST")
    run.do(c.SendRequest(request), run.viewer("Olek"))
    run.do(c.AnswerRequest(request, "File opened"), run.viewer("Oona"))
    assert run.state.requests[request].status == "answered"
    assert "I-02" not in released(run)  # from OST, not from MAR


def test_the_prosecution_unit_co_signs_the_police_units_letter_rogatory() -> None:
    run = started(MIXED)
    assert cosigners(MIXED, "MAR-POL", MIXED.instrument("MLA")) == ("MAR-PROS",)  # type: ignore[arg-type]
    request = draft(run, "Mats", "MLA", "OST")
    (drafted,) = [e for e in run.log if isinstance(e, RequestDrafted)]
    assert drafted.cosigners == ("MAR-PROS",)
    mira, maja = run.viewer("Mira"), run.viewer("Maja")
    assert can_see(mira, audience(run.state, drafted))
    assert not can_see(maja, audience(run.state, drafted))
    with pytest.raises(DomainError, match="must be validated"):
        run.do(c.SendRequest(request), run.viewer("Mats"))
    with pytest.raises(NotFound, match="no request 'R-1' for you"):
        run.do(c.ValidateRequest(request), maja)  # another unit, not a co-signing one
    with pytest.raises(Forbidden, match="only the requesting team or a unit co-signing it"):
        run.do(c.ValidateRequest(request), run.viewer("Dana"))
    (validated,) = run.do(c.ValidateRequest(request), mira)
    assert (validated.by_name, validated.by_agency) == ("Mira", "MAR.PROS")  # type: ignore[attr-defined]
    with pytest.raises(Forbidden, match="only the requesting team may send"):
        run.do(c.SendRequest(request), mira)
    run.do(c.SendRequest(request), run.viewer("Mats"))
    assert released(run) == ["I-01", "I-03"]
    run.do(c.AnswerRequest(request, "Executed"), run.viewer("Oona"))
    assert run.state.requests[request].audience(sent=True).teams == {"MAR-POL", "MAR-PROS", "OST"}


def test_a_guardian_appointed_by_another_unit_counts_for_the_interview() -> None:
    run = started(MIXED)
    run.do(c.TakeAction("appoint_guardian", "child A"), run.viewer("Maja"))
    events = run.do(c.TakeAction("interview_child", "child A"), run.viewer("Mats"))
    assert not [e for e in events if isinstance(e, ActionFlagged)]
    events = run.do(c.TakeAction("interview_child", "child A"), run.viewer("Olek"))
    assert [e.flags for e in events if isinstance(e, ActionFlagged)] == [
        ("interview_child before appoint_guardian",)
    ]


def test_units_of_one_country_write_to_each_other_but_not_across_the_border() -> None:
    run = started(MIXED)
    (posted,) = run.do(c.WriteToTeam("MAR-PROS", "Can we talk about the boy?"), run.viewer("Mats"))
    assert isinstance(posted, DirectMessagePosted)
    with pytest.raises(Forbidden, match="no informal channels"):
        run.do(c.WriteToTeam("OST", "Hello"), run.viewer("Mats"))
    closed = started(dataclasses.replace(MIXED, unit_channels=False))
    with pytest.raises(Forbidden, match="no informal channels"):
        closed.do(c.WriteToTeam("MAR-PROS", "Hello"), closed.viewer("Mats"))


# -- the same triggers under every team model ------------------------------------------------


@pytest.mark.parametrize("model", ["country_teams", "agency_units", "mixed"])
def test_the_same_triggers_fire_the_same_under_every_team_model(model: str) -> None:
    scenario = as_model(model)
    run = started(scenario)
    assert released(run) == ["I-01"]
    prosecution, analysts = (team_for(scenario, "MAR", r) for r in ("prosecutor", "analyst"))
    ostmark = team_for(scenario, "OST", "prosecutor")
    referral = draft(run, "Mats", "REFERRAL", prosecution)
    run.do(c.SendRequest(referral), run.viewer("Mats"))
    assert released(run) == ["I-02"]
    letter = draft(run, "Mats", "MLA", ostmark)
    run.do(c.ValidateRequest(letter), run.viewer("Mira"))
    run.do(c.SendRequest(letter), run.viewer("Mats"))
    assert released(run) == ["I-03"]
    run.do(c.TakeAction("search"), run.viewer("Mats"))
    assert released(run) == []
    run.do(c.TakeAction("appoint_guardian", "child A"), run.viewer("Maja"))
    flagged = run.do(c.TakeAction("interview_child", "child A"), run.viewer("Mats"))
    assert not [e for e in flagged if isinstance(e, ActionFlagged)]
    assert released(run) == ["I-04"]
    enquiry = draft(run, "Mats", "FIU_REQUEST", analysts, key="subjects")
    run.do(c.SendRequest(enquiry), run.viewer("Mats"))
    assert released(run) == ["I-05"]  # to the agency MAR.FIU, whichever team holds it
    run.do(c.AnswerRequest(enquiry, "Three accounts"), run.viewer("Milo"))
