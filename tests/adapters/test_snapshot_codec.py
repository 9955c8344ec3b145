"""Snapshots as stored: msgspec packs the core's `Captured` and reads it back into the same state;
a snapshot of another format, or bytes that are not one, is refused with ValueError."""

from __future__ import annotations

import dataclasses
import operator
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from server.adapters import snapshots
from server.adapters.snapshots import pack, unpack
from server.adapters.store import StoredSnapshot
from server.core.audience import Viewer
from server.core.events import ExerciseCreated
from server.core.feed import Settled
from server.core.state import apply, fold
from tests.core.test_snapshots import played


def test_a_packed_state_unpacks_to_the_same_state_at_several_ages() -> None:
    log = played()
    created = log[0]
    assert isinstance(created, ExerciseCreated)
    for at in (1, 40, len(log) // 2, len(log)):
        state = fold(log[:at])
        stored, _ = pack(state, "e1")
        assert (stored.seq, stored.epoch) == (at, "e1")
        assert unpack(stored, created.scenario) == state


def test_what_cannot_be_read_is_refused() -> None:
    log = played()
    created = log[0]
    assert isinstance(created, ExerciseCreated)
    stored, _ = pack(fold(log[:20]), "e1")
    for bad, why in (
        (dataclasses.replace(stored, format=stored.format + 1), "snapshot format"),
        (dataclasses.replace(stored, head=b"\x00garbage"), "unreadable snapshot"),
        (dataclasses.replace(stored, seq=stored.seq + 1), "its state is at"),
        (StoredSnapshot("e1", 20, stored.format, b"\x91\x01", stored.chunks), "unreadable snapshot"),
        (dataclasses.replace(stored, chunks=(("notes:1", b"\x90"), *stored.chunks)), "belongs to no history"),
        (dataclasses.replace(stored, chunks=tuple((n, b"\xc1") for n, _ in stored.chunks)), "unreadable"),
    ):
        with pytest.raises(ValueError, match=why):
            unpack(bad, created.scenario)


def test_a_pack_that_reuses_an_earlier_one_stores_the_same_bytes_as_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small chunks, so that the play-through spans many of each history; each later pack reuses
    the chunks of the one before and must still store exactly what a fresh pack does."""
    monkeypatch.setattr(snapshots, "CHUNK", 4)
    monkeypatch.setattr(snapshots, "FEED_CHUNK", 3)
    log = played()
    created = log[0]
    assert isinstance(created, ExerciseCreated)
    earlier: snapshots.Packed | None = None
    reused: Counter[str] = Counter()
    state = fold(log[:1])
    for at, event in enumerate(log[1:], start=2):
        state = apply(state, event)  # as a hub does: what an event leaves alone stays the same object
        if at % 7:
            continue
        stored, packed = pack(state, "e1", earlier)
        assert stored == pack(state, "e1")[0]
        assert unpack(stored, created.scenario) == state
        if earlier is not None:
            for name, chunks in packed.chunks.items():
                reused[name] += sum(map(operator.is_, chunks, earlier.chunks[name]))
        earlier = packed
    assert all(reused[name] > 0 for name in ("feed", "injects", "requests", "actions")), reused


def test_a_loaded_feed_makes_its_items_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A load makes no feed item (`Settled`); a welcome's latest messages make only the chunks
    they are in; the tail folds onto it as onto the folded state, and it packs to the same state."""
    monkeypatch.setattr(snapshots, "FEED_CHUNK", 3)
    log = played()
    created = log[0]
    assert isinstance(created, ExerciseCreated)
    half = len(log) // 2
    folded = fold(log[:half])
    loaded = unpack(pack(folded, "e1")[0], created.scenario)
    settled = loaded.feed.settled
    assert isinstance(settled, Settled) and len(settled) == len(folded.feed) > 9
    assert settled.made == 0
    director = Viewer("D", None, "director", True)
    assert loaded.feed.latest(director, 1, 1) == folded.feed.latest(director, 1, 1)
    assert settled.made == 1  # the newest item's chunk only
    assert unpack(pack(loaded, "e1")[0], created.scenario) == folded
    resumed = loaded
    for event in log[half:]:
        resumed = apply(resumed, event)
    assert resumed == fold(log)
    assert resumed.feed.settled is settled and list(resumed.feed) == list(fold(log).feed)


NAMES = """
from server.adapters.snapshots import pack
from server.core.state import fold
from tests.core.test_snapshots import played
print(" ".join(name for name, _ in pack(fold(played()), "e1")[0].chunks))
"""


def test_a_chunk_has_the_same_name_in_every_process() -> None:
    """Sets are encoded in sorted order, not in their hash order, which changes from one process
    to the next: so a restarted instance names the chunks it did not change as Redis holds them."""
    root = Path(__file__).resolve().parents[2]
    names = {
        subprocess.run(
            [sys.executable, "-c", NAMES],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(names) == 1 and names.pop().count(":") >= 5


def test_the_first_pack_after_a_load_reuses_the_loaded_feed_and_makes_none_of_its_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hub passes the snapshot it loaded as `earlier`: the feed's chunks are taken as stored,
    and the pack is still exactly a fresh pack of the same state."""
    monkeypatch.setattr(snapshots, "FEED_CHUNK", 3)
    log = played()
    created = log[0]
    assert isinstance(created, ExerciseCreated)
    half = len(log) // 2
    stored, _ = pack(fold(log[:half]), "e1")
    loaded = unpack(stored, created.scenario)
    # the same items make the same chunks after a load (times are floats before and after it)
    assert pack(loaded, "e1", stored)[0].chunks == stored.chunks
    resumed = loaded
    for event in log[half:]:
        resumed = apply(resumed, event)
    again, packed = pack(resumed, "e1", stored)
    settled = loaded.feed.settled
    assert isinstance(settled, Settled) and len(settled) > 9
    assert settled.made == 1  # the last loaded chunk, read to check that the feed starts with it
    assert again == pack(resumed, "e1")[0]  # (a pack without `earlier` makes every item)
    assert unpack(again, created.scenario) == fold(log)
    stored_feed = [data for name, data in stored.chunks if name.startswith("feed:")]
    reused = [chunk.data for chunk in packed.chunks["feed"][: len(stored_feed)]]
    assert all(map(operator.is_, reused[:-1], stored_feed[:-1]))  # the very bytes read from Redis
