"""`decide`: commands in, events out, or a DomainError and nothing written.

The fixtures give the exercise "EX1" of `transcript.py` (its docstring lists the roster):
`ex` as a draft, `running` after it started at NOW + 10.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from server.core import commands as c
from server.core.audience import Audience, Viewer
from server.core.clock import Clock
from server.core.decide import MAX_TEXT, create, decide
from server.core.errors import DomainError, Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import (
    AnnouncementMade,
    ClockJumped,
    ClockSpeedChanged,
    ConnectionClosed,
    ConnectionOpened,
    CredentialIssued,
    CredentialRevoked,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
    MessagePosted,
    ParticipantAdded,
    Team,
)
from server.core.roster import MAX_NAME
from server.core.scenario import ClockSpec
from server.core.simtime import parse_sim_time
from server.core.state import Status
from tests.core.transcript import ROSTER, SCENARIO, Run

D1_0800 = parse_sim_time("D1 08:00")


def refused(ex: Run, command: c.Command, actor: c.Actor, error: type[DomainError], match: str) -> None:
    """`command` is refused with `error` and the exercise is left as it was."""
    before = ex.state
    with pytest.raises(error, match=match):
        ex.do(command, actor)
    assert ex.state is before


# -- create -----------------------------------------------------------------------------------


def test_create_opens_with_the_exercise_then_its_roster(ex: Run) -> None:
    created, *added = ex.log
    assert created == ExerciseCreated(
        exercise="EX1",
        title="Spring course",
        scenario=ex.state.scenario,
        teams=(
            Team("nl", "Netherlands", "nl"),
            Team("be", "Belgium", "be"),
            Team("fr", "France", "fr"),
        ),
        clock=Clock(sim_anchor=D1_0800, wall_anchor=ex.now, speed=1.0, running=False),
        created_at=ex.now,
    )
    assert [type(a) for a in added] == [ParticipantAdded] * len(ROSTER)
    assert [
        (a.participant, a.name, a.team, a.role, a.staff) for a in added if isinstance(a, ParticipantAdded)
    ] == [
        ("P0001", "Dana", None, "director", True),
        ("P0002", "Colm", None, "controller", True),
        ("P0003", "Sam", None, "simcell", True),
        ("P0004", "Mia", "nl", "mentor", True),
        ("P0005", "Otto", None, "observer", True),
        ("P0006", "Anna", "nl", "police", False),
        ("P0007", "Bas", "nl", "prosecutor", False),
        ("P0008", "Carla", "be", "police", False),
    ]
    assert added[5] == ParticipantAdded("P0006", "Anna", "nl", "police", False, "hash-anna")
    assert ex.state.status is Status.DRAFT


def test_create_takes_the_scenario_title_and_speed_when_none_given() -> None:
    fast = dataclasses.replace(SCENARIO, clock=ClockSpec(start=0, morning=0, speed=4.0))
    assert create(fast, "EX2", "", [], 1.0) == [
        ExerciseCreated(
            exercise="EX2",
            title="The Smuggling Route",
            scenario=fast,
            teams=(
                Team("nl", "Netherlands", "nl"),
                Team("be", "Belgium", "be"),
                Team("fr", "France", "fr"),
            ),
            clock=Clock(0, 1.0, 4.0),
            created_at=1.0,
        )
    ]


def test_create_refuses_a_bad_roster() -> None:
    with pytest.raises(NotFound, match="unknown team 'xx'"):
        create(SCENARIO, "EX2", "", [c.RosterEntry("Eve", "xx", "police", "h")], 1.0)


# -- lifecycle --------------------------------------------------------------------------------


def test_the_whole_lifecycle(ex: Run) -> None:
    dana = ex.viewer("Dana")
    t0 = ex.now
    assert ex.do(c.MarkReady(), dana, at=t0 + 5) == [ExerciseReady()]
    assert ex.do(c.StartExercise(), dana, at=t0 + 10) == [
        ExerciseStarted(Clock(D1_0800, t0 + 10, 1.0, running=True))
    ]
    assert ex.do(c.PauseExercise(), ex.viewer("Colm"), at=t0 + 70) == [
        ExercisePaused(Clock(D1_0800 + 60, t0 + 70, 1.0, running=False))
    ]
    assert ex.do(c.ResumeExercise(), ex.viewer("Colm"), at=t0 + 1000) == [
        ExerciseResumed(Clock(D1_0800 + 60, t0 + 1000, 1.0, running=True))
    ]
    assert ex.do(c.EndExercise(), dana, at=t0 + 1030) == [
        ExerciseEnded(Clock(D1_0800 + 90, t0 + 1030, 1.0, running=False))
    ]
    assert ex.state.status is Status.ENDED


def test_the_director_may_end_an_exercise_that_never_started(ex: Run) -> None:
    dana = ex.viewer("Dana")
    ex.do(c.MarkReady(), dana)
    assert ex.do(c.EndExercise(), dana) == [ExerciseEnded(ex.state.clock)]
    assert ex.state.status is Status.ENDED


def test_ready_needs_a_participant_not_only_staff() -> None:
    staff_only = Run(create(SCENARIO, "EX2", "", [c.RosterEntry("Dana", None, "director", "h")], 0), 0)
    refused(staff_only, c.MarkReady(), staff_only.viewer("Dana"), InvalidState, "no participants")


@pytest.mark.parametrize(
    ("command", "status", "doing"),
    [
        (c.StartExercise(), Status.DRAFT, "start"),
        (c.PauseExercise(), Status.DRAFT, "pause"),
        (c.ResumeExercise(), Status.DRAFT, "resume"),
        (c.EndExercise(), Status.DRAFT, "end"),
        (c.MarkReady(), Status.RUNNING, "mark ready"),
        (c.StartExercise(), Status.RUNNING, "start"),
        (c.ResumeExercise(), Status.RUNNING, "resume"),
        (c.PauseExercise(), Status.PAUSED, "pause"),
        (c.StartExercise(), Status.PAUSED, "start"),
        (c.MarkReady(), Status.ENDED, "mark ready"),
        (c.ResumeExercise(), Status.ENDED, "resume"),
        (c.EndExercise(), Status.ENDED, "end"),
    ],
)
def test_lifecycle_commands_in_the_wrong_state(
    ex: Run, command: c.Command, status: Status, doing: str
) -> None:
    dana = ex.viewer("Dana")
    path = {
        Status.DRAFT: [],
        Status.RUNNING: [c.MarkReady(), c.StartExercise()],
        Status.PAUSED: [c.MarkReady(), c.StartExercise(), c.PauseExercise()],
        Status.ENDED: [c.MarkReady(), c.EndExercise()],
    }[status]
    for step in path:
        ex.do(step, dana)
    assert ex.state.status is status
    refused(ex, command, dana, InvalidState, f"cannot {doing} an exercise that is {status}")


def test_only_the_director_ends_the_exercise(running: Run) -> None:
    refused(running, c.EndExercise(), running.viewer("Colm"), Forbidden, "only the exercise director")


CONTROL_COMMANDS = [
    c.MarkReady(),
    c.StartExercise(),
    c.PauseExercise(),
    c.ResumeExercise(),
    c.EndExercise(),
    c.SetClockSpeed(2.0),
    c.JumpClock(),
    c.AddParticipant(c.RosterEntry("Eve", "nl", "police", "h")),
    c.RevokeCredential("P0006"),
    c.ReissueCredential("P0006", "h"),
    c.MakeAnnouncement(Audience.all(), "hello"),
]


@pytest.mark.parametrize("command", CONTROL_COMMANDS, ids=lambda command: type(command).__name__)
@pytest.mark.parametrize("name", ["Sam", "Mia", "Otto", "Anna", "Carla"])
def test_only_control_runs_the_exercise(ex: Run, command: c.Command, name: str) -> None:
    refused(ex, command, ex.viewer(name), Forbidden, "may not do this")


@pytest.mark.parametrize("command", CONTROL_COMMANDS, ids=lambda command: type(command).__name__)
def test_the_system_does_not_run_the_exercise(ex: Run, command: c.Command) -> None:
    refused(ex, command, c.SYSTEM, Forbidden, "needs a participant")


def test_an_unknown_command_is_refused(ex: Run) -> None:
    refused(ex, c.Command(), ex.viewer("Dana"), InvalidArguments, "unknown command Command")
    refused(ex, c.Command(), ex.viewer("Anna"), Forbidden, "may not do this")


# -- clock ------------------------------------------------------------------------------------


def test_speed_change_keeps_the_time_reached(running: Run) -> None:
    t = running.now
    assert running.do(c.SetClockSpeed(60.0), running.viewer("Colm"), at=t + 30) == [
        ClockSpeedChanged(Clock(D1_0800 + 30, t + 30, 60.0, running=True))
    ]
    assert running.state.clock.sim_at(t + 31) == D1_0800 + 90


def test_speed_can_be_set_before_the_start(ex: Run) -> None:
    assert ex.do(c.SetClockSpeed(120.0), ex.viewer("Dana")) == [
        ClockSpeedChanged(Clock(D1_0800, ex.now, 120.0, running=False))
    ]


@pytest.mark.parametrize("speed", [0.0, -1.0, 120.5, math.inf, math.nan])
def test_speed_out_of_range(running: Run, speed: float) -> None:
    refused(running, c.SetClockSpeed(speed), running.viewer("Dana"), InvalidArguments, "speed")


def test_jump_to_a_time(running: Run) -> None:
    to = parse_sim_time("D1 14:00")
    assert running.do(c.JumpClock(to), running.viewer("Colm")) == [
        ClockJumped(Clock(to, running.now, 1.0, running=True), from_sim=D1_0800)
    ]
    assert running.state.clock.sim_at(running.now + 60) == to + 60


def test_jump_to_the_next_morning(running: Run) -> None:
    t = running.now
    [jumped] = running.do(c.JumpClock(), running.viewer("Dana"), at=t + 120)
    assert jumped == ClockJumped(
        Clock(parse_sim_time("D2 07:30"), t + 120, 1.0, running=True), from_sim=D1_0800 + 120
    )


def test_jump_while_paused_stays_paused(running: Run) -> None:
    running.do(c.PauseExercise(), running.viewer("Dana"))
    [jumped] = running.do(c.JumpClock(), running.viewer("Dana"))
    assert isinstance(jumped, ClockJumped)
    assert not jumped.clock.running
    assert jumped.clock.sim_anchor == parse_sim_time("D2 07:30")


@pytest.mark.parametrize("to", [parse_sim_time("D1 07:59"), float(D1_0800), -math.inf, math.inf, math.nan])
def test_the_clock_only_jumps_forward_to_a_real_time(running: Run, to: float) -> None:
    refused(running, c.JumpClock(to), running.viewer("Dana"), InvalidArguments, "only jumps forward")


@pytest.mark.parametrize(
    "command",
    [
        c.SetClockSpeed(2.0),
        c.JumpClock(),
        c.AddParticipant(c.RosterEntry("E", "nl", "police", "h")),
    ],
)
def test_after_the_end_the_clock_and_roster_are_closed(running: Run, command: c.Command) -> None:
    running.do(c.EndExercise(), running.viewer("Dana"))
    refused(running, command, running.viewer("Dana"), InvalidState, "has ended")


# -- roster and credentials -------------------------------------------------------------------


def test_add_a_participant_with_the_next_id(running: Run) -> None:
    entry = c.RosterEntry("  Eve  ", "fr", "prosecutor", "hash-eve")
    assert running.do(c.AddParticipant(entry), running.viewer("Colm")) == [
        ParticipantAdded("P0009", "Eve", "fr", "prosecutor", staff=False, code_hash="hash-eve")
    ]
    entry = c.RosterEntry("Sid", None, "simcell", "hash-sid")
    assert running.do(c.AddParticipant(entry), running.viewer("Colm")) == [
        ParticipantAdded("P0010", "Sid", None, "simcell", staff=True, code_hash="hash-sid")
    ]


def test_a_name_may_be_as_long_as_max_name(ex: Run) -> None:
    entry = c.RosterEntry("N" * MAX_NAME, "nl", "police", "h")
    [added] = ex.do(c.AddParticipant(entry), ex.viewer("Dana"))
    assert isinstance(added, ParticipantAdded)
    assert added.name == "N" * MAX_NAME


@pytest.mark.parametrize(
    ("entry", "error", "match"),
    [
        (c.RosterEntry("   ", "nl", "police", "h"), InvalidArguments, "got 0"),
        (c.RosterEntry("N" * (MAX_NAME + 1), "nl", "police", "h"), InvalidArguments, "got 201"),
        (c.RosterEntry("Eve", "nl", "pilot", "h"), NotFound, "unknown role 'pilot'"),
        (c.RosterEntry("Eve", None, "police", "h"), InvalidArguments, "needs a team"),
        (
            c.RosterEntry("Eve", "de", "police", "h"),
            NotFound,
            r"unknown team 'de' \(teams: be, fr, nl\)",
        ),
        (c.RosterEntry("Eve", "de", "mentor", "h"), NotFound, "unknown team 'de'"),
    ],
)
def test_add_refuses_a_bad_entry(ex: Run, entry: c.RosterEntry, error: type[DomainError], match: str) -> None:
    refused(ex, c.AddParticipant(entry), ex.viewer("Dana"), error, match)


def test_revoke_closes_the_open_connections_then_revokes(running: Run) -> None:
    colm = running.viewer("Colm")
    running.do(c.OpenConnection("P0006", "i1:c1"), c.SYSTEM)
    running.do(c.OpenConnection("P0006", "i2:c7"), c.SYSTEM)
    running.do(c.OpenConnection("P0007", "i1:c2"), c.SYSTEM)
    assert running.do(c.RevokeCredential("P0006"), colm) == [
        ConnectionClosed("P0006", "i1:c1"),
        ConnectionClosed("P0006", "i2:c7"),
        CredentialRevoked("P0006", generation=1),
    ]
    assert running.state.participants["P0006"].revoked
    assert not running.state.online("P0006")
    assert running.state.online("P0007")


def test_revoke_twice_is_refused(running: Run) -> None:
    running.do(c.RevokeCredential("P0008"), running.viewer("Colm"))
    refused(running, c.RevokeCredential("P0008"), running.viewer("Colm"), InvalidState, "already")


def test_revoke_and_reissue_work_after_the_end(running: Run) -> None:
    dana = running.viewer("Dana")
    running.do(c.EndExercise(), dana)
    assert running.do(c.RevokeCredential("P0008"), dana) == [CredentialRevoked("P0008", 1)]
    assert running.do(c.ReissueCredential("P0008", "h2"), dana) == [
        CredentialIssued("P0008", generation=2, code_hash="h2")
    ]


def test_reissue_bumps_the_generation_and_lifts_a_revocation(running: Run) -> None:
    colm = running.viewer("Colm")
    running.do(c.RevokeCredential("P0006"), colm)
    assert running.do(c.ReissueCredential("P0006", "hash-2"), colm) == [
        CredentialIssued("P0006", generation=2, code_hash="hash-2")
    ]
    assert running.do(c.ReissueCredential("P0006", "hash-3"), colm) == [
        CredentialIssued("P0006", generation=3, code_hash="hash-3")
    ]
    anna = running.state.participants["P0006"]
    assert (anna.generation, anna.code_hash, anna.revoked) == (3, "hash-3", False)
    assert running.do(c.OpenConnection("P0006", "i1:c1"), c.SYSTEM) == [ConnectionOpened("P0006", "i1:c1")]


@pytest.mark.parametrize("command", [c.RevokeCredential("P0099"), c.ReissueCredential("P0099", "h")])
def test_credentials_of_an_unknown_participant(ex: Run, command: c.Command) -> None:
    refused(ex, command, ex.viewer("Dana"), NotFound, "no participant 'P0099'")


# -- connections ------------------------------------------------------------------------------


def test_opening_and_closing_are_idempotent(ex: Run) -> None:
    assert ex.do(c.OpenConnection("P0006", "i1:c1"), c.SYSTEM) == [ConnectionOpened("P0006", "i1:c1")]
    assert ex.do(c.OpenConnection("P0006", "i1:c1"), c.SYSTEM) == []
    assert ex.do(c.CloseConnection("P0006", "i1:c1"), c.SYSTEM) == [ConnectionClosed("P0006", "i1:c1")]
    assert ex.do(c.CloseConnection("P0006", "i1:c1"), c.SYSTEM) == []
    assert ex.do(c.CloseConnection("P0099", "i1:c1"), c.SYSTEM) == []


def test_connections_are_the_systems_business(ex: Run) -> None:
    for command in (
        c.OpenConnection("P0006", "i1:c1"),
        c.CloseConnection("P0006", "i1:c1"),
        c.CloseInstanceConnections("i1"),
    ):
        refused(ex, command, ex.viewer("Dana"), Forbidden, "only the server")


def test_a_revoked_code_cannot_connect(ex: Run) -> None:
    ex.do(c.RevokeCredential("P0006"), ex.viewer("Dana"))
    refused(ex, c.OpenConnection("P0006", "i1:c1"), c.SYSTEM, Forbidden, "revoked")


def test_an_unknown_participant_cannot_connect(ex: Run) -> None:
    refused(ex, c.OpenConnection("P0099", "i1:c1"), c.SYSTEM, NotFound, "P0099")


def test_a_lost_instance_takes_only_its_own_connections(ex: Run) -> None:
    for participant, connection in [
        ("P0007", "i1:c3"),
        ("P0006", "i1:c2"),
        ("P0006", "i1:c1"),
        ("P0006", "i10:c1"),
        ("P0001", "i2:c1"),
    ]:
        ex.do(c.OpenConnection(participant, connection), c.SYSTEM)
    assert ex.do(c.CloseInstanceConnections("i1"), c.SYSTEM) == [
        ConnectionClosed("P0006", "i1:c1"),
        ConnectionClosed("P0006", "i1:c2"),
        ConnectionClosed("P0007", "i1:c3"),
    ]
    assert dict(ex.state.connections) == {
        "P0006": frozenset({"i10:c1"}),
        "P0001": frozenset({"i2:c1"}),
    }
    assert ex.do(c.CloseInstanceConnections("i1"), c.SYSTEM) == []


# -- messages and announcements ---------------------------------------------------------------


def test_a_participant_posts_to_their_team(running: Run) -> None:
    assert running.do(c.PostMessage("  Suspect seen in Rotterdam \n"), running.viewer("Anna")) == [
        MessagePosted(author="P0006", team="nl", text="Suspect seen in Rotterdam", sim_time=running.sim_now)
    ]
    assert running.do(c.PostMessage("x" * MAX_TEXT), running.viewer("Carla")) == [
        MessagePosted(author="P0008", team="be", text="x" * MAX_TEXT, sim_time=running.sim_now)
    ]


def test_messages_may_be_posted_before_the_start(ex: Run) -> None:
    assert ex.do(c.PostMessage("ready"), ex.viewer("Bas")) == [
        MessagePosted("P0007", "nl", "ready", ex.sim_now)
    ]


@pytest.mark.parametrize("name", ["Dana", "Mia", "Otto"])
def test_staff_do_not_post_team_messages(running: Run, name: str) -> None:
    refused(running, c.PostMessage("hi"), running.viewer(name), Forbidden, "announcement.make")


def test_the_system_does_not_post(running: Run) -> None:
    refused(running, c.PostMessage("hi"), c.SYSTEM, Forbidden, "needs a participant")


@pytest.mark.parametrize(("text", "length"), [("", 0), (" \n\t ", 0), ("x" * (MAX_TEXT + 1), 4001)])
def test_a_text_needs_one_to_max_text_characters(running: Run, text: str, length: int) -> None:
    match = f"got {length}"
    refused(running, c.PostMessage(text), running.viewer("Anna"), InvalidArguments, match)
    command = c.MakeAnnouncement(Audience.all(), text)
    refused(running, command, running.viewer("Dana"), InvalidArguments, match)


def test_control_announces_to_the_audience_it_chose(running: Run) -> None:
    to_police = Audience.of(roles=["police"], participants=["P0007"])
    assert running.do(c.MakeAnnouncement(to_police, " Raid at dawn "), running.viewer("Colm")) == [
        AnnouncementMade(author="P0002", audience=to_police, text="Raid at dawn", sim_time=running.sim_now)
    ]


def test_nothing_is_said_after_the_end(running: Run) -> None:
    dana = running.viewer("Dana")
    running.do(c.EndExercise(), dana)
    refused(running, c.PostMessage("hi"), running.viewer("Anna"), InvalidState, "has ended")
    refused(running, c.MakeAnnouncement(Audience.all(), "hi"), dana, InvalidState, "has ended")


def test_the_actor_is_taken_as_given(running: Run) -> None:
    # The core trusts the identity the adapter authenticated; it does not look it up again.
    stranger = Viewer("P0042", "fr", "police", staff=False)
    assert decide(running.state, c.PostMessage("hi"), stranger, running.now) == [
        MessagePosted("P0042", "fr", "hi", running.sim_now)
    ]
