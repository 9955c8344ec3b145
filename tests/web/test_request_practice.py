"""Requests as practitioners use them, on the station (issue 12, item 5): each deadline of a
request with its state, an amendment after a clarification with its history (old → new) on both
sides, consent to onward use, and a field the composer marks required once another holds a value.

The server plays twin-ports with its police message given an acknowledgement deadline and an
answer deadline of the next morning, consent from either side, and a reason required if urgent.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.adapters.redis_server import RedisProcess
from tests.e2e.servers import ServerProcess
from tests.web.conftest import People
from tests.web.test_pages import start_exercise
from tests.web.test_play import QUESTION, send_police_message

SCENARIOS = Path(__file__).parents[2] / "scenarios"


@pytest.fixture(scope="module")
def practice_server(
    redis_process: RedisProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("scenarios")
    shutil.copytree(SCENARIOS / "twin-ports", folder / "twin-ports")
    file = folder / "twin-ports" / "scenario.yaml"
    text = file.read_text(encoding="utf-8")
    for old, new in (
        (
            '      - {stage: answered, legal: "none", game: PT1H, urgent: PT20M}\n',
            '      - {stage: acknowledged, legal: "promptly", game: PT30M}\n'
            '      - {stage: answered, legal: "none", game: next_morning}\n',
        ),
        (
            "      - {key: urgent, type: bool, required: false}\n",
            "      - {key: urgent, type: bool, required: false}\n"
            "      - {key: why_urgent, type: text, required_if: {field: urgent, in: [true]}}\n",
        ),
        ("    output: intelligence\n", "    output: intelligence\n    consent: {granted_by: both}\n"),
    ):
        assert text.count(old) >= 1
        text = text.replace(old, new, 1)
    file.write_text(text, encoding="utf-8")
    server = ServerProcess(
        redis_process.url, tmp_path_factory.mktemp("practice-server"), "practice", scenarios_dir=str(folder)
    ).start()
    yield server
    server.stop()


@pytest.fixture
def people(people_on: Callable[[ServerProcess], People], practice_server: ServerProcess) -> People:
    return people_on(practice_server)


def test_each_deadline_shows_its_state_and_an_amendment_its_history(people: People) -> None:
    console = people.open("Carl Controller")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    send_police_message(sara)
    outgoing = sara.locator("#outbox [data-request]")
    outgoing.locator("summary").click()
    stages = outgoing.locator(".stage-deadline")
    expect(stages).to_have_count(2)
    expect(stages.nth(0)).to_have_attribute("data-state", "running")
    expect(stages.nth(0)).to_contain_text("Acknowledged: due D1")
    expect(outgoing.locator(".countdown")).to_contain_text("Acknowledged due in")
    expect(stages.nth(1)).to_contain_text("Answered: due D2 09:30")  # the 08:30 morning's first hour

    incoming = nils.locator("#inbox [data-request]")
    incoming.locator("summary").click()
    nils.get_by_role("button", name="Acknowledge receipt").click()
    expect(stages.nth(0)).to_have_attribute("data-state", "met")
    expect(stages.nth(0)).to_contain_text("met D1")
    expect(outgoing.locator(".countdown")).to_contain_text("Answered due in")  # the next one not met
    expect(stages.nth(1)).to_have_attribute("data-state", "running")

    nils.get_by_label("Answer, question or reason").fill("Which Erik? Give his surname.")
    nils.get_by_role("button", name="Ask for clarification").click()
    expect(outgoing).to_have_attribute("data-status", "clarification_requested")
    amended = QUESTION + " Erik's surname is Holm, born 2006."
    sara.get_by_label("Amend the request: field").select_option("question")
    sara.get_by_label("New value").fill(amended)
    sara.get_by_label("Note on the amendment").fill("Surname added")
    sara.get_by_role("button", name="Amend and send").click()
    expect(outgoing).to_have_attribute("data-status", "acknowledged")  # the loop closes

    for card in (outgoing, incoming):
        change = card.locator(".amendment-change")
        expect(change).to_have_count(1)
        expect(change.locator("del")).to_have_text(QUESTION)
        expect(change.locator("ins")).to_have_text(amended)
        expect(card.locator(".amendment-note")).to_have_text("Surname added")
        expect(card.locator(".amendment-who")).to_contain_text("Sara Costa")
        expect(card.locator("[data-field=question] dd")).to_have_text(amended)
    nils.reload()  # the same history from a snapshot
    expect(nils.locator("#connection")).to_have_attribute("data-state", "live")
    again = nils.locator("#inbox [data-request]")
    again.locator("summary").click()
    expect(again.locator(".amendment-change ins")).to_have_text(amended)


def test_consent_to_onward_use_is_granted_and_shown_to_both(people: People) -> None:
    console = people.open("Carl Controller")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    send_police_message(sara)
    incoming = nils.locator("#inbox [data-request]")
    incoming.locator("summary").click()
    nils.get_by_role("button", name="Grant consent to onward use").click()
    expect(incoming.locator(".consent-tag")).to_contain_text(
        "Consent by the receiver: use as evidence, passing on"
    )
    outgoing = sara.locator("#outbox [data-request]")
    outgoing.locator("summary").click()
    expect(outgoing.locator(".consent-tag")).to_contain_text("Consent by the receiver")
    expect(incoming.get_by_role("button", name="Grant consent to onward use")).to_have_count(0)


def test_the_composer_marks_a_conditional_field_required_while_its_condition_holds(people: People) -> None:
    console = people.open("Carl Controller")
    sara = people.open("Sara Costa")
    start_exercise(console)
    sara.get_by_role("button", name="New request").click()
    sara.locator("#request-to").select_option("NOR")
    sara.locator("#request-instrument").select_option("POLICE_MSG")
    why = sara.locator("#request-fields [data-field=why_urgent]")
    expect(why).to_have_attribute("data-required", "false")
    expect(why.locator(".field-hint")).to_have_text("(required if Urgent is ticked)")
    sara.locator("#request-fields [data-key=urgent]").check()
    expect(why).to_have_attribute("data-required", "true")
    expect(why.locator(".field-hint")).to_have_text("(required now: Urgent is ticked)")
    sara.locator("#request-subject").fill("SeaCrew Agency")
    sara.get_by_label("question").fill(QUESTION)
    sara.get_by_role("button", name="Send request").click()
    expect(why).to_have_class(re.compile(r"\binvalid\b"))
    expect(why.locator(".field-error")).to_contain_text("because urgent is true")
    sara.locator("#request-fields [data-key=urgent]").uncheck()
    expect(why).to_have_attribute("data-required", "false")
    sara.get_by_role("button", name="Send request").click()
    expect(sara.locator("#outbox [data-request]")).to_have_count(1)
