"""Replay over HTTP: the debrief page's view of any viewpoint at any moment.

`GET /api/exercises/{exercise}/replay` (docs/protocol.md, "Replay") answers to the same tokens
as the report (the admin token or a staff member's session token of the exercise). The log is
folded once into a `server.core.debrief.replay.Replay` (checkpoints every `EVERY` events) and
kept per exercise in this process: at most `KEPT` exercises, the least recently used dropped
first. When the log has grown since, only the new events are read and folded, from the last
state kept; a log that is not the one folded (another epoch: deleted and imported again) is
folded again from scratch. Folding runs in a worker thread, so the instance goes on serving.
"""

from __future__ import annotations

import asyncio
import datetime
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from server.adapters.backups import ExerciseMissing
from server.adapters.services import Services
from server.core.debrief import Entry
from server.core.debrief.replay import EVERY, Replay, viewpoint, viewpoints
from server.core.simtime import format_sim_time, parse_sim_time
from server.protocol.messages import event_frame

KEPT = 2
"""Exercises whose replay a process keeps (a 200,000-event one holds about 130 MB: see
docs/performance.md, "Replay of the same log")."""
EVENTS_MOST = 5000
"""Events one answer carries at most (`limit`)."""
EVENTS_DEFAULT = 300


@dataclass
class _Kept:
    epoch: str
    replay: Replay
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_CACHE: OrderedDict[tuple[int, str], _Kept] = OrderedDict()
_BUILDING: dict[tuple[int, str], asyncio.Lock] = {}


async def replay_of(services: Services, exercise: str) -> Replay:
    """The exercise's replay, up to its log's current seq (built or brought up to date)."""
    meta = await services.store.meta(exercise)
    if meta is None:
        raise ExerciseMissing(exercise)
    key = (id(services), exercise)
    async with _BUILDING.setdefault(key, asyncio.Lock()):
        kept = _CACHE.get(key)
        if kept is None or kept.epoch != meta.epoch or kept.replay.last > meta.seq:
            stored = await services.store.read(exercise, 0, meta.seq)
            if not stored:
                raise ExerciseMissing(exercise)
            entries = [Entry(e.seq, e.at, e.event) for e in stored]
            built = await asyncio.to_thread(Replay.build, entries, EVERY)
            kept = _CACHE[key] = _Kept(meta.epoch, built)
        _CACHE.move_to_end(key)
        while len(_CACHE) > KEPT:
            _BUILDING.pop(_CACHE.popitem(last=False)[0], None)
    async with kept.lock:
        if kept.replay.last < meta.seq:
            stored = await services.store.read(exercise, kept.replay.last, meta.seq)
            await asyncio.to_thread(kept.replay.extend, [Entry(e.seq, e.at, e.event) for e in stored])
    return kept.replay


def forget() -> None:
    """Drop every replay kept (tests)."""
    _CACHE.clear()
    _BUILDING.clear()


def index(replay: Replay, exercise: str) -> dict[str, Any]:
    """What the page needs before a moment is chosen: the viewpoints and the slider's range."""
    state = replay.state
    return {
        "exercise": exercise,
        "title": state.title,
        "first": 1,
        "last": replay.last,
        "morning": state.scenario.clock.morning,
        "viewpoints": [{"key": v.key, "label": v.label} for v in viewpoints(state)],
        "ticks": [{**tick, "sim": format_sim_time(tick["sim_time"])} for tick in replay.ticks()],
    }


def moment(replay: Replay, query: dict[str, str]) -> int:
    """The seq a query names: `seq=N`, `sim=D2 10:00` (or seconds since D1 00:00) or
    `at=<Unix seconds or ISO 8601>`
    (the latest seq when none); ValueError saying what is wrong."""
    given = [name for name in ("seq", "sim", "at") if query.get(name)]
    if len(given) > 1:
        raise ValueError(f"give one of seq, sim or at, not {' and '.join(given)}")
    if not given:
        return replay.last
    text = query[given[0]].strip()
    if given[0] == "seq":
        try:
            seq = int(text)
        except ValueError:
            raise ValueError(f"seq: expected a whole number, got {text!r}") from None
        if not 1 <= seq <= replay.last:
            raise ValueError(f"seq: expected 1 to {replay.last}, got {seq}")
        return seq
    if given[0] == "sim":
        try:
            return replay.seq_at_sim(float(text))  # seconds since D1 00:00 (the page's play)
        except ValueError:
            return replay.seq_at_sim(parse_sim_time(text))
    try:
        at = float(text)
    except ValueError:
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"at: expected Unix seconds or an ISO 8601 time, got {text!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        at = parsed.timestamp()
    return replay.seq_at_wall(at)


def view(replay: Replay, exercise: str, query: dict[str, str]) -> dict[str, Any]:
    """What a viewpoint had at a moment: the events it had received (the newest `limit` in
    `(after, seq]`) and its screen then."""
    seen = viewpoint(replay.state, query.get("viewer", "").strip())
    seq = moment(replay, query)
    after = _whole(query, "after", 0, 0, seq)
    limit = _whole(query, "limit", EVENTS_DEFAULT, 0, EVENTS_MOST)
    received = list(replay.received_as(seen, seq, after))
    shown = received[len(received) - limit :] if limit else []
    entry = replay.entries[seq - 1]
    return {
        "exercise": exercise,
        "viewer": {"key": seen.key, "label": seen.label},
        "seq": seq,
        "last": replay.last,
        "at": entry.at,
        "sim_time": replay.sim_at(seq),
        "sim": format_sim_time(replay.sim_at(seq)),
        "received": len(received),
        "more": len(shown) < len(received),
        "events": [event_frame(e.seq, e.at, e.event) for e in shown],
        "screen": replay.screen_as(seen, seq),
    }


def _whole(query: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    text = query.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name}: expected a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name}: expected {low} to {high}, got {value}")
    return value
