"""Who acted on a request, as the other country may know it (issue 11, item 1).

Neither team sees the other's roster, so a participant id told the other side nothing and the
pages showed "Exercise control" for every step the other country took. Each step now carries
the person's name and their agency; SimCell playing an agency signs with the agency alone.

The scenario is the one of test_requests.py with agencies: nl has police and a prosecutor,
be a SPOC, police and a prosecutor. Roster: Anna (nl police), Bas (nl prosecutor), Carla (be
police, who also works for the SPOC), Sam (SimCell). Nobody in be may answer an EIO, so an EIO
to be goes to SimCell.
"""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.decide import create
from server.core.requests import RequestRun
from server.core.scenario import Agency, Country, Role, TeamModel, Unit
from server.core.signatures import Signature, signature
from server.core.view import snapshot
from tests.core.test_requests import GOOD_EIO, REQUEST_SCENARIO
from tests.core.transcript import NOW, ROSTER, Run

NL, BE, FR = REQUEST_SCENARIO.countries
SCENARIO = dataclasses.replace(
    REQUEST_SCENARIO,
    countries=(
        dataclasses.replace(
            NL,
            agencies=(
                Agency("nl.pol", "Politie", "police"),
                Agency("nl.om", "Openbaar Ministerie", "prosecutor"),
            ),
        ),
        dataclasses.replace(
            BE,
            agencies=(
                Agency("be.spoc", "Belgian SPOC", "spoc"),
                Agency("be.pol", "Federale Politie", "police"),
                Agency("be.pros", "Parquet fédéral", "prosecutor"),
            ),
        ),
        FR,
    ),
)


@pytest.fixture
def play() -> Run:
    run = Run(create(SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana)
    run.do(c.StartExercise(), dana, at=NOW + 10)
    return run


def signed(event: object, who: str = "by") -> tuple[str, str]:
    return getattr(event, f"{who}_name"), getattr(event, f"{who}_agency")


def test_every_step_between_two_teams_says_who_acted_and_for_which_agency(play: Run) -> None:
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    (drafted,) = play.do(c.DraftRequest("SIENA", "be", {"question": "Who owns the account?"}), anna)
    assert signed(drafted, "author") == ("Anna", "nl.pol")
    request = drafted.request  # type: ignore[attr-defined]
    (sent,) = play.do(c.SendRequest(request), anna)
    assert signed(sent) == ("Anna", "nl.pol")
    assert signed(sent, "author") == ("Anna", "nl.pol")  # be saw none of the drafting
    (acknowledged,) = play.do(c.AcknowledgeRequest(request), carla)
    assert signed(acknowledged) == ("Carla", "be.spoc")  # the receiving agency, which Carla works for
    (asked,) = play.do(c.AskClarification(request, "Which phone?"), carla)
    (clarified,) = play.do(c.ClarifyRequest(request, "+KAL 417"), anna)
    (answered,) = play.do(c.AnswerRequest(request, "Viktor S."), carla)
    assert [signed(e) for e in (asked, clarified, answered)] == [
        ("Carla", "be.spoc"),
        ("Anna", "nl.pol"),
        ("Carla", "be.spoc"),
    ]
    # Both sides' snapshots say the same as the events: names and agencies, not ids alone.
    for viewer in (anna, carla):
        (shown,) = snapshot(play.state, viewer)["requests"]
        assert (shown["author_name"], shown["author_agency"]) == ("Anna", "nl.pol")
        assert [(s["status"], s["by_name"], s["by_agency"]) for s in shown["history"]] == [
            ("draft", "Anna", "nl.pol"),
            ("sent", "Anna", "nl.pol"),
            ("acknowledged", "Carla", "be.spoc"),
            ("clarification_requested", "Carla", "be.spoc"),
            ("clarified", "Anna", "nl.pol"),
            ("answered", "Carla", "be.spoc"),
        ]


def test_a_co_signature_names_the_prosecutor_and_simcell_signs_with_the_agency_alone(play: Run) -> None:
    anna, bas, sam = play.viewer("Anna"), play.viewer("Bas"), play.viewer("Sam")
    (drafted,) = play.do(c.DraftRequest("EIO", "be", GOOD_EIO), anna)
    request = drafted.request  # type: ignore[attr-defined]
    assert play.state.requests[request].simcell  # nobody in be answers an EIO
    # Anna works for the police, not for the issuing prosecutor's office: she signs as police.
    assert signed(drafted, "author") == ("Anna", "nl.pol")
    (validated,) = play.do(c.ValidateRequest(request), bas)
    assert signed(validated) == ("Bas", "nl.om")
    play.do(c.SendRequest(request), anna)
    (answered,) = play.do(c.AnswerRequest(request, "Records attached."), sam)
    assert signed(answered) == ("", "be.pros")  # not "Sam", not "Exercise control"
    history = snapshot(play.state, anna)["requests"][0]["history"]
    assert [(s["by_name"], s["by_agency"]) for s in history] == [
        ("Anna", "nl.pol"),
        ("Bas", "nl.om"),
        ("Anna", "nl.pol"),
        ("", "be.pros"),
    ]


def request_to(target_agency: str, instrument: str = "SIENA") -> RequestRun:
    return RequestRun("R-1", instrument, "nl", "P0006", "be", target_agency, (), False, False, False)


def test_a_role_without_a_fitting_agency_signs_for_the_request_s_agency_or_none(play: Run) -> None:
    odd = dataclasses.replace(play.state.scenario, roles=(Role("police", "Police"), *SCENARIO.roles[1:]))
    state = dataclasses.replace(play.state, scenario=odd)
    carla = play.id_of("Carla")
    assert signature(state, request_to("be.spoc"), carla) == Signature("Carla", "be.spoc")
    assert signature(state, request_to(""), carla) == Signature("Carla", "")
    assert signature(state, request_to("be.spoc"), "P0099") == Signature("", "be.spoc")


def test_in_the_agency_units_model_a_team_signs_for_its_unit(play: Run) -> None:
    units = dataclasses.replace(
        play.state.scenario,
        team_model=TeamModel.AGENCY_UNITS,
        units=(Unit("nl", "Politie", "nl", "nl.pol"),),
        countries=(*SCENARIO.countries, Country("xx", "Nowhere", FR.route_role)),
    )
    state = dataclasses.replace(play.state, scenario=units)
    assert signature(state, request_to("be.spoc"), play.id_of("Anna")) == Signature("Anna", "nl.pol")
    # a team that is no unit (be has none) signs as a country's one team does
    assert signature(state, request_to("be.spoc"), play.id_of("Carla")) == Signature("Carla", "be.spoc")


def test_a_scenario_that_shares_no_names_signs_with_the_agency_alone(play: Run) -> None:
    anonymous = dataclasses.replace(play.state.scenario, share_names=False)
    state = dataclasses.replace(play.state, scenario=anonymous)
    assert signature(state, request_to("be.spoc"), play.id_of("Carla")) == Signature("", "be.spoc")
    units = dataclasses.replace(
        anonymous, team_model=TeamModel.AGENCY_UNITS, units=(Unit("nl", "Politie", "nl", "nl.pol"),)
    )
    state = dataclasses.replace(play.state, scenario=units)
    assert signature(state, request_to("be.spoc"), play.id_of("Anna")) == Signature("", "nl.pol")
