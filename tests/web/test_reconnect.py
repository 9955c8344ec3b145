"""A server restart under open pages: every page shows "reconnecting", then exactly what it
would have shown without the drop: no item lost, none doubled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from server.adapters.redis_server import RedisProcess
from tests.e2e.servers import ServerProcess
from tests.web.conftest import People
from tests.web.test_pages import post, start_exercise

MESSAGES = ["Before 1", "Before 2", "Sent while the server was down", "After the restart"]


@pytest.fixture
def own_server(redis_process: RedisProcess, tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(redis_process.url, tmp_path, "restart").start()
    yield server
    server.stop()


def keys_are_unique(page: Page, selector: str) -> None:
    keys = page.locator(selector).evaluate_all("nodes => nodes.map(n => n.dataset.key)")
    assert len(keys) == len(set(keys)), keys


def test_a_server_restart_loses_and_doubles_nothing_on_any_page(
    people_on: Callable[[ServerProcess], People], own_server: ServerProcess
) -> None:
    people = people_on(own_server)
    console = people.open("Carl Controller")
    observer = people.open("Mona Mentor")
    nils, nora = people.open("Nils Berg"), people.open("Nora Lind")
    pages = [console, observer, nils, nora]
    start_exercise(console)
    post(nils, MESSAGES[0])
    post(nora, MESSAGES[1])
    expect(observer.locator("#timeline [data-kind='message.posted']")).to_have_count(2)

    own_server.stop()
    for page in pages:
        expect(page.locator("#reconnecting")).to_be_visible()
        expect(page.locator("#connection")).to_have_text("Reconnecting…")
    nils.get_by_label("Message to your team").fill(MESSAGES[2])
    nils.get_by_role("button", name="Send").click()  # waits in the page until the server is back
    expect(nils.get_by_role("button", name="Sending…")).to_be_disabled()

    own_server.start()  # the same port
    for page in pages:
        expect(page.locator("#reconnecting")).to_be_hidden(timeout=20_000)
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    post(nora, MESSAGES[3])

    for station in (nils, nora):
        expect(station.locator("#messages .text")).to_have_text(MESSAGES)
        keys_are_unique(station, "#messages > li")
        expect(station.locator("#clock-status")).to_have_text("Running")
    expect(observer.locator("#timeline [data-kind='message.posted'] .entry-detail")).to_have_text(
        list(reversed(MESSAGES))  # newest first
    )
    keys_are_unique(observer, "#timeline > li")
    expect(console.locator("#log [data-kind='message.posted'] .entry-detail")).to_have_text(MESSAGES)
    keys_are_unique(console, "#log > li")
    expect(observer.locator(".team-card[data-team=NOR] .stat-messages")).to_have_text("4")
