"""The exercise's lifecycle and its clock: ready, running, paused, ended; speed and jumps."""

from __future__ import annotations

from dataclasses import replace

from server.core.events import (
    ClockJumped,
    ClockJumpSkipped,
    ClockSpeedChanged,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
)
from server.core.exercise import Exercise, Status
from server.core.fold import Handler


def _ready(state: Exercise, event: ExerciseReady) -> Exercise:
    return replace(state, status=Status.READY)


def _running(state: Exercise, event: ExerciseStarted | ExerciseResumed) -> Exercise:
    return replace(state, status=Status.RUNNING, clock=event.clock)


def _paused(state: Exercise, event: ExercisePaused) -> Exercise:
    return replace(state, status=Status.PAUSED, clock=event.clock)


def _ended(state: Exercise, event: ExerciseEnded) -> Exercise:
    return replace(state, status=Status.ENDED, clock=event.clock)


def _clock(state: Exercise, event: ClockSpeedChanged) -> Exercise:
    return replace(state, clock=event.clock)


def _jumped(state: Exercise, event: ClockJumped) -> Exercise:
    done = state.jumps_done | {event.jump} if event.jump else state.jumps_done
    return replace(state, clock=event.clock, jumps_done=done)


def _jump_skipped(state: Exercise, event: ClockJumpSkipped) -> Exercise:
    return replace(state, jumps_done=state.jumps_done | {event.jump})


HANDLERS: dict[type, Handler] = {
    ExerciseReady: _ready,
    ExerciseStarted: _running,
    ExerciseResumed: _running,
    ExercisePaused: _paused,
    ExerciseEnded: _ended,
    ClockSpeedChanged: _clock,
    ClockJumped: _jumped,
    ClockJumpSkipped: _jump_skipped,
}
