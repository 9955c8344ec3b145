"""Metrics a trainer declares: each mistake named with its file, line and path and what is
wrong (`server.scenario.play.PlayReader.metric`, `server.scenario.metric_checks`); the flagship's
metrics and key facts load."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.scenario import Happening, HappeningKind, MetricKind
from server.core.simtime import parse_sim_time
from server.scenario.errors import Problem
from server.scenario.loader import load_scenario
from tests.scenario.test_broken import SCENARIOS, Mistake, assert_named_at_its_line, broken

OLD = "  - {id: M-NRM, name: Time to the first NRM referral, kind: time_to_action, action: refer_nrm}"


def metric(new: str, path: str, message: str, marker: str = "name: m,") -> Mistake:
    return Mistake(message, OLD, f"  - {{id: M-NRM, name: m, {new}}}", path, message, marker)


MISTAKES = [
    metric(
        "kind: before, of: [{action: refer_nrm}]",
        "metrics[0].then",
        "a before metric needs 'then' (a happening",
    ),
    metric(
        "kind: before, of: [{action: refer_nmr}], then: {inject: T-02}",
        "metrics[0].of[0].action",
        "unknown action 'refer_nmr' (did you mean 'refer_nrm'?)",
    ),
    metric(
        "kind: action_count, action: refer_nrm, within: PT1H",
        "metrics[0].within",
        "a metric of kind action_count has no 'within'",
    ),
    metric(
        "kind: time_to_action, action: refer_nrm, target: 30",
        "metrics[0].target",
        "a time_to_action target is a duration like PT2H (how long after STARTEX)",
    ),
    metric(
        'kind: request_by, instrument: POLICE_MSG, by: "D1 06:00"',
        "metrics[0].by",
        "D1 06:00 is not after STARTEX (D1 08:30)",
    ),
    metric(
        "kind: request_count, instrument: POLICE_MSG, state: answerd",
        "metrics[0].state",
        "unknown request state 'answerd' (did you mean 'answered'?)",
    ),
    metric(
        "kind: injects_acknowledged, within: PT30M, target: 80",
        "metrics[0].target",
        "a share is between 0 and 1 (0.8 for 80%), got 80",
    ),
    metric(
        "kind: span, of: [{action: refer_nrm}]",
        "metrics[0].of",
        "a span metric needs at least two happenings",
    ),
    metric(
        "kind: request_count, instrument: POLICE_MSG, to: NOR, teams: [NOR]",
        "metrics[0]",
        "no POLICE_MSG request can be sent from NOR to NOR: the metric could never count one",
    ),
    metric(
        "kind: span, of: [{action: refer_nrm, inject: T-01}, {inject: T-02}]",
        "metrics[0].of[0]",
        "expected a map with one of request, action, inject, artefact",
    ),
    metric(
        "kind: time_to_action, action: refer_nrm, targte: PT1H",
        "metrics[0].targte",
        "unknown key 'targte' (did you mean 'target'?)",
    ),
    metric(
        "kind: before, of: [{action: refer_nrm}], then: {action: refer_nrm}",
        "metrics[0].then",
        "a before metric compares two different happenings",
    ),
    metric(
        "kind: span, of: [{inject: T-01, state: answered}, {inject: T-02}]",
        "metrics[0].of[0]",
        "only a request has 'to' and 'state', not an inject",
    ),
    metric(
        "kind: request_count, instrument: POLICE_MSG, teams: [NRO]",
        "metrics[0].teams[0]",
        "unknown team 'NRO'",
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_metric_mistake_is_named_with_file_line_and_path(tmp_path: Path, mistake: Mistake) -> None:
    assert_named_at_its_line(tmp_path, mistake)


def test_a_metric_that_measures_no_objective_is_a_warning(tmp_path: Path) -> None:
    folder, line = broken(
        tmp_path, Mistake("unmeasured", "    metrics: [M-NRM]\n", "", "", "", "kind: time_to_action")
    )
    warnings: list[Problem] = []
    scenario = load_scenario(folder, warnings)
    assert [m.id for m in scenario.metrics] == ["M-NRM"]  # computed all the same
    (warning,) = [w for w in warnings if w.path == "metrics[0]"]
    assert warning.line == line
    assert warning.message == "metric M-NRM measures no learning objective: list it in an objective's metrics"


def test_the_flagships_metrics_and_key_facts_load() -> None:
    scenario = load_scenario(SCENARIOS / "greenhouse")
    kinds = {m.kind for m in scenario.metrics}
    assert kinds >= {
        MetricKind.BEFORE,
        MetricKind.SPAN,
        MetricKind.REQUEST_BY,
        MetricKind.INJECTS_ACKNOWLEDGED,
    }
    guardian = next(m for m in scenario.metrics if m.id == "M-GUARDIAN-FIRST")
    assert guardian.of == (Happening(HappeningKind.ACTION, "appoint_guardian"),)
    assert guardian.then == Happening(HappeningKind.ACTION, "interview_child")
    assert guardian.teams == ("KAL",)
    eio = next(m for m in scenario.metrics if m.id == "M-EIO-BY")
    assert (eio.instrument, eio.to, eio.state, eio.by) == (
        "EIO",
        "KAL",
        "answered",
        parse_sim_time("D2 12:00"),
    )
    assert next(m for m in scenario.metrics if m.id == "M-NRM-TIME").target == 3 * 3600
    keys = [a.id for a in scenario.artefacts if a.key]
    assert keys == [
        "A-YELLOW-HIT",
        "A-VAR-REGISTRY",
        "A-KAL-SUBSCRIBER-01",
        "A-KAL-BANK-01",
        "A-EUROWORK-LEDGER",
    ]
    assert all(a.question.startswith("When did") for a in scenario.artefacts if a.key)
