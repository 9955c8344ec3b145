"""The feed by thread: the latest of each thread a viewer may read, older ones page by page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.core.audience import Audience, Viewer, can_see
from server.core.feed import PAGE_LIMIT, Feed, thread_of
from server.core.ordered import Ordered
from server.core.records import FeedItem

ANNA = Viewer("P1", "nl", "police", False)
CARLA = Viewer("P2", "be", "police", False)
STAFF = Viewer("P9", None, "director", True)


def team(text: str, seq: int, of: str = "nl") -> FeedItem:
    return FeedItem("P1", Audience.team(of), text, "team", seq, of)


def fed(*items: FeedItem) -> Feed:
    feed = Feed.empty()
    for item in items:
        feed = feed.add(item)
    return feed


def test_each_channel_and_audience_is_a_thread() -> None:
    assert thread_of(team("a", 1)) == "team:nl"
    assert thread_of(FeedItem("P1", Audience.team("nl"), "c", "control", 2, "nl")) == "control:nl"
    direct = FeedItem("P1", Audience.of(teams=["nl", "be"]), "d", "direct", 3, "nl", "be")
    assert thread_of(direct) == "direct:be:nl"
    assert thread_of(FeedItem("P9", Audience.all(), "x", "announcement", 4)) == "announcement:all"
    police = Audience.of(roles=["police"], teams=["nl"])
    assert thread_of(FeedItem("P9", police, "x", "announcement", 5)) == "announcement:teams=nl;roles=police"
    assert thread_of(FeedItem("P9", Audience.staff_only(), "x", "announcement", 6)) == "announcement:staff"


def test_the_latest_of_each_readable_thread_and_where_to_page_back_from() -> None:
    feed = fed(*(team(f"nl {i}", 10 + i) for i in range(5)), team("be 0", 20, "be"), team("nl 5", 21))
    latest, older = feed.latest(ANNA, 3)
    assert [item.text for item in latest] == ["nl 3", "nl 4", "nl 5"]
    assert older == {"team:nl": 13}
    latest, older = feed.latest(STAFF, 3)
    assert [item.text for item in latest] == ["nl 3", "nl 4", "be 0", "nl 5"]
    assert older == {"team:nl": 13}
    assert feed.latest(CARLA, 3) == ([feed.items[5]], {})


def test_pages_go_back_to_the_first_item() -> None:
    feed = fed(*(team(f"nl {i}", 10 + i) for i in range(5)))
    assert feed.page(ANNA, "team:nl", 13, 2) == ([feed.items[1], feed.items[2]], True)
    assert feed.page(ANNA, "team:nl", 11, 2) == ([feed.items[0]], False)
    assert feed.page(ANNA, "team:nl", 10, 2) == ([], False)
    assert feed.page(ANNA, "team:nl", 99, 0) == ([feed.items[4]], True)  # at least one
    assert len(feed) == 5 and list(feed) == list(feed.items)


def test_a_thread_the_viewer_may_not_read_looks_like_one_that_does_not_exist() -> None:
    feed = fed(team("secret", 10))
    assert feed.page(CARLA, "team:nl", 99, 10) == feed.page(CARLA, "team:xx", 99, 10) == ([], False)


@given(
    st.lists(st.tuples(st.sampled_from(["nl", "be", "all"]), st.booleans()), max_size=60),
    st.integers(1, 7),
    st.integers(1, 9),
    st.one_of(st.none(), st.integers(0, 12)),
)
def test_the_latest_and_every_page_before_them_are_exactly_what_the_viewer_may_read(
    posts: list[tuple[str, bool]], per_thread: int, page: int, most: int | None
) -> None:
    feed = Feed.empty()
    for seq, (to, control) in enumerate(posts, start=2):
        audience = Audience.all() if to == "all" else Audience.team(to)
        channel = "announcement" if to == "all" else ("control" if control else "team")
        feed = feed.add(FeedItem("P1", audience, f"m{seq}", channel, seq, None if to == "all" else to))
    for viewer in (ANNA, CARLA, STAFF):
        latest, older = feed.latest(viewer, per_thread, most)
        assert most is None or len(latest) <= most
        seen = list(latest)
        for thread, before in older.items():
            more = True
            while more:
                items, more = feed.page(viewer, thread, before, page)
                assert items and len(items) <= page
                seen.extend(items)
                before = items[0].seq
        readable = [item for item in feed if can_see(viewer, item.audience)]
        assert sorted(seen, key=lambda item: item.seq) == readable


def test_a_page_holds_at_most_the_page_limit() -> None:
    feed = fed(*(team(str(i), i) for i in range(1, PAGE_LIMIT + 20)))
    items, more = feed.page(ANNA, "team:nl", 10_000, 10_000)
    assert len(items) == PAGE_LIMIT and more


def test_ordered_keeps_the_order_keys_were_first_set_in() -> None:
    first = Ordered([("b", 1), ("a", 2)])
    second = first.set("c", 3).set("b", 4)
    assert list(second.items()) == [("b", 4), ("a", 2), ("c", 3)]
    assert list(first.items()) == [("b", 1), ("a", 2)]  # unchanged
    assert "c" in second and "c" not in first and len(second) == 3
    assert second.update([("d", 5)])["d"] == 5
    assert repr(first) == "Ordered([('b', 1), ('a', 2)])"
    assert dict(second) == {"a": 2, "b": 4, "c": 3}
