"""The SDK's `history`: older feed items by thread, older events and older requests, page by
page and as iterators back to the start, against a real server, under the visibility of live
events."""

from __future__ import annotations

import json

import pytest

from clients.sdk import Client, CommandError, Event, FeedItem
from server.core.view import FEED_LATEST, REQUESTS_LATEST
from tests.e2e.servers import ServerProcess, code_of

MESSAGES = FEED_LATEST * 2 + 17


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


@pytest.mark.parametrize("subprotocol", ["msgpack", "json"])
async def test_a_thread_pages_back_to_its_first_message(server: ServerProcess, subprotocol: str) -> None:
    created = server.create_exercise()
    sent = [f"NOR-SECRET {i}" for i in range(MESSAGES)]
    async with Client(server.ws_url, code=code_of(created, "Nils Berg"), discard_events=True) as nils:
        for text in sent:
            await nils.command("message.post", text=text)
    code = code_of(created, "Nora Lind")
    async with Client(server.ws_url, code=code, subprotocol=subprotocol, discard_events=True) as nora:
        snapshot = nora.snapshot
        assert snapshot is not None
        latest = [item for item in snapshot["feed"] if item["thread"] == "team:NOR"]
        assert [item["text"] for item in latest] == sent[-FEED_LATEST:]
        start = snapshot["feed_older"]["team:NOR"]

        # Page by page, oldest first within a page.
        page = await nora.history_feed("team:NOR", start, limit=20)
        assert [item.text for item in page.items] == sent[-FEED_LATEST - 20 : -FEED_LATEST]
        assert page.more and page.before == page.items[0].seq
        assert all(item.thread == "team:NOR" and item.team == "NOR" for item in page.items)

        # The iterator: newest first, back to the first message, from the snapshot's cursor.
        older: list[FeedItem] = [item async for item in nora.older_feed("team:NOR", limit=25)]
        assert [item.text for item in reversed(older)] == sent[:-FEED_LATEST]
        seqs = [item.seq for item in reversed(older)] + [item["seq"] for item in latest]
        assert seqs == sorted(seqs) and len(set(seqs)) == MESSAGES

        # A thread with nothing older than the snapshot gives nothing.
        assert [item async for item in nora.older_feed("control:NOR")] == []


async def test_event_pages_hold_only_what_the_viewer_may_see(server: ServerProcess) -> None:
    created = server.create_exercise()
    async with Client(server.ws_url, code=code_of(created, "Sara Costa"), discard_events=True) as sara:
        for i in range(40):
            await sara.command("message.post", text=f"SUD-SECRET {i}")
    director = Client(server.ws_url, code=code_of(created, "Dana Director"), discard_events=True)
    nils = Client(server.ws_url, code=code_of(created, "Nils Berg"), discard_events=True)
    async with director, nils:
        await director.command("announcement.make", audience={"everyone": True}, text="to everyone")
        welcome = director.welcome
        assert welcome is not None
        last = welcome.seq

        page = await director.history_events(last + 1, limit=7)
        assert len(page.events) == 7 and page.more
        assert [event.seq for event in page.events] == list(range(last - 6, last + 1))
        assert page.before == last - 6

        staff: list[Event] = [event async for event in director.older_events(last + 1, limit=9)]
        assert [event.seq for event in staff] == list(range(last, 0, -1))  # newest first, every one
        assert staff[-1].kind == "exercise.created"

        seen = [event async for event in nils.older_events(director.position[1] + 1)]  # type: ignore[index]
        assert seen and all(event.kind != "exercise.created" for event in seen)
        text = json.dumps([event.data for event in seen])
        assert "SUD-SECRET" not in text and "to everyone" in text
        assert [event.seq for event in seen] == sorted((event.seq for event in seen), reverse=True)

        # Nothing before seq 1, and another team's thread reads as empty.
        assert [event async for event in nils.older_events(1)] == []
        empty = await nils.history_feed("team:SUD", 10**6)
        assert empty.items == () and not empty.more and empty.before is None


async def test_wrong_history_args_raise_a_command_error(server: ServerProcess) -> None:
    created = server.create_exercise()
    async with Client(server.ws_url, code=code_of(created, "Nils Berg"), discard_events=True) as nils:
        with pytest.raises(CommandError) as feed:
            await nils.history_feed("team:NOR", 0)
        assert feed.value.code == "invalid_args" and feed.value.message.startswith("args.before")
        with pytest.raises(CommandError) as events:
            await nils.history_events(5, limit=1000)
        assert events.value.code == "invalid_args" and events.value.message.startswith("args.limit")
        assert nils.anomalies == []


@pytest.mark.parametrize("subprotocol", ["msgpack", "json"])
async def test_older_requests_page_back_and_a_request_reads_by_id(
    server: ServerProcess, subprotocol: str
) -> None:
    created = server.create_exercise()
    async with Client(server.ws_url, code=code_of(created, "Dana Director"), discard_events=True) as director:
        await director.command("exercise.ready")
        await director.command("exercise.start")
    sent: list[str] = []
    async with Client(server.ws_url, code=code_of(created, "Sara Costa"), discard_events=True) as sara:
        for i in range(REQUESTS_LATEST + 5):
            drafted = await sara.command(
                "request.draft", instrument="POLICE_MSG", to="NOR", subject=f"Crew {i}",
                fields={"question": "Who runs SeaCrew Agency?"},
            )  # fmt: skip
            sent.append(drafted["request"])
            await sara.command("request.send", request=sent[-1])
    code = code_of(created, "Nils Berg")
    async with Client(server.ws_url, code=code, subprotocol=subprotocol, discard_events=True) as nils:
        snapshot = nils.snapshot
        assert snapshot is not None
        assert [r["id"] for r in snapshot["requests"]] == sent[-REQUESTS_LATEST:]
        page = await nils.history_requests(snapshot["requests_before"], limit=2)
        assert [r["id"] for r in page.requests] == sent[-REQUESTS_LATEST - 2 : -REQUESTS_LATEST]
        assert page.more and page.seq >= 1
        older = [r["id"] async for r in nils.older_requests(limit=3)]
        assert list(reversed(older)) == sent[:-REQUESTS_LATEST]
        flying = await nils.older_requests_in_flight()  # all five wait for Norland: one read by id
        assert [r["id"] for r in flying] == sent[:-REQUESTS_LATEST]
        assert {r["status"] for r in flying} == {"sent"}
        now = await nils.requests_now([sent[0], "R-999"])
        assert [r["subject"] for r in now.requests] == ["Crew 0"] and not now.more
        with pytest.raises(CommandError) as failed:
            await nils.requests_now([])
        assert "args.ids" in str(failed.value)
