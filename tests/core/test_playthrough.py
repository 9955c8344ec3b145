"""The flagship played through the core with a fake clock, by two scripted cohorts.

A strong cohort makes the 16 requests of DOMAIN.md §6.5 in time and takes the actions that
protect the victims and the assets: it reaches the full Joint Action Day (I-24) and none of
the bad branches fires. A passive cohort asks and decides nothing: Ion is lost (I-06b), Daria
absconds (I-18b), the assets are dissipated (I-26b) and the action day is partial (I-24b).
The scripts are `loadtest.playbook`, which the load test's bots play too.
"""

from __future__ import annotations

import hashlib
import math
from functools import cache
from pathlib import Path

import pytest

from loadtest.playbook import Step, passive, respond, strong
from server.core import commands as c
from server.core.audience import Viewer
from server.core.decide import create
from server.core.errors import DomainError, InvalidState
from server.core.events import Event, InjectReleased
from server.core.requests import RequestStatus as S
from server.core.requests import may_answer, may_receive, may_validate
from server.core.roles import StaffRole
from server.core.scenario import Scenario
from server.core.simtime import parse_sim_time
from server.core.view import snapshot
from server.protocol.commands import COMMANDS, NewCode
from server.scenario.loader import load_scenario
from tests.core.transcript import NOW, Run

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "greenhouse"
CODE = NewCode("0000-0000-0000-0000", "h")
TICK = 5 * 60


@cache
def flagship() -> Scenario:
    return load_scenario(FLAGSHIP)


class Cohort:
    """One participant per team and role, a director and SimCell; the exercise runs at 1x."""

    def __init__(self, scenario: Scenario) -> None:
        roster = [
            c.RosterEntry("Director", None, StaffRole.DIRECTOR, "h-dir"),
            c.RosterEntry("SimCell", None, StaffRole.SIMCELL, "h-sim"),
        ]
        roster += [
            c.RosterEntry(
                f"{country.id} {role.id}",
                country.id,
                role.id,
                hashlib.sha256(f"{country.id}{role.id}".encode()).hexdigest(),
            )
            for country in scenario.countries
            for role in scenario.roles
        ]
        self.run = Run(create(scenario, "EX1", "", roster, NOW), NOW)
        self.scenario = scenario
        self.start = scenario.clock.start
        director = self.run.viewer("Director")
        self.run.do(c.MarkReady(), director)
        self.run.do(c.StartExercise(), director, at=NOW)
        self.failures: list[str] = []

    def member(self, team: str, role: str) -> Viewer:
        return self.run.viewer(f"{team} {role}")

    def wall(self, sim: float) -> float:
        return NOW + (sim - self.start)

    def send(self, command: str, args: dict[str, object], actor: Viewer) -> list[Event]:
        return self.run.do(COMMANDS[command].build(dict(args), CODE), actor)

    def step(self, step: Step) -> None:
        actor = self.member(step.team, step.role)
        try:
            events = self.send(step.command, dict(step.args), actor)
            if step.command == "request.draft":
                self._send_draft(events[0].request, actor)  # type: ignore[attr-defined]
        except DomainError as error:
            self.failures.append(
                f"{step.at} {step.team} {step.role} {step.command} ({step.expect}): {error.message}"
            )

    def _send_draft(self, request: str, author: Viewer) -> None:
        try:
            self.run.do(c.SendRequest(request), author)
        except InvalidState:  # drafted by a role that needs a co-signature
            instrument = self.scenario.instrument(self.run.state.requests[request].instrument)
            assert instrument is not None
            validator = next(
                self.member(author.team or "", role.id)
                for role in self.scenario.roles
                if may_validate(self.scenario, self.member(author.team or "", role.id), instrument)
            )
            self.run.do(c.ValidateRequest(request), validator)
            self.run.do(c.SendRequest(request), author)

    def answer_what_arrived(self, sim: float) -> None:
        seen = snapshot(self.run.state, self.run.viewer("Director"))["requests"]
        for reply in respond(seen, sim):
            request = self.run.state.requests[reply.args["request"]]
            instrument = self.scenario.instrument(request.instrument)
            assert instrument is not None
            if reply.team is None:
                actor = self.run.viewer("SimCell")
            else:
                candidates = [self.member(reply.team, role.id) for role in self.scenario.roles]
                allowed = may_receive if reply.command == "request.acknowledge" else may_answer
                able = [v for v in candidates if allowed(self.scenario, v, instrument)]
                if reply.command == "request.clarify":
                    able = [
                        self.run.viewer(p.name)
                        for p in self.run.state.participants.values()
                        if p.id == request.author
                    ]
                if not able:
                    self.failures.append(f"nobody in {reply.team} may answer {request.instrument}")
                    continue
                actor = able[0]
            try:
                self.send(reply.command, dict(reply.args), actor)
            except DomainError as error:
                if reply.command == "request.answer" and "no response template" in error.message:
                    self.send(
                        "request.answer", {"request": request.id, "text": "Answered by SimCell."}, actor
                    )
                else:
                    self.failures.append(f"{reply.command} {request.id} by {actor.role}: {error.message}")

    def play(self, steps: list[Step], until: str = "D3 15:30") -> list[str]:
        """Play to `until` in 5-minute ticks; the ids of the injects released, in order."""
        pending = list(steps)
        sim = self.start
        while sim <= parse_sim_time(until):
            self.run.now = self.wall(sim)
            self.run.do(c.Advance(), c.SYSTEM)
            while pending and parse_sim_time(pending[0].at) <= sim:
                self.step(pending.pop(0))
            self.answer_what_arrived(sim)
            sim += TICK
        return [e.inject for e in self.run.log if isinstance(e, InjectReleased)]


@pytest.fixture(scope="module")
def strong_run() -> tuple[Cohort, list[str]]:
    cohort = Cohort(flagship())
    return cohort, cohort.play(strong(flagship()))


@pytest.fixture(scope="module")
def passive_run() -> tuple[Cohort, list[str]]:
    cohort = Cohort(flagship())
    return cohort, cohort.play(passive(flagship()))


def test_a_strong_cohort_makes_every_request_and_reaches_the_full_action_day(
    strong_run: tuple[Cohort, list[str]],
) -> None:
    cohort, released = strong_run
    assert cohort.failures == []
    sent = {r.instrument for r in cohort.run.state.requests.values() if r.sent}
    assert sent == {expected.instrument for expected in flagship().requests}
    assert len([r for r in cohort.run.state.requests.values() if r.sent]) == 16
    assert "I-24" in released
    assert cohort.run.state.joint_teams == {"JIT-GREENHOUSE"}  # the JIT agreement was signed
    for branch in ("I-06b", "I-18b", "I-26b", "I-24b"):
        assert branch not in released, branch
    for unlocked in ("I-06", "I-18", "I-19", "I-20"):
        assert unlocked in released, unlocked


STAND_INS = {"I-13": "KAL", "I-16": "VAR", "I-22": "KAL"}
"""The flagship's scripted answers of a team: the SPOC, the Varnian and the Kalmarian FIU reply."""


def test_a_scripted_answer_stands_in_only_for_a_team_that_has_not_answered_by_the_deadline(
    strong_run: tuple[Cohort, list[str]],
) -> None:
    # Issue 11, item 3: "SPOC answers" fired 30 minutes after the request while the played team
    # answered the same request with other facts. Every team is played here and answers within
    # 30 minutes: the Egmont and FIU.net replies never come, the SPOC's only where the team's
    # answer came no earlier than the game deadline.
    cohort, released = strong_run
    assert {i.id: i.stand_in_for for i in flagship().injects if i.stand_in_for} == STAND_INS
    for inject, team in STAND_INS.items():
        trigger = cohort.run.state.injects[inject].trigger
        assert trigger is not None and trigger.target == team
        asked = [
            r
            for r in cohort.run.state.requests.values()
            if r.sent
            and (r.instrument, r.source_team, r.target_team) == (trigger.instrument, trigger.source, team)
        ]
        assert asked and not any(r.simcell for r in asked), inject
        late = any(r.due_at is not None and (r.reached(S.ANSWERED) or math.inf) >= r.due_at for r in asked)
        assert (inject in released) == late, inject
    assert "I-16" not in released and "I-22" not in released


def test_a_passive_cohort_triggers_the_consequences(passive_run: tuple[Cohort, list[str]]) -> None:
    cohort, released = passive_run
    assert cohort.failures == []
    for branch in ("I-06b", "I-18b", "I-26b", "I-24b"):
        assert branch in released, branch
    for withheld in ("I-24", "I-06", "I-13", "I-18", "I-20"):
        assert withheld not in released, withheld
    assert cohort.run.state.joint_teams == frozenset()


def test_the_two_logs_differ_where_the_scenario_says(
    strong_run: tuple[Cohort, list[str]], passive_run: tuple[Cohort, list[str]]
) -> None:
    strong_ids, passive_ids = set(strong_run[1]), set(passive_run[1])
    assert strong_ids - passive_ids >= {"I-06", "I-13", "I-18", "I-24"}
    assert passive_ids - strong_ids >= {"I-06b", "I-18b", "I-26b", "I-24b"}
    assert strong_ids & passive_ids >= {"I-01", "I-02", "I-30"}  # what happens whatever the teams do


def test_the_consequences_change_the_case_of_a_passive_cohort_only(
    strong_run: tuple[Cohort, list[str]], passive_run: tuple[Cohort, list[str]]
) -> None:
    # Issue 12, item 8: a victim lost, a child gone and money dissipated leave their mark on the
    # case (the characters' state, the bank records), not only a message.
    passive, strong = passive_run[0].run.state, strong_run[0].run.state
    assert (passive.characters["CH-ION"].safety, passive.characters["CH-DARIA"].safety) == ("high_risk",) * 2
    assert passive.characters["CH-DARIA"].trust < strong.characters["CH-DARIA"].trust
    assert passive.artefact_states["A-KAL-BANK-01"].condition == "degraded"
    assert "A-KAL-BANK-01" not in strong.artefact_states
    assert strong.characters["CH-ION"].safety != "high_risk"
