"""The lost-events oracle: visible events inside a client's segments that it did not receive."""

from __future__ import annotations

from loadtest.oracle import Log, lost
from server.core.audience import Audience, Viewer

NOR = Viewer("p-nils", "NOR", "police", staff=False)
STAFF = Viewer("p-dana", None, "director", staff=True)


def log_of(*audiences: Audience) -> Log:
    count = len(audiences)
    return Log(list(range(1, count + 1)), [0.0] * count, ["x"] * count, list(audiences))


LOG = log_of(
    Audience.staff_only(),  # 1
    Audience.team("NOR"),  # 2
    Audience.all(),  # 3
    Audience.team("SUD"),  # 4
    Audience.of(roles=["police"]),  # 5
    Audience.of(participants=["p-other"]),  # 6
)


def test_an_event_the_viewer_may_see_and_did_not_receive_is_lost() -> None:
    assert lost(LOG, NOR, [(0, 6)], [2, 3]) == [5]


def test_what_the_viewer_may_not_see_is_never_lost() -> None:
    assert lost(LOG, NOR, [(0, 6)], [2, 3, 5]) == []


def test_staff_must_receive_everything() -> None:
    assert lost(LOG, STAFF, [(0, 6)], [1, 2, 3, 5]) == [4, 6]


def test_a_snapshot_covers_what_came_before_its_base() -> None:
    # first segment up to 2; then a snapshot at 4 (continuity lost): 3 is in the snapshot
    assert lost(LOG, NOR, [(0, 2), (4, 6)], [2, 5]) == []
    assert lost(LOG, NOR, [(0, 2), (4, 6)], [2]) == [5]


def test_events_beyond_the_end_of_a_segment_are_not_expected_yet() -> None:
    assert lost(LOG, NOR, [(1, 3)], [2, 3]) == []
    assert lost(LOG, NOR, [(1, 6)], [2, 3]) == [5]


def test_contiguity() -> None:
    assert LOG.contiguous()
    assert not Log([1, 3], [0.0, 0.0], ["x", "x"], [Audience.all()] * 2).contiguous()
