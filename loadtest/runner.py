"""The phases of a load test: the cohort run, the baseline, and the capacity probes.

Each phase is a coroutine that takes a `Target` (where clients connect, the HTTP API, the Redis
for the oracle, the PIDs to watch), drives a `Pool` of load-generator processes, and returns a
plain dict for the report. `run()` (in `loadtest.cli`) strings them together.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import subprocess
import sys
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from clients.sdk import Client, CommandError

from . import disk, oracle
from .bot import RETRYABLE
from .cluster import HOST, api_call, free_port
from .cohort import Member, Scenario, generate_roster, probe_scenario, resolve_scenario, roster_for
from .monitor import Monitor
from .pool import Pool
from .progress import ProgressLine
from .stats import summarize
from .worker import Assignment, WorkerSpec

MARKER = Member("Load Marker", None, "controller")
"""A control member the runner itself uses: the end-of-run marker, the storm's events."""


class RunError(RuntimeError):
    """The run could not be set up (the server refused the exercise, say)."""


@dataclass(frozen=True, slots=True)
class Target:
    api: str
    token: str
    ws_urls: tuple[str, ...]
    redis_url: str | None
    pids: dict[str, int]
    """Processes to watch: the instances (`server-a` ...) and `redis`."""
    restart: Callable[[], float] | None = field(default=None)
    """Local instances only: restart them all (their PIDs in `pids` follow); the wall time just
    before the first process was started."""
    logs: tuple[Path, ...] = ()
    """Local instances only: their log files (JSON lines), the first instance's first."""

    @property
    def server_names(self) -> list[str]:
        return [name for name in self.pids if name.startswith("server")]


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    members: list[Member]
    marker: Member


async def create_exercise(target: Target, scenario: Scenario, members: list[Member]) -> Exercise:
    rows = [member.row() for member in [*members, MARKER]]
    body = {"scenario": scenario.reference, "roster": rows, "title": f"load test ({scenario.name})"}
    status, answer = await asyncio.to_thread(
        api_call, target.api, target.token, "POST", "/api/exercises", body
    )
    if status != 201:
        raise RunError(f"POST /api/exercises answered {status}: {answer}")
    codes = answer["codes"]  # in roster order (protocol.md: one per row)
    everyone = [*members, MARKER]
    if [code["name"] for code in codes] != [member.name for member in everyone]:
        raise RunError("the server's join codes do not match the roster, row by row")
    filled = [
        replace(member, code=code["code"], participant=code["participant"])
        for member, code in zip(everyone, codes, strict=True)
    ]
    return Exercise(answer["exercise"], filled[:-1], filled[-1])


def _specs(
    exercise: Exercise,
    scenario: Scenario,
    urls: list[str],
    processes: int,
    mode: str,
    sdk_bots: bool = False,
    **common: Any,
) -> list[WorkerSpec]:
    drops: dict[int, tuple[float, float]] = common.pop("drops", {})
    common["extra"] = {**common.get("extra", {}), "sdk_bots": sdk_bots}
    shares: list[list[Assignment]] = [[] for _ in range(processes)]
    for index, member in enumerate(exercise.members):
        drop_at, offline = drops.get(index, (None, 0.0))
        assignment = Assignment(member, urls[index % len(urls)], index, drop_at, offline)
        shares[index % processes].append(assignment)
    participants = tuple(m.participant for m in exercise.members if not m.staff)
    return [
        WorkerSpec(
            index=i,
            mode=mode,
            assignments=tuple(share),
            cohort_size=len(exercise.members),
            teams=scenario.teams,
            roles=scenario.roles,
            participants=participants,
            **common,
        )
        for i, share in enumerate(shares)
        if share
    ]


def processes_for(options: Any, clients: int) -> int:
    """`--processes`, or enough processes for `--clients-per-process` each."""
    per = int(getattr(options, "clients_per_process", 0) or 0)
    if per > 0:
        return max(1, math.ceil(clients / per))
    return max(1, int(options.processes))


def _leads(exercise: Exercise) -> list[str]:
    """The first member of each team and role: the one who plays that role's scripted steps and
    answers for it (so that teammates do not race each other)."""
    firsts: dict[str, str] = {}
    for member in exercise.members:
        firsts.setdefault(f"{member.team}/{member.role}", member.participant)
    return sorted(firsts.values())


class Ticker:
    """Called by the pool a few times a second: monitor sample, events/s, progress line."""

    def __init__(self, phase: str, expected: int, progress: ProgressLine, monitor: Monitor | None) -> None:
        self.phase = phase
        self.expected = expected
        self.progress = progress
        self.monitor = monitor
        self.pool: Pool | None = None
        self.started = time.time()
        self.events_per_s = math.nan
        """Exercise-wide events per second, from the log's position (when followed)."""
        self._last_sample = 0.0

    def __call__(self) -> None:
        now = time.time()
        if self.monitor is not None and now - self._last_sample >= 0.5:
            self._last_sample = now
            self.monitor.sample()
        if self.pool is not None:
            collector = self.pool.collector
            self.progress.show(
                self.phase,
                now - self.started,
                collector.total_connected(),
                self.expected,
                self.events_per_s,
                collector.rate(),
                collector.p99_so_far(),
            )

    async def follow(self, target: Target, exercise: str) -> None:
        """Poll the exercise's seq through the HTTP API, once a second, for events/s."""
        last: tuple[float, int] | None = None
        path = f"/api/exercises/{exercise}"
        while True:
            status, answer = await asyncio.to_thread(api_call, target.api, target.token, "GET", path)
            now = time.monotonic()
            if status == 200:
                if last is not None and now > last[0]:
                    self.events_per_s = (answer["seq"] - last[1]) / (now - last[0])
                last = (now, answer["seq"])
            await asyncio.sleep(1.0)


async def _marker_seq(url: str, marker: Member, text: str) -> int:
    """Make an announcement to everyone; its seq: every client must reach it."""
    async with Client(url, code=marker.code, name="load-marker", discard_events=True) as client:
        reply = await client.request("announcement.make", {"audience": {"everyone": True}, "text": text})
    assert reply.seq is not None
    return reply.seq


def _check_clients(log: oracle.Log, results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Lost events (the oracle), duplicates and out-of-order events (the SDK), per client."""
    lost_total, anomalies, issues = 0, Counter[str](), []
    clients = 0
    for result in results.values():
        for client in result["clients"]:
            clients += 1
            kinds = Counter(client["anomalies"])
            anomalies.update(kinds)
            missing: list[int] = []
            if client["participant"] and client["segments"]:
                viewer = oracle.viewer(client["participant"], client["team"], client["role"], client["staff"])
                received = list(samples_uint(client["received"]))
                missing = oracle.lost(log, viewer, client["segments"], received)
            lost_total += len(missing)
            if missing or kinds or client["failure"]:
                issues.append(
                    {
                        "name": client["name"],
                        "lost": len(missing),
                        "lost_first": missing[:10],
                        "anomalies": dict(kinds),
                        "failure": client["failure"],
                    }
                )
    return {
        "clients": clients,
        "lost": lost_total,
        "duplicates": anomalies.get("duplicate", 0),
        "out_of_order": anomalies.get("out_of_order", 0),
        "other_anomalies": sum(n for k, n in anomalies.items() if k not in ("duplicate", "out_of_order")),
        "issues": issues,
    }


def samples_uint(data: bytes) -> list[int]:
    values = array("I")
    values.frombytes(data)
    return values.tolist()


def _measures(pool: Pool) -> dict[str, Any]:
    collector = pool.collector
    return {
        "latency_ms": summarize(collector.latencies).as_dict(),
        "ramp_latency_ms": summarize(collector.ramp_latencies).as_dict(),
        "rtt_ms": summarize(collector.rtts).as_dict(),
        "rejoin_ms": summarize(collector.rejoin).as_dict(),
        "live_ms": summarize(collector.live).as_dict(),
        "errors": dict(collector.errors),
        "deliveries": collector.deliveries,
        "replayed": collector.replayed,
        "commands": collector.commands,
        "skipped": collector.skipped,
        "timeline": {str(k): v for k, v in sorted(collector.timeline.items())},
        "latency_by_second": {str(k): v for k, v in collector.latency_by_second().items()},
        "_latencies": collector.latencies,
    }


# -- the cohort run ---------------------------------------------------------------------


async def run_cohort(
    options: Any, target: Target, progress: ProgressLine, aged: tuple[Exercise, Scenario] | None = None
) -> dict[str, Any]:
    """The cohort run; on `aged` (an exercise grown by `--age`, already running) if given."""
    if aged is not None:
        exercise, scenario = aged
    else:
        scenario = resolve_scenario(options.scenario)
        exercise = await create_exercise(
            target, scenario, roster_for(scenario, options.participants, options.roster)
        )
    processes = processes_for(options, len(exercise.members))
    rng = random.Random(options.seed)
    candidates = [i for i, m in enumerate(exercise.members) if m.role != "director"]
    dropping = rng.sample(candidates, min(len(candidates), round(options.churn * len(exercise.members))))
    drops = {
        i: (options.duration * rng.uniform(0.1, 0.8), rng.uniform(0.0, options.offline)) for i in dropping
    }
    specs = _specs(
        exercise,
        scenario,
        list(target.ws_urls),
        processes,
        "play",
        bool(getattr(options, "sdk_bots", False)),
        ramp=options.ramp,
        duration=options.duration,
        rate=options.rate / processes,
        message_every=options.message_every,
        announce_every=options.announce_every,
        opener=aged is None,
        seed=options.seed,
        drops=drops,
        extra={"play_scenario": scenario.folder is not None, "leads": _leads(exercise)},
    )
    rewrites = None if target.redis_url is None else await _aof_rewrites(target.redis_url)
    watching = None if target.redis_url is None else await disk.watch_stalls(target.redis_url)
    monitor = Monitor(dict(target.pids))
    monitor.start()
    pool = Pool(specs)
    ticker = Ticker("liaison", len(exercise.members), progress, monitor)
    ticker.pool = pool
    pool.start()
    for number, process in enumerate(pool.processes):
        if process.pid is not None:
            monitor.add(f"generator-{number}", process.pid)
    try:
        async with asyncio.TaskGroup() as tasks:
            following = tasks.create_task(ticker.follow(target, exercise.id), name="follow-seq")
            try:
                await pool.wait_all("ready", ticker, within=120)
                t0 = time.time() + 0.5
                ticker.started = t0
                pool.collector.started = t0
                pool.send("start", t0)
                await pool.wait_all("played", ticker, within=options.ramp + options.duration + 120)
                final = await _marker_seq(target.ws_urls[0], exercise.marker, "end of the load test")
                pool.send("drain", final)
                await pool.wait_all("result", ticker, within=120)
            finally:
                following.cancel()
    finally:
        progress.done()
        pool.join()
    live_at, until = t0 + options.ramp, t0 + options.ramp + options.duration
    result: dict[str, Any] = {
        "exercise": exercise.id,
        "scenario": scenario.name,
        "members": len(exercise.members),
        "instances": len(target.ws_urls),
        "processes": len(specs),
        "drops": len(drops),
        "window": [live_at, until],
        "final_seq": final,
        **_measures(pool),
    }
    if target.redis_url is not None:
        log = await oracle.read_log(target.redis_url, exercise.id)
        in_window = [at for at in log.at if live_at <= at <= until]
        result["log"] = {
            "events": len(log.seqs),
            "contiguous": log.contiguous(),
            "events_in_window": len(in_window),
            "events_per_s": len(in_window) / options.duration,
            "kinds": dict(Counter(log.kinds)),
            "per_second": _per_second(log.at, t0),
        }
        result["checks"] = _check_clients(log, pool.results)
        result["redis_calls"] = await _redis_calls(target.redis_url)
        if rewrites is not None:
            result["redis_aof_rewrites"] = await _aof_rewrites(target.redis_url) - rewrites
        if watching is not None:
            result["redis_stalls"] = await disk.stalls(target.redis_url, watching)
    else:
        result["checks"] = {"lost": None, **_sdk_anomalies(pool.results)}
    result["server"] = _server_usage(monitor, target, live_at, until, pool)
    result["generators"] = _generator_usage(monitor, live_at, until, pool, result["server"])
    result["generators"]["clients_per_process"] = math.ceil(len(exercise.members) / max(1, len(specs)))
    result["monitor"] = monitor.as_dict()
    result["t0"] = t0
    return result


async def _redis_calls(url: str) -> dict[str, int]:
    """Calls per Redis command since the server started (`INFO commandstats`): how many append
    attempts (`evalsha`) the appended commands took, say."""
    client = aioredis.Redis.from_url(url)
    try:
        stats = await client.info("commandstats")
    finally:
        await client.aclose()
    return {key.removeprefix("cmdstat_"): int(value["calls"]) for key, value in stats.items()}


async def _aof_rewrites(url: str) -> int:
    """AOF rewrites Redis has made since it started (`INFO persistence`): one during a run
    competes with every fsync of `appendfsync always`, and can show in the latency's tail."""
    client = aioredis.Redis.from_url(url)
    try:
        persistence = await client.info("persistence")
    finally:
        await client.aclose()
    return int(persistence.get("aof_rewrites", 0)) + int(persistence.get("aof_rewrite_in_progress", 0))


def _sdk_anomalies(results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    kinds: Counter[str] = Counter()
    for result in results.values():
        for client in result["clients"]:
            kinds.update(client["anomalies"])
    return {"duplicates": kinds.get("duplicate", 0), "out_of_order": kinds.get("out_of_order", 0)}


def _per_second(times: list[float], t0: float) -> dict[str, int]:
    counts: Counter[int] = Counter(int(at - t0) for at in times if at >= t0)
    return {str(k): v for k, v in sorted(counts.items())}


def _generator_usage(
    monitor: Monitor, start: float, end: float, pool: Pool, server: dict[str, Any]
) -> dict[str, Any]:
    """The load generators' CPU in the play window, per delivered frame, and over the server's
    when that was sampled (local instances, or `--server-pid`): in every cohort report, a remote
    run's too."""
    seconds = max(1e-9, end - start)
    first, last = int(start - pool.collector.started), int(end - pool.collector.started)
    delivered = sum(v["deliveries"] for k, v in pool.collector.timeline.items() if first <= k < last)
    names = [name for name in monitor.pids if name.startswith("generator")]
    cpu = monitor.cpu_between(start, end, names) if monitor.samples else 0.0
    server_cpu = server.get("cpu_seconds")
    return {
        "processes": len(names),
        "cpu_percent": 100 * cpu / seconds,
        "cpu_seconds": cpu,
        "deliveries_in_window": delivered,
        "us_per_delivery": 1e6 * cpu / delivered if delivered else None,
        "to_server": cpu / server_cpu if server_cpu else None,
    }


def _server_usage(monitor: Monitor, target: Target, start: float, end: float, pool: Pool) -> dict[str, Any]:
    names = target.server_names
    if not monitor.samples or not names:
        return {}
    seconds = max(1e-9, end - start)
    cpu = monitor.cpu_between(start, end, names)
    redis_cpu = monitor.cpu_between(start, end, ["redis"]) if "redis" in target.pids else 0.0
    first, last = int(start - pool.collector.started), int(end - pool.collector.started)
    delivered = sum(v["deliveries"] for k, v in pool.collector.timeline.items() if first <= k < last)
    generators = [name for name in monitor.pids if name.startswith("generator")]
    generator_cpu = monitor.cpu_between(start, end, generators)
    return {
        "generator_cpu_percent": 100 * generator_cpu / seconds,
        "generator_cpu_seconds": generator_cpu,
        "generator_us_per_delivery": 1e6 * generator_cpu / delivered if delivered else None,
        "generator_to_server": generator_cpu / cpu if cpu else None,
        "cpu_seconds": cpu,
        "cpu_percent": 100 * cpu / seconds,
        "redis_cpu_percent": 100 * redis_cpu / seconds,
        "peak_rss_mb": monitor.peak_rss(names),
        "redis_peak_rss_mb": monitor.peak_rss(["redis"]),
        "deliveries_in_window": delivered,
        "cpu_us_per_delivery": 1e6 * cpu / delivered if delivered else None,
    }


# -- the baseline -----------------------------------------------------------------------


def server_event_loop(options: Any) -> str:
    """The event loop the Liaison instances run on (`--server-setting EVENT_LOOP=...`), for the
    baseline to run on the same one."""
    chosen = dict(options.server_env).get(
        "LIAISON_EVENT_LOOP", os.environ.get("LIAISON_EVENT_LOOP", "asyncio")
    )
    return str(chosen)


async def run_baseline(
    options: Any, clients: int, rate: float, run_dir: Path, progress: ProgressLine, fanout: int = 0
) -> dict[str, Any]:
    port = free_port()
    with (run_dir / "baseline.log").open("ab") as log:
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "loadtest.baseline",
            "--port",
            str(port),
            "--event-loop",
            server_event_loop(options),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        await _listening(port, server)
        members = [Member(f"baseline {i}", None, "observer") for i in range(clients)]
        exercise = Exercise("baseline", members, MARKER)
        url = f"ws://{HOST}:{port}/"
        specs = _specs(
            exercise,
            Scenario("baseline", "baseline", ("-",), ("-",), None),
            [url],
            processes_for(options, clients),
            "baseline",
            ramp=2.0,
            duration=options.baseline_duration,
            rate=rate / processes_for(options, clients),
            seed=options.seed,
            extra={"fanout": fanout},
        )
        monitor = Monitor({"server-baseline": server.pid})
        monitor.start()
        pool = Pool(specs)
        ticker = Ticker("baseline", clients, progress, monitor)
        ticker.pool = pool
        pool.start()
        for number, process in enumerate(pool.processes):
            if process.pid is not None:
                monitor.add(f"generator-{number}", process.pid)
        try:
            await pool.wait_all("ready", ticker, within=120)
            t0 = time.time() + 0.5
            ticker.started = pool.collector.started = t0
            pool.send("start", t0)
            await pool.wait_all("played", ticker, within=options.baseline_duration + 120)
            pool.send("finish")
            await pool.wait_all("result", ticker, within=60)
        finally:
            progress.done()
            pool.join()
        live_at, until = t0 + 2.0, t0 + 2.0 + options.baseline_duration
        anomalies = Counter[str]()
        for result in pool.results.values():
            for client in result["clients"]:
                anomalies.update(client["anomalies"])
        target = Target("", "", (url,), None, {"server-baseline": server.pid})
        return {
            "clients": clients,
            "rate": rate,
            "fanout": fanout or clients,
            "event_loop": server_event_loop(options),
            "duration": options.baseline_duration,
            **_measures(pool),
            "duplicates": anomalies.get("duplicate", 0),
            "out_of_order": anomalies.get("out_of_order", 0),
            "server": _server_usage(monitor, target, live_at, until, pool),
        }
    finally:
        if server.returncode is None:
            server.terminate()
            try:
                async with asyncio.timeout(5):
                    await server.wait()
            except TimeoutError:
                server.kill()
                await server.wait()


async def _listening(port: int, process: asyncio.subprocess.Process, within: float = 15.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if process.returncode is not None:
                raise RunError(f"the baseline server exited with code {process.returncode}")
            try:
                _, writer = await asyncio.open_connection(HOST, port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return


# -- probes -----------------------------------------------------------------------------


async def probe_connections(options: Any, target: Target, progress: ProgressLine) -> dict[str, Any]:
    """Idle authenticated clients in steps; RSS of the first instance after each step."""
    scenario = probe_scenario(max(1, options.probe_max // 20))
    members = generate_roster(scenario, options.probe_max, staff=())
    exercise = await create_exercise(target, scenario, members)
    processes = processes_for(options, options.probe_max)
    specs = _specs(
        exercise,
        scenario,
        list(target.ws_urls[:1]),
        processes,
        "hold",
        bool(getattr(options, "sdk_bots", False)),
    )
    watched = target.server_names[:1]
    monitor = Monitor({name: target.pids[name] for name in watched})
    monitor.start()
    pool = Pool(specs)
    ticker = Ticker("connect", options.probe_max, progress, monitor)
    ticker.pool = pool
    pool.start()
    for number, process in enumerate(pool.processes):
        if process.pid is not None:
            monitor.add(f"generator-{number}", process.pid)
    steps: list[dict[str, Any]] = []
    try:
        await pool.wait_all("ready", ticker, within=120)
        await asyncio.sleep(1.0)
        first = monitor.sample()
        steps.append({"connections": 0, "rss_mb": first.rss_mb[watched[0]] if first else None, "seconds": 0})
        total = 0
        while total < options.probe_max:
            step = min(options.probe_step, options.probe_max - total)
            started = time.monotonic()
            for worker in range(len(specs)):
                pool.inboxes[worker].put(("connect", _share(step, len(specs), worker)))
            connected = await pool.wait_all("connected", ticker, within=600)
            total = sum(connected.values())
            elapsed = time.monotonic() - started
            await asyncio.sleep(2.0)
            sample = monitor.sample()
            rss = sample.rss_mb[watched[0]] if sample else None
            steps.append({"connections": total, "rss_mb": rss, "seconds": elapsed})
            if total < sum(len(s.assignments) for s in specs) and total < options.probe_max and step == 0:
                break
            if rss is not None and rss > options.memory_budget_mb:
                break
        pool.send("finish")
        await pool.wait_all("result", ticker, within=120)
    finally:
        progress.done()
        pool.join()
    within = [s for s in steps if s["rss_mb"] is not None and s["rss_mb"] <= options.memory_budget_mb]
    per_thousand = None
    if len(steps) >= 2 and steps[-1]["connections"] > steps[0]["connections"]:
        growth = steps[-1]["rss_mb"] - steps[0]["rss_mb"]
        per_thousand = 1000 * growth / (steps[-1]["connections"] - steps[0]["connections"])
    return {
        "budget_mb": options.memory_budget_mb,
        "steps": steps,
        "max_within_budget": max((s["connections"] for s in within), default=0),
        "mb_per_1000": per_thousand,
        "errors": dict(pool.collector.errors),
        "server_cpu_percent": None,
    }


async def _retrying(client: Client, name: str, **args: Any) -> None:
    """A command, sent again with the same id while the server says "later" (rate_limited ...)."""
    command_id: str | None = None
    for attempt in range(12):
        try:
            await client.command(name, command_id=command_id, timeout=30, **args)
            return
        except CommandError as error:
            if error.code not in RETRYABLE or attempt == 11:
                raise
            command_id = error.id
            await asyncio.sleep(min(2.0, 0.05 * 2**attempt))


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


async def probe_storm(
    options: Any, target: Target, progress: ProgressLine, aged: tuple[Exercise, Scenario] | None = None
) -> dict[str, Any]:
    """N clients drop at once, the log moves on by `storm_behind` events they may all see, and
    they all come back at once with resume: how long until every one of them is live again.
    On `aged` (an exercise grown by `--age`, running), its first N participants storm."""
    if aged is not None:
        grown, scenario = aged
        members = [m for m in grown.members if not m.staff][: options.storm_clients]
        exercise = Exercise(grown.id, members, grown.marker)
    else:
        scenario = resolve_scenario(options.scenario)
        members = generate_roster(scenario, options.storm_clients, staff=())
        exercise = await create_exercise(target, scenario, members)
    specs = _specs(
        exercise,
        scenario,
        list(target.ws_urls),
        processes_for(options, len(members)),
        "hold",
        bool(getattr(options, "sdk_bots", False)),
    )
    monitor = Monitor(dict(target.pids))
    monitor.start()
    pool = Pool(specs)
    ticker = Ticker("storm", len(members), progress, monitor)
    ticker.pool = pool
    pool.start()
    for number, process in enumerate(pool.processes):
        if process.pid is not None:
            monitor.add(f"generator-{number}", process.pid)
    try:
        await pool.wait_all("ready", ticker, within=120)
        for worker, spec in enumerate(specs):
            pool.inboxes[worker].put(("connect", len(spec.assignments)))
        await pool.wait_all("connected", ticker, within=300)
        async with Client(target.ws_urls[0], code=exercise.marker.code, discard_events=True) as control:
            if aged is None:
                await control.command("exercise.ready")
                await control.command("exercise.start")
            await asyncio.sleep(1.0)
            pool.send("drop")
            await pool.wait_all("dropped", ticker, within=120)
            limit = asyncio.Semaphore(16)

            async def announce(i: int) -> None:
                async with limit:
                    await _retrying(
                        control, "announcement.make", audience={"everyone": True}, text=f"storm {i}"
                    )

            async with asyncio.TaskGroup() as tasks:
                for i in range(options.storm_behind):
                    tasks.create_task(announce(i), name=f"storm-announce:{i}")
            await asyncio.sleep(0.5)
            storm_cpu_start = time.time()
            pool.send("rejoin")
            rejoined = await pool.wait_all("rejoined", ticker, within=300)
            storm_end = time.time()
            final = await _marker_seq(target.ws_urls[0], exercise.marker, "end of the storm")
        pool.send("drain", final)
        await pool.wait_all("drained", ticker, within=120)
        pool.send("finish")
        await pool.wait_all("result", ticker, within=120)
    finally:
        progress.done()
        pool.join()
    started = min(r["started"] for r in rejoined.values())
    done = max(r["done"] for r in rejoined.values())
    checks: dict[str, Any] = {}
    if target.redis_url is not None:
        log = await oracle.read_log(target.redis_url, exercise.id)
        checks = _check_clients(log, pool.results)
    collector = pool.collector
    return {
        "aged": aged is not None,
        "exercise": exercise.id,
        "clients": len(members),
        "behind": options.storm_behind,
        "all_live_s": done - started,
        "connected_after": sum(r["connected"] for r in rejoined.values()),
        "rejoin_ms": summarize(collector.rejoin).as_dict(),
        "live_ms": summarize(collector.live).as_dict(),
        "replayed": collector.replayed,
        "errors": dict(collector.errors),
        "checks": checks,
        "server_cpu_s": monitor.cpu_between(storm_cpu_start, storm_end, target.server_names),
        "generator_cpu_s": monitor.cpu_between(
            storm_cpu_start, storm_end, [n for n in monitor.pids if n.startswith("generator")]
        ),
    }
