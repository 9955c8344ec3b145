"""The hub: one per exercise per instance. It keeps the instance's projection of the exercise,
runs its commands and hands each event to the local connections that may see it.

Order and completeness come from one rule: events are applied strictly by sequence number.
A pub/sub message that skips ahead means messages were lost, so the hub reads the gap from
the log first; a message it has already applied is ignored; and every second the hub asks
the log's meta record whether anything was published that it never heard of.

The projection of a long exercise is millions of small immutable objects; Python's cyclic
garbage collector would walk all of them in every full collection (a pause of a fifth of a
second at 200,000 events, measured with scripts/bench_lifetime.py). They never form cycles
and old versions are freed by reference counting, so after loading and after each snapshot
the hub moves what exists into the collector's permanent generation (`gc.freeze()`).

Applying an event and handing it to the connections happen together without an `await`,
and so do building a welcome and registering a connection: a connection therefore sees
every event after its welcome exactly once.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from server.adapters import metrics
from server.adapters.commit import (
    Decision,
    Executed,
    Pending,
    decide_in_order,
    settle_written,
    take_batch,
)
from server.adapters.direct_send import wire_frame
from server.adapters.lost_tail import lost_tail, renew_epoch
from server.adapters.snapshots import Packed, SnapshotPolicy, pack_off_loop, unpack_off_loop
from server.adapters.store import Meta, Store, StoredEvent, StoredSnapshot, StoreUnavailable, decode_event
from server.adapters.subscribers import Subscribers
from server.core import commands as c
from server.core.audience import Audience, Viewer, can_see
from server.core.events import CredentialIssued, CredentialRevoked, Event, ExerciseCreated
from server.core.schedule import Outlook, OutlookMemo, outlook
from server.core.snapshots import FORMAT
from server.core.state import Exercise, Status, apply, initial
from server.core.visibility import audience
from server.protocol import messages
from server.protocol.codec import Subprotocol, encode

LOAD_CHUNK = 500
"""Events read and applied at a time while a hub loads (about 20 ms of work)."""
RECENT = 10_000
"""Events kept in memory for replays; older resumes read the log from Redis."""
POLL_INTERVAL = 1.0
SWEEP_INTERVAL = 10.0
APPEND_ATTEMPTS = 20
"""Compare-and-append races a batch may lose before its commands get `conflict`."""
TAKE_TURN_AFTER = 2
"""Races a batch loses before its hub takes the exercise's turn to append next."""
TURN_SECONDS = 1.0
"""How long a turn lasts at most (a holder that dies frees it by then)."""
BUSY_PAUSE = 0.002
"""Seconds a hub waits before trying again while another instance holds the turn."""
WAIT_TURN = 5.0
"""Seconds a batch may wait in all for other instances' turns before its commands get `conflict`."""
WAIT_APPLIED = 5.0
OUTLOOK_REUSE = 0.05
"""Seconds for which the scheduler's last outlook is reused (see `Hub._outlook`)."""

log = structlog.get_logger("liaison.hub")


class ExerciseGone(Exception):
    """The exercise's log no longer exists in Redis."""


class AppendConflict(Exception):
    """The log moved on at every attempt; nothing was written."""


class Subscriber(Protocol):
    """A live connection as the hub sees it (`server.adapters.endpoint.Connection`)."""

    viewer: Viewer
    subprotocol: Subprotocol
    last_seq: int
    holder: str
    """Whose credential it uses, when not the viewer's (a preview); empty: the viewer's."""

    def push(self, frame: bytes | str, seq: int, wire: bytes | None = None) -> None: ...

    def kick(self, code: int, error: str, reason: str) -> None: ...


@dataclass(slots=True)
class Entry:
    seq: int
    at: float
    event: Event
    audience: Audience
    frames: dict[Subprotocol, bytes | str] = field(default_factory=dict)
    wires: dict[Subprotocol, bytes] = field(default_factory=dict)

    def frame(self, subprotocol: Subprotocol) -> bytes | str:
        """The event frame, encoded once per subprotocol however many receive it."""
        encoded = self.frames.get(subprotocol)
        if encoded is None:
            encoded = self.frames[subprotocol] = encode(
                subprotocol, messages.event_frame(self.seq, self.at, self.event)
            )
        return encoded

    def wire(self, subprotocol: Subprotocol) -> bytes:
        """The event frame serialised as a WebSocket frame, once per subprotocol
        (`server.adapters.direct_send.wire_frame`)."""
        serialised = self.wires.get(subprotocol)
        if serialised is None:
            serialised = self.wires[subprotocol] = wire_frame(self.frame(subprotocol), subprotocol.binary)
        return serialised


@dataclass(frozen=True, slots=True)
class Attached:
    """What a new connection starts from: either a snapshot or a replay."""

    epoch: str
    seq: int
    mode: str
    reason: str
    snapshot_state: Exercise | None


class Hub:
    def __init__(
        self,
        exercise: str,
        store: Store,
        instance: str,
        position_interval: float,
        spawn: Callable[[Coroutine[Any, Any, Any], str], None],
        snapshots: SnapshotPolicy | None = None,
    ) -> None:
        self.exercise = exercise
        self._snapshots = snapshots or SnapshotPolicy()
        self._snapshot_at = (0, time.monotonic())
        """The seq of the latest snapshot known to be stored, and when we learnt it."""
        self._snapshotting = False
        self._snapshot_idle = asyncio.Event()
        self._snapshot_idle.set()
        """Set while no snapshot is being written."""
        self._captured: Packed | StoredSnapshot | None = None
        """What the last snapshot written made that the next reuses (the feed's columns and chunks),
        or the snapshot the hub loaded, until it writes one."""
        self._captured_epoch = ""
        self._spawn = spawn
        self._store = store
        self._instance = instance
        self._position_interval = position_interval
        self._state: Exercise | None = None
        self.seq = 0
        self.epoch = ""
        self._recent: deque[Entry] = deque(maxlen=RECENT)
        self._subscribers: Subscribers[Subscriber] = Subscribers()
        self._inbox: asyncio.Queue[tuple[int, float, list[bytes]]] = asyncio.Queue()
        self._advanced = asyncio.Event()
        self._queue: list[Pending] = []
        self._writer: asyncio.Task[None] | None = None
        self._last_position = 0.0
        self._last_sweep = 0.0
        self._releasing = False
        self._outlook_at: tuple[Exercise, float, Outlook] | None = None
        self._outlook_memo = OutlookMemo()
        self._load_times: dict[str, float] = {}
        """How long the last load took to read and to unpack the snapshot (for `hub.loaded`)."""
        """The last scheduler outlook: for which state (by identity), at what time, what it was."""

    # -- loading and following the log ---------------------------------------------------

    @property
    def state(self) -> Exercise:
        assert self._state is not None, "hub used before load()"
        return self._state

    @property
    def loaded(self) -> bool:
        """False before `load()` and after the exercise was deleted (until it is back)."""
        return self._state is not None

    async def load(self) -> None:
        """Build the projection: from the latest snapshot when it can be trusted, then the rest
        of the log a chunk at a time (the event loop serves other exercises between chunks)."""
        started = time.monotonic()
        self._load_times = {}
        meta = await self._store.meta(self.exercise)
        if meta is None:
            raise ExerciseGone(self.exercise)
        source = await self._start_from_snapshot(meta)
        if source != "snapshot":
            self._state, self.seq, self.epoch = None, 0, meta.epoch
        self._recent.clear()
        after = self.seq
        if not await self._fold_log_after(self.seq, meta.seq) and source == "snapshot":
            log.warning("hub.snapshot_ignored", exercise=self.exercise, why="the log has a hole after it")
            source = "log"
            self._state, self.seq = None, 0
            after = 0
            await self._fold_log_after(0, meta.seq)
        if self._state is None:
            raise ExerciseGone(self.exercise)
        gc.freeze()  # the projection is long-lived: keep it out of full collections (above)
        log.info(
            "hub.loaded",
            exercise=self.exercise,
            seq=self.seq,
            source=source,
            folded=self.seq - after,
            seconds=round(time.monotonic() - started, 3),
            **self._load_times,
        )

    async def _start_from_snapshot(self, meta: Meta) -> str:
        """Start from the stored snapshot if it fits the log: "snapshot", or why not."""
        started = time.monotonic()
        stored = await self._store.snapshot(self.exercise)
        self._load_times["snapshot_read"] = round(time.monotonic() - started, 3)
        if stored is None:
            metrics.snapshot_loaded("miss")
            return "log"
        why = ""
        if stored.epoch != meta.epoch:
            why = "another epoch"
        elif stored.seq > meta.seq:
            why = "ahead of the log"
        first = [] if why else await self._store.read(self.exercise, 0, 1)
        if not why and not (first and isinstance(first[0].event, ExerciseCreated)):
            why = "the log does not start with exercise.created"
        if not why:
            created = first[0].event
            assert isinstance(created, ExerciseCreated)
            started = time.monotonic()
            try:
                state = await unpack_off_loop(stored, created.scenario)
            except ValueError as error:
                why = str(error)
            else:
                self._load_times["unpack"] = round(time.monotonic() - started, 3)
                self._state, self.seq, self.epoch = state, state.seq, meta.epoch
                self._snapshot_at = (state.seq, time.monotonic())
                self._captured, self._captured_epoch = stored, meta.epoch  # the next pack starts from it
                metrics.snapshot_loaded("hit")
                return "snapshot"
        metrics.snapshot_loaded("stale")
        log.warning("hub.snapshot_ignored", exercise=self.exercise, seq=stored.seq, why=why)
        return "log"

    async def _fold_log_after(self, after: int, until: int) -> bool:
        """Apply the log from `after` + 1 to at least `until`, a chunk at a time; False when the
        log does not go on from where the projection is (a hole)."""
        while self.seq < until:
            chunk = await self._store.read(self.exercise, self.seq, self.seq + LOAD_CHUNK)
            before = self.seq
            self._apply_all(chunk)
            if self.seq == before:
                return False  # the log does not go on from where we are: a hole
            await asyncio.sleep(0)  # between chunks, let the loop serve everyone else
        return True

    def deliver(self, message: tuple[int, float, list[bytes]]) -> None:
        """Called by the bus for each append message on this exercise's channel. A message
        the hub has applied already (its own appends, applied as they came back: `_commit`) is
        dropped here rather than waking the hub for nothing."""
        first, _, payloads = message
        if first > 0 and first + len(payloads) - 1 <= self.seq and self._state is not None:
            return
        self._inbox.put_nowait(message)

    def nudge(self) -> None:
        """Called when pub/sub reconnects: messages may have been lost, catch up."""
        self._inbox.put_nowait((0, 0.0, []))

    async def run(self) -> None:
        """Follow the log forever: apply messages in order, fill gaps, tick."""
        while True:
            try:
                async with asyncio.timeout(self._wake_in()):
                    first, at, payloads = await self._inbox.get()
            except TimeoutError:
                first, at, payloads = 0, 0.0, []
            try:
                if first == 0:
                    await self.catch_up()
                elif first > 0:
                    await self._take(first, at, payloads)
                await self._tick()
                self._release_due()
            except StoreUnavailable as error:
                log.warning("hub.store_unavailable", exercise=self.exercise, error=str(error))
                await asyncio.sleep(0.2)
            except Exception:  # a bug: log it, keep following the log
                log.exception("hub.failed", exercise=self.exercise)
                await asyncio.sleep(0.2)

    async def _take(self, first: int, at: float, payloads: list[bytes]) -> None:
        if first > self.seq + 1:
            await self.catch_up()
        self._apply_all(
            StoredEvent(first + i, at, decode_event(payload))
            for i, payload in enumerate(payloads)
            if first + i > self.seq
        )

    async def catch_up(self) -> None:
        """Read and apply whatever the log holds beyond our position."""
        # What this hub applied, taken before reading the meta: the writer may apply more meanwhile.
        applied, epoch = self.seq, self.epoch
        last_at = self._recent[-1].at if self._recent and self._recent[-1].seq == applied else None
        meta = await self._store.meta(self.exercise)
        if self.epoch != epoch:
            return  # reloaded meanwhile (another caller's catch-up): nothing to compare
        if meta is None or meta.epoch != self.epoch:
            await self._reset("the exercise's log was recreated" if meta else "the exercise is gone")
            return
        if (why := await lost_tail(self._store, self.exercise, meta, applied, last_at)) is not None:
            epoch = await renew_epoch(self._store, self.exercise, self.epoch, why)
            log.warning("hub.lost_tail", exercise=self.exercise, seq=self.seq, why=why, epoch=epoch)
            await self._reset(f"{why}: the exercise starts a new epoch")
            return
        if meta.seq > self.seq:
            missed = await self._store.read(self.exercise, self.seq)
            log.info("hub.caught_up", exercise=self.exercise, after=self.seq, events=len(missed))
            self._apply_all(missed)

    async def _reset(self, why: str) -> None:
        log.warning("hub.reset", exercise=self.exercise, why=why)
        for subscriber in self._subscribers:
            subscriber.kick(4000, "shutting_down", why)
        self._subscribers.clear()
        try:
            await self.load()
        except ExerciseGone:
            self._state = None

    def _apply_all(self, stored: Iterable[StoredEvent]) -> None:
        applied = False
        for item in stored:
            if item.seq != self.seq + 1:
                continue
            self._apply(item)
            applied = True
        if applied:
            self._advanced.set()
            self._advanced = asyncio.Event()

    def _apply(self, item: StoredEvent) -> None:
        event = item.event
        if isinstance(event, ExerciseCreated):
            self._state = initial(event)
        else:
            self._state = apply(self.state, event)
        self.seq = item.seq
        entry = Entry(item.seq, item.at, event, audience(self.state, event))
        self._recent.append(entry)
        started = time.perf_counter()
        framed: dict[Subprotocol, tuple[bytes | str, bytes]] = {}
        for subscriber in self._subscribers.seeing(entry.audience):
            subprotocol = subscriber.subprotocol
            pair = framed.get(subprotocol)
            if pair is None:
                pair = framed[subprotocol] = (entry.frame(subprotocol), entry.wire(subprotocol))
            subscriber.push(pair[0], item.seq, pair[1])
        metrics.fanned_out(started)
        if isinstance(event, CredentialRevoked | CredentialIssued):
            self._kick_participant(event.participant, event.generation)

    def _kick_participant(self, participant: str, generation: int) -> None:
        for subscriber in self._subscribers:
            if (subscriber.holder or subscriber.viewer.participant) == participant:
                subscriber.kick(4503, "revoked", "this join code was revoked")
                self._subscribers.discard(subscriber)

    async def read(self, after: int, until: int) -> list[StoredEvent]:
        """Events with seq in (after, until], from the recent ones kept here when they reach back
        that far, else from the log."""
        if self._recent and self._recent[0].seq <= after + 1 and until <= self.seq:
            first = self._recent[0].seq
            kept = itertools.islice(self._recent, after + 1 - first, until + 1 - first)
            return [StoredEvent(entry.seq, entry.at, entry.event) for entry in kept]
        return await self._store.read(self.exercise, after, until)

    async def wait_applied(self, seq: int) -> None:
        """Until the projection reaches `seq` (reading the log if pub/sub is slow)."""
        if self.seq >= seq:
            return  # the usual case: the hub's own append, applied as it came back
        async with asyncio.timeout(WAIT_APPLIED):
            while self.seq < seq:
                try:
                    async with asyncio.timeout(0.25):
                        await self._advanced.wait()
                except TimeoutError:
                    await self.catch_up()

    def _snapshot_due(self) -> None:
        """Write a state snapshot, in its own task, when `SnapshotPolicy` says one is due."""
        if self._snapshotting or self._state is None:
            return
        known, when = self._snapshot_at
        behind = self.seq - known
        if behind >= self._snapshots.every or (
            behind > 0 and time.monotonic() - when >= self._snapshots.seconds
        ):
            self._snapshotting = True
            self._snapshot_idle.clear()
            self._spawn(self._write_snapshot(), f"snapshot:{self.exercise}")

    async def snapshot_now(self) -> None:
        """Write a snapshot of the state now if the stored one is behind it (at a graceful stop,
        so that the next start folds no tail); waits for a snapshot already being written."""
        await self._snapshot_idle.wait()
        if self._state is None or self.seq <= self._snapshot_at[0]:
            return
        self._snapshotting = True
        self._snapshot_idle.clear()
        await self._write_snapshot()

    async def _write_snapshot(self) -> None:
        started = time.monotonic()
        state, epoch = self.state, self.epoch
        try:
            stored = await self._store.snapshot_seq(self.exercise, epoch, FORMAT)
            # another instance wrote one that a load would take (not one of an older format)
            if stored > self._snapshot_at[0] and stored <= state.seq:
                self._snapshot_at = (stored, time.monotonic())
                return
            earlier = self._captured if self._captured_epoch == epoch else None
            snapshot, self._captured = await pack_off_loop(state, epoch, earlier)
            self._captured_epoch = epoch
            _, sent = await self._store.save_snapshot(self.exercise, snapshot)
            self._snapshot_at = (state.seq, time.monotonic())
            gc.freeze()
            log.info(
                "hub.snapshot_written",
                exercise=self.exercise,
                seq=state.seq,
                bytes=snapshot.size,
                sent=sent + len(snapshot.head),
                seconds=round(time.monotonic() - started, 3),
            )
        except StoreUnavailable as error:
            log.warning("hub.snapshot_failed", exercise=self.exercise, error=str(error))
        finally:
            self._snapshotting = False
            self._snapshot_idle.set()

    async def _tick(self) -> None:
        self._snapshot_due()
        now = time.monotonic()
        if now - self._last_position >= self._position_interval:
            self._last_position = now
            frame = messages.position(self.seq)
            framed: dict[Subprotocol, tuple[bytes | str, bytes]] = {}  # encoded once, as events are
            for subscriber in self._subscribers:
                if subscriber.last_seq < self.seq:
                    subprotocol = subscriber.subprotocol
                    pair = framed.get(subprotocol)
                    if pair is None:
                        encoded = encode(subprotocol, frame)
                        pair = framed[subprotocol] = (encoded, wire_frame(encoded, subprotocol.binary))
                    subscriber.push(pair[0], self.seq, pair[1])
        if now - self._last_sweep >= SWEEP_INTERVAL and self._state is not None:
            self._last_sweep = now  # in its own task: this one must keep applying events
            self._spawn(self._sweep_dead_instances(), f"sweep:{self.exercise}")

    def _outlook(self, state: Exercise, now: float) -> Outlook:
        """The scheduler's outlook, worked out once per state: the release check at the end of a
        loop iteration and the wake-up timer at the start of the next share it (for at most
        `OUTLOOK_REUSE` seconds). A newer state is always looked at afresh, so what an event
        makes due is released in the same turn (reusing the outlook of an older state for 50 ms
        saved more walks of the MSEL, but delayed such releases, which clients and tests see)."""
        cached = self._outlook_at
        if cached is not None and 0 <= now - cached[1] < OUTLOOK_REUSE and cached[0] is state:
            return cached[2]
        found = outlook(state, now, self._outlook_memo)
        self._outlook_at = (state, now, found)
        return found

    def _wake_in(self) -> float:
        """Seconds until the next look: when something becomes due, at most POLL_INTERVAL."""
        state = self._state
        if state is None or state.status is not Status.RUNNING:
            return POLL_INTERVAL
        now = time.time()
        sim = self._outlook(state, now).wake
        wall = None if sim is None else state.clock.wall_at(sim)
        return POLL_INTERVAL if wall is None else min(POLL_INTERVAL, max(0.02, wall - now + 0.001))

    def _release_due(self) -> None:
        """The scheduler: when something is due, submit `Advance` in its own task. Every
        instance does this; compare-and-append and `decide` make each release happen once."""
        state = self._state
        if self._releasing or state is None or state.status is not Status.RUNNING:
            return
        if self._outlook(state, time.time()).due:
            self._releasing = True
            self._spawn(self._advance(), f"advance:{self.exercise}")

    async def _advance(self) -> None:
        try:
            await self.execute(c.Advance(), c.SYSTEM)
        except (StoreUnavailable, AppendConflict, TimeoutError) as error:
            log.warning("hub.advance_failed", exercise=self.exercise, error=repr(error))
            await asyncio.sleep(0.5)  # Redis is away: try again on a later tick, not in a loop
        finally:
            self._releasing = False

    async def _sweep_dead_instances(self) -> None:
        """Close the connections that instances which are gone left open in the state."""
        instances = {
            connection.split(":", 1)[0]
            for connections in self.state.connections.values()
            for connection in connections
        } - {self._instance}
        alive = await self._store.live_instances(sorted(instances))
        for dead in sorted(instances - alive):
            log.info("hub.sweep", exercise=self.exercise, instance=dead)
            await self.execute(c.CloseInstanceConnections(dead), c.SYSTEM)

    # -- commands ----------------------------------------------------------------------

    async def execute(self, command: c.Command, actor: c.Actor, command_key: str = "") -> Executed:
        """Run a command: queue it for the hub's writer and wait for what it came to.

        Raises DomainError (refused), StoreUnavailable, ExerciseGone or AppendConflict; in
        each case nothing of this command was written.
        """
        pending = Pending(command, actor, command_key, asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name=f"writer:{self.exercise}")
        return await pending.outcome

    def stop_writing(self) -> None:
        """Cancel the writer, if one runs: its batch and the queued commands are answered
        `StoreUnavailable` ("the server is stopping"); nothing of them was acknowledged."""
        if self._writer is not None:
            self._writer.cancel()

    async def _write(self) -> None:
        """Commit the queued commands, a batch at a time, until none are left (`server.adapters.commit`)."""
        batch: list[Pending] = []
        try:
            while self._queue:
                batch, self._queue = take_batch(self._queue)
                try:
                    await self._commit(batch)
                except Exception as error:  # every caller of the batch hears of it
                    for pending in batch:
                        pending.settle(error)
        except asyncio.CancelledError:
            stopping = StoreUnavailable("the server is stopping")
            for pending in batch + self._queue:
                pending.settle(stopping)
            raise
        finally:
            self._writer = None

    async def _commit(self, batch: list[Pending]) -> None:
        """Decide and append with compare-and-append; on a lost race, catch up and decide again.

        Commands applied before (a client's retry) are answered as duplicates: the append script
        refuses a batch holding one (`dup`), and a command that would write nothing is looked up
        before its refusal is sent (`_refused_were_applied`). A hub that
        loses `TAKE_TURN_AFTER` races takes the exercise's turn (see append.lua), so another
        instance appending fast cannot starve it; while another instance holds the turn, the hub
        waits (`busy`) instead of counting lost races.
        """
        holding_turn = False
        lost = 0
        give_up_at = time.monotonic() + WAIT_TURN
        look_up_all = False
        try:
            while True:
                if look_up_all:  # the script found a key applied before: answer those first
                    batch = await self._without_applied(batch)
                    look_up_all = False
                if not batch:
                    return
                if self._state is None:
                    raise ExerciseGone(self.exercise)
                decisions = decide_in_order(self.state, batch, time.time())
                if answered := await self._refused_were_applied(batch, decisions):
                    batch = [pending for pending in batch if pending not in answered]
                    continue
                writes = [
                    (p.key, d) for p, d in zip(batch, decisions, strict=True) if isinstance(d, list) and d
                ]
                if not writes:
                    settle_written(batch, decisions, self.seq + 1)
                    return
                expected, appended_at = self.seq, time.time()
                result = await self._store.append_batch(
                    self.exercise, expected, writes, now=appended_at, writer=self._instance
                )
                if result.outcome == "ok":
                    holding_turn = False  # the append gave the turn back
                    # The log holds exactly these events at expected+1 ... : apply them now rather
                    # than wait for our own pub/sub message (which is then ignored as seen).
                    events = enumerate(event for _, written in writes for event in written)
                    self._apply_all(StoredEvent(expected + 1 + i, appended_at, e) for i, e in events)
                    self._release_due()  # what these events made due (their pub/sub message is dropped)
                    await self.wait_applied(result.seq)
                    settle_written(batch, decisions, expected + 1)
                    return
                if result.outcome == "gone":
                    raise ExerciseGone(self.exercise)
                if result.outcome == "dup":
                    look_up_all = True
                if result.outcome == "busy":  # another instance holds the turn: let it append first
                    if time.monotonic() > give_up_at:
                        raise AppendConflict(self.exercise)
                    await asyncio.sleep(BUSY_PAUSE)
                elif result.outcome == "conflict":
                    lost += 1
                    if lost >= APPEND_ATTEMPTS:
                        raise AppendConflict(self.exercise)
                    if lost >= TAKE_TURN_AFTER and not holding_turn:
                        holding_turn = await self._store.take_turn(
                            self.exercise, self._instance, TURN_SECONDS
                        )
                await self.catch_up()
        finally:
            if holding_turn:
                await self._store.give_back_turn(self.exercise, self._instance)

    async def _refused_were_applied(self, batch: list[Pending], decisions: list[Decision]) -> list[Pending]:
        """Whether a keyed command that writes nothing this time (refused, or a no-op) was applied
        before: a retry of a command that did its work must be answered `duplicate`, not with
        what deciding it again says ("already acknowledged"). Returns those it answered. Commands that
        write are looked up by the append script itself (its "dup" outcome), so a batch of
        commands that all write costs no lookup before its append."""
        unwritten = [
            pending
            for pending, decision in zip(batch, decisions, strict=True)
            if pending.key and not (isinstance(decision, list) and decision)
        ]
        if not unwritten:
            return []
        remaining = await self._without_applied(unwritten)
        return [pending for pending in unwritten if pending not in remaining]

    async def _without_applied(self, batch: list[Pending]) -> list[Pending]:
        """Answer the commands whose key was applied before as duplicates; the others remain."""
        keyed = [pending for pending in batch if pending.key]
        if not keyed:
            return batch
        applied = await self._store.applied(self.exercise, [pending.key for pending in keyed])
        seqs = dict(zip((pending.key for pending in keyed), applied, strict=True))
        for pending in keyed:
            if (seq := seqs[pending.key]) is not None:
                pending.settle(Executed([], seq, duplicate=True))
        return [pending for pending in batch if seqs.get(pending.key) is None]

    # -- connections -------------------------------------------------------------------

    async def attach(
        self,
        subscriber: Subscriber,
        resume: messages.Resume | None,
        welcome: Callable[[Attached], dict[str, Any]],
    ) -> Attached:
        """Register a connection after queueing its welcome and whatever precedes live events.

        With a resume position that continuity can be proven from, the welcome is followed
        by exactly the missing events the viewer may see and a position frame; otherwise the
        welcome carries a snapshot (`welcome` builds the frame from the `Attached`).
        """
        if self._state is None:
            raise ExerciseGone(self.exercise)
        older: list[StoredEvent] = []
        reason = self._resume_refusal(resume)
        if reason is None and resume is not None:
            oldest_recent = self._recent[0].seq if self._recent else self.seq + 1
            if resume.seq + 1 < oldest_recent:
                older = await self._store.read(self.exercise, resume.seq, oldest_recent - 1)
                if not older or older[0].seq != resume.seq + 1:
                    reason = "trimmed"
            reason = reason or self._resume_refusal(resume)
            if reason is None and older and self._recent and self._recent[0].seq > older[-1].seq + 1:
                reason = "trimmed"  # more than RECENT events arrived while we read: start afresh
        # From here to the end: no await, so no event can slip between replay and live.
        if reason is not None or resume is None:
            attached = Attached(self.epoch, self.seq, "snapshot", reason or "new", self.state)
            subscriber.push(encode(subscriber.subprotocol, welcome(attached)), self.seq)
        else:
            attached = Attached(self.epoch, self.seq, "resume", "resumed", None)
            subscriber.push(encode(subscriber.subprotocol, welcome(attached)), resume.seq)
            for item in older:
                if can_see(subscriber.viewer, audience(self.state, item.event)):
                    entry = Entry(item.seq, item.at, item.event, audience(self.state, item.event))
                    subscriber.push(entry.frame(subscriber.subprotocol), item.seq)
            after = older[-1].seq if older else resume.seq
            for entry in self._recent:
                if entry.seq > after and can_see(subscriber.viewer, entry.audience):
                    subscriber.push(entry.frame(subscriber.subprotocol), entry.seq)
            subscriber.push(encode(subscriber.subprotocol, messages.position(self.seq)), self.seq)
        self._subscribers.add(subscriber)
        return attached

    def _resume_refusal(self, resume: messages.Resume | None) -> str | None:
        if resume is None:
            return "new"
        if resume.epoch != self.epoch:
            return "epoch_changed"
        if resume.seq > self.seq:
            return "ahead"
        return None

    def detach(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)
