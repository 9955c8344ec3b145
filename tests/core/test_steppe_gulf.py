"""The third shipped scenario (a non-EU route, a mixed team model) played through the core:
what a strong cohort does fires the injects it should, in the units of Qadira and the one
teams of Tarkand and Bosmira; what a passive cohort leaves undone fires the consequences."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core import commands as c
from server.core.decide import create
from server.core.errors import Forbidden
from server.core.events import ActionFlagged, InjectReleased, RequestDrafted
from server.core.simtime import parse_sim_time
from server.scenario.loader import load_scenario
from server.scenario.roster import load_roster
from tests.core.transcript import NOW, Run

FOLDER = Path(__file__).parents[2] / "scenarios" / "steppe-gulf"
SCENARIO = load_scenario(FOLDER)


@pytest.fixture
def run() -> Run:
    roster = [
        c.RosterEntry(row.name, row.team, row.role, f"h{i}")
        for i, row in enumerate(load_roster(FOLDER / "roster.csv", SCENARIO))
    ]
    played = Run(create(SCENARIO, "EX", "", roster, NOW), NOW)
    played.do(c.MarkReady(), played.viewer("Dana Director"))
    played.do(c.StartExercise(), played.viewer("Dana Director"))
    return played


def at(clock: str) -> float:
    """The wall time at which the exercise (speed 1, started at NOW at D1 08:30) reads `clock`."""
    return NOW + parse_sim_time(clock) - parse_sim_time("D1 08:30")


def released(run: Run, clock: str) -> list[str]:
    return [e.inject for e in run.do(c.Advance(), c.SYSTEM, at=at(clock)) if isinstance(e, InjectReleased)]


def send(run: Run, name: str, instrument: str, to: str, fields: dict[str, object], cosigner: str = "") -> str:
    (drafted,) = run.do(c.DraftRequest(instrument, to, fields), run.viewer(name))
    assert isinstance(drafted, RequestDrafted)
    if cosigner:
        run.do(c.ValidateRequest(drafted.request), run.viewer(cosigner))
    run.do(c.SendRequest(drafted.request), run.viewer(name))
    return drafted.request


def test_teams_are_two_countries_and_five_units(run: Run) -> None:
    assert list(run.state.teams) == ["TAR", "BOS", "QAD-POL", "QAD-PP", "QAD-MOL", "QAD-FIU", "QAD-SOC"]


def test_a_strong_cohort_works_across_units_and_non_eu_channels(run: Run) -> None:
    assert released(run, "D1 09:00") == ["S-01", "S-02"]
    run.do(c.TakeAction("inspect_camp", "Sunrise camp"), run.viewer("Noura Al-Ketbi"))
    referral = send(
        run, "Noura Al-Ketbi", "PP_REFERRAL", "QAD-PP", {"facts": "Passports withheld, debt ledger, no wages"}
    )
    assert run.state.requests[referral].target_agency == "QAD.PP"
    flagged = run.do(c.TakeAction("identify_victims", "Sunrise camp"), run.viewer("Mariam Al-Shamsi"))
    assert not [e for e in flagged if isinstance(e, ActionFlagged)]  # the labour unit inspected
    run.do(c.TakeAction("arrange_shelter", "Sunrise camp"), run.viewer("Mariam Al-Shamsi"))
    send(
        run,
        "Khalid Al-Mansouri",
        "INTERPOL_DIFFUSION",
        "TAR",
        {"subject": "SilkJobs Recruitment", "question": "Licence, records and the manager Rustam K.?"},
    )
    letter = send(
        run,
        "Khalid Al-Mansouri",
        "MLA",
        "TAR",
        {
            "facts": "Forty Tarkandi workers recruited by SilkJobs are held at the Sunrise camp in Qadira "
            "with their passports withheld against a recruitment debt.",
            "measures": ["company_records"],
            "legal_basis": "bilateral_treaty",
        },
        cosigner="Omar Al-Suwaidi",  # the public prosecution unit co-signs the police unit's draft
    )
    assert run.state.requests[letter].cosigners == ("QAD-PP",)
    assert sorted(released(run, "D1 11:00")) == ["S-03", "S-04", "S-05", "S-06"]
    assert released(run, "D1 14:30") == []  # sheltered in time: the foreman does not move them


def test_a_passive_cohort_gets_the_consequences(run: Run) -> None:
    assert released(run, "D1 09:00") == ["S-01", "S-02"]
    assert released(run, "D1 14:30") == ["S-07"]
    with pytest.raises(Forbidden, match="POLICE_COOP is not available from BOS to QAD"):
        run.do(c.DraftRequest("POLICE_COOP", "QAD-POL", {}), run.viewer("Emre Aydin"))  # no agreement


def test_simcell_answers_the_consulate_from_its_template(run: Run) -> None:
    (drafted,) = run.do(
        c.DraftRequest(
            "CONSULAR_NOTIFICATION",
            "TAR",
            {"persons": "Davron S. and 39 others", "consent": True},
            agency="TAR.CONS",
        ),
        run.viewer("Khalid Al-Mansouri"),
    )
    assert isinstance(drafted, RequestDrafted)
    assert drafted.simcell  # the consulate is played by SimCell
    run.do(c.SendRequest(drafted.request), run.viewer("Khalid Al-Mansouri"))
    run.do(c.AnswerRequest(drafted.request, as_proposed=True), run.viewer("Sim Cell"))
    assert run.state.requests[drafted.request].answer.startswith("The consul will visit the shelter")


def test_the_bilateral_treaty_binds_only_its_parties_bosmira_must_cite_untoc(run: Run) -> None:
    facts = "Bosmiran transit records of twenty-two Tarkandi men who flew on to Qadira with SilkJobs tickets."
    form = {"facts": facts, "measures": ["company_records"], "legal_basis": "bilateral_treaty"}
    (drafted,) = run.do(c.DraftRequest("MLA", "QAD-PP", form), run.viewer("Murat Demir"))
    assert isinstance(drafted, RequestDrafted)
    with pytest.raises(Forbidden, match="bilateral_treaty_missing"):
        run.do(c.SendRequest(drafted.request), run.viewer("Murat Demir"))
    cited = send(run, "Murat Demir", "MLA", "QAD-PP", {**form, "legal_basis": "untoc_art_18"})
    assert run.state.requests[cited].sent
