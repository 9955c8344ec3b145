"""Control's hand on the exercise: ready, start, pause, resume, end; the clock's speed and jumps."""

from __future__ import annotations

import math

from server.core import commands as c
from server.core.audience import Viewer
from server.core.clock import MAX_SPEED
from server.core.errors import Forbidden, InvalidArguments, InvalidState
from server.core.events import (
    ClockJumped,
    ClockSpeedChanged,
    Event,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
)
from server.core.exercise import Exercise, Status
from server.core.guards import require_not_ended, require_status
from server.core.roles import StaffRole
from server.core.simtime import next_morning

Lifecycle = (
    c.MarkReady
    | c.StartExercise
    | c.PauseExercise
    | c.ResumeExercise
    | c.EndExercise
    | c.SetClockSpeed
    | c.JumpClock
)


def decide_lifecycle(state: Exercise, command: Lifecycle, viewer: Viewer, now: float) -> list[Event]:
    """`viewer` is control (the caller checked)."""
    match command:
        case c.MarkReady():
            require_status(state, "mark ready", Status.DRAFT)
            if not any(not p.staff for p in state.participants.values()):
                raise InvalidState("the roster has no participants yet")
            return [ExerciseReady()]
        case c.StartExercise():
            require_status(state, "start", Status.READY)
            return [ExerciseStarted(clock=state.clock.run(now))]
        case c.PauseExercise():
            require_status(state, "pause", Status.RUNNING)
            return [ExercisePaused(clock=state.clock.stop(now))]
        case c.ResumeExercise():
            require_status(state, "resume", Status.PAUSED)
            return [ExerciseResumed(clock=state.clock.run(now))]
        case c.EndExercise():
            if viewer.role != StaffRole.DIRECTOR:
                raise Forbidden("only the exercise director may end the exercise")
            require_status(state, "end", Status.READY, Status.RUNNING, Status.PAUSED)
            return [ExerciseEnded(clock=state.clock.stop(now))]
        case c.SetClockSpeed():
            require_not_ended(state)
            if not 0 < command.speed <= MAX_SPEED:
                raise InvalidArguments(f"speed must be above 0 and at most {MAX_SPEED:g}")
            return [ClockSpeedChanged(clock=state.clock.with_speed(now, command.speed))]
        case c.JumpClock():  # pragma: no branch (the last of the family)
            require_not_ended(state)
            current = state.clock.sim_at(now)
            target = next_morning(current, state.scenario.clock.morning) if command.to is None else command.to
            if not current < target < math.inf:
                raise InvalidArguments("the clock only jumps forward, to a finite time")
            return [ClockJumped(clock=state.clock.jumped(now, target), from_sim=current)]
