"""Faults between an instance and Redis, under load, with every client checking order.

Redis away for 10 s, the pub/sub connection killed again and again, and a network between the
instance and Redis that delays, drops and cuts. Writers keep sending commands (retrying with
the same id on `unavailable`, as the protocol says), watchers of each kind (two teams, a mentor,
an observer) keep reading and resume when their connection drops. After each fault: every
acknowledged command is in the log exactly once, each watcher received exactly the events it
may see (the oracle of tests/e2e/log.py), in order, once, and the instance recovered by itself
with a log that says what happened and holds no error.

Set LIAISON_FAULT_REPORT to a file to get one JSON line of counts per test (see
scripts/fault_report.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.adapters.redis_server import RedisProcess
from tests.e2e.log import assert_contiguous, read_log, viewer_of, visible_seqs
from tests.e2e.proxy import FaultyProxy
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire
from tests.support import wait_until

FAST = {"position_interval": "0.5"}
"""Settings for these instances: position frames often, so watchers learn the end quickly."""

WATCHED = ("Nils Berg", "Sara Costa", "Mona Mentor", "Otto Observer")
AUDIENCES: tuple[dict[str, Any], ...] = (
    {"teams": ["NOR"]},
    {"teams": ["SUD"]},
    {"everyone": True},
    {"roles": ["police"]},
    {},
)
_GIVE_UP = (ConnectionClosed, InvalidStatus, OSError, TimeoutError)


@dataclass
class Writer:
    """Sends commands one after another; retries each with the same id until it is acknowledged."""

    url: str
    code: str
    label: str
    announce: bool = False
    acknowledged: list[str] = field(default_factory=list)
    unavailable: int = 0
    duplicates: int = 0
    reconnects: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)

    async def run(self, stop: asyncio.Event, pace: float = 0.02) -> None:
        wire = await self._connect(stop)
        i = 0
        while not stop.is_set() and wire is not None:
            text, args = f"{self.label} {i}", {"text": f"{self.label} {i}"}
            name = "announcement.make" if self.announce else "message.post"
            if self.announce:
                args["audience"] = AUDIENCES[i % len(AUDIENCES)]
            while wire is not None:
                try:
                    reply = await wire.command(name, id=f"{self.label}-{i}", timeout=15, **args)
                except _GIVE_UP:
                    wire = await self._connect(stop)
                    continue
                if reply["ok"]:
                    self.acknowledged.append(text)
                    self.duplicates += bool(reply["result"].get("duplicate"))
                    break
                if reply["error"]["code"] not in ("unavailable", "conflict"):
                    self.refused.append(reply)
                    break
                self.unavailable += 1
                if stop.is_set():
                    break  # this one stays unacknowledged: it may or may not be in the log
                await asyncio.sleep(0.1)
            i += 1
            await asyncio.sleep(pace)
        if wire is not None:
            await wire.close()

    async def _connect(self, stop: asyncio.Event) -> Wire | None:
        while not stop.is_set():
            try:
                return await Wire.join(self.url, self.code)
            except _GIVE_UP:
                self.reconnects += 1
                await asyncio.sleep(0.2)
        return None


@dataclass
class Watcher:
    """Reads everything; when its connection drops it resumes from the position it proved."""

    url: str
    code: str
    segments: list[Wire] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)

    async def start(self) -> None:
        self.segments.append(await Wire.join(self.url, self.code))

    async def run(self) -> None:
        while True:
            try:
                await self.segments[-1].recv(timeout=1.0)
            except TimeoutError:
                continue
            except ConnectionClosed:
                await self._resume()

    async def _resume(self) -> None:
        position = self.segments[-1].position()
        while True:
            try:
                wire = await Wire.open(self.url)
                welcome = await wire.hello(code=self.code, resume=position)
            except (*_GIVE_UP, KeyError):
                await asyncio.sleep(0.2)
                continue
            self.modes.append(welcome["mode"])
            self.segments.append(wire)
            return

    @property
    def seq(self) -> int:
        return int(self.segments[-1].position()["seq"])

    def received(self, until: int) -> list[int]:
        return [
            f["seq"]
            for wire in self.segments
            for f in wire.frames
            if f["type"] == "event" and f["seq"] <= until
        ]

    async def close(self) -> None:
        with contextlib.suppress(*_GIVE_UP):
            await self.segments[-1].close()


@dataclass
class Cohort:
    """Writers and watchers on one exercise, and the checks that follow a fault."""

    created: dict[str, Any]
    writers: list[Writer]
    watchers: list[Watcher]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(cls, created: dict[str, Any], write_urls: list[str], watch_urls: list[str]) -> Cohort:
        writers = [
            Writer(write_urls[0], code_of(created, "Dana Director"), "director", announce=True),
            Writer(write_urls[1 % len(write_urls)], code_of(created, "Nora Lind"), "NOR"),
            Writer(write_urls[0], code_of(created, "Sofia Reyes"), "SUD"),
        ]
        watchers = [
            Watcher(watch_urls[i % len(watch_urls)], code_of(created, name)) for i, name in enumerate(WATCHED)
        ]
        for watcher in watchers:
            await watcher.start()
        cohort = cls(created, writers, watchers)
        cohort.tasks = [asyncio.create_task(w.run(cohort.stop), name=f"writer {w.label}") for w in writers]
        cohort.tasks += [asyncio.create_task(w.run(), name="watcher") for w in watchers]
        return cohort

    def acknowledged(self) -> int:
        return sum(len(w.acknowledged) for w in self.writers)

    async def until_acknowledged(self, more: int, within: float = 15.0) -> None:
        target = self.acknowledged() + more
        await wait_until(
            lambda: self.acknowledged() >= target, within=within, message=f"fewer than {target} acknowledged"
        )

    async def finish(self, redis_url: str) -> dict[str, Any]:
        """Stop writing, let the watchers catch up, and check everything; the counts."""
        self.stop.set()
        writers = self.tasks[: len(self.writers)]
        async with asyncio.timeout(20):
            await asyncio.gather(*writers)
        exercise = self.created["exercise"]
        log = await read_log(redis_url, exercise)
        assert_contiguous(log)
        last = log[-1].seq
        await wait_until(
            lambda: all(w.seq >= last for w in self.watchers), within=10, message="watchers behind the log"
        )
        for task in self.tasks[len(self.writers) :]:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for watcher in self.watchers:
            await watcher.close()

        texts = [
            item.event.text  # type: ignore[attr-defined]
            for item in log
            if item.event.kind in ("message.posted", "announcement.made")
        ]
        acknowledged = [text for w in self.writers for text in w.acknowledged]
        counts: dict[str, Any] = {
            "acknowledged": len(acknowledged),
            "lost": len(set(acknowledged) - set(texts)),
            "applied_twice": len(texts) - len(set(texts)),
            "unavailable_replies": sum(w.unavailable for w in self.writers),
            "unavailable_then_found_written": sum(w.duplicates for w in self.writers),
            "writer_reconnects": sum(w.reconnects for w in self.writers),
            "events_in_log": last,
            "watchers": len(self.watchers),
            "watcher_resumes": sum(len(w.modes) for w in self.watchers),
            "events_checked": 0,
            "gaps": 0,
            "duplicates": 0,
            "out_of_order": 0,
        }
        for watcher in self.watchers:
            first = watcher.segments[0]
            assert first.welcome is not None
            expected = visible_seqs(log, viewer_of(log, first.welcome), after=first.base, until=last)
            got = watcher.received(last)
            counts["events_checked"] += len(got)
            counts["gaps"] += len(set(expected) - set(got))
            counts["duplicates"] += len(got) - len(set(got))
            counts["out_of_order"] += sum(1 for a, b in itertools.pairwise(got) if b < a)
            assert watcher.modes == ["resume"] * len(watcher.modes), watcher.modes
            assert got == expected, f"{first.welcome['me']['name']}: got {len(got)}, expected {len(expected)}"
        for writer in self.writers:
            assert not writer.refused, writer.refused[:3]
        assert counts["lost"] == counts["applied_twice"] == 0, counts
        return counts


def report(name: str, fault: dict[str, Any], counts: dict[str, Any]) -> None:
    """One JSON line per test, when LIAISON_FAULT_REPORT names a file."""
    path = os.environ.get("LIAISON_FAULT_REPORT")
    if path:
        with Path(path).open("a") as out:
            out.write(json.dumps({"test": name, "at": time.time(), **fault, **counts}) + "\n")


def log_records(server: ServerProcess) -> list[dict[str, Any]]:
    records = []
    for line in server.log().splitlines():
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))
    return records


def assert_log_clear(server: ServerProcess, *expected: str) -> None:
    """The instance logged what happened (the `expected` events) and no error."""
    records = log_records(server)
    events = {record.get("event") for record in records}
    missing = [name for name in expected if name not in events]
    assert not missing, f"the log does not say {missing}"
    errors = [r for r in records if r.get("level") in ("error", "critical", "exception")]
    assert not errors, errors[:3]


@pytest.fixture
def proxy(fresh_redis: RedisProcess) -> Iterator[FaultyProxy]:
    started = FaultyProxy(fresh_redis.port).start()
    yield started
    started.stop()


async def test_redis_away_for_10_s_then_back_loses_nothing_and_the_instance_recovers_by_itself(
    fresh_redis: RedisProcess, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(fresh_redis.url, "a", **FAST)
    created = server.create_exercise()
    cohort = await Cohort.start(created, [server.ws_url], [server.ws_url])
    leaving = await Wire.join(server.ws_url, code_of(created, "Ola Strand"))
    await cohort.until_acknowledged(30)

    fresh_redis.stop()
    down = time.monotonic()
    await leaving.close()  # someone leaves while Redis is away: presence must still say so later
    during = cohort.acknowledged()
    await asyncio.sleep(3)
    async with httpx.AsyncClient() as http:
        health = await http.get(server.url + "/healthz")
    assert health.status_code == 503
    await asyncio.sleep(max(0.0, 10 - (time.monotonic() - down)))
    outage = time.monotonic() - down
    acknowledged_while_down = cohort.acknowledged() - during
    fresh_redis.start()

    await cohort.until_acknowledged(30, within=20)  # the same instance, not restarted
    counts = await cohort.finish(fresh_redis.url)
    assert acknowledged_while_down <= 3  # at most the commands in flight when Redis went
    assert counts["unavailable_replies"] > 0
    ola = leaving.welcome["me"]["participant"]  # type: ignore[index]

    async def ola_offline() -> bool:
        log = await read_log(fresh_redis.url, created["exercise"])
        return any(e.event.kind == "connection.closed" and e.event.participant == ola for e in log)  # type: ignore[attr-defined]

    await wait_until(
        ola_offline, within=10, interval=0.2, message="a connection that ended while Redis was away"
    )
    assert_log_clear(server, "bus.disconnected", "hub.store_unavailable")
    report("redis_away", {"fault": "Redis stopped for 10 s", "outage_s": round(outage, 1)}, counts)


async def test_killing_the_pubsub_connection_leaves_no_gap_at_the_clients(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_url, "a", **FAST), start_server(redis_url, "b", **FAST)
    created = a.create_exercise()
    # Writers mostly on b, watchers on a: what the watchers get comes to a through pub/sub.
    cohort = await Cohort.start(created, [b.ws_url, a.ws_url], [a.ws_url, b.ws_url])
    await cohort.until_acknowledged(20)
    admin = aioredis.Redis.from_url(redis_url)
    kills = 0
    try:
        for _ in range(5):
            kills += int(await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub"))
            await cohort.until_acknowledged(15)
    finally:
        await admin.aclose()
    counts = await cohort.finish(redis_url)
    assert kills >= 10  # both instances' subscriptions, five times
    for server in (a, b):
        assert_log_clear(server, "hub.caught_up")
    report(
        "pubsub_killed", {"fault": "CLIENT KILL TYPE pubsub, 5 times", "connections_killed": kills}, counts
    )


async def test_a_network_that_delays_drops_and_cuts_redis_traffic_loses_nothing(
    fresh_redis: RedisProcess, proxy: FaultyProxy, start_server: Callable[..., ServerProcess]
) -> None:
    behind = start_server(proxy.url, "a", **FAST)  # this instance reaches Redis through the proxy
    direct = start_server(fresh_redis.url, "b", **FAST)
    created = direct.create_exercise()
    cohort = await Cohort.start(created, [behind.ws_url, direct.ws_url], [behind.ws_url, direct.ws_url])
    await cohort.until_acknowledged(20)

    proxy.delay(0.05)  # 50 ms each way on every chunk
    await cohort.until_acknowledged(20)
    proxy.delay(0.0)
    proxy.pause()  # packets dropped for 2 s: connections open, nothing passes
    await asyncio.sleep(2)
    proxy.resume()
    await cohort.until_acknowledged(20)
    cut = proxy.cut()  # every connection reset, in the middle of the traffic
    await cohort.until_acknowledged(20)
    proxy.refuse(True)  # Redis unreachable for 2 s, then the connections are cut as well
    cut += proxy.cut()
    await asyncio.sleep(2)
    proxy.refuse(False)
    await cohort.until_acknowledged(30, within=20)

    counts = await cohort.finish(fresh_redis.url)
    assert cut >= 2  # at least the command and the pub/sub connections
    assert_log_clear(behind, "bus.disconnected")
    report(
        "proxy",
        {
            "fault": "proxy: 50 ms delay, 2 s drop, cut, 2 s refused + cut",
            "connections_cut": cut,
            "proxy_connections": proxy.accepted,
        },
        counts,
    )
