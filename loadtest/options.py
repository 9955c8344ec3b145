"""What a load test run is asked to do: the command line, parsed once into a frozen value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*$")


def duration(text: str) -> float:
    """Seconds from `10s`, `2m`, `1.5`, `500ms`."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"expected a duration such as 10s, 2m or 500ms, got {text!r}")
    value = float(match[1])
    unit = match[2] or "s"
    return value / 1000 if unit == "ms" else value * 60 if unit in ("m", "min") else value


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The PASS/FAIL line: None means "not checked"."""

    max_p99_ms: float | None = None
    max_p50_ms: float | None = None
    max_ratio_p99: float | None = None
    max_ratio_cpu: float | None = None
    """Server CPU per delivered frame over the bare server's (goal: 2)."""
    max_lost: int | None = 0
    max_duplicates: int | None = 0
    max_out_of_order: int | None = 0
    max_errors: int | None = None


@dataclass(frozen=True, slots=True)
class Options:
    server: str | None = None
    """Base URL of a running server (http://host:port); None: start local instances."""
    token: str | None = None
    redis_url: str | None = None
    """Redis of an external server, for the lost-events oracle."""
    server_pids: tuple[int, ...] = ()
    """Processes of an external server that run on this machine: their CPU and memory are sampled."""
    instances: int = 1
    redis_replicas: int = 0
    """Replicas of the local Redis (with `--server-setting REDIS_MIN_REPLICAS=N`: the cost of WAIT)."""
    scenario: str = "auto"
    roster: Path | None = None
    participants: int = 200
    ramp: float = 10.0
    duration: float = 120.0
    rate: float = 0.0
    """Extra events per second exercise-wide, on top of the behaviours."""
    message_every: float = 30.0
    """Mean seconds between two team messages of one participant."""
    announce_every: float = 10.0
    """Mean seconds between two announcements of one control member."""
    churn: float = 0.1
    offline: float = 2.0
    """Longest time a dropped client stays away before it rejoins (uniform 0..offline)."""
    processes: int = 2
    sdk_bots: bool = False
    """Simulate members with the SDK's `Client` instead of the light `loadtest.lightbot`."""
    clients_per_process: int = 0
    """When above 0: as many load-generator processes as this many clients each need."""
    baseline: bool = True
    baseline_duration: float = 30.0
    baseline_fanout: str = "both"
    """all: every frame to every client; matched: to as many clients as a Liaison event reached
    on average in the cohort run (a random subset each time)."""
    probe: str | None = None
    probe_step: int = 250
    probe_max: int = 2000
    memory_budget_mb: float = 150.0
    storm_clients: int = 200
    storm_behind: int = 300
    age: int = 0
    """`--age N`: grow the exercise to N events through the command path first (0: do not)."""
    age_clients: int = 0
    """Growth connections (0: one per team and role, at most 24, plus a control member)."""
    age_window: int = 32
    """Commands in flight per growth connection."""
    age_fsync: str = "everysec"
    """Local Redis's `appendfsync` while the exercise grows (the window uses `fsync`)."""
    age_rate: float = 0.0
    """Commands per second per growth connection at most (0: unpaced)."""
    age_turns: int = 12
    """Pairs of turns between the aged exercise and a fresh one after the growth (0: none)."""
    age_turn: float = 1.0
    """Seconds of one turn."""
    fsync: str = "always"
    seed: int = 1
    out: Path = Path("loadtest-results")
    progress: bool = True
    thresholds: Thresholds = field(default_factory=Thresholds)
    server_env: tuple[tuple[str, str], ...] = ()
    """Extra LIAISON_* settings for local instances (`--server-setting KEY=VALUE`)."""
