"""A light simulated member: the same bookkeeping as `loadtest.bot.Bot`, on a raw `Wire`.

Per delivered frame it reads only `type`, `seq`, `kind` and `at` (`loadtest.wire.peek`), keeps the
seq in an array for the oracle and, for a live event, its latency; it decodes a frame in full only
for a reply or for an event a player reacts to (`PLAY_KINDS`). No SDK object per event, no event
queue. What the SDK checks on each frame is checked here the same way (docs/protocol.md): an event
whose `seq` is not above the position is a duplicate (equal) or out of order (below), and is not
counted as received.

Unlike the SDK it does not reconnect by itself: a connection the server closes stays closed (its
close code is counted) until the worker reconnects the bot, as it does after a churn drop; a
command in flight when its connection is lost fails (counted as `closed`), it is not sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from array import array
from collections import deque
from typing import Any, NamedTuple

from msgpack import unpackb  # msgpack >= 1.0: strings as str
from websockets.exceptions import InvalidHandshake, WebSocketException

from .bot import COMMAND_TIMEOUT, PLAY_KINDS, RETRIES, RETRYABLE, Measures
from .cohort import Member
from .wire import SMALL, Wire, WireError, decode, peek, peek_data

PLAY_KEYS = frozenset({"inject", "request", "by", "target_team", "instrument", "simcell"})
"""What the players read of an event's data (`loadtest.players`); a large event's other entries
are skipped undecoded."""


class Played(NamedTuple):
    """An event a player reacts to."""

    seq: int
    kind: str
    data: dict[str, Any]


class Lost(Exception):
    """The connection went away while a command waited for its reply."""


class LightBot:
    def __init__(self, member: Member, url: str, measures: Measures, rng: random.Random) -> None:
        self.member = member
        self.url = url
        self.measures = measures
        self.rng = rng
        self.wire: Wire | None = None
        self.token: str | None = None
        self.epoch = ""
        self._positioned = False
        self.last = 0
        self.received: array[int] = array("I")
        self.segments: list[list[int]] = []
        self.anomalies: list[str] = []
        self.failure: str | None = None
        self.participant = member.participant
        self.play_events: deque[Played] = deque(maxlen=500)
        self.play_ready = asyncio.Event()
        self.drafted: set[str] = set()
        self.snapshot: dict[str, Any] | None = None
        """The first welcome's snapshot (its catalogue is what the players read); the worker
        drops it once read (`keep_snapshot` then stays False: a rejoin's is not kept)."""
        self.keep_snapshot = True
        self.catalogue_tag = ""
        """The tag of the catalogue the first welcome carried: a rejoin names it, as the pages do."""
        self.keep_play = True
        self.play_kinds: frozenset[str] = PLAY_KINDS
        """The kinds this bot's player reacts to (`loadtest.players` narrows it per player): only
        these are queued, and wake the player."""
        self._replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._replay_until = 0
        self._live = asyncio.Event()
        self._reach: tuple[int, asyncio.Event] | None = None
        self._ids = 0

    @property
    def position(self) -> tuple[str, int] | None:
        """Where a resume starts: (epoch, last seq), once welcomed."""
        return (self.epoch, self.last) if self._positioned else None

    @property
    def connected(self) -> bool:
        return self.wire is not None and self._reader is not None and not self._reader.done()

    @property
    def client(self) -> LightBot | None:
        """Itself while connected (the worker asks `bot.client` as it would the SDK's)."""
        return self if self.connected else None

    async def connect(self, tasks: asyncio.TaskGroup, *, start_timeout: float = 60.0) -> None:
        rejoin = self.position is not None
        wire = Wire(self.url, code=None if self.token else self.member.code, token=self.token or None)
        started = time.perf_counter()
        try:
            welcome = await wire.open(
                within=start_timeout, resume=self.position, catalogue=self.catalogue_tag
            )
        except (OSError, TimeoutError, WireError, InvalidHandshake, WebSocketException) as error:
            self.failure = f"open: {error!r}"
            self.measures.errors["open_failed"] += 1
            return
        welcomed = time.perf_counter()
        self.wire = wire
        token = welcome.get("token")
        self.token = token if isinstance(token, str) and token else self.token
        me = welcome.get("me") or {}
        self.participant = self.participant or str(me.get("participant") or "")
        self.epoch, seq = str(welcome.get("epoch", "")), int(welcome.get("seq") or 0)
        self._live.clear()
        if welcome.get("mode") == "resume":
            self._replay_until = seq
            if self.last >= seq:
                self._live.set()
        else:
            self._close_segment()
            self.segments.append([seq, seq])
            self.last, self._positioned = seq, True
            self._replay_until = 0
            self._live.set()
        snapshot = welcome.get("snapshot")
        if isinstance(snapshot, dict):
            self.catalogue_tag = str(snapshot.get("catalogue_tag") or "")  # named in the next hello
            if self.snapshot is None and self.keep_snapshot:
                self.snapshot = snapshot
        wire.listen(self._message)
        self._reader = tasks.create_task(self._watch(wire), name=f"watch:{self.member.name}")
        if not rejoin:
            return
        self.measures.rejoin.append((welcomed - started) * 1000)
        try:
            async with asyncio.timeout(start_timeout):
                await self._live.wait()
        except TimeoutError:
            self.measures.errors["resume_timeout"] += 1
            return
        self.measures.live.append((time.perf_counter() - started) * 1000)

    def _message(self, raw: bytes) -> None:
        frame = unpackb(raw) if len(raw) < SMALL else peek(raw)
        if type(frame) is not dict:
            return
        kind = frame.get("type")
        if kind == "event":
            self._event(raw, frame)
        elif kind == "position":
            seq = frame.get("seq") or 0
            if seq > self.last:
                self.last = seq
                self._moved()
            elif seq < self.last:
                self.anomalies.append("position_backwards")
        elif kind == "reply":
            waiting = self._replies.pop(frame.get("id", ""), None)
            if waiting is not None and not waiting.done():
                waiting.set_result(decode(raw))
        elif kind == "error":
            error = str(decode(raw).get("code", "error"))
            self.failure = self.failure or error
            self.measures.errors[error] += 1

    async def _watch(self, wire: Wire) -> None:
        """Until the connection ends: then its close code is counted (unless this bot ended
        it) and the commands still waiting fail."""
        assert wire.closed is not None
        code = await wire.closed
        if code not in (1000, 1006) and self.wire is wire:
            self.measures.errors[f"closed {code}"] += 1
        for waiting in self._replies.values():
            if not waiting.done():
                waiting.set_exception(Lost())
        self._replies.clear()

    def _event(self, raw: bytes, frame: dict[str, Any]) -> None:
        """One event frame: the hot path (one per delivered frame), so locals and no objects
        beyond the frame's own map; the latency is one float appended to an array."""
        now = time.time()
        seq: int = frame["seq"]
        if seq <= self.last:
            self.anomalies.append("duplicate" if seq == self.last else "out_of_order")
            return
        self.last = seq
        self.received.append(seq)
        segment = self.segments[-1]
        if seq > segment[1]:
            segment[1] = seq
        measures = self.measures
        measures.deliveries += 1
        replay = seq <= self._replay_until
        if replay:
            measures.replayed += 1
        else:
            at: float = frame["at"]
            if at >= measures.steady_from:
                measures.latencies.append((now - at) * 1000)
            else:
                measures.ramp_latencies.append((now - at) * 1000)
            if self.keep_play and frame["kind"] in self.play_kinds:
                data = frame["data"] if "data" in frame else peek_data(raw, PLAY_KEYS)
                self.play_events.append(Played(seq, frame["kind"], data or {}))
                self.play_ready.set()
        if self._reach is not None or not self._live.is_set():
            self._moved()

    def _moved(self) -> None:
        if not self._live.is_set() and self.last >= self._replay_until:
            self._live.set()
        if self._reach is not None and self.last >= self._reach[0]:
            self._reach[1].set()

    def _close_segment(self) -> None:
        if self.segments and self._positioned:
            self.segments[-1][1] = max(self.segments[-1][1], self.last)

    async def reach(self, target: int, within: float) -> None:
        if not self.connected or self.last >= target:
            return
        reached = asyncio.Event()
        self._reach = (target, reached)
        try:
            async with asyncio.timeout(within):
                await reached.wait()
        except TimeoutError:
            self.measures.errors["drain_timeout"] += 1
        finally:
            self._reach = None

    async def drop(self) -> None:
        """Close the connection abruptly (no close frame), as when a laptop leaves the Wi-Fi."""
        wire, self.wire = self.wire, None
        if wire is not None:
            wire.abort()
        await self._retire(wire)

    async def close(self) -> None:
        wire, self.wire = self.wire, None
        if wire is not None:
            with contextlib.suppress(Exception):
                await wire.close()
        await self._retire(wire)

    async def _retire(self, wire: Wire | None) -> None:
        if self._reader is not None:
            await asyncio.wait({self._reader})
            self._reader = None
        self._close_segment()

    async def request(self, name: str, **args: Any) -> dict[str, Any] | None:
        result: dict[str, Any] = {}
        done = await self.command(name, _result=result, **args)
        if done and name == "request.draft" and "request" in result:
            self.drafted.add(result["request"])
        return result if done else None

    async def command(self, name: str, _result: dict[str, Any] | None = None, **args: Any) -> bool:
        """As `Bot.command`: timed, retried with the same id on "later", failures counted."""
        command_id: str | None = None
        for attempt in range(RETRIES + 1):
            wire = self.wire
            if wire is None or not self.connected:
                self.measures.skipped += 1
                return False
            self.measures.commands += attempt == 0
            if command_id is None:
                self._ids += 1
                command_id = f"l{id(self) % 100000}-{self._ids}-{self.rng.getrandbits(24)}"
            started = time.perf_counter()
            waiting: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._replies[command_id] = waiting
            try:
                wire.send(name, args, command_id)
                async with asyncio.timeout(COMMAND_TIMEOUT):
                    reply = await waiting
            except TimeoutError:
                self._replies.pop(command_id, None)
                self.measures.errors["command_timeout"] += 1
                return False
            except (Lost, ConnectionError):
                self._replies.pop(command_id, None)
                self.measures.errors["closed"] += 1
                return False
            if not reply.get("ok"):
                code = str((reply.get("error") or {}).get("code", "?"))
                if code in RETRYABLE and attempt < RETRIES:
                    self.measures.errors[f"{code} (retried)"] += 1
                    await asyncio.sleep(self.rng.uniform(0.5, 1.0) * 0.2 * 2**attempt)
                    continue
                self.measures.errors[f"{code} ({name})"] += 1
                return False
            if _result is not None:
                _result.update(reply.get("result") or {})
            self.measures.rtts.append((time.perf_counter() - started) * 1000)
            return True
        return False

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
