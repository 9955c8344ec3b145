"""The `history` command: reading older items than a welcome carries, page by page.

A welcome is bounded (the latest messages of each feed thread, see `server.core.view`); a
client reads further back with `history`, under exactly the visibility rules of live events:

- `{"of": "feed", "thread": T, "before": SEQ, "limit": N}`: the items of feed thread `T`
  posted before seq `SEQ` (a welcome's `feed_older[T]`, then the oldest seq of the last page);
- `{"of": "events", "before": SEQ, "limit": N}`: the events of the log before `SEQ` that the
  viewer may see, as event frames, for a timeline.

This module only reads the args; `server.adapters.history` answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from server.protocol.commands import ArgumentError

HISTORY = "history"
"""The command's name: a read, answered beside the commands of `server.protocol.commands`."""
FEED_LIMIT = 100
EVENTS_LIMIT = 200


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    of: Literal["feed", "events"]
    before: int
    limit: int
    thread: str = ""


def parse_history(args: dict[str, Any]) -> HistoryQuery:
    of = args.get("of")
    if of not in ("feed", "events"):
        raise ArgumentError('args.of: expected "feed" or "events"')
    before = args.get("before")
    if not isinstance(before, int) or isinstance(before, bool) or before < 1:
        raise ArgumentError("args.before: expected a seq (an integer from 1)")
    most = FEED_LIMIT if of == "feed" else EVENTS_LIMIT
    limit = args.get("limit", most)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= most:
        raise ArgumentError(f"args.limit: expected an integer from 1 to {most}")
    if of == "events":
        return HistoryQuery("events", before, limit)
    thread = args.get("thread")
    if not isinstance(thread, str) or not thread:
        raise ArgumentError(
            "args.thread: expected a thread id (a welcome's feed_older key or an item's thread)"
        )
    return HistoryQuery("feed", before, limit, thread)
