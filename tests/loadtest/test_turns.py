"""`loadtest.turns.summary`: what the turns between an aged and a fresh exercise add up to."""

from __future__ import annotations

import pytest

from loadtest.turns import Turn, summary


def turn(exercise: str, pair: int, commands: int, cpu: float) -> Turn:
    return Turn(exercise, pair, 1.0, commands + 1, commands, 10 * commands, cpu, cpu / 2)


def test_the_first_pair_is_left_out_and_the_rest_added_up() -> None:
    turns = [
        turn("aged", 0, 100, 9.0),  # a warm-up that would dominate everything
        turn("fresh", 0, 100, 0.1),
        turn("fresh", 1, 1000, 0.2),
        turn("aged", 1, 1000, 0.3),
        turn("aged", 2, 2000, 0.4),
        turn("fresh", 2, 2000, 0.4),
    ]
    done = summary(turns, 1.0)
    assert done["aged"]["turns"] == done["fresh"]["turns"] == 2
    assert done["aged"]["commands"] == 3000 and done["aged"]["events"] == 3002
    assert done["aged"]["server_us_per_command"] == pytest.approx(1e6 * 0.7 / 3000)
    assert done["ratio"]["command"] == pytest.approx(0.7 / 0.6)
    assert done["ratio"]["frame"] == pytest.approx(0.7 / 0.6)
    assert done["ratio_per_command_by_pair"]["values"] == pytest.approx([1.5, 1.0])
    assert done["ratio_per_command_by_pair"]["median"] == pytest.approx(1.25)
    assert done["left_out"] is not None and len(done["turns"]) == 6


def test_a_single_pair_is_counted_rather_than_nothing() -> None:
    done = summary([turn("aged", 0, 100, 0.2), turn("fresh", 0, 100, 0.1)], 1.0)
    assert done["left_out"] is None
    assert done["ratio"]["command"] == pytest.approx(2.0)


def test_a_turn_without_commands_gives_no_ratio() -> None:
    done = summary([turn("aged", 0, 0, 0.2), turn("fresh", 0, 100, 0.1)], 1.0)
    assert done["ratio"]["command"] is None
    assert done["ratio_per_command_by_pair"]["median"] is None
