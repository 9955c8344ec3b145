"""A load-generator process: runs its share of the cohort and sends back what it measured.

The runner starts K workers (multiprocessing, spawn) so that the simulated clients get more
than one core. Each worker runs an asyncio loop with its bots and talks to the runner through
two queues: instructions in (`inbox`), and out (`outbox`) progress every half second
(measures since the last batch, clients connected) and, at the end, its results.

Instructions, in order for a cohort run ("play"): `start` (wall time T0: connect over the ramp,
play until the end), then `drain` (a seq every client must reach; then the worker closes). For the
probes ("hold"): `connect` (n more clients), `drop` (all, abruptly), `rejoin` (all at once),
`finish`. For the baseline: `start`, then `finish`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import queue
import random
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from .baseline import BaselineClient, drive
from .behaviours import Play, announce, behaviour_for, direct, extra_load, random_audience, team_chat, watch
from .bot import Bot, Measures
from .catalogue import read_catalogue
from .cohort import Member
from .lightbot import LightBot
from .loops import loop_factory
from .players import participant, simcell

PROGRESS_EVERY = 0.5
QUIET = frozenset({team_chat, announce, direct, watch})
"""The behaviours that never read the events a player reacts to."""
GC_THRESHOLDS = (20_000, 20, 20)
"""Fewer collections than Python's (700, 10, 10): each delivered frame allocates a map, and the
welcomes' snapshots are many long-lived objects. These are frozen (`gc.freeze`) once the cohort
is connected, so that an old-generation collection does not walk them again and again."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """One member of the cohort given to a worker: who, where, when."""

    member: Member
    url: str
    index: int
    """Position in the whole cohort (the ramp connects in this order)."""
    drop_at: float | None = None
    """Seconds after the ramp at which this client drops (churn), if it does."""
    offline: float = 0.0


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    index: int
    mode: str
    """play, hold or baseline."""
    assignments: tuple[Assignment, ...]
    cohort_size: int
    ramp: float = 0.0
    duration: float = 0.0
    rate: float = 0.0
    message_every: float = 30.0
    announce_every: float = 10.0
    teams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    opener: bool = False
    """This worker's director readies and starts the exercise at the end of the ramp."""
    seed: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def run_worker(spec: WorkerSpec, inbox: Any, outbox: Any) -> None:
    """Process entry point: on uvloop when it is installed."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(Worker(spec, inbox, outbox).main())
    except BaseException:
        outbox.put(("error", spec.index, traceback.format_exc()))
        raise


class Worker:
    def __init__(self, spec: WorkerSpec, inbox: Any, outbox: Any) -> None:
        self.spec = spec
        self.inbox = inbox
        self.outbox = outbox
        self.rng = random.Random(spec.seed * 1000 + spec.index)
        self.measures = Measures()
        kind = Bot if spec.extra.get("sdk_bots") else LightBot
        self.bots: list[Bot | LightBot] = [
            kind(a.member, a.url, self.measures, random.Random(self.rng.random())) for a in spec.assignments
        ]
        self.baseline: list[BaselineClient] = []
        self.connected_baseline = 0
        self._stop_progress = asyncio.Event()

    def send(self, kind: str, payload: Any) -> None:
        self.outbox.put((kind, self.spec.index, payload))

    async def receive(self) -> tuple[str, Any]:
        while True:
            try:
                kind, payload = self.inbox.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            return str(kind), payload

    async def main(self) -> None:
        self.send("ready", None)
        async with asyncio.TaskGroup() as tasks:
            progress = tasks.create_task(self._progress(), name="progress")
            try:
                if self.spec.mode == "play":
                    await self._play(tasks)
                elif self.spec.mode == "hold":
                    await self._hold(tasks)
                else:
                    await self._baseline(tasks)
            finally:
                self._stop_progress.set()
                await progress
        self.send("result", self._results())

    def _connected(self) -> int:
        if self.spec.mode == "baseline":
            return sum(1 for client in self.baseline if client.ws is not None)
        return sum(1 for bot in self.bots if bot.connected)

    async def _progress(self) -> None:
        while not self._stop_progress.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(PROGRESS_EVERY):
                    await self._stop_progress.wait()
            batch = self.measures.flush()
            batch["connected"] = self._connected()
            batch["time"] = time.time()
            self.send("progress", batch)

    # -- the cohort run ---------------------------------------------------------------

    async def _play(self, tasks: asyncio.TaskGroup) -> None:
        kind, t0 = await self.receive()
        assert kind == "start"
        spec = self.spec
        live_at = t0 + spec.ramp
        until = live_at + spec.duration
        self.measures.steady_from = live_at
        async with asyncio.TaskGroup() as playing:
            for assignment, bot in zip(spec.assignments, self.bots, strict=True):
                at = t0 + spec.ramp * assignment.index / max(1, spec.cohort_size)
                playing.create_task(
                    self._member(bot, assignment, at, live_at, until, tasks), name=bot.member.name
                )
            actors = [bot for bot in self.bots if not bot.member.staff or bot.member.control]
            playing.create_task(self._extra(actors, live_at, until, playing), name="extra-load")
            playing.create_task(self._freeze(live_at + 1.0), name="freeze")
        self.send("played", None)
        kind, target = await self.receive()
        assert kind == "drain"
        await self._drain(int(target), float(self.spec.extra.get("drain_timeout", 15.0)))
        for bot in self.bots:
            await bot.close()

    async def _freeze(self, at: float) -> None:
        """Once the cohort is in and the catalogues read: what is alive now stays alive."""
        await asyncio.sleep(max(0.0, at - time.time()))
        gc.collect()
        gc.freeze()

    async def _member(
        self,
        bot: Bot | LightBot,
        assignment: Assignment,
        at: float,
        live_at: float,
        until: float,
        tasks: asyncio.TaskGroup,
    ) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        await bot.connect(tasks)
        if bot.client is None:
            return
        await asyncio.sleep(max(0.0, live_at - time.time()))
        if self.spec.opener and bot.member.role == "director":
            await bot.command("exercise.ready")
            await bot.command("exercise.start")
        catalogue = read_catalogue(bot.client.snapshot) if self.spec.extra.get("play_scenario") else None
        if isinstance(bot, LightBot):
            bot.snapshot, bot.keep_snapshot = None, False  # the catalogue is all that was needed
        scenario = catalogue if catalogue is not None and catalogue.roles else None
        play = Play(
            bot,
            random.Random(self.rng.random()),
            until,
            self.spec.teams,
            self.spec.roles,
            self.spec.participants,
            self.spec.message_every,
            self.spec.announce_every,
            catalogue=scenario,
            lead=bot.participant in self.spec.extra.get("leads", ()),
        )
        behaviour = behaviour_for(bot.member.role)
        if scenario is not None and not bot.member.staff and behaviour is team_chat:
            behaviour = participant  # plays the scenario: injects, requests, actions, chat
        elif scenario is not None and bot.member.role == "simcell" and behaviour is watch:
            behaviour = simcell
        if isinstance(bot, LightBot) and behaviour in QUIET:
            bot.play_kinds = frozenset()  # nobody reads its play events: none queued nor decoded
        if assignment.drop_at is None:
            await behaviour(play)
            return
        async with asyncio.TaskGroup() as member:
            acting = member.create_task(behaviour(play), name=f"{bot.member.name}:behaviour")
            await asyncio.sleep(max(0.0, live_at + assignment.drop_at - time.time()))
            if time.time() < until:
                await bot.drop()
                await asyncio.sleep(assignment.offline)
                await bot.connect(tasks)
            await acting

    async def _extra(
        self, actors: list[Bot | LightBot], live_at: float, until: float, tasks: asyncio.TaskGroup
    ) -> None:
        await asyncio.sleep(max(0.0, live_at + 0.5 - time.time()))
        spec = self.spec

        def audience() -> dict[str, Any]:
            return random_audience(self.rng, spec.teams, spec.roles, spec.participants)

        await extra_load(actors, spec.rate, until, self.rng, tasks, audience)

    async def _drain(self, target: int, within: float) -> None:
        """Wait until every connected client has reached `target` (at most `within` seconds)."""
        async with asyncio.TaskGroup() as waiting:
            for bot in self.bots:
                waiting.create_task(bot.reach(target, within), name=f"drain:{bot.member.name}")

    # -- probes -----------------------------------------------------------------------

    async def _hold(self, tasks: asyncio.TaskGroup) -> None:
        opened = 0
        limit = asyncio.Semaphore(50)
        while True:
            kind, payload = await self.receive()
            if kind == "connect":
                batch = self.bots[opened : opened + int(payload)]
                opened += len(batch)
                async with asyncio.TaskGroup() as opening:
                    for bot in batch:
                        opening.create_task(self._open(bot, limit, tasks), name=f"open:{bot.member.name}")
                gc.collect()
                gc.freeze()
                self.send("connected", self._connected())
            elif kind == "drop":
                for bot in self.bots:
                    await bot.drop()
                self.send("dropped", None)
            elif kind == "rejoin":
                started = time.time()
                async with asyncio.TaskGroup() as rejoining:
                    for bot in self.bots[:opened]:
                        rejoining.create_task(bot.connect(tasks), name=f"rejoin:{bot.member.name}")
                self.send(
                    "rejoined", {"started": started, "done": time.time(), "connected": self._connected()}
                )
            elif kind == "drain":
                await self._drain(int(payload), float(self.spec.extra.get("drain_timeout", 15.0)))
                self.send("drained", None)
            elif kind == "finish":
                for bot in self.bots:
                    await bot.close()
                return

    async def _open(self, bot: Bot | LightBot, limit: asyncio.Semaphore, tasks: asyncio.TaskGroup) -> None:
        async with limit:
            await bot.connect(tasks)

    # -- the baseline -----------------------------------------------------------------

    async def _baseline(self, tasks: asyncio.TaskGroup) -> None:
        kind, t0 = await self.receive()
        assert kind == "start"
        spec = self.spec
        until = t0 + spec.ramp + spec.duration
        self.measures.steady_from = t0 + spec.ramp
        fanout = int(spec.extra.get("fanout", 0))
        self.baseline = [BaselineClient(a.url, self.measures, fanout) for a in spec.assignments]
        runners: list[asyncio.Task[None]] = []
        for assignment, client in zip(spec.assignments, self.baseline, strict=True):
            at = t0 + spec.ramp * assignment.index / max(1, spec.cohort_size)
            await asyncio.sleep(max(0.0, at - time.time()))
            runners.append(
                tasks.create_task(client.run(asyncio.Event()), name=f"baseline:{assignment.index}")
            )
        await asyncio.sleep(max(0.0, t0 + spec.ramp + 0.5 - time.time()))
        async with asyncio.TaskGroup() as sending:
            await drive(self.baseline, spec.rate, until, self.rng, sending)
        await asyncio.sleep(1.0)  # the last frames in flight
        self.send("played", None)
        kind, _ = await self.receive()
        assert kind == "finish"
        for client in self.baseline:
            if client.ws is not None:
                await client.ws.close()
        await asyncio.wait(runners)

    def _results(self) -> dict[str, Any]:
        batch = self.measures.flush()
        if self.spec.mode == "baseline":
            batch["clients"] = [{"anomalies": client.anomalies} for client in self.baseline]
        else:
            batch["clients"] = [bot.result() for bot in self.bots]
        return batch
