"""Backoff: the ceiling doubles up to the maximum; delays are drawn with full jitter under it."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients.sdk import backoff


def test_ceiling_doubles_up_to_the_maximum() -> None:
    ceilings = [backoff.ceiling(n, initial=0.1, maximum=5.0) for n in range(9)]
    assert ceilings == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0])
    assert backoff.ceiling(10_000, initial=0.1, maximum=5.0) == 5.0


def test_delays_are_jittered_under_the_ceiling() -> None:
    rng = random.Random(7)
    for attempt in range(12):
        draws = [backoff.delay(attempt, initial=0.1, maximum=5.0, rng=rng) for _ in range(50)]
        top = backoff.ceiling(attempt, initial=0.1, maximum=5.0)
        assert all(0 <= d <= top for d in draws)
        assert len(set(draws)) == len(draws)  # not one fixed delay
        assert max(draws) > top / 2  # full jitter spans the range


def test_delays_grow_with_attempts() -> None:
    rng = random.Random(1)
    means = [
        sum(backoff.delay(n, initial=0.1, maximum=5.0, rng=rng) for _ in range(400)) / 400 for n in range(7)
    ]
    assert means == sorted(means)


def test_default_rng() -> None:
    assert 0 <= backoff.delay(3, initial=0.1, maximum=5.0) <= 0.8


@given(
    attempt=st.integers(min_value=0, max_value=10**6),
    initial=st.floats(min_value=1e-3, max_value=10),
    spread=st.floats(min_value=1, max_value=1000),
    seed=st.integers(),
)
def test_delay_within_bounds(attempt: int, initial: float, spread: float, seed: int) -> None:
    maximum = initial * spread
    top = backoff.ceiling(attempt, initial=initial, maximum=maximum)
    assert initial <= top <= maximum
    assert top <= backoff.ceiling(attempt + 1, initial=initial, maximum=maximum)
    delay = backoff.delay(attempt, initial=initial, maximum=maximum, rng=random.Random(seed))
    assert 0 <= delay <= top


@pytest.mark.parametrize(("attempt", "initial", "maximum"), [(-1, 1, 2), (0, 0, 1), (0, 2, 1)])
def test_invalid_parameters(attempt: int, initial: float, maximum: float) -> None:
    with pytest.raises(ValueError, match=r"attempt|initial"):
        backoff.ceiling(attempt, initial=initial, maximum=maximum)
