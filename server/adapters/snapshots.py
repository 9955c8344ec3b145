"""State snapshots in Redis: written now and then by a hub, read when an instance loads.

`server.core.snapshots` turns a state into a typed `Captured` value and back; this module packs
it with msgspec (straight from and into the core's dataclasses, in C) and decides when a hub
writes one: every `every` events, or after `seconds` with at least one new event, by whichever
instance has the exercise loaded (the store keeps the most recent of the same epoch, so two
instances writing is harmless). Packing and unpacking run in a worker thread: the state is
immutable, so the event loop goes on serving meanwhile.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass

import msgspec

from server.adapters.store import StoredSnapshot
from server.core.exercise import Exercise
from server.core.scenario import Scenario
from server.core.snapshots import FORMAT, Captured, capture, restore

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Captured)


@dataclass(frozen=True, slots=True)
class SnapshotPolicy:
    every: int = 5_000
    """Events after the last snapshot that make the next one due."""
    seconds: float = 60.0
    """Seconds after the last snapshot that make the next one due, if any event came since."""


def pack(state: Exercise, epoch: str, earlier: Captured | None = None) -> tuple[StoredSnapshot, Captured]:
    """The snapshot of `state`, and what was captured of it (to pass as `earlier` next time, so
    that the feed is not turned into columns again from its start)."""
    captured = capture(state, earlier)
    return StoredSnapshot(epoch, state.seq, FORMAT, _ENCODER.encode(captured)), captured


def unpack(snapshot: StoredSnapshot, scenario: Scenario) -> Exercise:
    """The state of a stored snapshot; ValueError if it is of another format or unreadable."""
    if snapshot.format != FORMAT:
        raise ValueError(f"snapshot format {snapshot.format}, this server reads {FORMAT}")
    collecting = gc.isenabled()
    gc.disable()  # millions of new objects, none in a cycle: no collector passes over them meanwhile
    try:
        state = restore(_DECODER.decode(snapshot.data), scenario)
    except msgspec.DecodeError as error:  # ValidationError is a kind of DecodeError
        raise ValueError(f"unreadable snapshot: {error}") from error
    finally:
        if collecting:
            gc.enable()
    if state.seq != snapshot.seq:
        raise ValueError(f"snapshot says seq {snapshot.seq}, its state is at {state.seq}")
    return state


async def pack_off_loop(
    state: Exercise, epoch: str, earlier: Captured | None = None
) -> tuple[StoredSnapshot, Captured]:
    return await asyncio.to_thread(pack, state, epoch, earlier)


async def unpack_off_loop(snapshot: StoredSnapshot, scenario: Scenario) -> Exercise:
    return await asyncio.to_thread(unpack, snapshot, scenario)
