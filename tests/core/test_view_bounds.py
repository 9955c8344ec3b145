"""A welcome is bounded whatever the age of the exercise: the latest released injects, actions
and closed requests, every request in flight, and `older` says what was left out."""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Audience
from server.core.view import ACTIONS_LATEST, CLOSED_REQUESTS_LATEST, INJECTS_LATEST, snapshot
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


def test_every_request_in_flight_and_the_latest_closed(requests_play: Run) -> None:  # noqa: F811
    play = requests_play
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    oldest = draft(play, instrument="SIENA")
    play.do(c.SendRequest(oldest), anna)  # stays in flight
    for _ in range(CLOSED_REQUESTS_LATEST + 4):
        request = draft(play, instrument="SIENA")
        play.do(c.SendRequest(request), anna)
        play.do(c.AnswerRequest(request, "Done."), carla)
    waiting = draft(play, instrument="SIENA")  # a draft: only nl sees it

    mine = snapshot(play.state, anna)
    ids = [r["id"] for r in mine["requests"]]
    assert ids[0] == oldest and ids[-1] == waiting and len(ids) == 1 + CLOSED_REQUESTS_LATEST
    assert ids == sorted(ids, key=lambda r: int(r.split("-")[1]))
    assert mine["older"]["requests"] is True
    theirs = [r["id"] for r in snapshot(play.state, carla)["requests"]]
    assert theirs[0] == oldest and waiting not in theirs and len(theirs) == CLOSED_REQUESTS_LATEST + 1
