"""The console and the observer at 200 people (issue 11, items 8 and 15): the participants table
searched and filtered with its actions in view, the MSEL's now / next / overdue, the requests in
play, the observer's collapsible team cards and play-first timeline, the mentor's own team first,
and control's read-only preview of a station."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.servers import ServerProcess, default_roster
from tests.web.conftest import People
from tests.web.test_pages import post, start_exercise
from tests.web.test_play import send_police_message


def flagship_sized() -> list[dict[str, Any]]:
    """215 people, as the flagship's roster: the default eleven and 204 more in both teams, some
    with long names (the table must still fit its panel)."""
    extra = [
        {
            "name": f"Trainee {i:03d}"
            + (" Alexandra-Magdalena Constantinescu-Popescu" if i % 7 == 0 else ""),
            "team": "NOR" if i % 2 else "SUD",
            "role": ("police", "prosecutor", "social_worker")[i % 3],
        }
        for i in range(204)
    ]
    return default_roster() + extra


def _in_view(page: Page, inner: Locator, outer: str) -> bool:
    """Is `inner` inside `outer`'s visible box, with no sideways scroll in `outer`?"""
    a, b = inner.bounding_box(), page.locator(outer).bounding_box()
    assert a is not None and b is not None
    no_scroll: bool = page.evaluate(
        f"(() => {{ const w = document.querySelector({outer!r}); return w.scrollWidth <= w.clientWidth + 1; }})()"
    )
    return a["x"] >= b["x"] - 1 and a["x"] + a["width"] <= b["x"] + b["width"] + 1 and no_scroll


def test_the_console_finds_one_person_among_215_and_keeps_the_row_actions_in_view(
    people_on: Any, web_server: ServerProcess
) -> None:
    people: People = people_on(web_server, flagship_sized())
    console = people.open("Carl Controller")
    nils = people.open("Nils Berg")
    rows = console.locator("#participants tr[data-participant]")
    expect(rows).to_have_count(215)
    expect(console.locator("#roster-shown")).to_have_text("215 people")
    # At 1280 px the actions of every row are in the table's visible box: no sideways scroll.
    for action in ("Preview", "Revoke", "New code"):
        button = rows.filter(has_text="Nils Berg").locator("button", has_text=action)
        assert _in_view(console, button, ".roster-wrap"), action

    console.get_by_label("Search").fill("sofia")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sofia Reyes")
    console.get_by_label("Search").fill("sudria prosecutor")  # words match name, team, role, id
    expect(rows).to_have_count(1 + 34)
    console.get_by_label("Search").fill("P0006")
    expect(rows).to_have_text([re.compile("Nils Berg")])
    console.get_by_role("button", name="Clear").click()
    expect(rows).to_have_count(215)

    console.locator("#roster-team").select_option("NOR")
    expect(rows).to_have_count(3 + 102)
    console.locator("#roster-role").select_option("police")
    expect(rows).to_have_count(1 + 34)
    console.locator("#roster-online").select_option("online")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nils Berg")
    console.get_by_role("button", name="Clear").click()
    console.locator("#roster-online").select_option("online")
    expect(rows).to_have_count(2)  # Nils and the controller

    start_exercise(console)  # T-01 goes to everyone
    nils.locator("#injects [data-inject='T-01'] summary").click()
    nils.get_by_role("button", name="Acknowledge STARTEX pack").click()
    console.get_by_role("button", name="Clear").click()
    console.locator("#roster-ack").select_option("latest")
    expect(console.locator("#roster-ack option[value=latest]")).to_have_text(
        "Not acknowledged the latest inject (T-01)"
    )
    expect(rows).to_have_count(210 - 1)  # every participant but Nils; no staff
    expect(console.locator("#participants tr[data-participant='P0006']")).to_have_count(0)
    console.get_by_label("Search").fill("nobody-has-this-name")
    expect(console.locator("#roster-none")).to_be_visible()


def test_the_msel_shows_now_next_and_overdue_against_the_clock(people: People) -> None:
    console = people.open("Carl Controller")
    console.get_by_role("button", name="Mark ready").click()
    console.get_by_role("button", name="Hold T-02").click()  # planned D1 09:00
    console.get_by_role("button", name="Start", exact=True).click()
    timing = console.locator("#msel-timing")
    expect(timing.locator("[data-part=now]")).to_contain_text("T-01")
    expect(timing.locator("[data-part=next]")).to_contain_text("T-02")  # held: not due yet
    expect(timing.locator("[data-part=overdue]")).to_contain_text("Nothing overdue.")
    console.get_by_label("Jump to").fill("D1 10:00")
    console.get_by_role("button", name="Jump", exact=True).click()
    expect(console.locator("#clock")).to_have_text("D1 10:00")
    overdue = timing.locator("[data-part=overdue]")
    expect(overdue).to_contain_text("Overdue (1)")
    expect(overdue).to_contain_text("T-02")
    expect(overdue).to_contain_text(re.compile(r"planned D1 09:00, held, 1 h 0\d late"))
    expect(console.locator("#msel tr[data-inject='T-02']")).to_have_attribute("data-late", "true")
    expect(console.locator("#msel tr[data-inject='T-02'] .msel-overdue")).to_have_text("Overdue")
    expect(console.locator("#msel-late-count")).to_have_text("1 overdue")
    expect(timing.locator("[data-part=next]")).to_contain_text("T-06")
    console.get_by_role("button", name="Release now T-02").click()
    expect(overdue).to_contain_text("Nothing overdue.")
    expect(timing.locator("[data-part=now]")).to_contain_text("T-02")


def test_control_sees_the_requests_in_play_per_instrument_and_countries(people: People) -> None:
    console = people.open("Carl Controller")
    sara = people.open("Sara Costa")
    start_exercise(console)
    expect(console.locator("#overview-empty")).to_be_visible()
    send_police_message(sara)
    group = console.locator(
        "#overview .overview-group[data-instrument=POLICE_MSG][data-from=SUD][data-to=NOR]"
    )
    expect(group.locator(".overview-open-count")).to_have_text("1 open")
    expect(group.locator(".overview-late-count")).to_have_text("0 overdue")
    console.get_by_role("button", name="Next morning").click()  # past the game deadline (1 h)
    expect(group.locator(".overview-late-count")).to_have_text("1 overdue")
    expect(console.locator("#overview-count")).to_have_text("1 open · 1 overdue")
    group.locator(".overview-head").click()
    request = group.locator(".overview-request[data-request='R-1']")
    expect(request).to_have_attribute("data-late", "true")
    request.locator(".overview-open").click()
    expect(request.locator(".form-values")).to_contain_text("SeaCrew Agency")


def test_control_previews_a_station_read_only_as_the_participant_sees_it(people: People) -> None:
    console = people.open("Dana Director")
    nora = people.open("Nora Lind")
    sara = people.open("Sara Costa")
    nils = people.open("Nils Berg")
    start_exercise(console)
    post(nora, "For Norland's eyes")
    post(sara, "For Sudria's eyes")
    with console.expect_popup() as opened:
        console.get_by_role("button", name="Preview the station of Nils Berg, read-only").click()
    preview = opened.value
    preview.on("pageerror", lambda error: people.problems.append(f"preview: {error}"))
    expect(preview.locator("#preview-banner")).to_contain_text("Preview — read only.")
    expect(preview.locator("#preview-banner")).to_contain_text("Opened by Dana Director")
    expect(preview.locator("#me-name")).to_have_text("Nils Berg")
    expect(preview.locator("#connection")).to_have_attribute("data-state", "live")
    # What Nils's own station shows, and nothing more.
    for page in (preview, nils):
        expect(page.locator("#messages .text")).to_have_text(["For Norland's eyes"])
        expect(page.locator("#injects [data-inject]")).to_have_count(1)
    assert preview.locator("#injects").inner_text() == nils.locator("#injects").inner_text()
    assert "For Sudria's eyes" not in preview.locator("body").inner_text()
    # Read-only: nothing to type into or send, and Nils does not appear online twice.
    expect(preview.get_by_label("Message to your team")).to_be_disabled()
    expect(preview.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    # Audited: the console's log says who previewed whose station.
    expect(console.locator("#log")).to_contain_text(
        "Dana Director previewed the station of Nils Berg (Norland)"
    )
    # Live: a new team message reaches the preview as it reaches Nils.
    post(nora, "Second line")
    expect(preview.locator("#messages .text")).to_have_text(["For Norland's eyes", "Second line"])
    # The console tab is still the director's own.
    console.reload()
    expect(console.locator("#me-name")).to_have_text("Dana Director")


def test_the_observer_folds_team_cards_and_shows_the_play_first(
    browser: Browser, web_server: ServerProcess
) -> None:
    roster = [dict(p, team="SUD") if p["role"] == "mentor" else p for p in default_roster()]
    people = People(browser, web_server, web_server.create_exercise(roster))
    try:
        console = people.open("Carl Controller")
        nils = people.open("Nils Berg")
        mentor = people.open("Mona Mentor")
        start_exercise(console)
        post(nils, "A team line")
        # The mentor's prompt goes to their own team unless they choose another.
        expect(mentor.locator("#prompt-team")).to_have_value("SUD")
        mentor.locator("#note-text").fill("Norland split the work well")
        mentor.locator("#note-team").select_option("NOR")
        mentor.get_by_role("button", name="Add note").click()
        timeline = mentor.locator("#timeline")
        expect(timeline).to_contain_text("Norland split the work well")
        expect(timeline).to_contain_text("A team line")
        # Roster and presence lines only on request.
        expect(timeline.locator(".entry.kind-presence")).to_have_count(0)
        expect(timeline.locator(".entry.kind-roster")).to_have_count(0)
        mentor.get_by_label("Show roster and presence").check()
        expect(timeline.locator(".entry.kind-presence").first).to_be_visible()
        mentor.get_by_label("Show roster and presence").uncheck()
        mentor.locator("#filter-kind").select_option("note")
        expect(timeline.locator(".entry")).to_have_count(1)
        expect(timeline.locator(".entry")).to_contain_text("Norland split the work well")
        # A team card folds, and stays folded after a reload of this browser.
        card = mentor.locator(".team-card[data-team=NOR]")
        expect(card.locator(".members")).to_be_visible()
        mentor.get_by_role("button", name="Collapse Norland").click()
        expect(card.locator(".members")).to_be_hidden()
        expect(card.locator(".card-summary")).to_contain_text("1 / 3 online")
        mentor.reload()
        expect(mentor.locator("#connection")).to_have_attribute("data-state", "live")
        expect(mentor.locator(".team-card[data-team=NOR] .members")).to_be_hidden()
        expect(mentor.locator(".team-card[data-team=SUD] .members")).to_be_visible()
        mentor.get_by_role("button", name="Expand Norland").click()
        expect(mentor.locator(".team-card[data-team=NOR] .members")).to_be_visible()
    finally:
        people.close()
    assert people.problems == [], people.problems


def test_the_console_log_and_the_observer_timeline_show_exercise_time(people: People) -> None:
    """One clock (issue 11, item 10): each log line and timeline entry shows the simulated time,
    the wall time on hover."""
    console = people.open("Carl Controller")
    observer = people.open("Otto Observer")
    start_exercise(console)
    nils = people.open("Nils Berg")
    post(nils, "Clock check from Norland")
    sim = re.compile(r"^D\d+ \d\d:\d\d")
    for page, entries in ((console, "#log li"), (observer, "#timeline li")):
        entry = page.locator(entries).filter(has_text="Clock check from Norland").first
        if page is observer:
            entry = page.locator(entries).first
        stamp = entry.locator("time")
        expect(stamp).to_have_text(sim)
        expect(stamp).to_have_attribute("title", re.compile(r"^Wall clock \d\d:\d\d:\d\d"))
