"""A welcome is bounded whatever the age of the exercise: the latest released injects, actions
and requests, and `older` says what was left out; `requests_page` and `requests_by_id` (the
`history` of `requests`) read the rest under the same visibility."""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Audience
from server.core.view import (
    ACTIONS_LATEST,
    IN_FLIGHT_IDS_MOST,
    INJECTS_LATEST,
    REQUESTS_LATEST,
    requests_by_id,
    requests_page,
    snapshot,
)
from tests.core.test_actions import play as actions_play  # noqa: F401 - the fixture
from tests.core.test_requests import draft
from tests.core.test_requests import play as requests_play  # noqa: F401 - the fixture
from tests.core.transcript import Run


def test_the_latest_released_injects_and_actions(actions_play: Run) -> None:  # noqa: F811
    play = actions_play
    dana, anna, carla = play.viewer("Dana"), play.viewer("Anna"), play.viewer("Carla")
    for i in range(INJECTS_LATEST + 5):
        play.do(c.WriteInject(f"to nl {i}", "news", Audience.team("nl")), dana)
        play.do(c.WriteInject(f"to be {i}", "news", Audience.team("be")), dana)
    for _ in range(ACTIONS_LATEST + 3):
        play.do(c.TakeAction("search", subject="FLAT"), anna)
    play.do(c.TakeAction("search", subject="FLAT"), carla)

    seen = snapshot(play.state, anna)
    assert [i["title"] for i in seen["injects"]] == [f"to nl {i}" for i in range(5, INJECTS_LATEST + 5)]
    assert len(seen["actions"]) == ACTIONS_LATEST and {a["team"] for a in seen["actions"]} == {"nl"}
    assert seen["older"] == {"injects": True, "actions": True, "requests": False}
    assert snapshot(play.state, carla)["older"] == {"injects": True, "actions": False, "requests": False}

    staff = snapshot(play.state, dana)
    assert len(staff["injects"]) == INJECTS_LATEST and staff["actions"][-1]["team"] == "be"
    released = [row for row in staff["msel"] if row["released_at"] is not None]
    assert [row["id"] for row in released] == [i["id"] for i in staff["injects"]]
    assert staff["older"]["msel"] is True and staff["older"]["knowledge"] is False


def test_the_latest_requests_and_pages_of_the_older(requests_play: Run) -> None:  # noqa: F811
    play = requests_play
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    oldest = draft(play, instrument="SIENA")
    play.do(c.SendRequest(oldest), anna)  # stays in flight
    closed = []
    for _ in range(REQUESTS_LATEST + 4):
        request = draft(play, instrument="SIENA")
        play.do(c.SendRequest(request), anna)
        play.do(c.AnswerRequest(request, "Done."), carla)
        closed.append(request)
    waiting = draft(play, instrument="SIENA")  # a draft: only nl sees it

    mine = snapshot(play.state, anna)
    ids = [r["id"] for r in mine["requests"]]
    assert ids == [*closed[-(REQUESTS_LATEST - 1) :], waiting]
    assert mine["older"]["requests"] is True
    assert mine["requests_before"] == number(ids[0]) and mine["requests_older_in_flight"] == 1
    assert mine["requests_older_in_flight_ids"] == [oldest]  # read by id, no paging back
    theirs = snapshot(play.state, carla)
    assert [r["id"] for r in theirs["requests"]] == closed[-REQUESTS_LATEST:]  # not nl's draft

    for viewer, everything in ((anna, [oldest, *closed, waiting]), (carla, [oldest, *closed])):
        shown = snapshot(play.state, viewer)
        held, before, more = [r["id"] for r in shown["requests"]], shown["requests_before"], True
        while more:  # page back to the first request: each one once, in the order drafted
            page, before, more = requests_page(play.state, viewer, before, 3)
            assert len(page) <= 3
            held[:0] = [r["id"] for r in page]
        assert held == everything
        full = {r["id"]: r for r in requests_page(play.state, viewer, 10**6, 50)[0]}
        assert requests_by_id(play.state, viewer, [oldest, "R-999", oldest]) == [full[oldest]]
    assert requests_by_id(play.state, carla, [waiting]) == []


def test_a_welcome_with_few_requests_has_no_cursor(requests_play: Run) -> None:  # noqa: F811
    play = requests_play
    anna = play.viewer("Anna")
    play.do(c.SendRequest(draft(play, instrument="SIENA")), anna)
    shown = snapshot(play.state, anna)
    assert shown["older"]["requests"] is False
    assert "requests_before" not in shown and "requests_older_in_flight" not in shown
    assert "requests_older_in_flight_ids" not in shown
    assert requests_page(play.state, anna, 1, 10) == ([], 1, False)


def test_a_welcome_names_the_newest_older_requests_in_flight_in_order(
    requests_play: Run,  # noqa: F811
) -> None:
    play = requests_play
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    flying, closed = [], 0
    while len(flying) < IN_FLIGHT_IDS_MOST + 3:
        request = draft(play, instrument="SIENA")
        play.do(c.SendRequest(request), anna)
        if (len(flying) + closed) % 4 == 3:  # every fourth is answered: closed, not named
            play.do(c.AnswerRequest(request, "Done."), carla)
            closed += 1
        else:
            flying.append(request)
    for _ in range(REQUESTS_LATEST):
        draft(play, instrument="SIENA")  # nl's drafts push the sent ones out of anna's welcome
    mine = snapshot(play.state, anna)
    assert mine["requests_older_in_flight"] == IN_FLIGHT_IDS_MOST + 3  # the count stays whole
    assert mine["requests_older_in_flight_ids"] == flying[3:]  # the newest, oldest first


def number(request_id: str) -> int:
    return int(request_id.rpartition("-")[2])
