"""Fixtures for the core tests: a small scenario, a roster, and an exercise driven by commands.

`ex.do(command, actor)` runs `decide`, applies what it returns and hands the events back, so
a test reads as a transcript: command in, events out.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Stopgap until pytest is configured with `pythonpath = ["."]` (or the project is installed):
# `.venv/bin/pytest` does not put the project root on sys.path by itself.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402

from server.core import commands as c  # noqa: E402
from server.core.audience import Viewer  # noqa: E402
from server.core.decide import create, decide  # noqa: E402
from server.core.events import Event  # noqa: E402
from server.core.scenario import ClockSpec, Country, Role, RouteRole, Scenario  # noqa: E402
from server.core.simtime import parse_sim_time  # noqa: E402
from server.core.state import Exercise, apply, fold  # noqa: E402

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

    def do(self, command: c.Command, actor: c.Actor, *, at: float | None = None) -> list[Event]:
        """Decide `command` (at wall time `at`, default: the last time used) and apply it."""
        if at is not None:
            self.now = at
        events = decide(self.state, command, actor, self.now)
        for event in events:
            self.state = apply(self.state, event)
        self.log.extend(events)
        return events

    def id_of(self, name: str) -> str:
        (found,) = (p.id for p in self.state.participants.values() if p.name == name)
        return found

    def viewer(self, name: str) -> Viewer:
        """The identity of the participant called `name`, as the server would build it."""
        member = self.state.participants[self.id_of(name)]
        return Viewer(member.id, member.team, member.role, member.staff)


@pytest.fixture
def ex() -> Run:
    """A draft exercise of SCENARIO with ROSTER, created at NOW."""
    return Run(create(SCENARIO, "EX1", "Spring course", ROSTER, NOW), NOW)


@pytest.fixture
def running(ex: Run) -> Run:
    """The same exercise, marked ready and started at NOW + 10."""
    director = ex.viewer("Dana")
    ex.do(c.MarkReady(), director, at=NOW + 5)
    ex.do(c.StartExercise(), director, at=NOW + 10)
    return ex
