"""The aged exercise against a fresh one, in turns on the same server: what age costs per command.

The growth's first and last tenths are minutes apart, and a shared VM's bursts (a third more CPU
per event for tens of seconds, on this project's test machine) then read as the cost of age. Here
the two exercises play the same mix through the same number of connections on the same instances,
taking turns of `seconds` each: a turn opens one exercise's gate, closes it when its time is up,
waits for its replies, and samples the server's CPU. The order alternates pair by pair (aged first,
then fresh first), so that a burst or a drift falls on both, and the first pair is left out (the
fresh exercise's hub is being loaded, its first requests drafted).

What each turn cost is divided by its own events, commands and delivered frames; the ratio aged ÷
fresh per command is the figure of DESIGN.md's "CPU per command at age N within 1.2x that of an
empty exercise". The generators' CPU per event, which does not depend on the exercise's age, is
beside it: when it moves with the server's, the machine moved.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from dataclasses import dataclass
from typing import Any

from .growth import Growth
from .monitor import Monitor
from .progress import ProgressLine

DRAIN = 10.0
"""Seconds a turn waits at most for the replies to what it sent."""
SETTLE, QUIET, IDLE = 3.0, 0.1, 0.2
"""Then at most SETTLE seconds for the servers to be idle: under IDLE of a core for QUIET s."""


@dataclass(frozen=True, slots=True)
class Turn:
    exercise: str
    """"aged" or "fresh"."""
    pair: int
    seconds: float
    events: int
    commands: int
    frames: int
    server_cpu: float
    generator_cpu: float


async def in_turns(
    growths: dict[str, Growth],
    monitor: Monitor,
    servers: list[str],
    generators: list[str],
    *,
    pairs: int,
    seconds: float,
    progress: ProgressLine,
) -> dict[str, Any]:
    """Run `pairs` pairs of turns between `growths["aged"]` and `growths["fresh"]` (both
    connected, not running) and say what each cost."""
    for growth in growths.values():
        growth.target = 1 << 62  # the turns decide when they stop
        growth.close_gate()
    runs = [asyncio.create_task(g.run(lambda: None), name=f"turns:{name}") for name, g in growths.items()]
    turns: list[Turn] = []
    try:
        for pair in range(pairs):
            order = ("aged", "fresh") if pair % 2 == 0 else ("fresh", "aged")
            for name in order:
                turns.append(await _turn(name, pair, growths[name], monitor, servers, generators, seconds))
                progress.text(f"turns    pair {pair + 1}/{pairs}  {_line(turns)}")
    finally:
        for growth in growths.values():
            growth.done.set()
            growth.open()
        for run in runs:
            with contextlib.suppress(Exception):
                await run
        progress.done()
    return summary(turns, seconds)


async def _turn(
    name: str,
    pair: int,
    growth: Growth,
    monitor: Monitor,
    servers: list[str],
    generators: list[str],
    seconds: float,
) -> Turn:
    before = _cpu(monitor, servers, generators)
    seq, commands, frames, started = growth.seq, growth.ok, growth.frames, time.monotonic()
    growth.open()
    await asyncio.sleep(seconds)
    growth.close_gate()
    if growth.in_flight:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN):
                await growth.drained.wait()
    after = await _settled(monitor, servers, generators)
    return Turn(
        exercise=name,
        pair=pair,
        seconds=time.monotonic() - started,
        events=growth.seq - seq,
        commands=growth.ok - commands,
        frames=growth.frames - frames,
        server_cpu=after[0] - before[0],
        generator_cpu=after[1] - before[1],
    )


async def _settled(monitor: Monitor, servers: list[str], generators: list[str]) -> tuple[float, float]:
    """The CPU used so far, once the servers are idle again (at most `SETTLE` seconds): what a
    turn set going in the background (a snapshot of the state, written in a worker thread every
    5,000 events) is its own."""
    until = time.monotonic() + SETTLE
    last = _cpu(monitor, servers, generators)
    while time.monotonic() < until:
        await asyncio.sleep(QUIET)
        now = _cpu(monitor, servers, generators)
        if now[0] - last[0] <= IDLE * QUIET:
            return now
        last = now
    return last


def _cpu(monitor: Monitor, servers: list[str], generators: list[str]) -> tuple[float, float]:
    taken = monitor.sample()
    if taken is None:
        return 0.0, 0.0
    cpu = taken.cpu_seconds
    return sum(cpu.get(n, 0.0) for n in servers), sum(cpu.get(n, 0.0) for n in generators)


def _per(turns: list[Turn], exercise: str) -> dict[str, Any]:
    mine = [t for t in turns if t.exercise == exercise]
    events = sum(t.events for t in mine)
    commands = sum(t.commands for t in mine)
    frames = sum(t.frames for t in mine)
    cpu = sum(t.server_cpu for t in mine)
    generator = sum(t.generator_cpu for t in mine)
    return {
        "turns": len(mine),
        "seconds": sum(t.seconds for t in mine),
        "events": events,
        "commands": commands,
        "frames": frames,
        "server_cpu_s": cpu,
        "server_us_per_event": 1e6 * cpu / events if events else None,
        "server_us_per_command": 1e6 * cpu / commands if commands else None,
        "server_us_per_frame": 1e6 * cpu / frames if frames else None,
        "generator_us_per_event": 1e6 * generator / events if events else None,
        "frames_per_event": frames / events if events else None,
    }


def _ratio(aged: float | None, fresh: float | None) -> float | None:
    return aged / fresh if aged and fresh else None


def summary(turns: list[Turn], seconds: float) -> dict[str, Any]:
    """Both exercises' cost over the turns after the first pair, their ratios, and the ratio per
    command of each pair (its median and spread say how steady the machine was)."""
    counted = [t for t in turns if t.pair > 0] or turns
    aged, fresh = _per(counted, "aged"), _per(counted, "fresh")
    by_pair: list[float] = []
    for pair in sorted({t.pair for t in counted}):
        both = {t.exercise: t for t in counted if t.pair == pair}
        if {"aged", "fresh"} <= both.keys():
            a, f = both["aged"], both["fresh"]
            ratio = _ratio(
                a.server_cpu / a.commands if a.commands else None,
                f.server_cpu / f.commands if f.commands else None,
            )
            if ratio is not None:
                by_pair.append(ratio)
    return {
        "seconds_per_turn": seconds,
        "pairs": len({t.pair for t in turns}),
        "left_out": "the first pair (the fresh hub loading)" if len(counted) < len(turns) else None,
        "aged": aged,
        "fresh": fresh,
        "ratio": {
            key: _ratio(aged[f"server_us_per_{key}"], fresh[f"server_us_per_{key}"])
            for key in ("command", "event", "frame")
        }
        | {"generator_per_event": _ratio(aged["generator_us_per_event"], fresh["generator_us_per_event"])},
        "ratio_per_command_by_pair": {
            "median": statistics.median(by_pair) if by_pair else None,
            "min": min(by_pair, default=None),
            "max": max(by_pair, default=None),
            "values": by_pair,
        },
        "turns": [
            {
                "exercise": t.exercise,
                "pair": t.pair,
                "seconds": t.seconds,
                "events": t.events,
                "commands": t.commands,
                "frames": t.frames,
                "server_cpu_s": t.server_cpu,
                "generator_cpu_s": t.generator_cpu,
            }
            for t in turns
        ],
    }


def _line(turns: list[Turn]) -> str:
    done = summary(turns, 0.0)
    aged, fresh = done["aged"], done["fresh"]
    ratio = done["ratio"]["command"]
    return (
        f"aged {_us(aged['server_us_per_command'])} µs/command  fresh {_us(fresh['server_us_per_command'])}"
        f"  aged/fresh {'-' if ratio is None else f'{ratio:.2f}x'}"
    )


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"
