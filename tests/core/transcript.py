"""An exercise driven command by command, so that a test reads as a transcript.

`ex.do(command, actor)` runs `decide`, applies what it returns and hands the events back.
The scenario has three teams (nl, be, fr) and two participant roles; the roster is:
P0001 Dana (director), P0002 Colm (controller), P0003 Sam (simcell), P0004 Mia (mentor, team
nl), P0005 Otto (observer), P0006 Anna (police, nl), P0007 Bas (prosecutor, nl) and P0008
Carla (police, be). The simulated clock starts at D1 08:00; "next morning" is 07:30.
"""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Viewer
from server.core.decide import decide
from server.core.evaluation_model import Question, QuestionKind, Questionnaire
from server.core.events import Event
from server.core.scenario import ClockSpec, Country, Objective, Role, RouteRole, Scenario
from server.core.simtime import parse_sim_time
from server.core.state import Exercise, apply, fold

NOW = 1_700_000_000.0
"""The wall time the fixtures' exercise is created at."""

SCENARIO = Scenario(
    id="smuggling-route",
    title="The Smuggling Route",
    countries=(
        Country("nl", "Netherlands", RouteRole.ORIGIN),
        Country("be", "Belgium", RouteRole.TRANSIT),
        Country("fr", "France", RouteRole.DESTINATION),
    ),
    roles=(Role("police", "Police investigator"), Role("prosecutor", "Prosecutor")),
    clock=ClockSpec(start=parse_sim_time("D1 08:00"), morning=parse_sim_time("D1 07:30")),
    objectives=(Objective("LO-ID", "Identify presumed victims", "Refer them.", ("no", "yes")),),
    questionnaires=(
        Questionnaire("Q-DAY", "End of the day", (Question("clarity", "How clear?", QuestionKind.RATING),)),
        Questionnaire(
            "Q-END", "End", (Question("change", "What to change?", QuestionKind.TEXT),), anonymous=True
        ),
    ),
)

ROSTER = (
    c.RosterEntry("Dana", None, "director", "hash-dana"),  # P0001
    c.RosterEntry("Colm", None, "controller", "hash-colm"),  # P0002
    c.RosterEntry("Sam", None, "simcell", "hash-sam"),  # P0003
    c.RosterEntry("Mia", "nl", "mentor", "hash-mia"),  # P0004, staff attached to a team
    c.RosterEntry("Otto", None, "observer", "hash-otto"),  # P0005
    c.RosterEntry("Anna", "nl", "police", "hash-anna"),  # P0006
    c.RosterEntry("Bas", "nl", "prosecutor", "hash-bas"),  # P0007
    c.RosterEntry("Carla", "be", "police", "hash-carla"),  # P0008
)


class Run:
    """One exercise, driven command by command; `log` is every event written so far."""

    def __init__(self, log: list[Event], now: float) -> None:
        self.log = list(log)
        self.state: Exercise = fold(self.log)
        self.now = now
        self.times = [now] * len(self.log)
        """The wall time each event of `log` was written at (the debrief reads it)."""

    def do(self, command: c.Command, actor: c.Actor, *, at: float | None = None) -> list[Event]:
        """Decide `command` (at wall time `at`, default: the last time used) and apply it."""
        if at is not None:
            self.now = at
        events = decide(self.state, command, actor, self.now)
        for event in events:
            self.state = apply(self.state, event)
        self.log.extend(events)
        self.times.extend([self.now] * len(events))
        return events

    @property
    def sim_now(self) -> float:
        """The exercise's simulated time now."""
        return self.state.clock.sim_at(self.now)

    def id_of(self, name: str) -> str:
        (found,) = (p.id for p in self.state.participants.values() if p.name == name)
        return found

    def viewer(self, name: str) -> Viewer:
        """The identity of the participant called `name`, as the server would build it."""
        member = self.state.participants[self.id_of(name)]
        return Viewer(member.id, member.team, member.role, member.staff)
