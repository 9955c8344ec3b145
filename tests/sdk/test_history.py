"""Parsing `history` results into typed pages: what protocol.md documents, nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from clients.sdk import Event, EventPage, FeedItem, FeedPage, ProtocolViolation
from clients.sdk.history import event_page, feed_page

ITEM = {"seq": 7, "thread": "team:NOR", "channel": "team", "author": "p1", "text": "hi", "team": "NOR"}
EVENT = {"type": "event", "seq": 3, "at": 1.5, "kind": "message.posted", "data": {"text": "x"}}


def test_a_feed_page_is_typed_and_knows_where_to_go_on() -> None:
    direct = {**ITEM, "seq": 9, "thread": "direct:NOR:SUD", "channel": "direct", "to_team": "SUD", "new": 1}
    page = feed_page({"items": [ITEM, direct], "more": True, "extra": "ignored"})
    assert page == FeedPage(
        (
            FeedItem(7, "team:NOR", "team", "p1", "hi", "NOR", None),
            FeedItem(9, "direct:NOR:SUD", "direct", "p1", "hi", "NOR", "SUD"),
        ),
        True,
    )
    assert page.before == 7
    assert feed_page({"items": [ITEM], "more": False}).before is None
    assert feed_page({"items": [], "more": False}).before is None


def test_an_event_page_holds_events() -> None:
    page = event_page({"events": [EVENT], "before": 3, "more": True})
    assert page == EventPage((Event(3, 1.5, "message.posted", {"text": "x"}),), 3, True)


@pytest.mark.parametrize(
    "result",
    [
        {"more": False},
        {"items": {}, "more": False},
        {"items": [ITEM], "more": "no"},
        {"items": [[1]], "more": False},
        {"items": [{**ITEM, "seq": 0}], "more": False},
        {"items": [{**ITEM, "seq": True}], "more": False},
        {"items": [{**ITEM, "text": None}], "more": False},
        {"items": [{**ITEM, "team": 5}], "more": False},
    ],
)
def test_a_malformed_feed_page_is_a_protocol_violation(result: dict[str, Any]) -> None:
    with pytest.raises(ProtocolViolation):
        feed_page(result)


@pytest.mark.parametrize(
    "result",
    [
        {"before": 1, "more": False},
        {"events": [EVENT], "more": False},
        {"events": [EVENT], "before": 0, "more": False},
        {"events": [EVENT], "before": 3},
        {"events": ["x"], "before": 3, "more": False},
        {"events": [{"type": "position", "seq": 3}], "before": 3, "more": False},
        {"events": [{**EVENT, "seq": "3"}], "before": 3, "more": False},
    ],
)
def test_a_malformed_event_page_is_a_protocol_violation(result: dict[str, Any]) -> None:
    with pytest.raises(ProtocolViolation):
        event_page(result)
