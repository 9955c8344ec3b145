"""The debrief page (issue 13): staff open it from the console, pick a viewpoint, move the
slider to two moments and see what that viewpoint had then (a message, an inject, a request and
its arrow on the map present later and absent or different earlier); play moves the slider and
pause stops it. One column on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.wire import Wire
from tests.web.conftest import People
from tests.web.test_history import run_async
from tests.web.test_pages import PHONE, WIDE_INSIDE


def play(people: People) -> dict[str, int]:
    """Sara (SUD police) asks Norland by police message, Nils acknowledges it then answers; a
    message and an inject on the way. The seqs of the moments the test looks at."""
    seqs: dict[str, int] = {}

    async def main() -> None:
        url = people.server.ws_url
        director = await Wire.join(url, people.code("Dana Director"))
        sara = await Wire.join(url, people.code("Sara Costa"))
        nils = await Wire.join(url, people.code("Nils Berg"))
        await director.ok("exercise.ready")
        started = await director.ok("exercise.start")
        seqs["started"] = started["seq"]
        drafted = await sara.ok(
            "request.draft", instrument="POLICE_MSG", to="NOR", subject="SeaCrew Agency",
            fields={"question": "What do you know about SeaCrew Agency?"},
        )  # fmt: skip
        request = drafted["result"]["request"]
        seqs["sent"] = (await sara.ok("request.send", request=request))["seq"]
        seqs["acknowledged"] = (await nils.ok("request.acknowledge", request=request))["seq"]
        seqs["message"] = (await sara.ok("message.post", text="Norland has it: waiting for the answer"))[
            "seq"
        ]
        seqs["inject"] = (await director.ok("inject.release", inject="T-02"))["seq"]
        seqs["answered"] = (await nils.ok("request.answer", request=request, text="registered 2019"))["seq"]
        for wire in (director, sara, nils):
            await wire.close()

    run_async(main)
    return seqs


def _at(page: Page, seq: int) -> None:
    page.locator("#slider").fill(str(seq))
    expect(page.locator("body")).to_have_attribute("data-seq", str(seq))


def _debrief(people: People, viewport: Any = None) -> Page:
    console = people.open("Dana Director", viewport=viewport)
    console.locator("#debrief-link").click()
    console.wait_for_url("**/debrief")
    expect(console.locator("#viewpoint option").first).to_have_text("Control (staff)")
    return console


def test_the_debrief_page_shows_what_a_viewpoint_had_at_two_moments(people: People) -> None:
    seqs = play(people)
    page = _debrief(people)
    expect(page.locator("#exercise-title")).not_to_have_text("Loading…")
    page.locator("#viewpoint").select_option("role:SUD/police")

    _at(page, seqs["sent"] - 1)  # before the request was sent: SUD's own draft only
    expect(page.locator("#replay-map path.arrow")).to_have_attribute("data-status", "draft")
    expect(page.locator("#replay-messages")).not_to_contain_text("waiting for the answer")
    expect(page.locator("#replay-injects [data-inject='T-02']")).to_have_count(0)

    _at(page, seqs["acknowledged"])
    expect(page.locator("#replay-map path.arrow")).to_have_attribute("data-status", "acknowledged")
    expect(page.locator("#moment")).to_contain_text(f"seq {seqs['acknowledged']} of")

    _at(page, seqs["answered"])  # later: the message, the inject, the answer
    expect(page.locator("#replay-messages")).to_contain_text("waiting for the answer")
    expect(page.locator("#replay-injects [data-inject='T-02']")).to_have_count(1)
    expect(page.locator("#replay-map path.arrow")).to_have_attribute("data-status", "answered")
    expect(page.locator("#replay-requests [data-status='answered']")).to_have_count(1)
    expect(page.locator("#replay-events [data-kind='request.answered']")).to_have_count(1)

    page.locator("#viewpoint").select_option("team:NOR")  # Norland never saw SUD's draft or T-02
    _at(page, seqs["sent"] - 1)
    expect(page.locator("#replay-map path.arrow")).to_have_count(0)
    _at(page, seqs["inject"])
    expect(page.locator("#replay-injects [data-inject='T-02']")).to_have_count(0)
    expect(page.locator("#replay-messages")).not_to_contain_text("waiting for the answer")

    _at(page, 1)  # play moves the slider; pause stops it
    page.locator("#speed").select_option("events:20")
    page.locator("#play").click()
    expect(page.locator("#play")).to_have_text("Pause")
    for _ in range(100):  # the page's CSP allows no eval: poll from here
        if int(page.locator("#slider").input_value()) > 5:
            break
        page.wait_for_timeout(100)
    assert int(page.locator("#slider").input_value()) > 5
    page.locator("#play").click()
    expect(page.locator("#play")).to_have_text("Play")
    stopped = page.locator("#slider").input_value()
    page.wait_for_timeout(1200)
    assert page.locator("#slider").input_value() == stopped

    _at(page, 1)  # by exercise time: an hour a second runs through these minutes of play at once
    page.locator("#speed").select_option("sim:3600")
    page.locator("#play").click()
    last = page.locator("#slider").get_attribute("max")
    assert last is not None and int(last) >= seqs["answered"]
    expect(page.locator("body")).to_have_attribute("data-seq", last)
    expect(page.locator("#play")).to_have_text("Play")  # stopped by itself at the end


def test_the_debrief_page_is_one_column_on_a_phone(people: People) -> None:
    play(people)
    page = _debrief(people, viewport=PHONE)
    expect(page.locator("#replay-map svg")).to_have_count(1)
    boxes = [page.locator(f"#main > *:nth-child({i})").bounding_box() for i in (1, 2)]
    first, second = boxes
    assert first is not None and second is not None
    assert first["width"] > 300 and second["y"] >= first["y"] + first["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(WIDE_INSIDE) == []


def test_a_participant_cannot_open_the_debrief(people: People) -> None:
    station = people.open("Nils Berg")
    station.goto(f"{people.server.url}/debrief")
    expect(station.locator("#problem")).to_contain_text("only the staff of this exercise may replay it")
