"""The feed by thread: the latest of each thread a viewer may read, older ones page by page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.core.audience import Audience, Viewer, can_see
from server.core.feed import PAGE_LIMIT, Feed, Settled, thread_of
from server.core.ordered import Ordered
from server.core.records import FeedItem
from server.core.vector import Vector

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


def test_settled_items_are_made_a_chunk_at_a_time_when_first_read() -> None:
    items = [team(f"m{i}", i + 1) for i in range(10)]
    asked: list[int] = []

    def make(index: int) -> list[FeedItem]:
        asked.append(index)
        return items[index * 4 : index * 4 + 4]

    settled = Settled(10, 4, make)
    assert len(settled) == 10 and settled.made == 0
    assert settled[9] == items[9] and settled[-1] == items[9] and asked == [2]
    assert settled[1:3] == items[1:3] and asked == [2, 0]
    assert list(settled) == items and asked == [2, 0, 1]  # each chunk made once, then kept
    assert settled.made == 3


def test_a_feed_with_settled_items_reads_and_grows_as_one_that_was_folded() -> None:
    items = [team(f"m{i}", i + 1, "nl" if i % 3 else "be") for i in range(9)]
    folded = fed(*items)
    half = Feed(Vector(), folded.threads, Settled(9, 4, lambda i: items[i * 4 : i * 4 + 4]))
    assert half == folded and list(half) == items and half[8] == items[8]
    assert list(half.since(7)) == items[7:]
    more = team("new", 10)
    assert half.add(more) == folded.add(more)
    assert half.add(more).page(ANNA, "team:nl", 11, 3) == folded.add(more).page(ANNA, "team:nl", 11, 3)
