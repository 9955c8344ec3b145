"""Evaluation in the browser (issue 13): an evaluator records an observation and it shows on the
scorecard; a participant answers a questionnaire and control sees the result; a participant's
page never shows observations."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.servers import ServerProcess, default_roster
from tests.web.conftest import People
from tests.web.test_pages import start_exercise

SECRET = "OBSERVATION-ONLY-9d2e"


def _with_evaluator(people_on: Callable[..., People], web_server: ServerProcess) -> People:
    return people_on(
        web_server, [*default_roster(), {"name": "Eva Evaluator", "team": None, "role": "evaluator"}]
    )


def record(page: Page, team: str, rating: str, text: str) -> None:
    page.locator("#observation-team").select_option(team)
    page.locator("#observation-objective").select_option("LO-ID")
    page.locator("#observation-rating").select_option(rating)
    page.locator("#observation-text").fill(text)
    page.get_by_role("button", name="Record observation").click()


def test_an_evaluator_records_an_observation_and_it_shows_on_the_scorecard(
    people_on: Callable[..., People], web_server: ServerProcess
) -> None:
    people = _with_evaluator(people_on, web_server)
    console = people.open("Carl Controller")
    eva = people.open("Eva Evaluator")
    mona = people.open("Mona Mentor")
    nils = people.open("Nils Berg")
    start_exercise(console)
    assert eva.url.endswith("/observer")
    record(eva, "NOR", "S", f"{SECRET}: indicators named, referral late")
    row = eva.locator("#scorecard tr[data-objective='LO-ID']")
    expect(row.locator("td[data-code='S']")).to_have_text("1")
    expect(row.locator(".latest")).to_have_text("Eva Evaluator: S")
    # A mentor's rating counts beside the evaluator's; an edit replaces the evaluator's own.
    record(mona, "NOR", "P", "Calm and precise")
    expect(eva.locator("#scorecard tr[data-objective='LO-ID'] td[data-code='P']")).to_have_text("1")
    mine = eva.locator("#observations li[data-id='O-1']")
    mine.get_by_role("button", name="Edit").click()
    eva.locator("#observation-rating").select_option("M")
    eva.get_by_role("button", name="Save O-1").click()
    expect(row.locator("td[data-code='M']")).to_have_text("1")
    expect(row.locator("td[data-code='S']")).to_have_text("0")
    expect(mine).to_contain_text("(edited)")
    # Only its author may edit or withdraw an observation.
    expect(mona.locator("#observations li[data-id='O-1'] button")).to_have_count(0)
    mine.get_by_role("button", name="Withdraw").click()
    expect(mine).to_have_class("observation withdrawn")
    expect(row.locator("td[data-code='M']")).to_have_text("0")
    # A reload starts from the snapshot: the same scorecard.
    eva.reload()
    expect(eva.locator("#scorecard tr[data-objective='LO-ID'] td[data-code='P']")).to_have_text("1")
    expect(eva.locator("#observations li[data-id='O-2']")).to_contain_text("Calm and precise")
    # The participant's page shows none of it, live or after a reload.
    expect(nils.locator("#evaluator-panel")).to_have_count(0)
    assert SECRET not in nils.content()
    nils.reload()
    expect(nils.locator("#connection")).to_have_attribute("data-state", "live")
    assert SECRET not in nils.content() and "Calm and precise" not in nils.content()


def test_a_participant_answers_a_questionnaire_and_control_sees_the_result(people: People) -> None:
    console = people.open("Carl Controller")
    nils = people.open("Nils Berg")
    nora = people.open("Nora Lind")
    start_exercise(console)
    expect(nils.locator("#questionnaire-station")).to_be_hidden()
    panel = console.locator("#questionnaire-panel")
    panel.locator("li[data-id='Q-DAY']").get_by_role("button", name="Open").click()
    expect(panel.locator("li[data-id='Q-DAY'] .tag")).to_have_text("open · round 1")
    form = nils.locator("form[data-questionnaire='Q-DAY']")
    expect(form).to_be_visible()
    form.locator("fieldset[data-question='clarity'] label", has_text="4").click()
    form.locator("select").select_option("Waiting")
    form.locator("textarea").fill("More time for the MLA")
    form.get_by_role("button", name="Send answers").click()
    expect(form.locator(".sent")).to_contain_text("Thank you")
    other = nora.locator("form[data-questionnaire='Q-DAY']")
    other.locator("fieldset[data-question='clarity'] label", has_text="2").click()
    other.get_by_role("button", name="Send answers").click()
    expect(other.locator(".sent")).to_be_visible()
    results = panel.locator("li[data-id='Q-DAY'] details[data-round='1']")
    expect(results.locator("summary")).to_have_text("Round 1: 2 answers")
    expect(results.locator("dd[data-question='clarity']")).to_contain_text("4: 1")
    expect(results.locator("dd[data-question='clarity']")).to_contain_text("mean 3")
    expect(results.locator("dd[data-question='blocker']")).to_contain_text("Waiting: 1")
    expect(results.locator("dd[data-question='note']")).to_contain_text("More time for the MLA")
    # Answering again replaces the first answer.
    form.locator("fieldset[data-question='clarity'] label", has_text="5").click()
    form.get_by_role("button", name="Send again").click()
    expect(results.locator("dd[data-question='clarity']")).to_contain_text("mean 3.5")
    expect(results.locator("summary")).to_have_text("Round 1: 2 answers")
    # Closing takes the form away from the stations; nobody sees another's answers.
    panel.locator("li[data-id='Q-DAY']").get_by_role("button", name="Close").click()
    expect(nils.locator("#questionnaire-station")).to_be_hidden()
    assert "More time for the MLA" not in nora.content()


def test_an_anonymous_answer_is_sent_once_and_names_nobody(people: People) -> None:
    console = people.open("Dana Director")
    nils = people.open("Nils Berg")
    start_exercise(console)
    panel = console.locator("#questionnaire-panel")
    panel.locator("li[data-id='Q-END']").get_by_role("button", name="Open").click()
    form = nils.locator("form[data-questionnaire='Q-END']")
    expect(form).to_contain_text("Anonymous")
    form.locator("fieldset[data-question='realism'] label", has_text="3").click()
    form.locator("textarea").fill("Shorter injects")
    form.get_by_role("button", name="Send answers").click()
    expect(form.locator(".sent")).to_be_visible()
    expect(form.get_by_role("button")).to_have_count(0)
    nils.reload()  # the browser remembers it sent its answers
    expect(nils.locator("form[data-questionnaire='Q-END'] .sent")).to_be_visible()
    results = panel.locator("li[data-id='Q-END'] details[data-round='1']")
    expect(results.locator("dd[data-question='change']")).to_contain_text("Shorter injects")
    expect(results.locator("summary")).to_have_text("Round 1: 1 answer")


def test_control_records_the_improvement_plan(people: People) -> None:
    console = people.open("Dana Director")
    start_exercise(console)
    panel = console.locator("#questionnaire-panel")
    panel.locator("#improvement-text").fill("Practise the EIO form before the course")
    panel.locator("#improvement-owner").fill("National academy")
    panel.locator("#improvement-due").fill("2027-03-31")
    panel.locator("#improvement-team").select_option("NOR")
    panel.get_by_role("button", name="Add to the plan").click()
    item = panel.locator("#improvement-list li[data-id='IP-1']")
    expect(item).to_contain_text("Practise the EIO form")
    expect(item).to_contain_text("Owner: National academy · due 2027-03-31 · ")
    panel.locator("#improvement-text").fill("Another one")
    panel.locator("#improvement-owner").fill("Somebody")
    panel.locator("#improvement-due").fill("")
    panel.get_by_role("button", name="Add to the plan").click()
    expect(panel.locator("#improvement-error")).to_contain_text("due: expected a date as YYYY-MM-DD")
    item.get_by_role("button", name="Withdraw").click()
    expect(panel.locator("#improvement-list li")).to_have_count(0)
