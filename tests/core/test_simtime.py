"""Simulated time reads as exercise days: "D1 08:30" is 8.5 hours after D1 00:00."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.simtime import DAY, HOUR, MINUTE, format_sim_time, next_morning, parse_sim_time


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("D1 00:00", 0),
        ("D1 08:30", 8 * HOUR + 30 * MINUTE),
        ("D1T08:30", 8 * HOUR + 30 * MINUTE),
        ("  D2 9:05 ", DAY + 9 * HOUR + 5 * MINUTE),
        ("D3  T 23:59", 2 * DAY + 23 * HOUR + 59 * MINUTE),
        ("D12 00:01", 11 * DAY + MINUTE),
    ],
)
def test_parse(text: str, seconds: int) -> None:
    assert parse_sim_time(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "08:30", "D1", "D1 8:3", "d1 08:30", "D1 08:30:00", "Day1 08:30", "D-1 08:30"]
)
def test_parse_refuses_other_shapes(text: str) -> None:
    with pytest.raises(ValueError, match="not a simulated time"):
        parse_sim_time(text)


@pytest.mark.parametrize("text", ["D0 08:30", "D1 24:00", "D1 08:60", "D1 99:99"])
def test_parse_refuses_out_of_range(text: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_sim_time(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "D1 00:00"),
        (8 * HOUR + 30 * MINUTE, "D1 08:30"),
        (8 * HOUR + 30 * MINUTE + 59.9, "D1 08:30"),  # minutes round down
        (DAY - 1, "D1 23:59"),
        (DAY, "D2 00:00"),
        (9 * DAY + 13 * HOUR, "D10 13:00"),
    ],
)
def test_format(seconds: float, text: str) -> None:
    assert format_sim_time(seconds) == text


@given(st.integers(min_value=0, max_value=400 * DAY).map(lambda s: s // MINUTE * MINUTE))
def test_format_then_parse_is_the_identity_on_whole_minutes(seconds: int) -> None:
    assert parse_sim_time(format_sim_time(seconds)) == seconds


@pytest.mark.parametrize(
    ("now", "morning", "expected"),
    [
        ("D1 06:00", "D1 07:30", "D1 07:30"),
        ("D1 07:30", "D1 07:30", "D2 07:30"),  # strictly after
        ("D1 08:00", "D1 07:30", "D2 07:30"),
        ("D2 23:59", "D1 00:00", "D3 00:00"),
    ],
)
def test_next_morning(now: str, morning: str, expected: str) -> None:
    assert next_morning(parse_sim_time(now), parse_sim_time(morning)) == parse_sim_time(expected)


@given(
    st.floats(min_value=0, max_value=400 * DAY, allow_nan=False),
    st.integers(min_value=0, max_value=DAY - 1),
)
def test_next_morning_is_the_first_such_time_strictly_after(seconds: float, morning: int) -> None:
    result = next_morning(seconds, morning)
    assert result > seconds
    assert result - seconds <= DAY
    assert result % DAY == morning
