"""Legal profiles and local time on the pages (issue 12, items 6 and 7): the request composer
shows the target country's legal profile, the legal rules that will refuse or flag the request
and its local time and office hours; the station shows the team's own local time; a send
refused by rule names the rule; the console shows the next scheduled jump and skips it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.core.twin import twin_text
from tests.e2e.servers import ServerProcess
from tests.web.conftest import People
from tests.web.test_pages import start_exercise

FRAGMENT = """
clock:
  jumps:
    - {id: lunch, at: "D1 12:00", to: "D1 13:30", reason: "lunch break"}
  overnight: {at: "18:00", reason: "overnight"}
countries:
  - id: NOR
    treaties: [CoE-MLA-1959]
    time_offset: "+02:00"
    calendar: {opens: "08:00", closes: "16:00"}
    legal_profile:
      extradites_nationals: false
      other: {non_punishment: false}
  - id: SUD
    treaties: [CoE-MLA-1959, BANK-SECRECY-2001]
legal_rules:
  - id: bank_secrecy_treaty
    instrument: MLA
    when:
      fields: {measures: bank_records}
      treaty_missing: [BANK-SECRECY-2001]
    effect: refuse
    ground: "bank records cross the border only under the Bank Secrecy Protocol"
  - id: no_dual_criminality_search
    instrument: MLA
    when: {target_country: NOR, fields: {measures: search}}
    effect: flag
    ground: "coercive measures need dual criminality"
"""
FACTS = "SeaCrew Agency recruits young men for harbour work in Sudria and they end up unpaid. " * 2


@pytest.fixture
def people(browser: Browser, web_server: ServerProcess) -> Iterator[People]:
    made = People(browser, web_server, web_server.create_exercise(scenario={"yaml": twin_text(FRAGMENT)}))
    yield made
    made.close()
    assert made.problems == [], made.problems


def test_the_composer_shows_the_law_and_the_local_time_of_the_other_side(people: People) -> None:
    console = people.open("Carl Controller")
    sofia = people.open("Sofia Reyes")
    start_exercise(console)
    expect(sofia.locator("#local-clock")).to_contain_text("Sudria local time D1 08:3")
    expect(sofia.locator("#local-clock")).to_contain_text("(+00:00)")
    sofia.get_by_role("button", name="New request").click()
    sofia.locator("#request-to").select_option("NOR")
    sofia.locator("#request-instrument").select_option("MLA")
    legal = sofia.locator("#request-legal")
    expect(legal).to_be_visible()
    expect(legal.locator(".legal-profile")).to_contain_text("Norland law:")
    expect(legal.locator(".legal-profile")).to_contain_text("does not extradite its nationals")
    expect(legal.locator(".legal-profile")).to_contain_text("non punishment: no")  # its own law
    expect(legal.locator(".legal-profile")).not_to_contain_text("reflection period")  # not stated
    expect(legal.locator("[data-rule=bank_secrecy_treaty]")).to_have_text(
        "Will be refused if measures is bank_records: bank records cross the border only under the "
        "Bank Secrecy Protocol (bank_secrecy_treaty)"
    )
    expect(legal.locator("[data-rule=no_dual_criminality_search]")).to_contain_text("Legal concern")
    local = sofia.locator("#request-local")
    expect(local).to_contain_text("Norland: D1 10:3")
    expect(local).to_contain_text("local (+02:00), offices open (08:00-16:00)")
    sofia.set_viewport_size({"width": 390, "height": 844})  # on a phone: nothing sticks out
    sticking_out = sofia.evaluate(
        """() => {
          const form = document.querySelector('#request-form').getBoundingClientRect();
          const out = [...document.querySelectorAll('#request-form select, #request-form input')]
            .filter(e => e.offsetParent && e.getBoundingClientRect().right > form.right + 1).map(e => e.id);
          const bar = document.querySelector('.topbar');
          return bar.scrollWidth > bar.clientWidth + 1 ? [...out, 'topbar'] : out;
        }"""
    )
    assert sticking_out == []
    sofia.set_viewport_size({"width": 1280, "height": 800})
    # The send refused by rule names it and leaves no request behind.
    sofia.locator("#request-subject").fill("Bank records of SeaCrew")
    fields = sofia.locator("#request-fields")
    fields.get_by_label("Facts").fill(FACTS)
    fields.locator("[data-field=measures]").get_by_label("Bank records").check()
    sofia.get_by_role("button", name="Send request").click()
    expect(sofia.locator("#request-error")).to_contain_text("refused by legal rule 'bank_secrecy_treaty'")
    expect(sofia.locator("#request-error")).to_contain_text("Norland")
    expect(sofia.locator("#outbox [data-request]")).to_have_count(0)


def test_the_console_shows_the_next_scheduled_jump_and_skips_it(people: People) -> None:
    console = people.open("Carl Controller")
    start_exercise(console)
    expect(console.locator("#next-jump-text")).to_have_text(
        "Next scheduled jump: D1 12:00 → D1 13:30 (lunch break)"
    )
    expect(console.locator("#local-times")).to_contain_text("NOR 10:3")
    observer = people.open("Otto Observer")
    expect(observer.locator("#local-times")).to_contain_text("NOR 10:3")
    expect(observer.locator("#local-times")).to_contain_text("SUD 08:3")
    console.get_by_role("button", name="Skip this jump").click()
    expect(console.locator("#next-jump-text")).to_have_text(
        "Next scheduled jump: D1 18:00 → D2 08:30 (overnight)"
    )


def test_the_scheduler_makes_the_jump_and_the_stations_say_why(people: People) -> None:
    console = people.open("Carl Controller")
    nils = people.open("Nils Berg")
    start_exercise(console)
    expect(nils.locator("#local-clock")).to_contain_text("Norland local time D1 10:3")
    console.get_by_label("Jump to").fill("D1 11:58")
    console.get_by_role("button", name="Jump", exact=True).click()
    console.get_by_label("Clock speed").fill("60")
    console.get_by_role("button", name="Set speed").click()
    banner = nils.locator("#clock-banner")
    expect(banner).to_contain_text("to D1 13:30 (lunch break)", timeout=15_000)
    expect(console.locator("#next-jump-text")).to_have_text(
        "Next scheduled jump: D1 18:00 → D2 08:30 (overnight)"
    )
    expect(console.locator("#log")).to_contain_text("scheduled: lunch break")


def test_an_agency_abroad_shows_its_own_clock(browser: Browser, web_server: ServerProcess) -> None:
    # Norland's police liaison officer works in Sudria, on Sudria's time, not Norland's +02:00.
    liaison = """
countries:
  - id: NOR
    time_offset: "+02:00"
    agencies:
      - {id: NOR.POL, name: Norland Police, type: police}
      - {id: NOR.PLO, name: Norland police liaison in Sudria, type: police, time_offset: "+00:00"}
      - {id: NOR.PROS, name: Norland Prosecution Service, type: prosecutor}
      - {id: NOR.SOC, name: Norland Social Services, type: social_services}
"""
    people = People(browser, web_server, web_server.create_exercise(scenario={"yaml": twin_text(liaison)}))
    try:
        console = people.open("Carl Controller")
        sara = people.open("Sara Costa")
        start_exercise(console)
        expect(console.locator("#local-times")).to_contain_text("NOR 10:3")
        expect(console.locator("#local-times")).to_contain_text("NOR.PLO 08:3")
        sara.get_by_role("button", name="New request").click()
        sara.locator("#request-to").select_option("NOR")
        sara.locator("#request-instrument").select_option("POLICE_MSG")
        local = sara.locator("#request-local")
        expect(local).to_contain_text("Norland: D1 10:3")
        sara.locator("#request-agency").select_option("NOR.PLO")
        expect(local).to_contain_text("Norland police liaison in Sudria: D1 08:3")
        expect(local).to_contain_text("local (+00:00)")
    finally:
        people.close()
    assert people.problems == [], people.problems
