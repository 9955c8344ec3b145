"""How long the disk under Redis takes to fsync: a figure every run reports beside its latencies.

With `appendfsync always` (Liaison's default, DESIGN.md guarantee 4) a command is acknowledged
only once Redis has fsynced its events, so every event's delivery waits for one fsync. A disk
whose fsync usually takes 0.3 ms but now and then 300 ms (seen on this project's virtual
machines) puts those stalls straight into the p99, where the bare `websockets` floor, which
writes nothing to disk, has none. The probe writes and fsyncs a small record in the folder the
run's Redis keeps its AOF in, the way Redis appends, for a few seconds before the run, so a
report can tell a slow disk from a slow server.

A disk that stalls only now and then may be quick during the probe and stall in the window. So
during the cohort run Redis's own latency monitor records every step of 20 ms or more
(`watch_stalls`, `stalls`: `aof-fsync-always` is the fsync each append waits for), and the report
says how many of the slow seconds of delivery had one (`stall_lines`), with the worst step of
each second drawn on the latency chart.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from .stats import percentile

RECORD = b"*3\r\n$4\r\nXADD\r\n" + b"x" * 280 + b"\r\n"
"""About the size of one appended message event in the AOF."""


def fsync_probe(folder: Path, seconds: float = 3.0, pause: float = 0.01) -> dict[str, Any]:
    """Append-and-fsync latencies in `folder` for `seconds` (one every `pause` seconds), in ms."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fsync-probe.tmp"
    latencies: list[float] = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            os.write(fd, RECORD)
            started = time.perf_counter()
            os.fsync(fd)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(pause)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    latencies.sort()
    return {
        "folder": str(folder),
        "count": len(latencies),
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else None,
        "over_20ms": sum(1 for value in latencies if value > 20),
    }


def fsync_line(probe: dict[str, Any]) -> str:
    """The report's line for the probe."""
    return (
        f"  disk under Redis: fsync p50 {probe['p50']:.2f} ms, p99 {probe['p99']:.2f} ms, "
        f"max {probe['max']:.1f} ms ({probe['over_20ms']} of {probe['count']} over 20 ms); with "
        "appendfsync always every event waits for one"
    )


STALL_MS = 20
"""Redis's latency monitor records what took at least this long (`latency-monitor-threshold`)."""
SLOW_SECOND_MS = 50.0
"""A second of the window whose slowest delivery took longer than this is a slow second."""


async def watch_stalls(url: str) -> int | None:
    """Make the run's Redis record its own slow steps (`LATENCY`, from `STALL_MS`) from now on;
    the threshold it had before, to put back (`stalls`), or None when this Redis does not let
    us (a managed Redis without `CONFIG`): the report then has no such line."""
    client = aioredis.Redis.from_url(url)
    try:
        before = await client.config_get("latency-monitor-threshold")
        await client.config_set("latency-monitor-threshold", STALL_MS)
        await client.latency_reset()
    except aioredis.RedisError:
        return None
    finally:
        await client.aclose()
    return int(before.get("latency-monitor-threshold") or 0)


async def stalls(url: str, threshold_before: int) -> dict[str, list[tuple[int, int]]]:
    """The slow steps Redis recorded since `watch_stalls`, by event (`aof-fsync-always`: the
    fsync every append waits for; `command`: a slow command ...), each as (Unix second, ms):
    Redis keeps the worst of each second, the latest 160. The threshold is put back."""
    client = aioredis.Redis.from_url(url)
    try:
        latest = await client.latency_latest()
        found: dict[str, list[tuple[int, int]]] = {}
        for row in latest:
            name = row[0].decode() if isinstance(row[0], bytes) else str(row[0])
            history = await client.latency_history(name)
            found[name] = [(int(at), int(ms)) for at, ms in history]
        await client.config_set("latency-monitor-threshold", threshold_before)
    except aioredis.RedisError:
        return {}
    finally:
        await client.aclose()
    return found


def steps_between(
    recorded: dict[str, list[tuple[int, int]]], start: float, end: float
) -> dict[str, list[tuple[int, int]]]:
    """The steps recorded from a second before `start` to `end` (Unix times; Redis names each
    step by the whole second it was recorded in), by event; the events without one left out."""
    steps = {name: [(at, ms) for at, ms in rows if start - 1 <= at <= end] for name, rows in recorded.items()}
    return {name: rows for name, rows in sorted(steps.items()) if rows}


def steps_line(steps: dict[str, list[tuple[int, int]]]) -> str:
    """Recorded steps as the report says them: "aof-fsync-always in 3 s, the worst 268 ms"."""
    if not steps:
        return f"no step of {STALL_MS} ms or more"
    return "; ".join(
        f"{name} in {len(rows)} s, the worst {max(ms for _, ms in rows)} ms" for name, rows in steps.items()
    )


def stall_lines(
    recorded: dict[str, list[tuple[int, int]]],
    window: tuple[float, float],
    by_second: dict[str, Any],
    t0: float,
) -> list[str]:
    """The report's lines: Redis's slow steps in the measured window, and how many of the slow
    seconds of delivery (a delivery over `SLOW_SECOND_MS`) had one, the same second or the one
    before: a tail that the disk made, told apart from one the server made."""
    start, end = window
    steps = steps_between(recorded, start, end)
    slow = sorted(
        int(t0) + int(second)
        for second, figures in by_second.items()
        if figures.get("max", 0) > SLOW_SECOND_MS and start <= t0 + int(second) <= end
    )
    if not steps:
        return [f"  redis's own latency monitor: no step of {STALL_MS} ms or more in the window"]
    heading = f"  redis's own latency monitor (steps of {STALL_MS} ms or more in the window)"
    lines = [f"{heading}: {steps_line(steps)}"]
    if slow:
        stalled = {at for rows in steps.values() for at, _ in rows}
        matched = sum(1 for second in slow if {second - 1, second, second + 1} & stalled)
        lines.append(
            f"    of the {len(slow)} s with a delivery over {SLOW_SECOND_MS:g} ms, {matched} had such a step"
            " within a second"
        )
    return lines
