"""Bounded welcomes and `history`: the latest of each thread in the welcome, the rest page by
page, under exactly the visibility of live events (issue: a five-day exercise)."""

from __future__ import annotations

import json

import pytest

from server.core.view import FEED_LATEST, REQUESTS_LATEST
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire

MESSAGES = FEED_LATEST + 45


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


async def _page_back(wire: Wire, thread: str, before: int, limit: int) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    more = True
    while more:
        reply = await wire.ok("history", of="feed", thread=thread, before=before, limit=limit)
        page, more = reply["result"]["items"], reply["result"]["more"]
        assert page and len(page) <= limit
        items[:0] = page
        before = page[0]["seq"]
    return items


async def test_a_welcome_carries_the_latest_messages_and_history_pages_back_to_the_first(
    server: ServerProcess,
) -> None:
    created = server.create_exercise()
    sud = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    nor = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    for i in range(MESSAGES):
        await sud.ok("message.post", text=f"SUD-SECRET {i}")
    await nor.ok("message.post", text="NOR only")

    fresh = await Wire.join(server.ws_url, code_of(created, "Sofia Reyes"))  # SUD
    snapshot = fresh.welcome["snapshot"]  # type: ignore[index]
    team = [item for item in snapshot["feed"] if item["channel"] == "team"]
    assert [item["text"] for item in team] == [
        f"SUD-SECRET {i}" for i in range(MESSAGES - FEED_LATEST, MESSAGES)
    ]
    assert {item["thread"] for item in team} == {"team:SUD"}
    before = snapshot["feed_older"]["team:SUD"]
    assert before == team[0]["seq"]
    older = await _page_back(fresh, "team:SUD", before, 20)
    assert [item["text"] for item in older + team] == [f"SUD-SECRET {i}" for i in range(MESSAGES)]
    seqs = [item["seq"] for item in older + team]
    assert seqs == sorted(seqs) and len(set(seqs)) == MESSAGES

    # Another team's thread looks like one that does not exist; nothing of it leaks.
    outsider = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    assert "team:SUD" not in outsider.welcome["snapshot"]["feed_older"]  # type: ignore[index]
    for thread in ("team:SUD", "team:NOPE"):
        reply = await outsider.ok("history", of="feed", thread=thread, before=10**6, limit=50)
        assert reply["result"] == {"items": [], "more": False}
    assert "SUD-SECRET" not in json.dumps(outsider.frames)
    for wire in (sud, nor, fresh, outsider):
        await wire.close()


async def test_event_pages_hold_what_the_viewer_may_see_and_nothing_else(server: ServerProcess) -> None:
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    sud = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    for i in range(30):
        await sud.ok("message.post", text=f"SUD-SECRET {i}")
    await director.ok("announcement.make", audience={"everyone": True}, text="to everyone")
    nor = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    last = nor.welcome["seq"]  # type: ignore[index]

    staff_events: list[dict[str, object]] = []
    before, more = last + 1, True
    while more:
        reply = await director.ok("history", of="events", before=before, limit=7)
        page = reply["result"]
        assert len(page["events"]) <= 7
        staff_events[:0] = page["events"]
        before, more = page["before"], page["more"]
    assert [event["seq"] for event in staff_events] == list(range(1, last + 1))
    assert staff_events[0]["kind"] == "exercise.created"

    reply = await nor.ok("history", of="events", before=last + 1, limit=200)
    seen = reply["result"]["events"]
    assert seen and reply["result"]["more"] is False
    assert "SUD-SECRET" not in json.dumps(seen)
    assert "to everyone" in json.dumps(seen)
    assert all(event["kind"] != "exercise.created" for event in seen)
    for wire in (director, sud, nor):
        await wire.close()


async def test_history_says_which_arg_is_wrong(server: ServerProcess) -> None:
    created = server.create_exercise()
    nor = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    for args, where in (
        ({"of": "diary", "before": 5}, "args.of"),
        ({"of": "feed", "before": 0, "thread": "team:NOR"}, "args.before"),
        ({"of": "feed", "before": 5, "thread": ""}, "args.thread"),
        ({"of": "events", "before": 5, "limit": 1000}, "args.limit"),
        ({"of": "requests", "before": 0}, "args.before: expected a request number"),
        ({"of": "requests", "before": 9, "limit": 51}, "args.limit"),
        ({"of": "requests", "ids": []}, "args.ids"),
        ({"of": "requests", "ids": ["R-1", 5]}, "args.ids[1]"),
    ):
        reply = await nor.command("history", **args)
        assert not reply["ok"] and reply["error"]["code"] == "invalid_args", reply
        assert reply["error"]["message"].startswith(where)
    await nor.close()


async def test_a_client_that_names_its_catalogue_gets_welcomes_without_it(server: ServerProcess) -> None:
    created = server.create_exercise()
    first = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    snapshot = first.welcome["snapshot"]  # type: ignore[index]
    tag, rules = snapshot["catalogue_tag"], snapshot["catalogue"]
    assert rules["instruments"] and tag.startswith("c1-")

    again = await Wire.open(server.ws_url, binary=False)
    welcome = await again.hello(token=first.welcome["token"], catalogue=tag)  # type: ignore[index]
    assert welcome["mode"] == "snapshot"
    assert "catalogue" not in welcome["snapshot"] and welcome["snapshot"]["catalogue_tag"] == tag
    reply = await again.ok("catalogue")
    assert reply["result"] == {"tag": tag, "catalogue": rules} and reply["seq"] is None
    full = len(json.dumps(snapshot)) - len(json.dumps(welcome["snapshot"]))
    assert full >= len(json.dumps(rules))  # what a reconnect no longer carries

    stale = await Wire.open(server.ws_url)
    welcome = await stale.hello(token=first.welcome["token"], catalogue="c1-not-this-one")
    assert welcome["snapshot"]["catalogue"] == rules and welcome["snapshot"]["catalogue_tag"] == tag
    bad = await Wire.open(server.ws_url)
    await bad.send({"type": "hello", "v": 1, "token": first.welcome["token"], "catalogue": 7})
    error = await bad.next("error")
    assert "hello.catalogue" in error["message"]
    for wire in (first, again, stale, bad):
        await wire.close()


async def test_a_welcome_carries_the_latest_requests_and_history_pages_back_to_the_first(
    server: ServerProcess,
) -> None:
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    question = {"question": "Who runs SeaCrew Agency?"}
    sent = []
    for i in range(REQUESTS_LATEST + 3):
        drafted = await sara.ok(
            "request.draft", instrument="POLICE_MSG", to="NOR", subject=f"Crew {i}", fields=question
        )
        sent.append(drafted["result"]["request"])
        await sara.ok("request.send", request=sent[-1])
    draft = (
        await sara.ok("request.draft", instrument="POLICE_MSG", to="NOR", subject="SUD-ONLY", fields=question)
    )["result"]["request"]

    nils = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))  # NOR: sees what was sent
    snapshot = nils.welcome["snapshot"]  # type: ignore[index]
    held = [r["id"] for r in snapshot["requests"]]
    assert held == sent[-REQUESTS_LATEST:] and snapshot["older"]["requests"] is True
    assert snapshot["requests_older_in_flight"] == 3
    assert snapshot["requests_older_in_flight_ids"] == sent[:3]
    before, more, pages = snapshot["requests_before"], True, 0
    while more:
        reply = await nils.ok("history", of="requests", before=before, limit=2)
        page = reply["result"]
        assert len(page["requests"]) <= 2 and page["seq"] >= nils.welcome["seq"]  # type: ignore[index]
        held[:0] = [r["id"] for r in page["requests"]]
        before, more, pages = page["before"], page["more"], pages + 1
    assert held == sent and pages >= 2

    reply = await nils.ok("history", of="requests", ids=[sent[0], draft, "R-404"])
    assert [r["id"] for r in reply["result"]["requests"]] == [sent[0]]  # not SUD's draft
    assert reply["result"]["requests"][0]["subject"] == "Crew 0" and reply["seq"] is None
    assert "SUD-ONLY" not in json.dumps(nils.frames)
    mine = await sara.ok("history", of="requests", ids=[draft])
    assert mine["result"]["requests"][0]["status"] == "draft"
    for wire in (director, sara, nils):
        await wire.close()
