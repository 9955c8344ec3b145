"""Who sees each event: the exercise's life is public, people and messages stay in their team,
credentials are staff business."""

from __future__ import annotations

import pytest

from server.core import commands as c
from server.core.audience import Audience, can_see
from server.core.events import (
    AnnouncementMade,
    ClockJumped,
    ClockSpeedChanged,
    ConnectionClosed,
    ConnectionOpened,
    CredentialIssued,
    CredentialRevoked,
    Event,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
    MessagePosted,
    ParticipantAdded,
)
from server.core.state import apply
from server.core.visibility import audience
from tests.core.transcript import Run


def test_the_exercise_s_life_and_clock_are_public(running: Run) -> None:
    dana = running.viewer("Dana")
    for command in (
        c.SetClockSpeed(2.0),
        c.JumpClock(),
        c.PauseExercise(),
        c.ResumeExercise(),
        c.EndExercise(),
    ):
        running.do(command, dana)
    public = [event for event in running.log if not isinstance(event, ParticipantAdded | ExerciseCreated)]
    assert audience(running.state, running.log[0]) == Audience.staff_only()
    assert [type(event) for event in public] == [
        ExerciseReady,
        ExerciseStarted,
        ClockSpeedChanged,
        ClockJumped,
        ExercisePaused,
        ExerciseResumed,
        ExerciseEnded,
    ]
    for event in public:
        assert audience(running.state, event) == Audience.all(), event


def test_arrivals_are_seen_by_the_team_or_by_staff(ex: Run) -> None:
    anna, dana, mia = ex.log[6], ex.log[1], ex.log[4]
    assert isinstance(anna, ParticipantAdded)
    assert audience(ex.state, anna) == Audience.team("nl")
    assert audience(ex.state, dana).is_staff_only
    # A mentor attached to a team is still staff: the team does not see them arrive.
    assert audience(ex.state, mia).is_staff_only


@pytest.mark.parametrize("event_type", [ConnectionOpened, ConnectionClosed])
@pytest.mark.parametrize(
    ("participant", "expected"),
    [
        ("P0006", Audience.team("nl")),
        ("P0008", Audience.team("be")),
        ("P0004", Audience.staff_only()),
        ("P0001", Audience.staff_only()),
    ],
)
def test_presence_is_seen_by_the_team_or_by_staff(
    ex: Run, event_type: type[Event], participant: str, expected: Audience
) -> None:
    event = event_type(participant, "i1:c1")  # type: ignore[call-arg]
    assert audience(apply(ex.state, event), event) == expected


def test_credentials_are_staff_business(ex: Run) -> None:
    assert audience(ex.state, CredentialRevoked("P0006", 1)).is_staff_only
    assert audience(ex.state, CredentialIssued("P0006", 2, "h")).is_staff_only


def test_a_team_message_is_seen_by_its_team(running: Run) -> None:
    [posted] = running.do(c.PostMessage("hi"), running.viewer("Carla"))
    seen = audience(running.state, posted)
    assert seen == Audience.team("be")
    who = {name for name in ("Anna", "Bas", "Carla", "Mia", "Otto") if can_see(running.viewer(name), seen)}
    assert who == {"Carla", "Mia", "Otto"}


def test_an_announcement_is_seen_by_the_audience_control_chose(running: Run) -> None:
    chosen = Audience.of(roles=["prosecutor"], participants=["P0008"])
    [made] = running.do(c.MakeAnnouncement(chosen, "Court order"), running.viewer("Dana"))
    assert isinstance(made, AnnouncementMade)
    assert audience(running.state, made) is chosen
    who = {name for name in ("Anna", "Bas", "Carla") if can_see(running.viewer(name), chosen)}
    assert who == {"Bas", "Carla"}


def test_message_without_a_team_is_staff_only(ex: Run) -> None:
    assert audience(ex.state, MessagePosted("P0099", None, "hi")).is_staff_only


def test_every_event_needs_a_rule(ex: Run) -> None:
    with pytest.raises(ValueError, match="no audience rule"):
        audience(ex.state, Event())
