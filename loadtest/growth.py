"""`--age N`: grow an exercise to N events in its log through the real command path.

A few real WebSocket connections (`loadtest.wire`: one per team and role of the cohort, plus a
control member) send real commands, pipelined (up to `window` in flight each, as fast as the
server answers), until the log holds N events: team messages and messages to control, actions
of the role, announcements and ad-hoc injects from control, the acknowledgements of every inject
that reaches a participant, and requests that go their whole way (drafted and sent by a role that
may issue them, acknowledged and answered by the receiving team's answering role, or answered as
proposed by a SimCell member when the server gives them to SimCell), every move legal by the
welcome's catalogue. Refusals that say "later" (`rate_limited`, `unavailable`,
`conflict`) are sent again with the same id.

While it grows, the server's CPU and the log's position are sampled twice a second, so the report
can set the CPU per event and per command of the first tenth of the growth beside the last tenth.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .behaviours import random_audience
from .bot import RETRYABLE
from .catalogue import Catalogue, Move, read_catalogue
from .cohort import Member
from .monitor import Monitor
from .progress import ProgressLine
from .wire import Wire, decode, peek

RETRIES = 8
SAMPLE_EVERY = 0.25
PART = 0.1
"""The first and the last tenth of the growth are compared."""


@dataclass(slots=True)
class Pending:
    name: str
    args: dict[str, Any]
    id: str | None = None
    attempt: int = 0


@dataclass(slots=True)
class Grower:
    """One growth connection, and what it has to do next."""

    member: Member
    wire: Wire
    catalogue: Catalogue
    rng: random.Random
    pending: deque[Pending] = field(default_factory=deque)
    in_flight: dict[str, Pending] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    moves: list[Move] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    drafts: dict[str, Move] = field(default_factory=dict)
    """Requests this grower drafted (by id): what, to whom."""
    open_requests: int = 0
    simcell: bool = False
    """SimCell's connection: it only answers, as proposed, the requests the server gives SimCell."""
    simcell_requests: set[str] = field(default_factory=set)
    """Those drafted and not sent yet."""
    frames: int = 0
    count: int = 0
    next_at: float = 0.0
    """Monotonic time of the next command, when the growth is paced."""


@dataclass(slots=True)
class Sample:
    time: float
    seq: int
    commands: int
    server_cpu: float
    generator_cpu: float
    frames: int = 0
    """Event frames the growth's connections had received."""


class Growth:
    def __init__(
        self,
        target: int,
        *,
        window: int,
        teams: Sequence[str],
        roles: Sequence[str],
        participants: Sequence[str],
        rng: random.Random,
        rate: float = 0.0,
    ) -> None:
        self.target = target
        self.window = window
        self.rate = rate
        """Commands per second per connection at most (0: as fast as the server answers); for
        a server whose rate limit cannot be raised (`--server`)."""
        self.teams, self.roles, self.participants = teams, roles, participants
        self.rng = rng
        self.seq = 0
        self.ok = 0
        self.in_flight = 0
        self.by_command: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.frames = 0
        self.growers: list[Grower] = []
        self.answerers: dict[tuple[str, str], Grower] = {}
        self.samples: list[Sample] = []
        self.done = asyncio.Event()
        self.drained = asyncio.Event()
        """Set when no command is in flight."""
        self.gate = asyncio.Event()
        """Open: the connections send. Closed: they hold new commands back (`loadtest.turns`)."""
        self.gate.set()

    # -- connections ----------------------------------------------------------------------

    async def connect(self, url_of: Callable[[int], str], members: Sequence[Member]) -> None:
        for index, member in enumerate(members):
            wire = Wire(url_of(index), code=member.code)
            welcome = await wire.open()
            catalogue = read_catalogue(welcome.get("snapshot"))
            grower = Grower(member, wire, catalogue, random.Random(self.rng.random()))
            grower.simcell = member.role == "simcell"
            wire.listen(functools.partial(self._message, grower))
            if not member.staff:
                grower.moves = catalogue.requests_for(member.team, member.role)
                grower.actions = catalogue.actions_for(member.role)
                self.answerers.setdefault((member.team or "", member.role), grower)
            self.growers.append(grower)
            self.seq = max(self.seq, int(welcome.get("seq") or 0))

    async def close(self) -> None:
        for grower in self.growers:
            with contextlib.suppress(Exception):
                await grower.wire.close()

    # -- the growth -----------------------------------------------------------------------

    async def run(self, tick: Callable[[], None], drain: float = 30.0) -> None:
        async with asyncio.TaskGroup() as tasks:
            for grower in self.growers:
                tasks.create_task(self._read(grower), name=f"grow-read:{grower.member.name}")
                tasks.create_task(self._pump(grower), name=f"grow-pump:{grower.member.name}")
            tasks.create_task(self._tick(tick), name="grow-tick")
            await self.done.wait()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(drain):  # the last replies
                    await self.drained.wait()
            await self.close()  # ends the readers

    async def _tick(self, tick: Callable[[], None]) -> None:
        while not self.done.is_set():
            tick()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SAMPLE_EVERY):
                    await self.done.wait()
        tick()

    def _finished(self) -> bool:
        return self.seq >= self.target

    def open(self) -> None:
        """Let the connections send again."""
        self.gate.set()
        for grower in self.growers:
            grower.wake.set()

    def close_gate(self) -> None:
        """Hold new commands back (those in flight still get their replies)."""
        self.gate.clear()

    async def _pump(self, grower: Grower) -> None:
        while not self.done.is_set():
            while (
                self.gate.is_set()
                and len(grower.in_flight) < self.window
                and (grower.pending or (not grower.simcell and self.seq + self.in_flight < self.target))
                and not self._finished()
            ):
                if self.rate > 0:
                    now = time.monotonic()
                    if grower.next_at > now:
                        await asyncio.sleep(grower.next_at - now)
                        if self.done.is_set():
                            return
                    grower.next_at = max(now, grower.next_at) + 1 / self.rate
                item = grower.pending.popleft() if grower.pending else self._choose(grower)
                try:
                    item.id = grower.wire.send(item.name, item.args, item.id)
                except ConnectionError:
                    self.errors["closed"] += 1
                    self.done.set()
                    return
                grower.in_flight[item.id] = item
                self.in_flight += 1
                self.drained.clear()
            if self._finished() and self.in_flight == 0:
                self.done.set()
                return
            grower.wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.5):
                    await grower.wake.wait()

    def _message(self, grower: Grower, raw: bytes) -> None:
        frame = peek(raw)
        kind = frame.get("type")
        if kind == "event":
            self.frames += 1
            if grower.simcell:
                self._simcell_saw(grower, frame, raw)
            elif frame.get("kind") == "inject.released" and not grower.member.staff:
                data = frame["data"] if "data" in frame else decode(raw).get("data")
                inject = (data or {}).get("inject")
                if isinstance(inject, str):
                    grower.pending.append(Pending("inject.acknowledge", {"inject": inject}))
                    grower.wake.set()
        elif kind == "reply":
            self._replied(grower, str(frame.get("id")), bool(frame.get("ok")), frame.get("seq") or 0, raw)
            grower.wake.set()

    def _simcell_saw(self, grower: Grower, frame: dict[str, Any], raw: bytes) -> None:
        """SimCell answers each request given to it once it is sent (as the cohort's SimCell does)."""
        event = frame.get("kind")
        if event not in ("request.drafted", "request.sent"):
            return
        data = decode(raw).get("data") or {}
        request = data.get("request")
        if event == "request.drafted" and data.get("simcell") and isinstance(request, str):
            grower.simcell_requests.add(request)
        elif event == "request.sent" and request in grower.simcell_requests:
            grower.simcell_requests.discard(request)
            grower.pending.append(Pending("request.answer", {"request": request, "as_proposed": True}))
            grower.wake.set()

    async def _read(self, grower: Grower) -> None:
        """Until the connection ends (its messages go to `_message` as they arrive)."""
        closed = grower.wire.closed
        assert closed is not None
        await closed
        if not self.done.is_set():
            self.errors["closed"] += 1
            self.done.set()

    def _replied(self, grower: Grower, command_id: str, ok: bool, seq: int, raw: bytes) -> None:
        item = grower.in_flight.pop(command_id, None)
        if item is None:
            return
        self.in_flight -= 1
        if self.in_flight == 0:
            self.drained.set()
        if not ok:
            error = decode(raw).get("error") or {}
            code = str(error.get("code", "?"))
            if code in RETRYABLE and item.attempt < RETRIES:
                self.errors[f"{code} (retried)"] += 1
                item.attempt += 1
                delay = 0.05 * 2**item.attempt * grower.rng.uniform(0.5, 1.0)
                asyncio.get_running_loop().call_later(delay, self._again, grower, item)
                return
            if item.name == "request.answer" and item.args.get("as_proposed") and code == "invalid_state":
                # no template of the scenario fits it: SimCell answers by hand, as at a course
                self.errors["no template fits (SimCell answered by hand)"] += 1
                by_hand = {"request": item.args["request"], "text": "Executed by SimCell: results attached."}
                grower.pending.append(Pending("request.answer", by_hand))
                grower.wake.set()
                return
            self.errors[f"{code} ({item.name})"] += 1
            if item.name == "request.draft":
                grower.open_requests -= 1
            return
        self.ok += 1
        self.by_command[item.name] += 1
        self.seq = max(self.seq, seq)
        self._follow_up(grower, item, raw)

    def _again(self, grower: Grower, item: Pending) -> None:
        grower.pending.appendleft(item)
        grower.wake.set()

    def _follow_up(self, grower: Grower, item: Pending, raw: bytes) -> None:
        """The next step of a request: send a draft; the receiving team acknowledges, answers."""
        if item.name == "request.draft":
            request = (decode(raw).get("result") or {}).get("request")
            if isinstance(request, str):
                grower.drafts[request] = Move(item.args["instrument"], item.args["to"], {})
                grower.pending.append(Pending("request.send", {"request": request}))
        elif item.name == "request.send":
            request = item.args["request"]
            move = grower.drafts.pop(request, None)
            grower.open_requests -= 1
            if move is None:
                return
            role = grower.catalogue.answering_role(move.instrument)
            answerer = self.answerers.get((move.to, role or ""))
            if answerer is not None:
                answerer.pending.append(Pending("request.acknowledge", {"request": request}))
                answerer.wake.set()
        elif item.name == "request.acknowledge":
            text = "Executed: results attached."
            grower.pending.append(Pending("request.answer", {"request": item.args["request"], "text": text}))

    def _choose(self, grower: Grower) -> Pending:
        """A fresh command of the mix for this member."""
        grower.count += 1
        n, pick, member = grower.count, grower.rng.random(), grower.member
        if member.control:
            if pick < 0.05:
                audience = {"teams": [grower.rng.choice(list(self.teams))]}
                return Pending("inject.write", {"title": f"ad hoc {n}", "body": "news", "audience": audience})
            if pick < 0.25:
                team = grower.rng.choice(list(self.teams))
                return Pending("message.control", {"team": team, "text": f"control {n}"})
            audience = random_audience(grower.rng, self.teams, self.roles, self.participants)
            return Pending("announcement.make", {"audience": audience, "text": f"update {n}"})
        if pick < 0.03 and grower.moves and grower.open_requests < 2:
            move = grower.moves[n % len(grower.moves)]
            grower.open_requests += 1
            subject = f"{move.instrument} to {move.to} ({n})"
            args = {
                "instrument": move.instrument,
                "to": move.to,
                "subject": subject,
                "fields": dict(move.fields),
            }
            return Pending("request.draft", args)
        if pick < 0.08 and grower.actions:
            return Pending("action.take", {"action": grower.rng.choice(grower.actions)})
        if pick < 0.15:
            return Pending("message.control", {"text": f"{member.name}: question {n}"})
        return Pending("message.post", {"text": f"{member.name}: note {n}"})

    # -- measures -------------------------------------------------------------------------

    def sample(self, monitor: Monitor, servers: list[str], generators: list[str]) -> None:
        taken = monitor.sample()
        if taken is None:
            return
        server = sum(taken.cpu_seconds.get(n, 0.0) for n in servers)
        generator = sum(taken.cpu_seconds.get(n, 0.0) for n in generators)
        self.samples.append(Sample(taken.time, self.seq, self.ok, server, generator, self.frames))

    def parts(self, start_seq: int) -> dict[str, Any]:
        """CPU per event, per command and per delivered frame in the first and the last tenth of
        the growth, and the server's CPU per event in each tenth (`tenths`: whether a difference
        between the first and the last is a trend or a burst of the machine's). The frames per
        event tell a change in the mix of commands from a change in what each costs."""
        samples = list(self.samples)
        while len(samples) > 2 and samples[-2].seq >= samples[-1].seq:
            samples.pop()  # the drain at the end: no more events
        if len(samples) < 3:
            return {}
        span = max(1, samples[-1].seq - start_seq)
        first_end = _at_seq(samples, start_seq + PART * span)
        last_start = min(max(0, _at_seq(samples, samples[-1].seq - PART * span) - 1), len(samples) - 2)
        return {
            "first": _part(samples[0], samples[first_end]),
            "last": _part(samples[last_start], samples[-1]),
            "whole": _part(samples[0], samples[-1]),
            "tenths": [
                _part(
                    samples[_at_seq(samples, start_seq + i * PART * span) - (i > 0)],
                    samples[_at_seq(samples, start_seq + (i + 1) * PART * span)],
                )["server_us_per_event"]
                for i in range(round(1 / PART))
            ],
        }


def _at_seq(samples: list[Sample], seq: float) -> int:
    for index, sample in enumerate(samples):
        if sample.seq >= seq and index > 0:
            return index
    return len(samples) - 1


def _part(first: Sample, last: Sample) -> dict[str, Any]:
    events = last.seq - first.seq
    commands = last.commands - first.commands
    cpu = last.server_cpu - first.server_cpu
    generator = last.generator_cpu - first.generator_cpu
    frames = last.frames - first.frames
    seconds = max(1e-9, last.time - first.time)
    return {
        "from_seq": first.seq,
        "to_seq": last.seq,
        "seconds": seconds,
        "events": events,
        "commands": commands,
        "events_per_s": events / seconds,
        "server_cpu_s": cpu,
        "server_cpu_percent": 100 * cpu / seconds,
        "server_us_per_event": 1e6 * cpu / events if events else None,
        "server_us_per_command": 1e6 * cpu / commands if commands else None,
        "generator_us_per_event": 1e6 * generator / events if events else None,
        "frames": frames,
        "frames_per_event": frames / events if events else None,
        "server_us_per_frame": 1e6 * cpu / frames if frames else None,
    }


def growth_line(progress: ProgressLine, growth: Growth, started: float, start_seq: int) -> None:
    elapsed = time.time() - started
    done = growth.seq - start_seq
    rate = done / elapsed if elapsed > 0 else 0.0
    left = growth.target - growth.seq
    eta = f"{left / rate:5.0f}s" if rate > 0 and left > 0 else "    -"
    progress.text(
        f"age      {elapsed:6.1f}s  events {growth.seq:>9,}/{growth.target:<9,}  "
        f"events/s {rate:6.0f}  commands {growth.ok:>9,}  in flight {growth.in_flight:>4}  eta {eta}"
    )
