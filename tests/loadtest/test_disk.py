"""The disk probe: fsync latencies where the run's Redis writes, and the report's line for them."""

from __future__ import annotations

from pathlib import Path

from loadtest.disk import fsync_line, fsync_probe


def test_the_probe_times_fsyncs_and_leaves_nothing_behind(tmp_path: Path) -> None:
    probe = fsync_probe(tmp_path / "redis", seconds=0.3, pause=0.0)
    assert probe["count"] > 0
    assert 0 < probe["p50"] <= probe["p99"] <= probe["max"]
    assert 0 <= probe["over_20ms"] <= probe["count"]
    assert list((tmp_path / "redis").iterdir()) == []
    line = fsync_line(probe)
    assert line.startswith("  disk under Redis: fsync p50 ") and f"of {probe['count']} over 20 ms" in line
