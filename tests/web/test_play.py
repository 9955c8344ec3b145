"""Play in the browser: injects, requests between countries, SimCell, the MSEL and the map."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import People
from tests.web.test_pages import start_exercise

QUESTION = "What do you know about SeaCrew Agency and a deckhand called Erik?"


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
    sara.get_by_label("To", exact=True).select_option("NOR")
    sara.get_by_label("Instrument").select_option("POLICE_MSG")
    sara.get_by_label("question").fill(question)
    sara.get_by_role("button", name="Send request").click()
    expect(sara.locator("#outbox [data-request]")).to_have_count(1)
