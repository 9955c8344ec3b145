"""The hubs of one instance: loaded on first use, fed by the bus, run in one task group.

It also owns the instance's background chores: the liveness heartbeat that lets other
instances tell a dead instance's connections from live ones, and the delayed presence
updates (a participant is shown as gone only after the grace period).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import structlog

from server.adapters import metrics
from server.adapters.hub import Hub
from server.adapters.snapshots import SnapshotPolicy
from server.adapters.store import Store, StoreUnavailable, decode_message

HEARTBEAT_INTERVAL = 3.0
HEARTBEAT_TTL = 10.0

log = structlog.get_logger("liaison.hubs")


class Hubs:
    def __init__(
        self,
        store: Store,
        instance: str,
        position_interval: float,
        tasks: asyncio.TaskGroup,
        snapshots: SnapshotPolicy | None = None,
    ) -> None:
        self._store = store
        self._snapshots = snapshots or SnapshotPolicy()
        self.instance = instance
        self._position_interval = position_interval
        self._tasks = tasks
        self._hubs: dict[str, Hub] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._chores: set[asyncio.Task[Any]] = set()

    async def get(self, exercise: str) -> Hub:
        """The running hub of `exercise`, loading it first if needed.

        Raises ExerciseGone if the exercise does not exist, StoreUnavailable if Redis is down.
        """
        hub = self._hubs.get(exercise)
        if hub is not None and hub.loaded:
            return hub
        lock = self._loading.setdefault(exercise, asyncio.Lock())
        async with lock:
            hub = self._hubs.get(exercise)
            if hub is not None and not hub.loaded:  # deleted, perhaps imported again since
                await hub.load()
            elif hub is None:
                hub = Hub(
                    exercise,
                    self._store,
                    self.instance,
                    self._position_interval,
                    self.spawn,
                    self._snapshots,
                )
                started = time.perf_counter()
                await hub.load()
                metrics.hub_loaded(started)
                self.spawn(hub.run(), f"hub:{exercise}")
                self._hubs[exercise] = hub
        return hub

    def loaded(self) -> list[Hub]:
        return list(self._hubs.values())

    def on_message(self, exercise: str, data: bytes) -> None:
        hub = self._hubs.get(exercise)
        if hub is not None:
            hub.deliver(decode_message(data))

    def on_reconnect(self) -> None:
        for hub in self._hubs.values():
            hub.nudge()

    def later(self, delay: float, work: Callable[[], Awaitable[Any]], name: str) -> None:
        """Run `work()` after `delay` seconds, in the instance's task group."""

        async def delayed() -> None:
            await asyncio.sleep(delay)
            await work()

        self.spawn(delayed(), name)

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Run `work` in the instance's task group; failures are logged, never raised."""
        task = self._tasks.create_task(_logged(work, name), name=name)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    def stop(self) -> None:
        """Cancel every task of this instance (hubs, chores, bus, heartbeat), and every hub's
        writer: a command still queued or committing hears "the server is stopping" instead of
        holding the stop up while Redis does not answer."""
        for task in list(self._chores):
            task.cancel()
        for hub in self._hubs.values():
            hub.stop_writing()

    async def heartbeat(self) -> None:
        """Keep this instance's liveness key alive."""
        while True:
            try:
                await self._store.heartbeat(self.instance, HEARTBEAT_TTL)
            except StoreUnavailable as error:
                log.warning("hubs.heartbeat_failed", error=str(error))
            await asyncio.sleep(HEARTBEAT_INTERVAL)


async def _logged(work: Coroutine[Any, Any, Any], name: str) -> None:
    """A chore's failure is logged, never raised into the task group (it would stop the server)."""
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("hubs.chore_failed", chore=name)
