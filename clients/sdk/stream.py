"""The event stream: a bounded buffer between a connection's reader and one consumer.

When the buffer is full the reader waits, so it stops reading the socket and the server sees a
slow client (protocol.md: it closes with `4001`, and the client resumes). The stream ends, once
drained, when the client stops: quietly after `Client.close()`, by raising the error that stopped
the client otherwise.
"""

from __future__ import annotations

import asyncio
from collections import deque

from .errors import LiaisonError
from .events import Item


class EventStream:
    """Async iterator of `Event` and `Reset` items, in order. Meant for a single consumer."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an event stream holds at least one item")
        self._items: deque[Item] = deque()
        self._maxsize = maxsize
        self._changed = asyncio.Event()
        self._ended = False
        self._error: LiaisonError | None = None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def ended(self) -> bool:
        return self._ended

    async def put(self, item: Item) -> None:
        """Append `item`, waiting while the buffer is full. Items put after the end are dropped."""
        while len(self._items) >= self._maxsize and not self._ended:
            await self._wait()
        if not self._ended:
            self._items.append(item)
            self._notify()

    def end(self, error: LiaisonError | None = None) -> None:
        """No more items: once drained, the stream raises `error`, or stops when it is None."""
        if not self._ended:
            self._ended = True
            self._error = error
            self._notify()

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Item:
        while not self._items:
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            await self._wait()
        item = self._items.popleft()
        self._notify()
        return item

    async def _wait(self) -> None:
        changed = self._changed
        await changed.wait()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
