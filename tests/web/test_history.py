"""Older history in the pages: a page starts from the bounded welcome (the latest messages of
each thread, no replay of the log) and loads older messages and timeline entries when the user
scrolls to the end of a list or clicks "Load older", in order, each once, also after a reload."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from playwright.sync_api import Page, expect

from clients.sdk import Client
from server.core.view import FEED_LATEST, REQUESTS_LATEST, REQUESTS_LATEST_STAFF
from tests.e2e.wire import Wire
from tests.web.conftest import People
from tests.web.test_pages import post

TEAM_MESSAGES = FEED_LATEST * 2 + 15  # three pages of the team channel: the welcome's and two more
EVENTS_PAGE = 200  # history.js: the first page of a timeline


def run_async(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run SDK clients beside the browser: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result(timeout=120)


def seed(people: People, posts: dict[str, list[str]]) -> None:
    """Each person posts their texts to their team's channel, all at once, through the SDK."""

    async def write(name: str, texts: list[str]) -> None:
        async with Client(people.server.ws_url, code=people.code(name), discard_events=True) as client:
            for text in texts:
                await client.command("message.post", text=text)

    async def main() -> None:
        async with asyncio.TaskGroup() as tasks:
            for name, texts in posts.items():
                tasks.create_task(write(name, texts), name=f"seed:{name}")

    run_async(main)


def texts(page: Page, selector: str) -> list[str]:
    found: list[str] = page.locator(selector).all_inner_texts()
    return found


def keys(page: Page, selector: str) -> list[str]:
    found: list[str] = page.locator(selector).evaluate_all("nodes => nodes.map(n => n.dataset.key)")
    assert len(found) == len(set(found)), found
    return found


def seqs(page: Page, selector: str) -> list[int]:
    found: list[Any] = page.locator(selector).evaluate_all("nodes => nodes.map(n => Number(n.dataset.seq))")
    assert len(found) == len(set(found)), found
    return found


def test_a_station_shows_the_latest_messages_and_loads_older_ones_on_click_and_on_scroll(
    people: People,
) -> None:
    sent = [f"Message {i:03}" for i in range(TEAM_MESSAGES)]
    seed(people, {"Nils Berg": sent})
    nora = people.open("Nora Lind")
    edge = nora.locator("#messages-older")

    expect(nora.locator("#messages .text")).to_have_text(sent[-FEED_LATEST:])
    expect(edge).to_have_attribute("data-state", "more")
    nora.get_by_role("button", name="Load older messages").first.click()
    expect(nora.locator("#messages .text")).to_have_text(sent[-2 * FEED_LATEST :])
    expect(edge).to_have_attribute("data-state", "more")

    nora.locator("#messages").evaluate("list => { list.scrollTop = 0; }")  # to the top: the rest loads
    expect(nora.locator("#messages .text")).to_have_text(sent)
    expect(edge).to_have_attribute("data-state", "start")
    expect(edge).to_have_text("Start of the exercise")
    keys(nora, "#messages > li")
    shown = seqs(nora, "#messages > li")
    assert shown == sorted(shown)

    post(nora, "Live after the history")
    expect(nora.locator("#messages .text")).to_have_text([*sent, "Live after the history"])

    # A reload resumes the saved view: nothing lost, nothing doubled, still the whole channel.
    nora.reload()
    expect(nora.locator("#connection")).to_have_attribute("data-state", "live")
    post(nora, "After the reload")
    expect(nora.locator("#messages .text")).to_have_text(
        [*sent, "Live after the history", "After the reload"]
    )
    keys(nora, "#messages > li")
    expect(edge).to_have_attribute("data-state", "start")

    # On another laptop (no saved view): the bounded welcome again, and the older ones load.
    again = people.open("Nora Lind")
    everything = [*sent, "Live after the history", "After the reload"]
    expect(again.locator("#messages .text")).to_have_text(everything[-FEED_LATEST:])
    for _ in range(2):  # 77 messages: the welcome's 30 and two pages
        expect(again.locator("#messages-older")).to_have_attribute("data-state", "more")
        again.locator("#messages-older").get_by_role("button", name="Load older messages").click()
        expect(again.locator("#messages-older")).not_to_have_attribute("data-state", "loading")
    expect(again.locator("#messages .text")).to_have_text(everything)
    expect(again.locator("#messages-older")).to_have_attribute("data-state", "start")
    keys(again, "#messages > li")

    # The other team's station never saw any of it.
    sara = people.open("Sara Costa")
    expect(sara.locator("#messages-empty")).to_be_visible()
    expect(sara.locator("#messages-older")).to_be_hidden()


def test_the_control_channel_and_announcements_load_older_messages(people: People) -> None:
    asked = [f"Question {i:03}" for i in range(FEED_LATEST + 10)]
    told = [f"Announcement {i:03}" for i in range(FEED_LATEST + 5)]

    async def write() -> None:
        nils = Client(people.server.ws_url, code=people.code("Nils Berg"), discard_events=True)
        dana = Client(people.server.ws_url, code=people.code("Dana Director"), discard_events=True)
        async with nils, dana:
            for text in asked:
                await nils.command("message.control", text=text)
            for text in told:
                await dana.command("announcement.make", audience={"everyone": True}, text=text)

    run_async(write)
    nora = people.open("Nora Lind")
    expect(nora.locator("#control-messages .text")).to_have_text(asked[-FEED_LATEST:])
    nora.locator("#control-older").get_by_role("button", name="Load older messages").click()
    expect(nora.locator("#control-messages .text")).to_have_text(asked)
    expect(nora.locator("#control-older")).to_have_text("Start of the exercise")
    keys(nora, "#control-messages > li")
    expect(nora.locator("#announcements .text")).to_have_text(told[-FEED_LATEST:])
    nora.get_by_role("button", name="Load older announcements").click()
    expect(nora.locator("#announcements .text")).to_have_text(told)
    expect(nora.locator("#announcements-older")).to_have_attribute("data-state", "start")
    keys(nora, "#announcements > li")

    console = people.open("Carl Controller")
    expect(console.locator("#control-messages .text")).to_have_text(asked[-FEED_LATEST:])
    console.locator("#control-messages").evaluate("list => { list.scrollTop = 0; }")
    expect(console.locator("#control-messages .text")).to_have_text(asked)
    keys(console, "#control-messages > li")


def test_the_observer_timeline_and_the_console_log_load_older_entries_without_duplicates(
    people: People,
) -> None:
    # More events than the first page of a timeline, from four people at once.
    writers = ["Nils Berg", "Nora Lind", "Sara Costa", "Sofia Reyes"]
    seed(people, {name: [f"{name} {i}" for i in range(60)] for name in writers})
    observer = people.open("Mona Mentor")
    observer.get_by_label("Show roster and presence").check()  # every entry, as it is loaded
    edge = observer.locator("#timeline-older")

    expect(edge).to_have_attribute("data-state", "more")  # the first page is in
    newest = seqs(observer, "#timeline > li")
    # the first page, and what arrived live meanwhile: the observer's own arrival, the writers'
    # connections closing after their presence grace
    assert EVENTS_PAGE <= len(newest) <= EVENTS_PAGE + 8, len(newest)
    assert newest == list(range(newest[0], newest[0] - len(newest), -1))  # newest first, no gap
    stat = observer.locator(".team-card[data-team=NOR] .stat-messages")
    expect(stat).to_have_text(re.compile(r"^\d+\+$"))  # at least: older messages are not loaded
    observer.get_by_role("button", name="Load older entries").click()
    expect(edge).to_have_attribute("data-state", "start")
    expect(observer.locator("#timeline [data-kind='exercise.created']")).to_have_count(1)
    everything = seqs(observer, "#timeline > li")
    assert everything[-1] == 1 and everything == list(range(everything[0], 0, -1))  # newest first, no gap
    expect(observer.locator("#timeline [data-kind='message.posted']")).to_have_count(240)
    expect(stat).to_have_text("120")  # the whole timeline counts them all

    # A reload resumes: the same entries, once each, and live ones on top.
    observer.reload()
    expect(observer.locator("#connection")).to_have_attribute("data-state", "live")
    expect(edge).to_have_attribute("data-state", "start")
    after = seqs(observer, "#timeline > li")
    assert after[-len(everything) :] == everything and after == list(range(after[0], 0, -1))

    # The console's log is oldest first: older entries load at its top.
    console = people.open("Carl Controller")
    expect(console.locator("#log-older")).to_have_attribute("data-state", "more")
    assert console.locator("#log > li").count() >= EVENTS_PAGE
    console.locator("#log").evaluate("list => { list.scrollTop = 0; }")
    expect(console.locator("#log-older")).to_have_attribute("data-state", "start")
    entries = seqs(console, "#log > li")
    assert entries[0] == 1 and entries == list(range(1, entries[-1] + 1))
    keys(console, "#log > li")


def send_requests(people: People, count: int) -> list[str]:
    """Start the exercise; Sara (SUD) sends `count` police messages to Norland ("Crew 00" ...)."""
    sent: list[str] = []

    async def send_all() -> None:
        url = people.server.ws_url
        director = await Wire.join(url, people.code("Dana Director"))
        await director.ok("exercise.ready")
        await director.ok("exercise.start")
        sara = await Wire.join(url, people.code("Sara Costa"))
        for i in range(count):
            drafted = await sara.ok(
                "request.draft", instrument="POLICE_MSG", to="NOR", subject=f"Crew {i:02}",
                fields={"question": "Who runs SeaCrew Agency?"},
            )  # fmt: skip
            sent.append(drafted["result"]["request"])
            await sara.ok("request.send", request=sent[-1])
        for wire in (director, sara):
            await wire.close()

    run_async(send_all)
    return sent


def answer(people: People, requests: list[str]) -> None:
    """Nils (NOR) acknowledges and answers `requests`: they are closed."""

    async def answer_all() -> None:
        nils = await Wire.join(people.server.ws_url, people.code("Nils Berg"))
        for request in requests:
            await nils.ok("request.acknowledge", request=request)
            await nils.ok("request.answer", request=request, text="Done: see the attached list.")
        await nils.close()

    run_async(answer_all)


def test_a_station_loads_the_older_requests_still_in_flight_by_itself(people: People) -> None:
    """A welcome carries the latest `REQUESTS_LATEST` requests; what is older and still waits for
    someone loads by itself, read by the ids the welcome names: the older closed ones stay behind
    the edge. A request a live event names that the page does not hold (sent to the team, its
    draft never seen) is fetched, with each step once."""
    sent = send_requests(people, REQUESTS_LATEST + 3)
    answer(people, sent[:2])  # the third oldest is still in flight
    nils = people.open("Nils Berg")
    inbox = nils.locator("#inbox [data-request]")
    expect(inbox).to_have_count(REQUESTS_LATEST + 1)
    expect(nils.locator(f"#inbox [data-request='{sent[2]}']")).to_have_attribute("data-status", "sent")
    expect(nils.locator(f"#inbox [data-request='{sent[0]}']")).to_have_count(0)  # closed: not paged for
    edge = nils.locator("#requests-older")
    expect(edge.get_by_role("button")).to_have_text("Load older requests")  # none left in flight
    edge.get_by_role("button").click()
    expect(inbox).to_have_count(REQUESTS_LATEST + 3)
    expect(nils.locator(f"#inbox [data-request='{sent[0]}']")).to_have_attribute("data-status", "answered")
    expect(edge).to_be_hidden()

    async def send_one_more() -> None:
        sara = await Wire.join(people.server.ws_url, people.code("Sara Costa"))
        drafted = await sara.ok(
            "request.draft", instrument="POLICE_MSG", to="NOR", subject="Crew late",
            fields={"question": "Who runs SeaCrew Agency?"},
        )  # fmt: skip
        sent.append(drafted["result"]["request"])
        await sara.ok("request.send", request=sent[-1])
        await sara.close()

    run_async(send_one_more)
    newest = nils.locator(f"#inbox [data-request='{sent[-1]}']")
    expect(newest).to_have_attribute("data-status", "sent")
    expect(inbox).to_have_count(REQUESTS_LATEST + 4)
    newest.locator("summary").click()
    expect(newest.locator(".history li")).to_have_count(2)  # drafted, sent: each once


def test_a_station_loads_older_closed_requests_on_click(people: People) -> None:
    sent = send_requests(people, REQUESTS_LATEST + 3)
    answer(people, sent[:3])
    nils = people.open("Nils Berg")
    inbox = nils.locator("#inbox [data-request]")
    expect(inbox).to_have_count(REQUESTS_LATEST)
    edge = nils.locator("#requests-older")
    expect(edge).to_have_attribute("data-state", "more")
    expect(edge.get_by_role("button")).to_have_text("Load older requests")  # none of them in flight
    expect(nils.locator("#outbox-empty")).to_have_text(
        "None among the latest requests: older ones load below."
    )
    nils.get_by_role("button", name="Load older requests").click()
    expect(inbox).to_have_count(REQUESTS_LATEST + 3)
    expect(edge).to_be_hidden()
    expect(nils.locator("#outbox-empty")).to_have_text("Your team has not drafted a request yet.")
    subjects = nils.locator("#inbox [data-request] summary").all_inner_texts()
    assert all(any(f"Crew {i:02}" in s for s in subjects) for i in range(REQUESTS_LATEST + 3))


def test_control_s_overview_loads_the_older_requests_still_in_flight_by_itself(people: People) -> None:
    """The welcome carries the latest `REQUESTS_LATEST_STAFF`; the two older ones are open, so
    the console loads them without being asked: "Requests in play" counts every open one."""
    send_requests(people, REQUESTS_LATEST_STAFF + 2)
    console = people.open("Carl Controller")
    expect(console.locator("#overview-count")).to_have_text(f"{REQUESTS_LATEST_STAFF + 2} open · 0 overdue")
    expect(console.locator("#overview-older")).to_be_hidden()
