"""The feed: every message and announcement of an exercise, by thread, persistent.

A course writes tens of thousands of messages. The feed keeps them in a persistent vector
(`server.core.vector`: appending shares all but a few nodes with the version before, so a new
message costs the same on day five as in the first minute) and indexes each one under its *thread*:
the team's channel, the channel between a team and control, mentors' prompts to a team, the
direct channel between two teams, and the announcements to one audience. A thread has one
audience, so who may read it is decided once per thread, not once per message; a welcome
takes the latest messages of each thread the viewer may read, and `page` reads older ones,
without walking the history.

A feed loaded from a snapshot starts with its items `Settled`: they are made into `FeedItem`s a
chunk at a time when first read, so that an instance restarted on day five serves its first
welcome without first making every message of the course (docs/architecture.md, "Snapshots").
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import overload

from immutables import Map

from server.core.audience import Audience, Viewer, can_see
from server.core.records import FeedItem
from server.core.vector import Vector

PAGE_LIMIT = 100
"""The most items one page holds."""


@dataclass(frozen=True, slots=True)
class Thread:
    """The messages of one thread: its audience and their places in the feed, oldest first."""

    id: str
    channel: str
    audience: Audience
    positions: Vector[int]


class Settled(Sequence[FeedItem]):
    """Items a snapshot held, by chunks of `size` (all full but the last), each made by `make`
    (its index to its items) when one of its items is first read, then kept.

    Only the first read of a chunk does any work, and its result is the same whoever reads
    first, so a settled feed is as immutable as a tuple, even read from two threads at once."""

    __slots__ = ("_count", "_made", "_make", "_size")

    def __init__(self, count: int, size: int, make: Callable[[int], Sequence[FeedItem]]) -> None:
        self._count, self._size, self._make = count, size, make
        self._made: list[Sequence[FeedItem] | None] = [None] * -(-count // size)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, position: int) -> FeedItem: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[FeedItem]: ...
    def __getitem__(self, position: int | slice) -> FeedItem | Sequence[FeedItem]:
        if isinstance(position, slice):
            return [self[at] for at in range(*position.indices(self._count))]
        if not -self._count <= position < self._count:
            raise IndexError("settled feed index out of range")
        chunk, at = divmod(position % self._count, self._size)
        return self._chunk(chunk)[at]

    def __iter__(self) -> Iterator[FeedItem]:
        return chain.from_iterable(map(self._chunk, range(len(self._made))))

    def _chunk(self, index: int) -> Sequence[FeedItem]:
        made = self._made[index]
        if made is None:
            made = self._made[index] = self._make(index)
        return made

    @property
    def made(self) -> int:
        """How many of its chunks have been made so far."""
        return sum(made is not None for made in self._made)


NOTHING_SETTLED: Sequence[FeedItem] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Feed:
    items: Vector[FeedItem]
    """The items after the `settled` ones."""
    threads: Map[str, Thread]
    settled: Sequence[FeedItem] = NOTHING_SETTLED
    """The first items, as a snapshot held them (`Settled`); positions count from its first."""

    @classmethod
    def empty(cls) -> Feed:
        return cls(Vector(), Map())

    def add(self, item: FeedItem) -> Feed:
        key = thread_of(item)
        thread = self.threads.get(key) or Thread(key, item.channel, item.audience, Vector())
        grown = Thread(key, thread.channel, thread.audience, thread.positions.append(len(self)))
        return Feed(self.items.append(item), self.threads.set(key, grown), self.settled)

    def __len__(self) -> int:
        return len(self.settled) + len(self.items)

    def __getitem__(self, position: int) -> FeedItem:
        """The item at a position (counted from the feed's first item)."""
        settled = len(self.settled)
        return self.settled[position] if position < settled else self.items[position - settled]

    def __iter__(self) -> Iterator[FeedItem]:
        return chain(self.settled, self.items)

    def since(self, position: int) -> Iterator[FeedItem]:
        """The items from a position on, without reading those before it."""
        settled = len(self.settled)
        if position >= settled:
            return iter(self.items[position - settled :])
        return chain(map(self.settled.__getitem__, range(position, settled)), self.items)

    def __eq__(self, other: object) -> bool:
        """The same items in the same threads, however they are held."""
        if not isinstance(other, Feed):
            return NotImplemented
        return (
            len(self) == len(other) and self.threads == other.threads and all(map(operator.eq, self, other))
        )

    def __hash__(self) -> int:
        return hash(len(self))

    def readable(self, viewer: Viewer) -> list[Thread]:
        """The threads `viewer` may read (in no particular order)."""
        return [thread for thread in self.threads.values() if can_see(viewer, thread.audience)]

    def latest(
        self, viewer: Viewer, per_thread: int, most: int | None = None
    ) -> tuple[list[FeedItem], dict[str, int]]:
        """The last `per_thread` items of each thread the viewer may read, but `most` in all (the
        newest), in feed order; and for each thread with older items than shown, the seq to page
        back from (its oldest item shown, or just after its newest when none is shown)."""
        readable = self.readable(viewer)
        candidates = sorted(
            (position for thread in readable for position in thread.positions[-per_thread:]), reverse=True
        )
        chosen = set(candidates if most is None else candidates[:most])
        older: dict[str, int] = {}
        for thread in readable:
            shown = [position for position in thread.positions[-per_thread:] if position in chosen]
            if len(shown) < len(thread.positions):
                older[thread.id] = self[shown[0]].seq if shown else self[thread.positions[-1]].seq + 1
        return [self[position] for position in sorted(chosen)], older

    def page(self, viewer: Viewer, thread_id: str, before: int, limit: int) -> tuple[list[FeedItem], bool]:
        """Up to `limit` items of a thread posted before seq `before`, oldest first, and whether
        there are more before them. A thread the viewer may not read looks like an empty one."""
        thread = self.threads.get(thread_id)
        if thread is None or not can_see(viewer, thread.audience):
            return [], False
        end = _first_at_or_after(self, thread.positions, before)
        start = max(0, end - max(1, min(limit, PAGE_LIMIT)))
        return [self[p] for p in thread.positions[start:end]], start > 0


def thread_of(item: FeedItem) -> str:
    """The thread an item belongs to: its channel and who may read it."""
    if item.channel == "direct":
        first, second = sorted((item.team or "", item.to_team or ""))
        return f"direct:{first}:{second}"
    if item.channel == "announcement":
        return "announcement:" + _describe(item.audience)
    return f"{item.channel}:{item.team or ''}"


def _describe(audience: Audience) -> str:
    if audience.everyone:
        return "all"
    parts = [
        f"{name}={','.join(sorted(values))}"
        for name, values in (
            ("teams", audience.teams),
            ("roles", audience.roles),
            ("team_roles", audience.team_roles),
            ("participants", audience.participants),
        )
        if values
    ]
    return ";".join(parts) or "staff"


def _first_at_or_after(feed: Feed, positions: Vector[int], seq: int) -> int:
    """The index in `positions` of the first item with a seq at or after `seq` (binary search)."""
    low, high = 0, len(positions)
    while low < high:
        middle = (low + high) // 2
        if feed[positions[middle]].seq < seq:
            low = middle + 1
        else:
            high = middle
    return low
