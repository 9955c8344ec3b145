"""The load-generator processes as the runner sees them, and what they report.

`Pool` starts the workers (multiprocessing, spawn), sends them instructions, and waits for
their messages while folding progress batches into a `Collector` and calling a tick function
(the progress line, the resource monitor) a few times a second.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import queue
import sys
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.machinery import ModuleSpec
from typing import Any

from .stats import percentile, samples
from .worker import WorkerSpec, run_worker

TICK = 0.25
_BASE, _GROWTH, _BUCKETS = 0.01, 1.05, 400
"""Progress buckets: from 0.01 ms, 5 % wide, 400 of them (up to about 3 minutes)."""


def _bucket(ms: float) -> int:
    if ms <= _BASE:
        return 0
    return min(_BUCKETS - 1, int(math.log(ms / _BASE) / math.log(_GROWTH)))


@dataclass(slots=True)
class Collector:
    """Everything the workers measured, merged; and a per-second timeline."""

    latencies: array[float] = field(default_factory=lambda: array("d"))
    ramp_latencies: array[float] = field(default_factory=lambda: array("d"))
    rtts: array[float] = field(default_factory=lambda: array("d"))
    rejoin: list[float] = field(default_factory=list)
    live: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    deliveries: int = 0
    replayed: int = 0
    commands: int = 0
    skipped: int = 0
    connected: dict[int, int] = field(default_factory=dict)
    timeline: dict[int, dict[str, float]] = field(default_factory=dict)
    """Second since the start → deliveries, connected clients."""
    started: float = field(default_factory=time.time)
    _buckets: list[int] = field(default_factory=lambda: [0] * _BUCKETS)
    _by_second: dict[int, array[float]] = field(default_factory=dict)

    def add(self, worker: int, batch: dict[str, Any]) -> None:
        latencies = samples(batch["latencies"])
        self.latencies.extend(latencies)
        ramp = samples(batch["ramp_latencies"])
        self.ramp_latencies.extend(ramp)
        buckets = self._buckets
        for value in latencies:
            buckets[_bucket(value)] += 1
        for value in ramp:
            buckets[_bucket(value)] += 1
        self.rtts.extend(samples(batch["rtts"]))
        self.rejoin.extend(batch["rejoin"])
        self.live.extend(batch["live"])
        self.errors.update(batch["errors"])
        self.deliveries += batch["deliveries"]
        self.replayed += batch["replayed"]
        self.commands += batch["commands"]
        self.skipped += batch["skipped"]
        if "connected" in batch:
            self.connected[worker] = batch["connected"]
            second = int(batch["time"] - self.started)
            self._by_second.setdefault(second, array("d")).extend(latencies)
            slot = self.timeline.setdefault(second, {"deliveries": 0.0, "connected": 0.0, "commands": 0.0})
            slot["deliveries"] += batch["deliveries"]
            slot["commands"] = slot.get("commands", 0.0) + batch["commands"]
            slot["connected"] = float(sum(self.connected.values()))

    def latency_by_second(self) -> dict[int, dict[str, float]]:
        """Per second (when the samples were reported, every half second): p50, p99, max in ms."""
        found: dict[int, dict[str, float]] = {}
        for second, values in sorted(self._by_second.items()):
            if values:
                ordered = sorted(values)
                found[second] = {
                    "p50": percentile(ordered, 0.5),
                    "p99": percentile(ordered, 0.99),
                    "max": ordered[-1],
                }
        return found

    def total_connected(self) -> int:
        return sum(self.connected.values())

    def p99_so_far(self) -> float:
        """The 99th percentile so far, within 5 % (from log buckets: cheap enough for every tick)."""
        total = sum(self._buckets)
        if not total:
            return math.nan
        rank, seen = math.ceil(0.99 * total), 0
        for index, count in enumerate(self._buckets):
            seen += count
            if seen >= rank:
                return float(_BASE * _GROWTH ** (index + 1))
        return math.nan

    def rate(self, seconds: int = 3) -> float:
        """Deliveries per second over the last complete seconds."""
        if not self.timeline:
            return 0.0
        last = max(self.timeline)
        window = [self.timeline.get(s, {}).get("deliveries", 0.0) for s in range(last - seconds, last)]
        return sum(window) / max(1, len(window))


class WorkerFailed(RuntimeError):
    pass


class Pool:
    def __init__(self, specs: list[WorkerSpec]) -> None:
        context = multiprocessing.get_context("spawn")
        self.outbox: Any = context.Queue()
        self.inboxes: list[Any] = [context.Queue() for _ in specs]
        self.processes = [
            context.Process(
                target=run_worker,
                args=(spec, inbox, self.outbox),
                name=f"loadtest-worker-{spec.index}",
                daemon=True,
            )
            for spec, inbox in zip(specs, self.inboxes, strict=True)
        ]
        self.collector = Collector()
        self.results: dict[int, dict[str, Any]] = {}
        self._states: dict[str, dict[int, Any]] = {}

    def __len__(self) -> int:
        return len(self.processes)

    def start(self) -> None:
        # Spawned children re-import the parent's __main__ (for `liaison`, the whole server)
        # unless its spec names a `__main__` module; they only need `loadtest.worker`.
        main = sys.modules["__main__"]
        saved = getattr(main, "__spec__", None)
        main.__spec__ = ModuleSpec("loadtest.__main__", None)
        try:
            for process in self.processes:
                process.start()
        finally:
            main.__spec__ = saved

    def send(self, kind: str, payload: Any = None) -> None:
        for inbox in self.inboxes:
            inbox.put((kind, payload))

    async def wait_all(
        self, kind: str, tick: Callable[[], None] | None = None, within: float | None = None
    ) -> dict[int, Any]:
        """Until every worker sent a `kind` message; their payloads by worker."""
        deadline = None if within is None else time.monotonic() + within
        last_tick = 0.0
        while len(self._states.get(kind, {})) < len(self.processes):
            self._pump()
            if tick is not None and time.monotonic() - last_tick >= TICK:
                last_tick = time.monotonic()
                tick()
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"workers did not all report {kind!r} in time")
            for process in self.processes:
                if process.exitcode not in (None, 0):
                    self._pump()
                    raise WorkerFailed(f"{process.name} exited with {process.exitcode}")
            await asyncio.sleep(0.02)
        return self._states.pop(kind)

    def _pump(self) -> None:
        while True:
            try:
                kind, worker, payload = self.outbox.get_nowait()
            except queue.Empty:
                return
            if kind == "progress":
                self.collector.add(worker, payload)
            elif kind == "error":
                print(f"\nworker {worker} failed:\n{payload}", file=sys.stderr)
                raise WorkerFailed(f"worker {worker} failed")
            else:
                if kind == "result":
                    self.collector.add(worker, payload)
                    self.results[worker] = payload
                self._states.setdefault(kind, {})[worker] = payload

    def join(self) -> None:
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(5)
