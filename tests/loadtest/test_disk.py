"""The disk probe: fsync latencies where the run's Redis writes, and the report's line for them;
Redis's own latency monitor during a run, and which slow seconds of delivery it explains."""

from __future__ import annotations

from pathlib import Path

import redis.asyncio

from loadtest.disk import (
    STALL_MS,
    fsync_line,
    fsync_probe,
    stall_lines,
    stalls,
    steps_between,
    steps_line,
    watch_stalls,
)

SLOW_SCRIPT = """local start = redis.call('TIME')
repeat local now = redis.call('TIME')
until (now[1] - start[1]) * 1000000 + (now[2] - start[2]) >= tonumber(ARGV[1]) * 1000
return 1"""


def test_the_probe_times_fsyncs_and_leaves_nothing_behind(tmp_path: Path) -> None:
    probe = fsync_probe(tmp_path / "redis", seconds=0.3, pause=0.0)
    assert probe["count"] > 0
    assert 0 < probe["p50"] <= probe["p99"] <= probe["max"]
    assert 0 <= probe["over_20ms"] <= probe["count"]
    assert list((tmp_path / "redis").iterdir()) == []
    line = fsync_line(probe)
    assert line.startswith("  disk under Redis: fsync p50 ") and f"of {probe['count']} over 20 ms" in line


async def test_redis_records_its_slow_steps_while_watched_and_the_threshold_is_put_back(
    redis_url: str, redis_client: redis.asyncio.Redis
) -> None:
    await redis_client.config_set("latency-monitor-threshold", 7)
    before = await watch_stalls(redis_url)
    assert before == 7
    assert (await redis_client.config_get("latency-monitor-threshold"))["latency-monitor-threshold"] == str(
        STALL_MS
    )
    await redis_client.eval(SLOW_SCRIPT, 0, STALL_MS + 15)  # a command that takes 35 ms
    recorded = await stalls(redis_url, before)
    assert set(recorded) == {"command"}
    ((_, ms),) = recorded["command"]
    assert STALL_MS <= ms < 1000
    assert (await redis_client.config_get("latency-monitor-threshold"))["latency-monitor-threshold"] == "7"
    await redis_client.config_set("latency-monitor-threshold", 0)


def test_the_report_says_which_slow_seconds_had_a_slow_step_of_redis() -> None:
    t0 = 1_000.0
    window = (1_010.0, 1_070.0)
    by_second = {
        "20": {"p50": 2.0, "p99": 300.0, "max": 310.0},  # at 1,020: Redis stalled at 1,019
        "40": {"p50": 2.0, "p99": 90.0, "max": 95.0},  # at 1,040: nothing in Redis
        "41": {"p50": 2.0, "p99": 4.0, "max": 5.0},  # fast
        "5": {"p50": 2.0, "p99": 400.0, "max": 400.0},  # the ramp: not in the window
    }
    recorded = {"aof-fsync-always": [(1_019, 280), (1_005, 500)], "command": [(1_060, 25)]}
    lines = stall_lines(recorded, window, by_second, t0)
    assert lines[0] == (
        "  redis's own latency monitor (steps of 20 ms or more in the window): "
        "aof-fsync-always in 1 s, the worst 280 ms; command in 1 s, the worst 25 ms"
    )
    assert lines[1] == "    of the 2 s with a delivery over 50 ms, 1 had such a step within a second"
    assert stall_lines({"command": [(1_005, 40)]}, window, by_second, t0) == [
        "  redis's own latency monitor: no step of 20 ms or more in the window"
    ]


def test_the_steps_of_a_span_are_those_recorded_from_a_second_before_it_to_its_end() -> None:
    # Redis records a step at the Unix second it ended in: 100 is 100.0-101.0
    recorded = {"aof-fsync-always": [(99, 30), (100, 858), (101, 20), (103, 40)], "command": [(90, 25)]}
    steps = steps_between(recorded, 100.4, 101.9)  # a restart from 100.4 to 101.9
    assert steps == {"aof-fsync-always": [(100, 858), (101, 20)]}
    assert steps_line(steps) == "aof-fsync-always in 2 s, the worst 858 ms"
    assert steps_line(steps_between(recorded, 110.0, 111.0)) == "no step of 20 ms or more"
