"""`history` args: what a page asks for, and errors that name the arg."""

from __future__ import annotations

import pytest

from server.protocol.commands import ArgumentError
from server.protocol.history import EVENTS_LIMIT, FEED_LIMIT, HistoryQuery, parse_history


def test_feed_and_event_pages() -> None:
    assert parse_history({"of": "feed", "thread": "team:nl", "before": 9}) == HistoryQuery(
        "feed", 9, FEED_LIMIT, "team:nl"
    )
    assert parse_history({"of": "events", "before": 9, "limit": 3}) == HistoryQuery("events", 9, 3)
    assert parse_history({"of": "events", "before": 1}).limit == EVENTS_LIMIT


@pytest.mark.parametrize(
    ("args", "where"),
    [
        ({"before": 3}, "args.of"),
        ({"of": "feed", "thread": "t"}, "args.before"),
        ({"of": "feed", "thread": "t", "before": True}, "args.before"),
        ({"of": "feed", "thread": "t", "before": 3, "limit": 0}, "args.limit"),
        ({"of": "feed", "thread": "t", "before": 3, "limit": 101}, "args.limit"),
        ({"of": "events", "before": 3, "limit": 1.5}, "args.limit"),
        ({"of": "feed", "before": 3}, "args.thread"),
    ],
)
def test_wrong_args_are_named(args: dict[str, object], where: str) -> None:
    with pytest.raises(ArgumentError, match=rf"^{where}"):
        parse_history(args)
