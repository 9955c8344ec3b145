"""The evaluation scorecard shows the scenario's computed metrics per team beside the ratings
(issue 13: "a per-team scorecard combines ratings and computed metrics"), from the report's JSON
with the staff session, and computes them again on "Refresh metrics"."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.servers import ServerProcess
from tests.e2e.wire import Wire
from tests.web.conftest import People
from tests.web.test_evaluation import _with_evaluator, record
from tests.web.test_history import run_async
from tests.web.test_pages import start_exercise


def test_the_scorecard_shows_the_computed_metrics_of_the_team_beside_its_ratings(
    people_on: Callable[..., People], web_server: ServerProcess
) -> None:
    people = _with_evaluator(people_on, web_server)
    console = people.open("Carl Controller")
    eva = people.open("Eva Evaluator")
    start_exercise(console)
    record(eva, "NOR", "S", "indicators named, referral late")
    row = eva.locator("#scorecard tr[data-objective='LO-ID']")
    expect(row.locator("td[data-code='S']")).to_have_text("1")
    expect(row.locator(".computed")).to_contain_text("Time to the first NRM referral: never")

    async def refer() -> None:  # Norland's social worker refers the presumed victim
        ola = await Wire.join(web_server.ws_url, people.code("Ola Strand"))
        await ola.ok("action.take", action="refer_nrm", subject="Erik")
        await ola.close()

    run_async(refer)
    eva.locator("#scorecard-refresh").click()
    expect(row.locator(".computed")).not_to_contain_text("never")
    expect(row.locator(".computed")).to_contain_text("Time to the first NRM referral: ")
    eva.locator("#scorecard-team").select_option("SUD")  # another team: its own figures
    expect(eva.locator("#scorecard tr[data-objective='LO-ID'] .computed")).to_contain_text("never")
