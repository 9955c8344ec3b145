"""The catalogue once (docs/protocol.md): a browser that holds the scenario's catalogue names it
in its hello, its welcome leaves it out, and the station still offers every request form."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, WebSocket, expect

from tests.web.conftest import People
from tests.web.test_pages import start_exercise
from tests.web.test_play import send_police_message


def frames_of(page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The JSON frames the page's WebSockets send and receive, as they go."""
    sent: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: sent.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: received.append(json.loads(payload)))

    page.on("websocket", watch)
    return sent, received


def join_in(page: Page, people: People, name: str) -> None:
    page.goto(f"{people.server.url}/#code={people.code(name)}")
    page.locator("#continue").click()
    page.wait_for_url(re.compile(r"/station$"))
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def test_a_browser_that_holds_the_catalogue_gets_welcomes_without_it(people: People) -> None:
    console = people.open("Carl Controller")
    start_exercise(console)
    page = people.new_page()
    sent, received = frames_of(page)
    join_in(page, people, "Sara Costa")  # the join page's connection, then the station's
    hellos = [f for f in sent if f["type"] == "hello"]
    welcomes = [f for f in received if f["type"] == "welcome"]
    assert len(hellos) == len(welcomes) == 2
    assert "catalogue" not in hellos[0]  # a fresh browser holds none
    tag = welcomes[0]["snapshot"]["catalogue_tag"]
    assert welcomes[0]["snapshot"]["catalogue"]["instruments"]
    assert hellos[1]["catalogue"] == tag  # kept in localStorage by the join page
    assert welcomes[1]["mode"] == "snapshot"
    assert "catalogue" not in welcomes[1]["snapshot"]
    assert welcomes[1]["snapshot"]["catalogue_tag"] == tag
    # The station works from the catalogue it holds: the forms, the countries, the limits.
    send_police_message(page)
    expect(page.locator("#outbox [data-request]")).to_have_attribute("data-status", "sent")

    # Another tab of the same browser (a session of its own, the same localStorage): the same.
    later = page.context.new_page()
    sent, received = frames_of(later)
    join_in(later, people, "Sara Costa")
    assert all(f["catalogue"] == tag for f in sent if f["type"] == "hello")
    assert all("catalogue" not in f["snapshot"] for f in received if f["type"] == "welcome")
    expect(later.locator("#outbox [data-request]")).to_have_count(1)
