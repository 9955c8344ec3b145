"""The exercise clock as a value: simulated time follows from an anchor, a speed and a flag."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.core.clock import MAX_SPEED, Clock

T0 = 1_700_000_000.0
"""A wall time."""

STOPPED = Clock(sim_anchor=28_800.0, wall_anchor=T0)
RUNNING = Clock(sim_anchor=28_800.0, wall_anchor=T0, speed=2.0, running=True)


def test_a_new_clock_is_stopped_at_real_time_speed() -> None:
    assert STOPPED.speed == 1.0
    assert not STOPPED.running


def test_a_stopped_clock_stands_still() -> None:
    assert STOPPED.sim_at(T0) == 28_800.0
    assert STOPPED.sim_at(T0 + 3_600) == 28_800.0
    assert STOPPED.wall_at(30_000.0) is None


def test_a_running_clock_advances_at_its_speed() -> None:
    assert RUNNING.sim_at(T0) == 28_800.0
    assert RUNNING.sim_at(T0 + 60) == 28_920.0


def test_a_running_clock_does_not_run_backwards_before_its_anchor() -> None:
    assert RUNNING.sim_at(T0 - 60) == 28_800.0


def test_wall_at_tells_when_a_running_clock_reaches_a_time() -> None:
    assert RUNNING.wall_at(28_920.0) == T0 + 60
    assert RUNNING.wall_at(0.0) == T0  # already past: now


def test_run_then_stop_keeps_the_time_reached() -> None:
    started = STOPPED.run(T0 + 100)
    assert started == Clock(28_800.0, T0 + 100, 1.0, running=True)
    stopped = started.stop(T0 + 160)
    assert stopped == Clock(28_860.0, T0 + 160, 1.0, running=False)
    assert stopped.sim_at(T0 + 10_000) == 28_860.0


def test_with_speed_reanchors_so_the_past_is_not_rewritten() -> None:
    faster = RUNNING.with_speed(T0 + 10, 10.0)
    assert faster == Clock(28_820.0, T0 + 10, 10.0, running=True)
    assert faster.sim_at(T0 + 20) == 28_920.0


def test_jumped_sets_the_simulated_time_and_keeps_running() -> None:
    jumped = RUNNING.jumped(T0 + 5, 90_000.0)
    assert jumped == Clock(90_000.0, T0 + 5, 2.0, running=True)
    assert STOPPED.jumped(T0 + 5, 90_000.0).running is False


def test_max_speed() -> None:
    assert MAX_SPEED == 120.0


walls = st.floats(min_value=T0, max_value=T0 + 1e6, allow_nan=False)
speeds = st.floats(min_value=0.01, max_value=MAX_SPEED, allow_nan=False)


@given(walls, walls, speeds, st.booleans())
def test_simulated_time_never_goes_backwards(a: float, b: float, speed: float, run: bool) -> None:
    clock = Clock(0.0, T0, speed, running=run)
    early, late = sorted((a, b))
    assert clock.sim_at(early) <= clock.sim_at(late)


@given(walls, walls, speeds)
def test_changes_are_continuous(wall: float, later: float, speed: float) -> None:
    clock = Clock(500.0, T0, 3.0, running=True)
    at = clock.sim_at(wall)
    for changed in (clock.stop(wall), clock.with_speed(wall, speed), clock.run(wall)):
        assert changed.sim_at(wall) == at
        assert changed.wall_anchor == wall


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False), speeds)
def test_wall_at_inverts_sim_at(ahead: float, speed: float) -> None:
    clock = Clock(500.0, T0, speed, running=True)
    wall = clock.wall_at(500.0 + ahead)
    assert wall is not None
    # Exact up to the rounding of a Unix wall time (about 2e-7 s), magnified by the speed.
    assert abs(clock.sim_at(wall) - (500.0 + ahead)) <= speed * 1e-6 + 1e-9 * ahead
