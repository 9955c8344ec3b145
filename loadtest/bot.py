"""A simulated member of the cohort: one SDK `Client` at a time, and what it saw.

A bot keeps, across its connections, every event `seq` it received and its segments (one per
snapshot-mode welcome: the snapshot's base and the last position reached), so that the oracle
can tell lost events afterwards; the SDK's anomalies (duplicates, out-of-order events); and, in
the worker's shared `Measures`, the delivery latency of each live event (receive time minus the
event's `at`, the server's append time: same machine, same clock), command round trips, errors
by code, and rejoin times. Replayed events (after a resume) are counted, not timed: their `at`
is from before the drop.
"""

from __future__ import annotations

import asyncio
import random
import time
from array import array
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from clients.sdk import Client, CommandError, ConnectionClosed, Event, LiaisonError, Mode, Reset, Welcome

from .cohort import Member

PLAY_KINDS = frozenset(
    {
        "inject.released",
        "request.drafted",
        "request.sent",
        "request.acknowledged",
        "request.clarification_requested",
        "request.answered",
        "request.refused",
        "request.withdrawn",
    }
)
"""The live events a player reacts to (`loadtest.players`)."""

COMMAND_TIMEOUT = 30.0
RETRYABLE = frozenset({"rate_limited", "unavailable", "busy", "conflict"})
"""Error codes that protocol.md says to retry with the same id."""
RETRIES = 5


@dataclass(slots=True)
class Measures:
    """What the bots of one worker measured since the last `flush()`, plus running totals."""

    latencies: array[float] = field(default_factory=lambda: array("d"))
    """Milliseconds from `at` to receipt, of live events appended after `steady_from`."""
    ramp_latencies: array[float] = field(default_factory=lambda: array("d"))
    """The same, of events appended before: while the cohort was still connecting."""
    steady_from: float = 0.0
    rtts: array[float] = field(default_factory=lambda: array("d"))
    rejoin: list[float] = field(default_factory=list)
    """Milliseconds from a rejoining client's connect to its welcome."""
    live: list[float] = field(default_factory=list)
    """Milliseconds from a rejoining client's connect to the end of its replay."""
    errors: Counter[str] = field(default_factory=Counter)
    deliveries: int = 0
    replayed: int = 0
    commands: int = 0
    skipped: int = 0
    """Commands not sent because the bot was away (churn) or the generator was behind."""

    def flush(self) -> dict[str, Any]:
        batch = {
            "latencies": self.latencies.tobytes(),
            "ramp_latencies": self.ramp_latencies.tobytes(),
            "rtts": self.rtts.tobytes(),
            "rejoin": self.rejoin,
            "live": self.live,
            "errors": dict(self.errors),
            "deliveries": self.deliveries,
            "replayed": self.replayed,
            "commands": self.commands,
            "skipped": self.skipped,
        }
        self.latencies, self.ramp_latencies, self.rtts = array("d"), array("d"), array("d")
        self.rejoin, self.live = [], []
        self.errors = Counter()
        self.deliveries = self.replayed = self.commands = self.skipped = 0
        return batch


class Bot:
    def __init__(self, member: Member, url: str, measures: Measures, rng: random.Random) -> None:
        self.member = member
        self.url = url
        self.measures = measures
        self.rng = rng
        self.client: Client | None = None
        self.token: str | None = None
        self.position: tuple[str, int] | None = None
        self.received: array[int] = array("I")
        self.segments: list[list[int]] = []
        self.anomalies: list[str] = []
        self.failure: str | None = None
        self.participant = member.participant
        self.play_events: deque[Event] = deque(maxlen=500)
        """Live events a player reacts to (`loadtest.players`)."""
        self.play_ready = asyncio.Event()
        """Set when an event joins `play_events`."""
        self.drafted: set[str] = set()
        """Requests this member drafted."""
        self._consumer: asyncio.Task[None] | None = None
        self._replay_until = 0
        self._welcome: Welcome | None = None

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.connected

    def live_position(self) -> int:
        client = self.client
        if client is not None and client.position is not None:
            return client.position[1]
        return self.position[1] if self.position is not None else 0

    async def connect(self, tasks: asyncio.TaskGroup, *, start_timeout: float = 60.0) -> None:
        """Open a client (with the join code the first time, then the session token and the
        position) and start reading its events. Records rejoin times after the first."""
        rejoin = self.position is not None
        client = Client(
            self.url,
            code=self.member.code,
            token=self.token,
            resume=self.position,
            name=self.member.name,
            rng=random.Random(self.rng.random()),
            open_timeout=30.0,
            start_timeout=start_timeout,
        )
        started = time.perf_counter()
        try:
            await client.open()
        except (LiaisonError, TimeoutError, OSError) as error:
            self.failure = f"open: {error!r}"
            self.measures.errors[_code_of(error, "open_failed")] += 1
            return
        welcomed = time.perf_counter()
        self.client = client
        self._note_welcome(client.welcome)
        self._consumer = tasks.create_task(self._consume(client), name=f"consume:{self.member.name}")
        if not rejoin:
            return
        self.measures.rejoin.append((welcomed - started) * 1000)
        try:
            async with asyncio.timeout(start_timeout):
                await client.wait_until(_live)
        except (LiaisonError, TimeoutError) as error:
            self.measures.errors[_code_of(error, "resume_timeout")] += 1
            return
        self.measures.live.append((time.perf_counter() - started) * 1000)

    async def reach(self, target: int, within: float) -> None:
        """Wait until the client's position reaches `target`; counted as an error after `within`."""
        client = self.client
        if client is None:
            return
        try:
            async with asyncio.timeout(within):
                await client.wait_until(lambda c: c.position is not None and c.position[1] >= target)
        except TimeoutError:
            self.measures.errors["drain_timeout"] += 1
        except LiaisonError as error:
            self.measures.errors[_code_of(error, "stopped")] += 1

    async def drop(self) -> None:
        """Close the connection abruptly (no close frame, as when a laptop leaves the Wi-Fi)."""
        client, self.client = self.client, None
        if client is None:
            return
        ws = client._ws  # the SDK has no "simulate a network failure": reach for the transport
        if ws is not None:
            ws.transport.abort()
        await self._retire(client)

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await self._retire(client)

    async def _retire(self, client: Client) -> None:
        if client.error is not None and self.failure is None:
            self.failure = repr(client.error)
            self.measures.errors[_code_of(client.error, "stopped")] += 1
        await client.close()
        if self._consumer is not None:
            await asyncio.wait({self._consumer})
            self._consumer = None
        self.token = client.token or self.token
        self.position = client.position or self.position
        self.anomalies.extend(str(anomaly.kind) for anomaly in client.anomalies)
        if self.segments and self.position is not None:
            self.segments[-1][1] = max(self.segments[-1][1], self.position[1])

    async def request(self, name: str, **args: Any) -> dict[str, Any] | None:
        """A command whose result matters (a draft's id); None when it failed (counted)."""
        result: dict[str, Any] = {}
        done = await self.command(name, _result=result, **args)
        if done and name == "request.draft" and "request" in result:
            self.drafted.add(result["request"])
        return result if done else None

    async def command(self, name: str, _result: dict[str, Any] | None = None, **args: Any) -> bool:
        """Run a command, timing its round trip; failures are counted by error code. A refusal
        that says "later" (`rate_limited`, `unavailable`, `busy`, `conflict`) is retried with the same id
        after a backoff, and counted as `<code> (retried)`."""
        command_id: str | None = None
        for attempt in range(RETRIES + 1):
            client = self.client
            if client is None or client.stopped:
                self.measures.skipped += 1
                return False
            self.measures.commands += attempt == 0
            started = time.perf_counter()
            try:
                reply = await client.command(name, timeout=COMMAND_TIMEOUT, command_id=command_id, **args)
                if _result is not None:
                    _result.update(reply)
            except CommandError as error:
                if error.code in RETRYABLE and attempt < RETRIES:
                    self.measures.errors[f"{error.code} (retried)"] += 1
                    command_id = error.id
                    await asyncio.sleep(self.rng.uniform(0.5, 1.0) * 0.2 * 2**attempt)
                    continue
                self.measures.errors[f"{error.code} ({name})"] += 1
                return False
            except TimeoutError:
                self.measures.errors["command_timeout"] += 1
                return False
            except LiaisonError as error:
                self.measures.errors[_code_of(error, "closed")] += 1
                return False
            self.measures.rtts.append((time.perf_counter() - started) * 1000)
            return True
        return False

    def _note_welcome(self, welcome: Welcome | None) -> None:
        if welcome is None or welcome is self._welcome:
            return
        self._welcome = welcome
        if not self.participant:
            self.participant = welcome.me.participant
        if welcome.mode is Mode.RESUME:
            self._replay_until = welcome.seq

    async def _consume(self, client: Client) -> None:
        measures = self.measures
        try:
            async for item in client.events():
                if isinstance(item, Reset):
                    if self.segments and self.position is not None:
                        self.segments[-1][1] = max(self.segments[-1][1], self.position[1])
                    self.segments.append([item.seq, item.seq])
                    continue
                assert isinstance(item, Event)
                now = time.time()
                self._note_welcome(client.welcome)
                self.received.append(item.seq)
                segment = self.segments[-1]
                segment[1] = max(segment[1], item.seq)
                measures.deliveries += 1
                if item.kind in PLAY_KINDS and item.seq > self._replay_until:
                    self.play_events.append(item)
                    self.play_ready.set()
                if item.seq <= self._replay_until:
                    measures.replayed += 1
                elif item.at >= measures.steady_from:
                    measures.latencies.append((now - item.at) * 1000)
                else:
                    measures.ramp_latencies.append((now - item.at) * 1000)
        except LiaisonError as error:
            self.failure = self.failure or repr(error)

    def result(self) -> dict[str, Any]:
        return {
            "name": self.member.name,
            "participant": self.participant,
            "team": self.member.team,
            "role": self.member.role,
            "staff": self.member.staff,
            "received": self.received.tobytes(),
            "segments": [tuple(segment) for segment in self.segments],
            "anomalies": self.anomalies,
            "failure": self.failure,
        }


def _live(client: Client) -> bool:
    welcome, position = client.welcome, client.position
    return welcome is not None and position is not None and position[1] >= welcome.seq


def _code_of(error: BaseException, default: str) -> str:
    """An error's protocol code (`too_slow` ...), else its close code, else `default`."""
    if isinstance(error, ConnectionClosed) and error.code == 1000 and not error.error_code:
        return "pending_at_close"  # a command still waiting for its reply when the bot closed
    code = getattr(error, "error_code", None) or getattr(error, "code", None)
    return str(code) if code is not None else default
