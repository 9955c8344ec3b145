"""The age phase of `--age N`: an exercise grown to N events, measured before and after.

In order: create the exercise (the cohort's roster), take the welcome sizes of one participant
per team (the largest is "a participant's") and of the director (bytes, msgpack), start it, grow
it (`loadtest.growth`), restart the local instances and time process start → first welcome
served, and take the welcome sizes again. The cohort window and the reconnect storm then run on
this exercise (`loadtest.runner`).

For local instances the growth runs with the command rate limit raised (`GROWTH_SETTINGS`, unless
`--server-setting` sets them) and with Redis's `appendfsync` at `--age-fsync` (everysec by
default: with `always`, the fsync of each group commit limited the growth to about 850 events/s
here, against 1,330 with everysec); then Redis gets the run's `--fsync` back and the restart
brings the instances back with the settings of the run (`--server-setting` only), so the measured
window sees the usual limits and durability.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from clients.sdk import Client

from . import disk
from .cohort import Member, Scenario, resolve_scenario, roster_for
from .growth import Growth, growth_line
from .monitor import Monitor
from .progress import ProgressLine
from .runner import Exercise, Target, create_exercise
from .turns import in_turns
from .wire import first_welcome, welcome_sizes

GROWTH_SETTINGS = (("LIAISON_COMMAND_RATE", "1000000"), ("LIAISON_COMMAND_BURST", "1000000"))
"""For local instances, while the exercise grows: no command rate limit to speak of."""
MAX_GROWERS = 24


def growth_env(server_env: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The settings of local instances while the exercise grows: the run's, the rate raised
    unless the run sets it."""
    env = dict(server_env)
    for key, value in GROWTH_SETTINGS:
        env.setdefault(key, value)
    return env


def growers_of(exercise: Exercise, count: int) -> list[Member]:
    """The first participant of each team and role (then the others, when `count` asks for more),
    the control marker and, if the roster has one, a SimCell member (who answers what SimCell
    is given): `count` connections besides SimCell's (0: one per team and role, at most 24, and
    the marker; a team and role left out would leave the requests it should answer open)."""
    participants = [m for m in exercise.members if not m.staff]
    firsts: dict[str, Member] = {}
    for member in participants:
        firsts.setdefault(f"{member.team}/{member.role}", member)
    ordered = [*firsts.values(), *(m for m in participants if m not in firsts.values())]
    wanted = count - 1 if count else min(MAX_GROWERS, len(firsts))  # every answering team and role
    simcell = [m for m in exercise.members if m.role == "simcell"][:1]
    return [*ordered[: max(1, wanted)], exercise.marker, *simcell]


def _first(members: list[Member], role: str | None) -> Member | None:
    return next((m for m in members if (m.role == role if role else not m.staff)), None)


def _one_per_team(members: list[Member]) -> list[Member]:
    firsts: dict[str, Member] = {}
    for member in members:
        if not member.staff:
            firsts.setdefault(member.team or "", member)
    return list(firsts.values())


async def _sizes(url: str, participants: list[Member], director: Member) -> dict[str, Any]:
    """The welcome sizes of the director and of a participant: the largest of one per team (a
    team's welcome carries its requests in flight, so teams differ). `participant` and
    `director` are the welcomes of a client that holds the scenario's catalogue (every welcome
    after a browser's first); `*_first` those of a client's very first, catalogue included."""
    both = {m.team or "": await welcome_sizes(url, m.code) for m in participants}
    sizes = {team: held for team, (_, held) in both.items()}
    largest = max(sizes, key=sizes.__getitem__) if sizes else None
    first, held = await welcome_sizes(url, director.code)
    return {
        "participant": None if largest is None else sizes[largest],
        "participant_team": largest,
        "participant_by_team": sizes,
        "participant_first": max((f for f, _ in both.values()), default=None),
        "director": held,
        "director_first": first,
    }


async def age_exercise(
    options: Any, target: Target, progress: ProgressLine
) -> tuple[Exercise, Scenario, dict[str, Any]]:
    scenario = resolve_scenario(options.scenario)
    members = roster_for(scenario, max(options.participants, options.storm_clients), options.roster)
    exercise = await create_exercise(target, scenario, members)
    url = target.ws_urls[0]
    participant = _first(exercise.members, None)
    director = _first(exercise.members, "director") or exercise.marker
    per_team = _one_per_team(exercise.members)
    start_sizes = await _sizes(url, per_team, director)
    async with Client(url, code=exercise.marker.code, discard_events=True) as control:
        await control.command("exercise.ready")
        await control.command("exercise.start")
    growers = growers_of(exercise, options.age_clients)
    growth = await _grow(options, target, scenario, exercise, options.age, options.seed)
    fsync = options.age_fsync if target.restart is not None and target.redis_url else None
    if fsync is not None:
        await _appendfsync(target.redis_url, fsync)
    start_seq = growth.seq
    monitor = Monitor(dict(target.pids))
    monitor.start()
    monitor.add("generator-growth", os.getpid())
    servers = target.server_names
    started = time.time()

    def tick() -> None:
        growth.sample(monitor, servers, ["generator-growth"])
        growth_line(progress, growth, started, start_seq)

    turns: dict[str, Any] | None = None
    try:
        await growth.run(tick)
        progress.done()
        if options.age_turns:
            turns = await _in_turns(options, target, scenario, members, exercise, monitor, progress)
    finally:
        progress.done()
        if fsync is not None:
            await _appendfsync(target.redis_url, options.fsync)  # the run's own, for the window
    seconds = time.time() - started
    result: dict[str, Any] = {
        "target": options.age,
        "reached": growth.seq,
        "start_seq": start_seq,
        "seconds": seconds,
        "events_per_s": (growth.seq - start_seq) / seconds if seconds > 0 else None,
        "commands": growth.ok,
        "commands_per_s": growth.ok / seconds if seconds > 0 else None,
        "by_command": dict(growth.by_command.most_common()),
        "errors": dict(growth.errors),
        "clients": len(growers),
        "in_flight_per_client": options.age_window,
        "rate_per_client": options.age_rate or None,
        "frames_received": growth.frames,
        "mode": "real commands over /ws, pipelined (no direct writes to Redis)",
        "settings": _settings(options, target),
        "cpu": growth.parts(start_seq),
        "turns": turns,
        "welcome_bytes": {"start": start_sizes},
        "timeline": [
            {"time": s.time - started, "seq": s.seq, "server_cpu_s": s.server_cpu} for s in growth.samples
        ],
    }
    if target.restart is not None:
        progress.text("restart  the instances with the aged exercise ...")
        watching = None if target.redis_url is None else await disk.watch_stalls(target.redis_url)
        offset = target.logs[0].stat().st_size if target.logs else 0
        since = await asyncio.to_thread(target.restart)
        first, size = await first_welcome(url, participant.code if participant else director.code, since)
        instances = len(target.ws_urls)
        result["restart"] = {"to_first_welcome_s": first, "welcome_bytes": size, "instances": instances}
        if target.logs:
            result["restart"]["phases"] = restart_phases(target.logs[0], offset, since)
        if target.redis_url is not None and watching is not None:
            recorded = await disk.stalls(target.redis_url, watching)
            result["restart"]["redis_stalls"] = disk.steps_between(recorded, since, since + first)
        progress.done()
    result["welcome_bytes"]["aged"] = await _sizes(url, per_team, director)
    return exercise, scenario, result


def restart_phases(log: Path, offset: int, since: float) -> dict[str, float | None]:
    """When the restarted instance (its log from byte `offset` on) logged its first line
    (`server.event_loop`: the process has started and imported the server) and loaded the
    exercise (`hub.loaded`), in seconds from `since`, the wall time it was started at; and how
    long the load itself took. None for a step it did not log."""
    phases: dict[str, float | None] = {"started_s": None, "loaded_s": None, "load_s": None}
    with log.open("rb") as lines:
        lines.seek(offset)
        for line in lines:
            try:
                entry = json.loads(line)
                at = datetime.datetime.fromisoformat(entry["timestamp"]).timestamp() - since
            except (ValueError, KeyError, TypeError):
                continue  # not one of structlog's JSON lines
            if entry.get("event") == "server.event_loop" and phases["started_s"] is None:
                phases["started_s"] = at
            elif entry.get("event") == "hub.loaded" and phases["loaded_s"] is None:
                phases["loaded_s"], phases["load_s"] = at, entry.get("seconds")
    return phases


async def _grow(
    options: Any, target: Target, scenario: Scenario, exercise: Exercise, events: int, seed: int
) -> Growth:
    """A growth of `exercise` to `events` events, its connections open (`growers_of`)."""
    participants = [m.participant for m in exercise.members if not m.staff]
    growth = Growth(
        events,
        window=options.age_window,
        teams=scenario.teams,
        roles=scenario.roles,
        participants=participants,
        rng=random.Random(seed),
        rate=options.age_rate,
    )
    urls = target.ws_urls
    await growth.connect(lambda index: urls[index % len(urls)], growers_of(exercise, options.age_clients))
    return growth


async def _in_turns(
    options: Any,
    target: Target,
    scenario: Scenario,
    members: list[Member],
    aged: Exercise,
    monitor: Monitor,
    progress: ProgressLine,
) -> dict[str, Any]:
    """The aged exercise against a fresh one of the same roster, in turns (`loadtest.turns`)."""
    progress.text("turns    a fresh exercise beside the aged one ...")
    fresh = await create_exercise(target, scenario, members)
    async with Client(target.ws_urls[0], code=fresh.marker.code, discard_events=True) as control:
        await control.command("exercise.ready")
        await control.command("exercise.start")
    growths = {
        "aged": await _grow(options, target, scenario, aged, 0, options.seed + 1),
        "fresh": await _grow(options, target, scenario, fresh, 0, options.seed + 1),
    }
    result = await in_turns(
        growths,
        monitor,
        target.server_names,
        ["generator-growth"],
        pairs=options.age_turns,
        seconds=options.age_turn,
        progress=progress,
    )
    return {"fresh_exercise": fresh.id, **result}


async def _appendfsync(redis_url: str | None, value: str) -> None:
    """Redis's AOF fsync policy, changed live (`CONFIG SET`): the growth may write faster than
    the measured window, which runs with the run's own policy (`--fsync`)."""
    if redis_url is None:
        return
    client = aioredis.Redis.from_url(redis_url)
    try:
        await client.config_set("appendfsync", value)
    finally:
        await client.aclose()


def _settings(options: Any, target: Target) -> dict[str, Any]:
    if target.restart is None:
        paced = f", paced at {options.age_rate:g} commands/s per connection" if options.age_rate else ""
        return {"server": f"as configured on --server (rate limit not changed){paced}"}
    env = growth_env(options.server_env)
    return {
        "growth": {**{key: env[key] for key, _ in GROWTH_SETTINGS}, "redis appendfsync": options.age_fsync},
        "window": dict(options.server_env) or "defaults",
        "window_fsync": options.fsync,
        "note": "local instances grew the exercise with these settings, then were restarted with the run's",
    }
