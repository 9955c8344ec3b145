"""The audience of every event: who may see it (`server.core.audience.can_see` decides).

Rules:
- the exercise's own life (ready, started, paused, resumed, ended, clock) is public;
- its creation carries the whole scenario (every team's private material, staff notes), so
  only staff see it; participants learn the public part from their welcome snapshot;
- a participant's arrival and presence are seen by their team (staff: by staff only);
- credentials are staff business;
- a team message is seen by its team; an announcement by the audience control chose.
"""

from __future__ import annotations

from server.core.audience import Audience
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
from server.core.state import Exercise

_PUBLIC = (
    ExerciseReady,
    ExerciseStarted,
    ExercisePaused,
    ExerciseResumed,
    ExerciseEnded,
    ClockSpeedChanged,
    ClockJumped,
)


def audience(state: Exercise, event: Event) -> Audience:
    """Who may see `event`; `state` is the exercise with the event applied."""
    match event:
        case _ if isinstance(event, _PUBLIC):
            return Audience.all()
        case ExerciseCreated():
            return Audience.staff_only()  # it holds the whole scenario: every team's secrets
        case ParticipantAdded():
            return Audience.team(event.team) if not event.staff else Audience.staff_only()
        case ConnectionOpened() | ConnectionClosed():
            member = state.participants[event.participant]
            return Audience.staff_only() if member.staff else Audience.team(member.team)
        case CredentialIssued() | CredentialRevoked():
            return Audience.staff_only()
        case MessagePosted():
            return Audience.team(event.team)
        case AnnouncementMade():
            return event.audience
    raise ValueError(f"no audience rule for {event.kind}")
