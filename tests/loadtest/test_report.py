"""Percentiles, the verdict against thresholds, the summary and the self-contained HTML page."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from loadtest.options import Thresholds, duration
from loadtest.report import summary_text, verdict, write_html
from loadtest.stats import log_bins, percentile, summarize


def test_durations() -> None:
    assert duration("10s") == 10.0
    assert duration("2m") == 120.0
    assert duration("500ms") == 0.5
    assert duration("1.5") == 1.5
    with pytest.raises(ValueError, match="duration"):
        duration("soon")


def test_percentiles_are_measured_values_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert math.isnan(percentile([], 0.5))
    summary = summarize(reversed(values))
    assert (summary.count, summary.p50, summary.max, summary.mean) == (100, 50.0, 100.0, 50.5)


def test_log_bins_hold_every_value() -> None:
    values = [0.5, 1.0, 2.0, 4.0, 100.0]
    bins = log_bins(values, bins=10)
    assert sum(count for _, _, count in bins) == len(values)
    assert bins[0][0] == 0.5 and bins[-1][1] == pytest.approx(100.0)


def result(p99: float, lost: int) -> dict[str, object]:
    latency = {"count": 10, "p50": 1.0, "p95": 2.0, "p99": p99, "max": 9.0, "mean": 1.5}
    empty = {"count": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    return {
        "command": "liaison loadtest",
        "started": "2026-11-28T10:00:00+00:00",
        "cohort": {
            "members": 10,
            "instances": 1,
            "processes": 1,
            "scenario": "twin-ports",
            "drops": 1,
            "latency_ms": latency,
            "ramp_latency_ms": empty,
            "rtt_ms": latency,
            "rejoin_ms": empty,
            "live_ms": empty,
            "errors": {},
            "deliveries": 100,
            "replayed": 0,
            "commands": 10,
            "timeline": {"0": {"deliveries": 50, "connected": 10}, "1": {"deliveries": 50, "connected": 10}},
            "log": {"events": 20, "events_per_s": 10.0, "per_second": {"0": 10, "1": 10}},
            "checks": {"lost": lost, "duplicates": 0, "out_of_order": 0, "issues": []},
        },
    }


def test_the_verdict_checks_each_threshold_given() -> None:
    thresholds = Thresholds(max_p99_ms=50.0)
    assert verdict(result(p99=20.0, lost=0), thresholds)["pass"]
    failed = verdict(result(p99=80.0, lost=1), thresholds)
    assert not failed["pass"]
    assert {c["name"] for c in failed["checks"] if not c["ok"]} == {
        "p99 delivery latency (ms)",
        "lost events",
    }


def test_the_summary_and_the_page(tmp_path: Path) -> None:
    run = result(p99=20.0, lost=0)
    run["verdict"] = verdict(run, Thresholds())
    text = summary_text(run)
    assert "delivery latency (ms)" in text and text.splitlines()[-1].startswith("PASS")
    write_html(run, {"Liaison": [1.0, 2.0, 3.0, 20.0]}, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert page.count("<svg") == 2  # the histogram and the timeline
    assert "<script" not in page and "src=" not in page and "href=" not in page
