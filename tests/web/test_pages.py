"""The web pages in a real browser: joining, the station, the console and the observer live."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from server.adapters.redis_server import RedisProcess
from tests.e2e.servers import ServerProcess
from tests.web.conftest import TABLET, People

HOSTILE = "<img src=x onerror=alert(1)>"
FORGET_VIEW = """() => {
    const session = JSON.parse(sessionStorage.getItem("liaison.session"));
    delete session.base;
    sessionStorage.setItem("liaison.session", JSON.stringify(session));
    for (const key of Object.keys(sessionStorage)) {
        if (key.startsWith("liaison.view.")) sessionStorage.removeItem(key);
    }
}"""


def start_exercise(console: Page) -> None:
    console.get_by_role("button", name="Mark ready").click()
    console.get_by_role("button", name="Start", exact=True).click()
    expect(console.locator("#clock-status")).to_have_text("Running")


def post(station: Page, text: str) -> None:
    station.get_by_label("Message to your team").fill(text)
    station.get_by_role("button", name="Send").click()
    expect(station.locator("#messages .text").filter(has_text=text)).to_have_count(1)


def test_a_participant_joins_with_a_typed_code(people: People) -> None:
    page = people.new_page()
    page.goto(people.server.url + "/")
    page.get_by_label("Join code").fill(people.code("Nils Berg").lower().replace("-", " "))
    page.get_by_role("button", name="Join").click()
    identity = page.locator("#identity")
    expect(identity.locator("#who-name")).to_have_text("Nils Berg")
    expect(identity.locator("#who-team")).to_have_text("Norland")
    expect(identity.locator("#who-role")).to_have_text("Police investigator")
    page.wait_for_url(re.compile(r"/station$"))
    expect(page.locator("#me-name")).to_have_text("Nils Berg")
    expect(page.locator("#me-detail")).to_have_text("Norland · Police investigator")
    expect(page.locator("#teammates .person")).to_have_count(3)
    expect(page.locator("#clock")).to_have_text("D1 08:30")
    expect(page.locator("#clock-status")).to_have_text("Not started")


def test_a_join_link_carries_the_code_in_the_fragment_and_drops_it(people: People) -> None:
    page = people.new_page()
    code = people.code("Sara Costa")
    page.goto(f"{people.server.url}/#code={code}")
    expect(page.locator("#who-name")).to_have_text("Sara Costa")
    assert code not in page.url and "#" not in page.url
    page.wait_for_url(re.compile(r"/station$"))
    expect(page.locator("#me-detail")).to_have_text("Sudria · Police investigator")
    # The session stays with the tab: a reload does not ask for the code again.
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator("#me-name")).to_have_text("Sara Costa")


def test_a_wrong_code_is_refused_with_a_reason(people: People) -> None:
    page = people.new_page()
    page.goto(people.server.url + "/")
    page.get_by_label("Join code").fill("AAAA-BBBB-CCCC-DDDD")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#join-error")).to_contain_text("not valid")
    expect(page.get_by_label("Join code")).to_be_visible()


def test_a_code_mistyped_too_often_from_one_network_says_so_and_does_not_retry(
    people_on: Callable[..., People], redis_process: RedisProcess, tmp_path: Path
) -> None:
    server = ServerProcess(redis_process.url, tmp_path, "strict-joins", join_failures="2").start()
    try:
        people = people_on(server)
        code = people.code("Nils Berg")
        typo = code[:-1] + ("0" if code[-1] != "0" else "1")
        page = people.new_page()
        page.goto(server.url + "/")
        for _ in range(2):
            page.get_by_label("Join code").fill(typo)
            page.get_by_role("button", name="Join").click()
            expect(page.locator("#join-error")).to_contain_text("not valid")
        page.get_by_label("Join code").fill(typo)
        page.get_by_role("button", name="Join").click()
        expect(page.locator("#join-error")).to_contain_text("mistyped too often from your network")
        expect(page.get_by_label("Join code")).to_be_visible()
        expect(page.locator("#joining")).to_be_hidden()
        page.get_by_label("Join code").fill(people.code("Nora Lind"))  # others behind it are served
        page.get_by_role("button", name="Join").click()
        expect(page.locator("#who-name")).to_have_text("Nora Lind")
    finally:
        server.stop()


def test_a_message_appears_live_in_the_teammates_station(people: People) -> None:
    nils = people.open("Nils Berg")
    nora = people.open("Nora Lind")
    expect(nils.locator("#teammates [data-online=true]")).to_have_count(2)
    post(nils, "Ferry MV Aurora left at 06:10")
    expect(nora.locator("#messages .text")).to_have_text(["Ferry MV Aurora left at 06:10"])
    expect(nora.locator("#messages .author")).to_have_text(["Nils Berg"])
    post(nora, "Checking the passenger list")
    expect(nils.locator("#messages .text")).to_have_text(
        ["Ferry MV Aurora left at 06:10", "Checking the passenger list"]
    )
    # The other team sees none of it.
    sara = people.open("Sara Costa")
    expect(sara.locator("#messages-empty")).to_be_visible()
    expect(sara.locator("#messages .message")).to_have_count(0)
    # A reload shows the same channel, nothing lost or doubled.
    nora.reload()
    expect(nora.locator("#connection")).to_have_attribute("data-state", "live")
    expect(nora.locator("#messages .text")).to_have_text(
        ["Ferry MV Aurora left at 06:10", "Checking the passenger list"]
    )
    # Without a saved view or the exercise's public facts, the page starts from a snapshot.
    nora.evaluate(FORGET_VIEW)
    nora.reload()
    expect(nora.locator("#connection")).to_have_attribute("data-state", "live")
    expect(nora.locator("#messages .text")).to_have_text(
        ["Ferry MV Aurora left at 06:10", "Checking the passenger list"]
    )
    expect(nora.locator("#teammates [data-online=true]")).to_have_count(2)
    post(nils, "Third")
    expect(nora.locator("#messages .text")).to_have_text(
        ["Ferry MV Aurora left at 06:10", "Checking the passenger list", "Third"]
    )


def test_pause_and_clock_changes_in_the_console_show_in_every_station(people: People) -> None:
    console = people.open("Carl Controller")
    stations = [people.open("Nils Berg"), people.open("Sofia Reyes")]
    start_exercise(console)
    for station in stations:
        expect(station.locator("#clock-status")).to_have_text("Running")
    console.get_by_role("button", name="Pause").click()
    for station in stations:
        expect(station.locator("#clock-status")).to_have_text("Paused")
    expect(console.get_by_role("button", name="Resume")).to_be_enabled()
    expect(console.get_by_role("button", name="Pause")).to_be_disabled()
    console.get_by_label("Jump to").fill("D2 08:30")
    console.get_by_role("button", name="Jump", exact=True).click()
    for station in stations:
        expect(station.locator("#clock")).to_have_text("D2 08:30")
    console.get_by_role("button", name="Next morning").click()
    for station in stations:
        expect(station.locator("#clock")).to_have_text("D3 08:30")
    console.get_by_role("button", name="Resume").click()
    for station in stations:
        expect(station.locator("#clock-status")).to_have_text("Running")


def test_the_observer_dashboard_follows_everything_live(people: People) -> None:
    observer = people.open("Mona Mentor")
    expect(observer.locator("#timeline [data-kind='exercise.created']")).to_have_count(1)
    nils = people.open("Nils Berg")
    card = observer.locator(".team-card[data-team=NOR]")
    expect(card.locator(".stat-online")).to_have_text("1 / 3")
    post(nils, "Suspect vehicle seen at the port")
    expect(observer.locator("#timeline .entry-detail").first).to_have_text("Suspect vehicle seen at the port")
    expect(card.locator(".stat-messages")).to_have_text("1")
    expect(observer.get_by_role("img", name=re.compile("Norland: 1 of 3 online"))).to_be_visible()
    # Filters: by kind and by team.
    observer.get_by_label("Kind", exact=True).select_option("message")
    expect(observer.locator("#timeline .entry")).to_have_count(1)
    observer.get_by_label("Role", exact=True).select_option("prosecutor")
    expect(observer.locator("#timeline .entry")).to_have_count(0)
    observer.get_by_label("Role", exact=True).select_option("police")
    expect(observer.locator("#timeline .entry")).to_have_count(1)
    observer.get_by_label("Team", exact=True).select_option("SUD")
    expect(observer.locator("#timeline .entry")).to_have_count(0)
    observer.get_by_label("Role", exact=True).select_option("")
    observer.get_by_label("Team", exact=True).select_option("")
    observer.get_by_label("Kind", exact=True).select_option("")
    expect(observer.locator("#timeline [data-kind='connection.opened']")).to_have_count(0)  # the play
    observer.get_by_label("Kind", exact=True).select_option("presence")
    expect(observer.locator("#timeline [data-kind='connection.opened']").first).to_be_visible()


def test_an_announcement_to_one_team_reaches_that_team_only(people: People) -> None:
    console = people.open("Dana Director")
    nils, sara = people.open("Nils Berg"), people.open("Sara Costa")
    console.get_by_label("Teams", exact=True).check()
    console.locator("#audience-teams").get_by_label("Norland").check()
    console.get_by_label("Text").fill("Norland only: the harbour master calls at 10:00")
    console.get_by_role("button", name="Send announcement").click()
    expect(nils.locator("#announcements .text")).to_have_text(
        ["Norland only: the harbour master calls at 10:00"]
    )
    console.get_by_label("Everyone").check()
    console.get_by_label("Text").fill("Lunch at 12:30 for everyone")
    console.get_by_role("button", name="Send announcement").click()
    # Sara gets the second announcement, and never the first one (it came earlier).
    expect(sara.locator("#announcements .text")).to_have_text(["Lunch at 12:30 for everyone"])
    expect(nils.locator("#announcements .text")).to_have_text(
        ["Norland only: the harbour master calls at 10:00", "Lunch at 12:30 for everyone"]
    )


def test_hostile_text_is_shown_as_text_and_runs_nothing(people: People) -> None:
    console = people.open("Carl Controller")
    nils = people.open("Nils Berg")
    observer = people.open("Otto Observer")
    post(nils, HOSTILE)
    expect(nils.locator("#messages .text")).to_have_text([HOSTILE])
    console.get_by_label("Name").fill(HOSTILE + " Nilsen")
    console.locator("#add-team").select_option("NOR")
    console.get_by_role("button", name="Add and issue code").click()
    expect(console.locator("#participants th").filter(has_text=HOSTILE)).to_have_count(1)
    expect(console.locator("#codes .code-name")).to_have_text([HOSTILE + " Nilsen"])
    expect(nils.locator("#teammates .person-name").filter(has_text=HOSTILE)).to_have_count(1)
    console.get_by_label("Text").fill(HOSTILE)
    console.get_by_role("button", name="Send announcement").click()
    expect(nils.locator("#announcements .text")).to_have_text([HOSTILE])
    expect(observer.locator("#timeline .entry-detail").filter(has_text=HOSTILE)).to_have_count(2)
    for page in (console, nils, observer):
        assert page.locator("img").count() == 0
    assert people.dialogs == []


def test_the_console_adds_participants_and_revokes_codes(people: People) -> None:
    console = people.open("Carl Controller")
    nils = people.open("Nils Berg")
    expect(console.locator("#codes-empty")).to_be_visible()
    console.get_by_label("Name").fill("Nina Holm")
    console.locator("#add-team").select_option("NOR")
    console.locator("#add-role").select_option("prosecutor")
    console.get_by_role("button", name="Add and issue code").click()
    card = console.locator("#codes .code-card")
    expect(card).to_have_count(1)
    code = card.locator(".code").inner_text()
    expect(card.locator(".code-link")).to_have_text(f"{people.server.url}/#code={code}")
    expect(console.locator("#sheet .code")).to_have_text([code])
    expect(nils.locator("#teammates .person")).to_have_count(4)
    # The new code works.
    nina = people.new_page()
    nina.goto(f"{people.server.url}/#code={code}")
    expect(nina.locator("#who-name")).to_have_text("Nina Holm")
    # Revoking Nils's code closes his station with the reason.
    console.get_by_role("button", name="Revoke the join code of Nils Berg").click()
    expect(nils.locator("#stopped")).to_contain_text("revoked")
    expect(console.locator("tr[data-participant]", has_text="Nils Berg").locator(".tag")).to_have_text(
        "revoked"
    )
    console.get_by_role("button", name="Issue a new join code for Nils Berg").click()
    expect(console.locator("#codes .code-card")).to_have_count(2)
    expect(console.locator("tr[data-participant]", has_text="Nils Berg").locator(".tag")).to_have_text(
        "active"
    )


def test_the_pages_fit_a_tablet(people: People) -> None:
    for name in ("Nils Berg", "Carl Controller", "Otto Observer"):
        page = people.open(name, viewport=TABLET)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= TABLET["width"], (name, width)


def test_every_response_has_the_security_headers_and_pages_have_no_inline_code(
    web_server: ServerProcess,
) -> None:
    for path in ("/", "/station", "/console", "/observer", "/debrief", "/assets/js/protocol.js", "/healthz"):
        response = httpx.get(web_server.url + path)
        assert response.status_code == 200, path
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "connect-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        if path in ("/", "/station", "/console", "/observer", "/debrief"):
            html = response.text
            assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
            assert "<style" not in html and " style=" not in html and "onclick=" not in html, path
            assert re.search(r"https?://", html) is None, path  # nothing from elsewhere
    assert httpx.get(web_server.url + "/assets/nothing.js").status_code == 404


def test_staff_notes_go_to_every_staff_timeline_and_never_to_a_station(people: People) -> None:
    mentor = people.open("Mona Mentor")
    observer = people.open("Otto Observer")
    nils = people.open("Nils Berg")
    hostile = "<img src=x onerror=alert(1)> good separation of the victim"
    mentor.locator("#note-team").select_option("NOR")
    mentor.locator("#note-text").fill(hostile)
    mentor.get_by_role("button", name="Add note").click()
    for page in (mentor, observer):
        expect(page.locator("#timeline .entry-detail").filter(has_text=hostile)).to_have_count(1)
        expect(page.locator("#timeline img")).to_have_count(0)
    mentor.reload()  # the note is in the exercise's log, not in the tab
    expect(mentor.locator("#timeline .entry-detail").filter(has_text=hostile)).to_have_count(1)
    expect(nils.locator("body")).not_to_contain_text("good separation")
    mentor.locator("#prompt-team").select_option("NOR")
    mentor.locator("#prompt-text").fill("Who in Sudria could confirm the van's crossing?")
    mentor.get_by_role("button", name="Send prompt").click()
    expect(nils.locator("body")).to_contain_text("Who in Sudria could confirm the van's crossing?")
    expect(observer.locator("#prompt-form")).to_be_hidden()  # observers watch; mentors prompt


PHONE: ViewportSize = {"width": 390, "height": 844}
NO_OVERLAP = """() => {
    const boxes = Array.from(document.querySelectorAll("main .panel"), (node) => node.getBoundingClientRect())
        .filter((box) => box.width > 0 && box.height > 0);
    const overlaps = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    return boxes.some((a, i) => boxes.slice(i + 1).some((b) => overlaps(a, b)));
}"""
WIDE_INSIDE = """() => Array.from(document.querySelectorAll("main *"))
    .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 1 && !node.closest(".table-wrap"))
    .map((node) => node.id || node.className || node.tagName).slice(0, 5)"""


@pytest.mark.parametrize("name", ["Nils Berg", "Carl Controller", "Otto Observer"])
def test_the_pages_are_one_column_on_a_phone(browser: Browser, web_server: ServerProcess, name: str) -> None:
    """390 px wide (issue 11, item 9): the station, the console and the observer stack their
    panels, none is squeezed or overlaps another, nothing sticks out, the header stays compact.
    The title has long words like the flagship's (three countries joined by dashes), which the
    observer's timeline shows."""
    title = "Operation Twin Ports \u2013 THB along the Norland\u2013Sudria\u2013Norland ferry route"
    people = People(browser, web_server, web_server.create_exercise(title=title))
    try:
        page = people.open(name, viewport=PHONE)
        expect(page.locator("#exercise-title")).to_have_text(title)
        if name == "Otto Observer":
            expect(page.locator("#timeline [data-kind='exercise.created']")).to_have_count(1)
        boxes = [page.locator(f"#main > *:nth-child({i})").bounding_box() for i in (1, 2)]
        assert all(box is not None for box in boxes)
        first, second = boxes[0], boxes[1]
        assert first is not None and second is not None
        assert first["width"] > 300 and second["width"] > 300  # full width, not a sliver beside another
        assert second["y"] >= first["y"] + first["height"] - 1  # below it, not beside or over it
        assert page.evaluate(WIDE_INSIDE) == []  # nothing wider than the screen, even where clipped
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
        assert not page.evaluate(NO_OVERLAP)
        assert page.evaluate(WIDE_INSIDE) == []  # nothing wider than the screen, even where clipped
        header = page.locator(".topbar").bounding_box()
        assert header is not None and header["height"] < 140  # compact: the page starts on screen one
    finally:
        people.close()
    assert people.problems == [], people.problems
