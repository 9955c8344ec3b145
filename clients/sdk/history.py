"""Pages of older history: the results of the `history` command (protocol.md, "Reading older
history: `history`").

A welcome is bounded: its snapshot carries the latest messages of each feed thread
(`snapshot["feed"]`) and says which threads have older ones (`snapshot["feed_older"]`, thread ->
the seq to page back from). `history` reads further back, page by page, under the visibility of
live events. Requests likewise: the snapshot carries the latest (`snapshot["requests"]`) and,
when there are older ones, `snapshot["requests_before"]`, the request number to page back from.
`feed_page`, `event_page` and `request_page` turn a reply's `result` into typed pages; like
`frames.parse` they raise nothing but `ProtocolViolation`, and ignore fields the protocol does
not define.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ProtocolViolation
from .events import Event
from .frames import parse

FEED_LIMIT = 100
"""The most feed items one page holds (the server's default)."""
EVENTS_LIMIT = 200
"""The most events one page holds (the server's default)."""
REQUESTS_LIMIT = 50
"""The most requests one page holds (the server's default), and the most ids one read names."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One message or announcement: `seq` of the event that posted it, its `thread` and `channel`
    (`team`, `announcement`, `control`, `prompt`, `direct`); `team` is the team of a team, control
    or prompt message and the writing team of a direct one, `to_team` the receiving team of a
    direct one."""

    seq: int
    thread: str
    channel: str
    author: str
    text: str
    team: str | None = None
    to_team: str | None = None


@dataclass(frozen=True, slots=True)
class FeedPage:
    """Items of one thread, oldest first, posted before the seq asked for; `more`: older remain."""

    items: tuple[FeedItem, ...]
    more: bool

    @property
    def before(self) -> int | None:
        """The `before` of the next page back (the first item's seq), None when there is none."""
        return self.items[0].seq if self.more and self.items else None


@dataclass(frozen=True, slots=True)
class EventPage:
    """Events the viewer may see, oldest first; go on with `before` while `more` is true (a page
    may hold fewer than its limit, even none: the server looks at a bounded stretch of the log)."""

    events: tuple[Event, ...]
    before: int
    more: bool


@dataclass(frozen=True, slots=True)
class RequestPage:
    """Requests as a snapshot shows them (maps: protocol.md, "Requests"), in the order they were
    drafted, as they were at `seq`: the events up to `seq` about them are in them already. A
    page of older requests goes on with `before` (a request number) while `more` is true; a read
    by id has `before` 0 and `more` false, and leaves out the ids the viewer may not see."""

    requests: tuple[dict[str, Any], ...]
    before: int
    more: bool
    seq: int


def feed_item(item: object) -> FeedItem:
    """A feed item as the welcome's `snapshot["feed"]` and feed pages carry it."""
    if not isinstance(item, dict):
        raise ProtocolViolation(f"a feed item is a map, not {item!r}")
    seq = item.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ProtocolViolation(f"feed item.seq must be an integer >= 1, not {seq!r}")
    return FeedItem(
        seq=seq,
        thread=_str(item, "thread"),
        channel=_str(item, "channel"),
        author=_str(item, "author"),
        text=_str(item, "text"),
        team=_team(item, "team"),
        to_team=_team(item, "to_team"),
    )


def feed_page(result: dict[str, Any]) -> FeedPage:
    """The result of `history` with `of: "feed"`: `{items, more}`."""
    items = result.get("items")
    if not isinstance(items, list):
        raise ProtocolViolation(f"history.items must be a list, not {items!r}")
    return FeedPage(tuple(feed_item(item) for item in items), _bool(result, "more"))


def event_page(result: dict[str, Any]) -> EventPage:
    """The result of `history` with `of: "events"`: `{events, before, more}`."""
    frames = result.get("events")
    if not isinstance(frames, list):
        raise ProtocolViolation(f"history.events must be a list, not {frames!r}")
    events: list[Event] = []
    for frame in frames:
        event = parse(frame) if isinstance(frame, dict) else None
        if not isinstance(event, Event):
            raise ProtocolViolation(f"history.events holds event frames, not {frame!r}")
        events.append(event)
    before = result.get("before")
    if not isinstance(before, int) or isinstance(before, bool) or before < 1:
        raise ProtocolViolation(f"history.before must be an integer >= 1, not {before!r}")
    return EventPage(tuple(events), before, _bool(result, "more"))


def request_page(result: dict[str, Any]) -> RequestPage:
    """The result of `history` with `of: "requests"`: `{requests, before, more, seq}` (by id:
    `{requests, seq}`)."""
    found = result.get("requests")
    if not isinstance(found, list) or not all(
        isinstance(r, dict) and isinstance(r.get("id"), str) for r in found
    ):
        raise ProtocolViolation(f"history.requests must be a list of requests, not {found!r}")
    requests: list[dict[str, Any]] = found
    seq = result.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ProtocolViolation(f"history.seq must be an integer >= 0, not {seq!r}")
    if "before" not in result:  # read by id
        return RequestPage(tuple(requests), 0, False, seq)
    before = result.get("before")
    if not isinstance(before, int) or isinstance(before, bool) or before < 1:
        raise ProtocolViolation(f"history.before must be an integer >= 1, not {before!r}")
    return RequestPage(tuple(requests), before, _bool(result, "more"), seq)


def _str(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise ProtocolViolation(f"feed item.{key} must be a string, not {value!r}")
    return value


def _team(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise ProtocolViolation(f"feed item.{key} must be a string or null, not {value!r}")
    return value


def _bool(result: dict[str, Any], key: str) -> bool:
    value = result.get(key)
    if not isinstance(value, bool):
        raise ProtocolViolation(f"history.{key} must be a boolean, not {value!r}")
    return value
