"""The debrief's analyses on a short play of the flagship that does what the cohorts' scripts
do not: acknowledging injects, asking for clarification, refusing, withdrawing a draft and
passing an item on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from loadtest.playbook import Step, fill_form
from server.core import commands as c
from server.core.debrief import Debrief, analyse
from server.core.debrief.metrics import COHORT, compute_metrics, target_text
from server.core.debrief.played import Channel
from server.core.debrief.request_stats import legal_limit
from server.core.scenario import Happening, HappeningKind, Metric, MetricKind
from server.core.simtime import parse_sim_time
from tests.core.debrief.cohorts import entries, played
from tests.core.test_playthrough import Cohort, flagship


def draft(team: str, instrument: str, to: str, at: str) -> Step:
    spec = flagship().instrument(instrument)
    assert spec is not None
    args = {
        "instrument": instrument,
        "to": to,
        "subject": f"{instrument} to {to}",
        "fields": fill_form(spec, "Details of the GreenSun case"),
    }
    return Step(at, team, "police", "request.draft", args)


SCRIPT = [
    Step("D1 08:40", "WES", "police", "inject.acknowledge", {"inject": "I-01"}),
    Step("D1 10:00", "KAL", "police", "inject.acknowledge", {"inject": "I-01"}),  # 1h30 after
    draft("WES", "SIENA", "KAL", "D1 09:00"),
    Step(
        "D1 09:10", "KAL", "police", "request.ask_clarification", {"request": "R-1", "text": "Which number?"}
    ),
    draft("WES", "INTERPOL_MSG", "VAR", "D1 09:20"),
    Step("D1 09:25", "VAR", "police", "request.refuse", {"request": "R-2", "ground": "other", "text": "No."}),
    Step("D1 09:30", "VAR", "ngo_worker", "artefact.share", {"artefact": "A-VAR-NGO-CALLS", "to": "WES"}),
]


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    played_ = played(sorted(SCRIPT, key=lambda step: parse_sim_time(step.at)))
    wes = played_.member("WES", "police")
    drafted = played_.send(
        "request.draft",
        {
            "instrument": "SIENA",
            "to": "KAL",
            "subject": "A draft",
            "fields": fill_form(flagship().instrument("SIENA"), "x" * 40),
        },  # type: ignore[arg-type]
        wes,
    )
    played_.run.do(c.WithdrawRequest(drafted[0].request), wes)  # type: ignore[attr-defined]
    return played_


@pytest.fixture(scope="module")
def debrief(cohort: Cohort) -> Debrief:
    return analyse(entries(cohort))


def test_requests_count_clarifications_refusals_and_withdrawn_drafts(debrief: Debrief) -> None:
    rows = {r.id: r for r in debrief.requests.rows}
    siena, interpol = rows["R-1"], rows["R-2"]
    assert siena.clarifications == 1
    assert siena.sent == parse_sim_time("D1 09:00")
    assert siena.to_acknowledge == 10 * 60  # the question counts as the first sign of life
    assert (interpol.status, interpol.ground, interpol.to_answer) == ("refused", "other", 5 * 60)
    cohort = debrief.requests.cohort
    assert (cohort.drafted, cohort.sent, cohort.refused, cohort.withdrawn_drafts) == (3, 2, 1, 1)
    assert cohort.clarification_rounds == 1
    assert cohort.refusals == (("other", 1),)
    assert debrief.requests.pair("WES", "VAR") is not None
    assert debrief.requests.pair("VAR", "WES") is None


def test_a_shared_item_reaches_the_other_team_by_share(debrief: Debrief) -> None:
    calls = debrief.diffusion.first("A-VAR-NGO-CALLS", "WES")
    assert calls is not None
    assert (calls.channel, calls.source, calls.lag) == (Channel.SHARE, "VAR", 60 * 60)  # STARTEX 08:30


def test_the_share_of_injects_acknowledged_in_time(cohort: Cohort, debrief: Debrief) -> None:
    metric = Metric("M-ACK", "I-01 read", MetricKind.INJECTS_ACKNOWLEDGED, within=30 * 60, target=1.0,
                    of=(Happening(HappeningKind.INJECT, "I-01"),))  # fmt: skip
    scenario = replace(flagship(), metrics=(metric,))
    state = replace(debrief.played.state, scenario=scenario)
    (report,) = compute_metrics(replace(debrief.played, state=state), debrief.diffusion)
    assert (report.of("WES").value, report.of("WES").met) == (1.0, True)
    assert (report.of("KAL").value, report.of("KAL").met) == (0.0, False)  # acknowledged after 1h20
    assert report.of("VAR").text == "0% (0 of 1)"
    assert report.of(COHORT).value == 1.0
    assert report.target == "at least 100%"


@pytest.mark.parametrize(
    ("text", "urgent", "seconds"),
    [
        ("8 hours (urgent); 7 days", True, 8 * 3600),
        ("8 hours (urgent); 7 days", False, 7 * 86400),
        ("2 working days (urgent); 25 working days", False, 25 * 86400),
        ("1 week (Annex B)", False, 7 * 86400),
        ("none", False, None),
        ("promptly (no fixed limit)", True, None),
    ],
)
def test_legal_deadlines_are_read_from_the_instruments_text(
    text: str, urgent: bool, seconds: int | None
) -> None:
    assert legal_limit(text, urgent) == seconds


def test_targets_read_as_people_say_them() -> None:
    assert (
        target_text(Metric("M", "m", MetricKind.TIME_TO_ACTION, action="a", target=7200)) == "within 2h 00m"
    )
    assert target_text(Metric("M", "m", MetricKind.INJECT_FIRED, inject="i", target=0)) == "must not fire"
    assert target_text(
        Metric("M", "m", MetricKind.REQUEST_BY, instrument="EIO", by=parse_sim_time("D2 12:00"))
    ) == ("yes by D2 12:00")
    assert target_text(Metric("M", "m", MetricKind.ACTION_COUNT, action="a")) == "no target"
