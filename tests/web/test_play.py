"""Play in the browser: injects, requests between countries, SimCell, the MSEL and the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.servers import ServerProcess, default_roster
from tests.web.conftest import People
from tests.web.test_pages import HOSTILE, start_exercise

ROOT = Path(__file__).resolve().parents[2]

QUESTION = "What do you know about SeaCrew Agency and a deckhand called Erik?"
FACTS = (
    "Erik N. (19) ran off the trawler Kittiwake in Sudhavn. He was recruited by SeaCrew Agency in"
    " Norland, which took his passport and charged a travel debt. We need its director heard."
)


def test_a_participant_opens_and_acknowledges_an_inject(people: People) -> None:
    console = people.open("Carl Controller")
    nils = people.open("Nils Berg")
    start_exercise(console)
    inject = nils.locator("#injects [data-inject='T-01']")
    expect(inject).to_have_attribute("data-state", "unread")
    expect(inject.locator(".inject-meta")).to_contain_text("Exercise control")
    expect(inject.locator(".inject-meta")).to_contain_text("D1 08:30")
    inject.locator("summary").click()
    expect(inject).to_have_attribute("data-state", "opened")
    expect(inject.locator(".inject-body")).to_contain_text("Welcome to Twin Ports")
    nils.get_by_role("button", name="Acknowledge STARTEX pack").click()
    expect(nils.locator("#injects [data-inject='T-01']")).to_have_attribute("data-state", "acknowledged")
    row = console.locator("#msel tr[data-inject='T-01']")
    expect(row.locator(".acks")).to_contain_text("1 of 6")


def send_police_message(sara: Page, question: str = QUESTION) -> None:
    sara.get_by_role("button", name="New request").click()
    sara.locator("#request-to").select_option("NOR")
    sara.locator("#request-instrument").select_option("POLICE_MSG")
    sara.locator("#request-subject").fill("SeaCrew Agency and Erik")
    sara.get_by_label("question").fill(question)
    sara.get_by_role("button", name="Send request").click()
    expect(sara.locator("#outbox [data-request]")).to_have_count(1)


def test_a_request_goes_to_the_other_country_and_its_answer_comes_back(people: People) -> None:
    console = people.open("Carl Controller")
    observer = people.open("Otto Observer")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    send_police_message(sara)
    outgoing = sara.locator("#outbox [data-request]")
    expect(outgoing).to_have_attribute("data-status", "sent")
    expect(outgoing.locator(".countdown")).to_contain_text("due in")
    expect(outgoing.locator(".legal")).to_have_text("Legal deadline: none")
    # The observer sees the arrow Sudria → Norland at once.
    arrow = observer.locator("#map .arrow[data-from=SUD][data-to=NOR]")
    expect(arrow).to_have_attribute("data-state", "open")
    expect(arrow.locator(".arrow-label")).to_have_text("1 \u00d7 POLICE_MSG")
    expect(observer.locator("#request-list [data-request]")).to_contain_text("on time")
    # Norland receives it with its form, acknowledges and answers.
    incoming = nils.locator("#inbox [data-request]")
    expect(incoming).to_have_count(1)
    incoming.locator("summary").click()
    expect(incoming.locator(".form-values")).to_contain_text(QUESTION)
    nils.get_by_role("button", name="Acknowledge receipt").click()
    expect(sara.locator("#outbox [data-request]")).to_have_attribute("data-status", "acknowledged")
    nils.get_by_label("Answer, question or reason").fill("SeaCrew is known to us: two complaints in 2025.")
    nils.get_by_role("button", name="Answer in full").click()
    answered = sara.locator("#outbox [data-request]")
    expect(answered).to_have_attribute("data-status", "answered")
    answered.locator("summary").click()
    expect(answered.locator(".answer")).to_contain_text("two complaints in 2025")
    expect(arrow).to_have_attribute("data-state", "closed")


def test_control_holds_retimes_and_releases_an_inject_and_the_station_sees_it(people: People) -> None:
    console = people.open("Carl Controller")
    sara = people.open("Sara Costa")
    row = console.locator("#msel tr[data-inject='T-02']")
    expect(row).to_have_attribute("data-status", "planned")
    expect(row.locator("th")).to_contain_text("to Sudria Police investigators, Sudria Social workers")
    console.get_by_role("button", name="Mark ready").click()  # the MSEL can change from "ready" on
    console.get_by_role("button", name="Hold T-02").click()
    expect(row).to_have_attribute("data-status", "held")
    console.get_by_role("button", name="Change T-02").click()
    console.get_by_label("New time").fill("D1 09:30")
    console.get_by_role("button", name="Re-time").click()
    expect(row.locator("td.mono")).to_have_text("D1 09:30")
    console.locator("#title-T-02").fill("Harbour master calls about a runaway deckhand")
    console.get_by_role("button", name="Save text").click()
    expect(row.locator(".msel-title")).to_have_text("Harbour master calls about a runaway deckhand")
    console.get_by_role("button", name="Start", exact=True).click()
    expect(sara.locator("#injects [data-inject='T-01']")).to_have_count(1)
    expect(sara.locator("#injects [data-inject='T-02']")).to_have_count(0)
    console.get_by_role("button", name="Release now T-02").click()
    expect(row).to_have_attribute("data-status", "released")
    inject = sara.locator("#injects [data-inject='T-02']")
    expect(inject.locator(".inject-title")).to_have_text("Harbour master calls about a runaway deckhand")
    expect(row.locator(".acks")).to_have_text("0 of 2")  # SUD police and social worker


def test_simcell_confirms_the_scenarios_proposal(people_on: Any, web_server: ServerProcess) -> None:
    roster = [r for r in default_roster() if r["team"] != "NOR"]
    people = people_on(web_server, roster=roster)
    simcell = people.open("Sim Cell")
    console = people.open("Carl Controller")
    sofia = people.open("Sofia Reyes")
    start_exercise(console)
    sofia.get_by_role("button", name="New request").click()
    sofia.locator("#request-to").select_option("NOR")
    sofia.locator("#request-instrument").select_option("MLA")
    sofia.locator("#request-subject").fill("Hearing of SeaCrew's director")
    sofia.get_by_label("facts").fill(FACTS)
    sofia.locator("#request-fields").get_by_label("bank records").check()
    sofia.get_by_role("button", name="Send request").click()
    item = simcell.locator("#simcell [data-request]")
    expect(item).to_have_count(1)
    expect(item.locator(".proposal")).to_contain_text("SeaCrew's director was heard")
    item.get_by_role("button", name="Confirm proposal").click()
    expect(sofia.locator("#outbox [data-request]")).to_have_attribute("data-status", "answered")
    expect(simcell.locator("#simcell-empty")).to_be_visible()


def test_hostile_strings_in_request_fields_render_as_text(people: People) -> None:
    console = people.open("Carl Controller")
    observer = people.open("Otto Observer")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    send_police_message(sara, HOSTILE + " and more text to reach twenty")
    incoming = nils.locator("#inbox [data-request]")
    incoming.locator("summary").click()
    expect(incoming.locator(".form-values dd").first).to_have_text(HOSTILE + " and more text to reach twenty")
    nils.get_by_label("Answer, question or reason").fill(HOSTILE)
    nils.get_by_role("button", name="Ask for clarification").click()
    expect(sara.locator("#outbox [data-request]")).to_have_attribute("data-status", "clarification_requested")
    sara.locator("#outbox [data-request] summary").click()
    expect(sara.locator("#outbox .history-note")).to_have_text([HOSTILE])
    nils.get_by_label("Message to exercise control").fill(HOSTILE)
    nils.get_by_role("button", name="Post to control").click()
    expect(console.locator("#control-messages .text")).to_have_text([HOSTILE])
    expect(observer.locator("#timeline .entry-detail").filter(has_text=HOSTILE)).to_have_count(2)
    for page in (console, nils, sara, observer):
        assert page.locator("img").count() == 0
    assert people.dialogs == []


def test_both_countries_see_who_of_the_other_acted_on_a_request(people: People) -> None:
    # Issue 11, item 1: the other country's people showed as "Exercise control" in the history.
    console = people.open("Carl Controller")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    send_police_message(sara)
    incoming = nils.locator("#inbox [data-request]")
    incoming.locator("summary").click()
    expect(incoming.locator(".history")).to_contain_text("Sent · Sara Costa (Sudria Police)")
    nils.get_by_role("button", name="Acknowledge receipt").click()
    nils.get_by_label("Answer, question or reason").fill("Which deckhand? We have two called Erik.")
    nils.get_by_role("button", name="Ask for clarification").click()
    outgoing = sara.locator("#outbox [data-request]")
    expect(outgoing).to_have_attribute("data-status", "clarification_requested")
    outgoing.locator("summary").click()
    history = outgoing.locator(".history")
    expect(history).to_contain_text("Acknowledged · Nils Berg (Norland Police)")
    expect(history).to_contain_text("Clarification asked · Nils Berg (Norland Police)")
    expect(history).not_to_contain_text("Exercise control")
    sara.get_by_label("Your clarification").fill("Erik N., 19, off the trawler Kittiwake.")
    sara.get_by_role("button", name="Send clarification").click()
    expect(incoming.locator(".history")).to_contain_text("Clarified · Sara Costa (Sudria Police)")
    nils.get_by_label("Answer, question or reason").fill("He is known to us.")
    nils.get_by_role("button", name="Answer in full").click()
    expect(history).to_contain_text("Answered · Nils Berg (Norland Police)")
    sara.reload()  # from a snapshot: the same names
    outgoing = sara.locator("#outbox [data-request]")
    outgoing.locator("summary").click()
    expect(outgoing.locator(".history")).to_contain_text("Answered · Nils Berg (Norland Police)")
    expect(outgoing.locator(".history")).not_to_contain_text("Exercise control")


def test_a_form_offers_the_requesting_country_s_own_authorities(people: People) -> None:
    # Issue 11, item 2: the MLA's "requesting authority" listed the receiving country's bodies.
    console = people.open("Carl Controller")
    sofia, nora = people.open("Sofia Reyes"), people.open("Nora Lind")
    start_exercise(console)
    sofia.get_by_role("button", name="New request").click()
    sofia.locator("#request-to").select_option("NOR")
    sofia.locator("#request-instrument").select_option("MLA")
    authority = sofia.get_by_label("Requesting authority")
    expect(authority.locator("option")).to_have_text(["Choose…", "Sudria Prosecutor's Office"])
    sofia.locator("#request-subject").fill("Hearing of SeaCrew's director")
    sofia.get_by_label("facts").fill(FACTS)
    sofia.locator("#request-fields").get_by_label("bank records").check()
    authority.select_option("SUD.PROS")
    sofia.get_by_role("button", name="Send request").click()
    incoming = nora.locator("#inbox [data-request]")
    incoming.locator("summary").click()
    expect(incoming.locator(".form-values")).to_contain_text("Requesting authoritySudria Prosecutor's Office")


STAND_IN = """  - id: T-07
    title: "Norland Police answer (scripted)"
    trigger: {request: {instrument: POLICE_MSG, from: SUD, to: NOR, state: sent}}
    delay: PT15M
    stand_in_for: NOR
    channel: auto
    from: Norland Police
    to: "SUD: police"
    body: "SeaCrew Agency is known to us."
"""


@pytest.fixture
def stand_in_people(browser: Browser, web_server: ServerProcess) -> Iterator[People]:
    """Twin Ports with T-07, the Norland police's scripted answer to a police message."""
    yaml = (ROOT / "scenarios" / "twin-ports" / "scenario.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("responses:\n", STAND_IN + "responses:\n", 1)
    people = People(browser, web_server, web_server.create_exercise(scenario={"yaml": yaml}))
    yield people
    people.close()
    assert people.problems == [], people.problems


def test_control_sees_a_pending_stand_in_for_a_played_team_and_cancels_it(stand_in_people: People) -> None:
    # Issue 11, item 3: a scripted answer for a team must not fire while people play that team.
    people = stand_in_people
    console = people.open("Carl Controller")
    sara = people.open("Sara Costa")
    start_exercise(console)
    row = console.locator("#msel tr[data-inject='T-07']")
    expect(row.locator(".stand-in")).to_contain_text("Stands in for Norland's answer")
    send_police_message(sara)
    expect(row.locator(".stand-in")).to_contain_text("unless Norland answers R-1 (skip to cancel)")
    console.get_by_role("button", name="Skip T-07").click()
    expect(row).to_have_attribute("data-status", "skipped")
    expect(row.locator(".stand-in")).to_have_count(0)


def test_a_stand_in_released_by_control_answers_the_request_for_the_team(stand_in_people: People) -> None:
    # A live check: the scripted reply went to Sudria while Norland's request stayed open, to be
    # answered a second time. Now its release answers the request, and both sides see by whom.
    people = stand_in_people
    console = people.open("Carl Controller")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    send_police_message(sara)
    console.get_by_role("button", name="Release now T-07").click()
    incoming = nils.locator("#inbox [data-request]")
    expect(incoming).to_have_attribute("data-status", "answered")
    incoming.locator("summary").click()
    expect(incoming.locator(".history")).to_contain_text(
        "Answered · Norland Police (scripted by exercise control)"
    )
    expect(incoming.locator(".answer")).to_contain_text("SeaCrew Agency is known to us.")
    outgoing = sara.locator("#outbox [data-request]")
    expect(outgoing).to_have_attribute("data-status", "answered")


TIP_OFF = """  - id: T-08
    title: "SeaCrew takes its advert down"
    trigger: manual
    channel: media
    from: Norland Police cyber unit
    to: "NOR: police"
    body: "SeaCrew's advert went offline this morning."
    effects:
      - {artefact: A-NOR-AD, state: destroyed, note: "Only the screenshot in the file remains."}
"""


def test_a_tip_off_destroys_an_item_in_the_case_file_of_its_holders_only(
    browser: Browser, web_server: ServerProcess
) -> None:
    # Issue 12, item 8: an inject changes an artefact; its holders see the new state at once.
    yaml = (ROOT / "scenarios" / "twin-ports" / "scenario.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("responses:\n", TIP_OFF + "responses:\n", 1)
    people = People(browser, web_server, web_server.create_exercise(scenario={"yaml": yaml}))
    try:
        console = people.open("Carl Controller")
        nils = people.open("Nils Berg")
        sara = people.open("Sara Costa")
        start_exercise(console)
        advert = nils.locator("#casefile [data-artefact='A-NOR-AD']")
        expect(advert).to_have_count(1)
        expect(advert.locator(".artefact-condition")).to_have_count(0)
        console.get_by_role("button", name="Release now T-08").click()
        expect(advert.locator(".artefact-condition")).to_contain_text("Destroyed at D1")
        expect(advert.locator(".artefact-condition")).to_contain_text(
            "Only the screenshot in the file remains."
        )
        expect(sara.locator("#casefile [data-artefact='A-NOR-AD']")).to_have_count(0)
        nils.reload()  # the same from the welcome's snapshot
        expect(nils.locator("#casefile [data-artefact='A-NOR-AD'] .artefact-condition")).to_contain_text(
            "Destroyed"
        )
    finally:
        people.close()
    assert people.problems == [], people.problems
