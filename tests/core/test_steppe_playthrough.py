"""Operation Steppe Wind played end to end through the core by two scripted cohorts (issue 12).

The third shipped scenario runs on a non-EU route with a mixed team model: Tarkand and
Bosmira play as one team each, Qadira as five agency units. The strong cohort plays the
scenario's own `playbook` (`loadtest.playbook.strong`): every expected request is drafted,
co-signed across units where the instrument needs it, sent, and answered by the receiving team
or by SimCell from its templates; every inject is acknowledged by everyone it reaches. The
passive cohort asks and decides nothing. The assertions say what fires and what does not,
what SimCell answers depending on when a request reaches Bosmira (office hours, after hours,
its public holiday), and that the debrief's metrics tell the two cohorts apart.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pytest

from loadtest.playbook import passive, strong
from server.core import commands as c
from server.core.audience import Viewer, can_see
from server.core.debrief import Debrief, Entry, analyse
from server.core.debrief.metrics import COHORT
from server.core.decide import create
from server.core.errors import InvalidState
from server.core.events import InjectReleased
from server.core.requests import RequestStatus, may_validate
from server.core.roles import StaffRole
from server.core.scenario import Scenario
from server.core.simtime import parse_sim_time
from server.core.team_models import cosigners, team_specs
from server.core.view import snapshot
from server.scenario.loader import load_scenario
from server.scenario.reach import roles_in
from tests.core.test_playthrough import Cohort
from tests.core.transcript import NOW, Run

FOLDER = Path(__file__).resolve().parents[2] / "scenarios" / "steppe-gulf"
ENDEX = "D2 17:00"


@cache
def steppe() -> Scenario:
    return load_scenario(FOLDER)


class TeamCohort(Cohort):
    """The flagship's cohort for any team model: one participant per team and per role that
    plays in it (a unit's roles are those of its agency type), and every participant
    acknowledges each inject that reaches them."""

    def __init__(self, scenario: Scenario) -> None:
        roster = [
            c.RosterEntry("Director", None, StaffRole.DIRECTOR, "h-dir"),
            c.RosterEntry("SimCell", None, StaffRole.SIMCELL, "h-sim"),
        ]
        self.seats = {
            spec.id: [role.id for role in roles_in(scenario, spec)] for spec in team_specs(scenario)
        }
        roster += [
            c.RosterEntry(f"{team} {role}", team, role, hashlib.sha256(f"{team}{role}".encode()).hexdigest())
            for team, roles in self.seats.items()
            for role in roles
        ]
        self.run = Run(create(scenario, "EX1", "", roster, NOW), NOW)
        self.scenario = scenario
        self.start = scenario.clock.start
        director = self.run.viewer("Director")
        self.run.do(c.MarkReady(), director)
        self.run.do(c.StartExercise(), director, at=NOW)
        self.failures: list[str] = []
        self.acknowledged: set[tuple[str, str]] = set()

    def member(self, team: str, role: str) -> Viewer:
        if role not in self.seats.get(team, []):
            role = self.seats[team][0]  # nobody of that role here: someone who is (then refused)
        return self.run.viewer(f"{team} {role}")

    def _send_draft(self, request: str, author: Viewer) -> None:
        try:
            self.run.do(c.SendRequest(request), author)
        except InvalidState:  # a co-signature first: in the team, or from a co-signing unit
            instrument = self.scenario.instrument(self.run.state.requests[request].instrument)
            assert instrument is not None and author.team is not None
            teams = [author.team, *cosigners(self.scenario, author.team, instrument)]
            validator = next(
                self.member(team, role)
                for team in teams
                for role in self.seats[team]
                if may_validate(self.scenario, self.member(team, role), instrument)
            )
            self.run.do(c.ValidateRequest(request), validator)
            self.run.do(c.SendRequest(request), author)

    def answer_what_arrived(self, sim: float) -> None:
        super().answer_what_arrived(sim)
        self.acknowledge_injects()

    def acknowledge_injects(self) -> None:
        for inject in self.run.state.injects.values():
            if inject.status != "released":
                continue
            for team, roles in self.seats.items():
                for role in roles:
                    viewer = self.member(team, role)
                    if (inject.id, viewer.participant) in self.acknowledged:
                        continue
                    if can_see(viewer, inject.audience):
                        self.run.do(c.AcknowledgeInject(inject.id), viewer)
                    self.acknowledged.add((inject.id, viewer.participant))


@pytest.fixture(scope="module")
def strong_run() -> tuple[TeamCohort, list[str]]:
    cohort = TeamCohort(steppe())
    return cohort, cohort.play(strong(steppe()), until=ENDEX)


@pytest.fixture(scope="module")
def passive_run() -> tuple[TeamCohort, list[str]]:
    cohort = TeamCohort(steppe())
    return cohort, cohort.play(passive(steppe()), until=ENDEX)


def debrief(cohort: TeamCohort) -> Debrief:
    run = cohort.run
    return analyse(
        Entry(seq, at, event) for seq, (at, event) in enumerate(zip(run.times, run.log, strict=True), 1)
    )


def test_the_playbook_times_every_expected_request_and_its_actions() -> None:
    steps = strong(steppe())
    drafts = [s for s in steps if s.command == "request.draft"]
    assert len(drafts) == len(steppe().requests) == 9
    assert [s.at for s in steps] == sorted(s.at for s in steps)  # within one day: text order is time
    by_subject = {s.args["subject"]: s for s in drafts}
    referral = by_subject["Refer the case to the public prosecution"]
    assert (referral.team, referral.role, referral.args["to"]) == ("QAD-MOL", "labour_inspector", "QAD-PP")
    fiu = by_subject["Ask the national FIU about Sunrise's wage account"]
    assert (fiu.team, fiu.args["to"]) == ("QAD-POL", "QAD-FIU")  # a domestic request between units
    consul = by_subject["Notify the consulate of Tarkand"]
    assert (consul.args["to"], consul.args["agency"]) == ("TAR", "TAR.CONS")
    assert {(s.team, s.args["action"]) for s in steps if s.command == "action.take"} >= {
        ("QAD-MOL", "inspect_camp"),
        ("QAD-SOC", "identify_victims"),
        ("BOS", "arrest_recruiter"),
    }


def test_a_strong_cohort_sends_every_request_and_gets_every_answer_it_can(
    strong_run: tuple[TeamCohort, list[str]],
) -> None:
    cohort, _ = strong_run
    assert cohort.failures == []
    state = cohort.run.state
    sent = [r for r in state.requests.values() if r.sent]
    assert len(sent) == 9
    assert {r.instrument for r in sent} == {e.instrument for e in steppe().requests}
    (letter,) = [r for r in sent if r.instrument == "MLA"]
    assert (letter.source_team, letter.target_team, letter.cosigners) == ("QAD-POL", "TAR", ("QAD-PP",))
    (referral,) = [r for r in sent if r.instrument == "PP_REFERRAL"]
    assert (referral.source_team, referral.target_team, referral.status) == ("QAD-MOL", "QAD-PP", "answered")
    (consul,) = [r for r in sent if r.instrument == "CONSULAR_NOTIFICATION"]
    assert consul.simcell and consul.status == "answered"
    assert consul.answer.startswith("The consul will visit the shelter")
    played = [r for r in sent if not r.simcell]
    assert all(r.status == "answered" for r in played), [(r.id, r.instrument, r.status) for r in played]


def test_simcell_answers_bosmira_by_the_time_the_request_arrives(
    strong_run: tuple[TeamCohort, list[str]],
) -> None:
    # D1 17:30 is after Bosmira's office hours: acknowledged, then answered (delayed) next morning;
    # D2 is Republic Day in Bosmira: the second request is answered only after ENDEX.
    cohort, _ = strong_run
    evening, holiday = sorted(
        (r for r in cohort.run.state.requests.values() if r.instrument == "BORDER_RECORDS"),
        key=lambda r: r.id,
    )
    assert evening.simcell and evening.status == "answered"
    assert evening.answer == "The border records are attached."
    assert evening.reached(RequestStatus.ACKNOWLEDGED) is not None
    assert holiday.status == "acknowledged" and holiday.after_endex
    # the records reached the police unit that asked, not the other units
    holding = {
        team
        for team, roles in cohort.seats.items()
        if any(
            item["id"] == "A-BOS-ENTRIES"
            for item in snapshot(cohort.run.state, cohort.member(team, roles[0]))["case_file"]
        )
    }
    assert holding == {"QAD-POL"}


def test_a_strong_cohort_fires_the_good_branches_and_none_of_the_bad(
    strong_run: tuple[TeamCohort, list[str]],
) -> None:
    cohort, released = strong_run
    for fired in ("S-03", "S-04", "S-05", "S-06", "S-11", "S-13", "S-14", "S-15", "S-16", "S-09", "S-08"):
        assert fired in released, fired
    at = {e.inject: e.sim_time for e in cohort.run.log if isinstance(e, InjectReleased)}
    # the third interview (D2 09:45) is the first more than 20 minutes after the first (09:15);
    # it is also the third, on D2, while Davron still trusts the police enough: S-13 with it
    assert at["S-16"] == at["S-13"] == parse_sim_time("D2 09:45")
    assert at["S-03"] == parse_sim_time("D1 10:15")  # the referral sent at 09:45, plus PT30M
    for withheld in ("S-07", "S-10", "S-12"):
        assert withheld not in released, withheld
    state = cohort.run.state
    assert "A-QAD-LEDGER" not in state.artefact_states  # searched in time: never burnt
    assert state.characters["CH-DAVRON"].safety != "high_risk"
    statement = [e for e in cohort.run.log if isinstance(e, InjectReleased) and e.inject == "S-13"]
    assert statement[0].audience.team_roles == {"QAD-POL/police"}  # scope team: the interviewing unit


def test_an_inject_to_qadira_reaches_all_five_units(strong_run: tuple[TeamCohort, list[str]]) -> None:
    cohort, _ = strong_run
    (media,) = [e for e in cohort.run.log if isinstance(e, InjectReleased) and e.inject == "S-09"]
    reached = {
        team
        for team, roles in cohort.seats.items()
        for role in roles
        if can_see(cohort.member(team, role), media.audience)
    }
    assert reached == {"QAD-POL", "QAD-PP", "QAD-MOL", "QAD-FIU", "QAD-SOC"}


def test_the_fiu_finding_goes_to_whoever_holds_silkjobs_accounts(
    strong_run: tuple[TeamCohort, list[str]],
) -> None:
    cohort, _ = strong_run
    (finding,) = [e for e in cohort.run.log if isinstance(e, InjectReleased) and e.inject == "S-14"]
    # Qadira's FIU unit got the accounts with Tarkand's answer; Tarkand holds what it gave
    assert finding.audience.team_roles == {
        "QAD-FIU/fiu_analyst",
        "QAD-FIU/prosecutor",
        "TAR/fiu_analyst",
        "TAR/prosecutor",
    }


def test_every_released_inject_is_acknowledged_by_everyone_it_reaches(
    strong_run: tuple[TeamCohort, list[str]],
) -> None:
    cohort, _ = strong_run
    for inject in cohort.run.state.injects.values():
        if inject.status == "released":
            reached = {
                cohort.member(team, role).participant
                for team, roles in cohort.seats.items()
                for role in roles
                if can_see(cohort.member(team, role), inject.audience)
            }
            assert reached and reached <= inject.acknowledged, inject.id


def test_a_passive_cohort_triggers_the_consequences(passive_run: tuple[TeamCohort, list[str]]) -> None:
    cohort, released = passive_run
    assert cohort.failures == []
    assert not cohort.run.state.requests
    for fired in ("S-01", "S-02", "S-07", "S-09", "S-10", "S-08"):
        assert fired in released, fired
    for withheld in ("S-03", "S-04", "S-05", "S-06", "S-11", "S-12", "S-13", "S-14", "S-15", "S-16"):
        assert withheld not in released, withheld
    state = cohort.run.state
    assert state.artefact_states["A-QAD-LEDGER"].condition == "destroyed"
    davron = state.characters["CH-DAVRON"]
    assert (davron.trust, davron.safety, davron.location) == (1, "high_risk", "unknown site")


def test_the_debrief_tells_the_cohorts_apart(
    strong_run: tuple[TeamCohort, list[str]], passive_run: tuple[TeamCohort, list[str]]
) -> None:
    good, bad = debrief(strong_run[0]), debrief(passive_run[0])

    def verdicts(found: Debrief) -> dict[str, bool | None]:
        """Each metric's verdict for the first team it is about, else for the cohort."""
        return {m.metric.id: m.of(m.metric.teams[0] if m.metric.teams else COHORT).met for m in found.metrics}

    strong_met, passive_met = verdicts(good), verdicts(bad)
    assert strong_met.keys() == {m.id for m in steppe().metrics}
    assert all(strong_met.values()), strong_met
    # both cohorts read their injects; everything the passive one should have done is missed
    assert {metric for metric, met in passive_met.items() if met} == {"M-INJECTS-READ"}
    assert good.requests != bad.requests
