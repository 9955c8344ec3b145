"""Acceptance: the debrief of the flagship tells a strong cohort from a passive one, in the
direction the scenario's objectives expect (issue 13).

The strong cohort makes the 16 requests of DOMAIN.md §6.5 in time and protects the victims
and the assets; the passive one asks and decides nothing (`loadtest.playbook`). Their metrics,
request analytics and knowledge diffusion are computed from their logs and compared figure by
figure.
"""

from __future__ import annotations

import pytest

from server.core.debrief import Debrief
from server.core.debrief.diffusion import key_question
from server.core.debrief.metrics import COHORT
from server.core.debrief.played import Channel
from server.core.simtime import format_sim_time, parse_sim_time
from tests.core.debrief.cohorts import passive_debrief, strong_debrief

HOUR = 3600


@pytest.fixture(scope="module")
def strong() -> Debrief:
    return strong_debrief()


@pytest.fixture(scope="module")
def passive() -> Debrief:
    return passive_debrief()


def metric(debrief: Debrief, metric_id: str, team: str) -> tuple[float | None, bool | None]:
    report = next(m for m in debrief.metrics if m.metric.id == metric_id)
    result = report.of(team)
    return result.value, result.met


def test_every_metric_of_the_flagship_is_tied_to_an_objective(strong: Debrief) -> None:
    by_metric = {m.metric.id: m.objectives for m in strong.metrics}
    assert len(by_metric) == 28
    assert all(by_metric.values()), [m for m, o in by_metric.items() if not o]
    assert by_metric["M-GUARDIAN-FIRST"] == ("LO-CH",)


def test_the_metrics_of_a_strong_cohort_meet_the_targets_a_passive_one_misses(
    strong: Debrief, passive: Debrief
) -> None:
    # Ion referred at D1 10:40 (STARTEX 08:30): within the 3 hours, before Andrei collects him.
    assert metric(strong, "M-NRM-TIME", "WES") == (2 * HOUR + 10 * 60, True)
    assert metric(passive, "M-NRM-TIME", "WES") == (None, False)
    assert metric(strong, "M-NRM-BEFORE-LOSS", "WES") == (1, True)
    assert metric(passive, "M-NRM-BEFORE-LOSS", "WES") == (0, False)
    assert metric(strong, "M-WITNESS-LOST", "WES") == (0, True)
    assert metric(passive, "M-WITNESS-LOST", "WES") == (1, False)
    # Daria: a guardian at D1 14:15, placed five minutes later; never, and she absconds.
    assert metric(strong, "M-GUARDIAN", "KAL") == (5 * HOUR + 45 * 60, True)
    assert metric(strong, "M-GUARDIAN-FIRST", "KAL") == (1, True)
    assert metric(strong, "M-CHILD-SAFEGUARDS", "KAL") == (5 * 60, True)
    assert metric(passive, "M-GUARDIAN", "KAL") == (None, False)
    assert metric(passive, "M-CHILD-SAFEGUARDS", "KAL") == (None, False)
    assert metric(passive, "M-ABSCOND", "KAL") == (1, False)
    # The money: Egmont at D1 15:30, the freezing certificate at D2 18:00 (before D3 10:30).
    assert metric(strong, "M-FIU-FIRST", "WES") == (7 * HOUR, True)
    assert metric(strong, "M-FREEZE-BY", "WES") == (1, True)
    assert metric(strong, "M-FIN-SPAN", "WES") == (26 * HOUR + 30 * 60, True)
    assert metric(passive, "M-FREEZE-BY", "WES") == (0, False)
    assert metric(passive, "M-DISSIPATED", "WES") == (1, False)
    # Cross-border: the EIO answered by D2 12:00 (at 10:00), the bank records in the case file.
    assert metric(strong, "M-EIO-BY", "WES") == (1, True)
    assert metric(strong, "M-BANK", "WES") == (1, True)
    assert metric(passive, "M-EIO-BY", "WES") == (0, False)
    assert metric(passive, "M-BANK", "WES") == (0, False)
    # Neither cohort's script acknowledges injects or takes the actions it does not list.
    assert metric(strong, "M-INJECTS-READ", "WES") == (0, False)
    assert metric(strong, "M-CHILD-INTERVIEWS", "KAL") == (0, False)


def test_a_strong_cohort_meets_many_more_objectives(strong: Debrief, passive: Debrief) -> None:
    def met(debrief: Debrief) -> int:
        return sum(1 for m in debrief.metrics if m.of(COHORT).met)

    assert (met(strong), met(passive)) == (20, 1)  # passive: only "no media leak" (I-15b)


def test_request_analytics_show_who_asked_whom_and_how_fast(strong: Debrief, passive: Debrief) -> None:
    cohort = strong.requests.cohort
    assert (cohort.sent, cohort.answered, cohort.refused, cohort.withdrawn_drafts) == (16, 15, 0, 0)
    assert cohort.median_to_answer == 30 * 60  # the scripted teams answer after 30 minutes
    # answered after the engine warned they were overdue; Westria's SIENA to Kalmaria (sent at
    # D1 11:00, due 11:30) is answered by the SPOC's stand-in (I-13) at its deadline, before
    # Kalmaria's script comes to it: one answer, not two
    assert cohort.game_overdue == 3
    assert cohort.stood_in == 1 and [r.id for r in strong.requests.rows if r.stood_in] == ["R-2"]
    assert {s.label: s.sent for s in strong.requests.by_pair} == {
        "WES → KAL": 10,
        "WES → VAR": 4,
        "VAR → KAL": 1,
        "KAL → VAR": 1,
    }
    assert strong.requests.team("WES").sent == 14
    eio = next(s for s in strong.requests.by_instrument if s.label == "EIO")
    assert (eio.sent, eio.answered, eio.median_to_answer) == (1, 1, 30 * 60)
    assert passive.requests.cohort.sent == 0
    assert passive.requests.by_pair == ()


def test_knowledge_diffusion_shows_what_the_destination_learned_and_when(
    strong: Debrief, passive: Debrief
) -> None:
    # Viktor's phone: Westria learns it from the Kalmarian SPOC at D1 11:30, or never.
    subscriber = strong.diffusion.first("A-KAL-SUBSCRIBER-01", "WES")
    assert subscriber is not None
    assert (format_sim_time(subscriber.sim), subscriber.channel, subscriber.via) == (
        "D1 11:30",
        Channel.INJECT,
        "I-13",
    )
    assert passive.diffusion.first("A-KAL-SUBSCRIBER-01", "WES") is None
    bank = strong.diffusion.first("A-KAL-BANK-01", "WES")
    assert bank is not None and (format_sim_time(bank.sim), bank.channel, bank.source) == (
        "D2 10:00",
        Channel.ANSWER,
        "KAL",
    )
    # The Yellow Notice hit reaches Kalmaria only when Varnia asked for the notice.
    yellow = strong.diffusion.first("A-YELLOW-HIT", "KAL")
    assert yellow is not None and yellow.sim == parse_sim_time("D1 10:15")
    assert passive.diffusion.first("A-YELLOW-HIT", "KAL") is None
    # The joint team's results reach Varnia 15 hours after the JIT members.
    action_day = strong.diffusion.first("A-ACTION-DAY", "VAR")
    assert action_day is not None and action_day.lag == 15 * HOUR
    # Overall: who knew what by the end.
    # each half of I-12 to its own country; Kalmaria holds the bank records it sent
    assert sum(len(s.arrivals) for s in strong.diffusion.spreads) == 41
    assert sum(len(s.arrivals) for s in passive.diffusion.spreads) == 26
    assert [s.artefact.id for s in strong.diffusion.key] == [
        "A-YELLOW-HIT",
        "A-VAR-REGISTRY",
        "A-KAL-SUBSCRIBER-01",
        "A-KAL-BANK-01",
        "A-EUROWORK-LEDGER",
    ]


def test_the_key_question_is_answered_in_one_sentence(strong: Debrief, passive: Debrief) -> None:
    # Varnia had the recruiter's name at D1 11:15 and never passed it on: Westria never knew.
    answer = key_question(strong.played, strong.diffusion, "A-VAR-REGISTRY")
    assert answer.team == "WES"
    assert answer.question.startswith(
        "When did Westria, the destination country, learn who the recruiter was"
    )
    assert answer.text == "Westria never had it (it entered the exercise at D1 11:15)."
    assert key_question(passive.played, passive.diffusion, "A-VAR-REGISTRY").text == (
        "Westria never had it (nobody had it)."
    )
    bank = key_question(strong.played, strong.diffusion, "A-KAL-BANK-01")
    assert bank.text.startswith("Westria: D2 10:00, by request answer from KAL (")
    assert bank.text.endswith("), the first to have it.")
    yellow = key_question(strong.played, strong.diffusion, "A-YELLOW-HIT")  # the fact asks about Kalmaria
    assert (
        yellow.text
        == "Kalmaria: D1 10:15, by inject from Interpol NCB Kalmaria (I-08b), the first to have it."
    )
    with pytest.raises(KeyError, match="no artefact 'A-NONE'"):
        key_question(strong.played, strong.diffusion, "A-NONE")
