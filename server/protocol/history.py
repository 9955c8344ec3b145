"""The `history` command: reading older items than a welcome carries, page by page.

A welcome is bounded (the latest messages of each feed thread, see `server.core.view`); a
client reads further back with `history`, under exactly the visibility rules of live events:

- `{"of": "feed", "thread": T, "before": SEQ, "limit": N}`: the items of feed thread `T`
  posted before seq `SEQ` (a welcome's `feed_older[T]`, then the oldest seq of the last page);
- `{"of": "events", "before": SEQ, "limit": N}`: the events of the log before `SEQ` that the
  viewer may see, as event frames, for a timeline;
- `{"of": "requests", "before": NUMBER, "limit": N}`: the requests numbered below `NUMBER` (a
  request `R-<n>` has the number n) that the viewer may see, as a welcome shows them (a
  welcome's `requests_before`, then the `before` of the last page);
- `{"of": "requests", "ids": [ID, ...]}`: those requests, as they are now (a live event named a
  request the client does not hold).

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
REQUESTS_LIMIT = 50
IDS_LIMIT = 50


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    of: Literal["feed", "events", "requests"]
    before: int
    limit: int
    thread: str = ""
    ids: tuple[str, ...] = ()
    """`of: requests` by id (then `before` and `limit` are not used)."""


def parse_history(args: dict[str, Any]) -> HistoryQuery:
    of = args.get("of")
    if of not in ("feed", "events", "requests"):
        raise ArgumentError('args.of: expected "feed", "events" or "requests"')
    if of == "requests" and "ids" in args:
        return HistoryQuery("requests", 1, IDS_LIMIT, ids=_ids(args["ids"]))
    before = args.get("before")
    if not isinstance(before, int) or isinstance(before, bool) or before < 1:
        what = "a request number" if of == "requests" else "a seq"
        raise ArgumentError(f"args.before: expected {what} (an integer from 1)")
    most = {"feed": FEED_LIMIT, "events": EVENTS_LIMIT, "requests": REQUESTS_LIMIT}[of]
    limit = args.get("limit", most)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= most:
        raise ArgumentError(f"args.limit: expected an integer from 1 to {most}")
    if of in ("events", "requests"):
        return HistoryQuery(of, before, limit)
    thread = args.get("thread")
    if not isinstance(thread, str) or not thread:
        raise ArgumentError(
            "args.thread: expected a thread id (a welcome's feed_older key or an item's thread)"
        )
    return HistoryQuery("feed", before, limit, thread)


def _ids(ids: Any) -> tuple[str, ...]:
    if not isinstance(ids, list) or not 1 <= len(ids) <= IDS_LIMIT:
        raise ArgumentError(f"args.ids: expected a list of 1 to {IDS_LIMIT} request ids")
    for index, item in enumerate(ids):
        if not isinstance(item, str) or not item:
            raise ArgumentError(f'args.ids[{index}]: expected a request id such as "R-12"')
    return tuple(ids)
