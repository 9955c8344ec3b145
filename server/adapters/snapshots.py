"""State snapshots in Redis: written now and then by a hub, read when an instance loads.

`server.core.snapshots` turns a state into a typed `Captured` value and back; this module packs
it with msgspec (straight from and into the core's dataclasses, in C) and decides when a hub
writes one: every `every` events, or after `seconds` with at least one new event, by whichever
instance has the exercise loaded (the store keeps the most recent of the same epoch, so two
instances writing is harmless). Packing and unpacking run in a worker thread: the state is
immutable, so the event loop goes on serving meanwhile.

Stored, a snapshot is a head and chunks (`StoredSnapshot`). The head is the capture without its
long histories (msgpack); the chunks hold those histories: the feed's items by `FEED_CHUNK`
(columns, as in the capture; its tables of audiences and threads stay in the head) and the
injects, requests, actions and releases by `CHUNK`. A chunk is named after its history and a
digest of its bytes (`feed:3f2a…`), so Redis keeps each chunk once, however many snapshots name
it, and a hub sends only the chunks it did not send before (`Store.save_snapshot`).

A long exercise's snapshot is mostly history that no longer changes, so a hub keeps the bytes of
each chunk (`Packed`) and encodes again only a chunk whose items are not the very objects it
encoded last time (the state is immutable: an unchanged item is the same object). A snapshot of a
200,000-event exercise is about 14 MB; one 5,000 events later sends about 1 MB to Redis: the head
(about 55 KB) and the chunks with something new in them, mostly the messages posted since
(docs/performance.md, round 8).
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import chain
from typing import Any

import msgspec

from server.adapters.store import StoredSnapshot
from server.core.exercise import Exercise
from server.core.feed import Feed
from server.core.injects import InjectRun
from server.core.records import Release, Taken
from server.core.requests import RequestRun
from server.core.scenario import Scenario
from server.core.snapshots import FORMAT, Captured, FeedColumns, capture, restore, settled_feed

FEED_CHUNK = 4096
"""Feed items per stored chunk."""
CHUNK = 256
"""Injects, requests, actions or releases per stored chunk."""


@dataclass(frozen=True, slots=True)
class SnapshotPolicy:
    every: int = 5_000
    """Events after the last snapshot that make the next one due."""
    seconds: float = 60.0
    """Seconds after the last snapshot that make the next one due, if any event came since."""


@dataclass(frozen=True, slots=True)
class Chunk:
    key: tuple[object, ...]
    """What tells whether the chunk at the same place later holds the same items: the items
    themselves (for the feed: how many, and the last one's seq)."""
    name: str
    """`<history>:<digest of data>`, as stored."""
    data: bytes


@dataclass(frozen=True, slots=True)
class Packed:
    """What a pack made that the next one reuses: the capture (the feed's columns are not made
    again from its start) and the encoded chunks of each history."""

    captured: Captured
    chunks: dict[str, tuple[Chunk, ...]]


_ENCODER = msgspec.msgpack.Encoder(order="deterministic")
"""Sets and mappings in sorted order: the same state makes the same bytes in every process (a
string's hash, and so a set's order, changes from one process to the next), so a chunk keeps its
name across a restart."""
_HEAD_DECODER = msgspec.msgpack.Decoder(Captured)
_FEED_CHUNK_DECODER = msgspec.msgpack.Decoder(FeedColumns)
_CHUNK_DECODERS: dict[str, msgspec.msgpack.Decoder[Any]] = {
    "injects": msgspec.msgpack.Decoder(tuple[InjectRun, ...]),
    "requests": msgspec.msgpack.Decoder(tuple[RequestRun, ...]),
    "actions": msgspec.msgpack.Decoder(tuple[Taken, ...]),
    "releases": msgspec.msgpack.Decoder(tuple[Release, ...]),
}


@dataclass(frozen=True, slots=True)
class _Threads:
    """A feed chunk read for its items' threads only (msgspec skips the other columns)."""

    thread: tuple[int, ...]


_THREADS_DECODER = msgspec.msgpack.Decoder(_Threads)
_HISTORIES = tuple(_CHUNK_DECODERS)
_NO_FEED = FeedColumns((), (), (), (), (), (), (), (), (), (), ())
_FEED_ITEM_COLUMNS = ("author", "text", "channel", "seq", "team", "to_team", "sim_time", "audience", "thread")
"""The columns of `FeedColumns` with one value per item (the others are its tables)."""


def pack(
    state: Exercise, epoch: str, earlier: Packed | StoredSnapshot | None = None
) -> tuple[StoredSnapshot, Packed]:
    """The snapshot of `state`, and what to pass as `earlier` to the next pack of the same
    exercise and epoch. `earlier` may also be the stored snapshot `state` was loaded from (or
    an earlier state of it): its feed chunks are then reused as they are (`seeded`)."""
    if isinstance(earlier, StoredSnapshot):
        earlier = seeded(earlier)
    captured = capture(state, None if earlier is None else earlier.captured)
    before = {} if earlier is None else earlier.chunks
    feed = captured.feed
    chunks = {
        "feed": _encoded(
            "feed",
            len(feed.seq),
            FEED_CHUNK,
            before.get("feed", ()),
            key=lambda at: (at.stop - at.start, feed.seq[at.stop - 1]),
            same=operator.eq,
            part=lambda at: _feed_chunk(feed, at),
        )
    }
    for name in _HISTORIES:
        items: tuple[object, ...] = getattr(captured, name)
        chunks[name] = _encoded(
            name,
            len(items),
            CHUNK,
            before.get(name, ()),
            key=items.__getitem__,
            same=_same_objects,
            part=items.__getitem__,
        )
    head = replace(
        captured,
        feed=replace(
            _NO_FEED,
            audiences=feed.audiences,
            threads=feed.threads,
            thread_channels=feed.thread_channels,
            thread_audiences=feed.thread_audiences,
        ),
        injects=(),
        requests=(),
        actions=(),
        releases=(),
    )
    stored = tuple((chunk.name, chunk.data) for done in chunks.values() for chunk in done)
    return StoredSnapshot(epoch, state.seq, FORMAT, _ENCODER.encode(head), stored), Packed(captured, chunks)


def seeded(snapshot: StoredSnapshot) -> Packed:
    """What a pack of the state loaded from `snapshot` would have made of its feed: the feed's
    columns (decoded in C, no item made) and its chunks as stored. The next pack then makes
    columns and chunks of the messages posted since the load only, where it would otherwise make
    every message of the feed (about 0.5 s at 200,000 events). Its other histories are encoded
    again; being the same items, they make the same chunks, which Redis holds already."""
    head = _HEAD_DECODER.decode(snapshot.head)
    names = [(name, data) for name, data in snapshot.chunks if name.startswith("feed:")]
    parts = [_FEED_CHUNK_DECODER.decode(data) for _, data in names]

    def whole(column: str) -> tuple[Any, ...]:
        return tuple(chain.from_iterable(getattr(part, column) for part in parts))

    feed = replace(head.feed, **{column: whole(column) for column in _FEED_ITEM_COLUMNS})
    pairs = zip(names, parts, strict=True)
    chunks = tuple(Chunk((len(part.seq), part.seq[-1]), name, data) for (name, data), part in pairs)
    return Packed(replace(head, feed=feed), {"feed": chunks})


def _encoded(
    history: str,
    count: int,
    size: int,
    before: tuple[Chunk, ...],
    key: Callable[[slice], tuple[object, ...]],
    same: Callable[[tuple[object, ...], tuple[object, ...]], bool],
    part: Callable[[slice], object],
) -> tuple[Chunk, ...]:
    """The chunks of a history of `count` items, `size` to a chunk: the chunk at the same place
    in `before` when its key is the `same` as this one's, else `part` of the history encoded."""
    chunks = []
    for index, start in enumerate(range(0, count, size)):
        at = slice(start, min(start + size, count))
        mark = key(at)
        if index < len(before) and same(mark, before[index].key):
            chunks.append(before[index])
        else:
            data = _ENCODER.encode(part(at))
            chunks.append(Chunk(mark, f"{history}:{hashlib.blake2b(data, digest_size=12).hexdigest()}", data))
    return tuple(chunks)


def _same_objects(these: tuple[object, ...], those: tuple[object, ...]) -> bool:
    return len(these) == len(those) and all(map(operator.is_, these, those))


def _feed_chunk(feed: FeedColumns, at: slice) -> FeedColumns:
    """The feed's items `at`, by columns (its tables of audiences and threads stay in the head)."""
    return replace(
        _NO_FEED,
        author=feed.author[at],
        text=feed.text[at],
        channel=feed.channel[at],
        seq=feed.seq[at],
        team=feed.team[at],
        to_team=feed.to_team[at],
        sim_time=feed.sim_time[at],
        audience=feed.audience[at],
        thread=feed.thread[at],
    )


def _joined(head: Captured, chunks: dict[str, list[bytes]]) -> Captured:
    """The capture of a stored snapshot, its histories but the feed put back together."""

    def whole(history: str) -> tuple[Any, ...]:
        return tuple(chain.from_iterable(map(_CHUNK_DECODERS[history].decode, chunks[history])))

    return replace(
        head,
        injects=whole("injects"),
        requests=whole("requests"),
        actions=whole("actions"),
        releases=whole("releases"),
    )


def _by_history(snapshot: StoredSnapshot) -> dict[str, list[bytes]]:
    """The snapshot's chunks, history by history, in order."""
    found: dict[str, list[bytes]] = {name: [] for name in ("feed", *_HISTORIES)}
    for name, data in snapshot.chunks:
        history = name.partition(":")[0]
        if history not in found:
            raise ValueError(f"unreadable snapshot: a chunk named {name!r} belongs to no history")
        found[history].append(data)
    return found


def _settled_feed(head: Captured, chunks: list[bytes]) -> Feed:
    """The feed of a stored snapshot, its items made a chunk at a time when first read: a load
    reads only each item's thread (to index the threads), not the messages themselves."""
    threads = [_THREADS_DECODER.decode(chunk).thread for chunk in chunks]
    if any(len(part) != FEED_CHUNK for part in threads[:-1]) or (threads and not threads[-1]):
        raise ValueError(f"a feed chunk of the snapshot does not hold {FEED_CHUNK} items")
    return settled_feed(
        head.feed,
        chain.from_iterable(threads),
        FEED_CHUNK,
        lambda index: _FEED_CHUNK_DECODER.decode(chunks[index]),
    )


def unpack(snapshot: StoredSnapshot, scenario: Scenario) -> Exercise:
    """The state of a stored snapshot; ValueError if it is of another format or unreadable."""
    if snapshot.format != FORMAT:
        raise ValueError(f"snapshot format {snapshot.format}, this server reads {FORMAT}")
    collecting = gc.isenabled()
    gc.disable()  # millions of new objects, none in a cycle: no collector passes over them meanwhile
    try:
        head = _HEAD_DECODER.decode(snapshot.head)
        chunks = _by_history(snapshot)
        state = restore(_joined(head, chunks), scenario, _settled_feed(head, chunks["feed"]))
    except msgspec.DecodeError as error:  # ValidationError is a kind of DecodeError
        raise ValueError(f"unreadable snapshot: {error}") from error
    finally:
        if collecting:
            gc.enable()
    if state.seq != snapshot.seq:
        raise ValueError(f"snapshot says seq {snapshot.seq}, its state is at {state.seq}")
    return state


async def pack_off_loop(
    state: Exercise, epoch: str, earlier: Packed | StoredSnapshot | None = None
) -> tuple[StoredSnapshot, Packed]:
    return await asyncio.to_thread(pack, state, epoch, earlier)


async def unpack_off_loop(snapshot: StoredSnapshot, scenario: Scenario) -> Exercise:
    return await asyncio.to_thread(unpack, snapshot, scenario)
