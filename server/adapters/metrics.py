"""Metrics: every Prometheus metric of an instance, defined here, served at `/metrics`.

The other adapters call the small hooks below (one line each where they happen); nothing else
in the server imports prometheus_client. Labels are kept to small fixed sets: command names
outside protocol v1 count as `unknown`, and nothing is labelled by exercise or participant.
`/metrics` is served by the HTTP API (behind a token). docs/deploy.md ("Metrics") lists the
series and the queries for a dashboard.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from server.core.roles import StaffRole
from server.protocol.commands import COMMANDS

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, process_cpu_seconds_total, ...

INSTANCE = Gauge("liaison_instance_info", "This instance (always 1)", ["instance"], registry=REGISTRY)
CONNECTIONS = Gauge(
    "liaison_connections",
    "Open WebSocket connections, by the page their role opens and by subprotocol",
    ["page", "protocol"],
    registry=REGISTRY,
)
COMMANDS_ANSWERED = Counter(
    "liaison_commands",
    "Commands answered, by name and outcome (ok, duplicate, or the error code)",
    ["name", "outcome"],
    registry=REGISTRY,
)
APPEND_SECONDS = Histogram(
    "liaison_append_seconds",
    "Compare-and-append calls to Redis (append.lua), by outcome: ok, dup, conflict, busy, gone",
    ["outcome"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
FANOUT_SECONDS = Histogram(
    "liaison_fanout_seconds",
    "Handing one event to every local connection that may see it (encode once, queue or write)",
    buckets=(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
    registry=REGISTRY,
)
SLOW_CONSUMERS = Counter(
    "liaison_slow_consumers_kicked",
    "Connections closed with 4001 because their send queue was full",
    registry=REGISTRY,
)
HUB_LOAD_SECONDS = Histogram(
    "liaison_hub_load_seconds",
    "Loading an exercise's hub (reading its log or snapshot and folding it)",
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
REDIS_ERRORS = Counter(
    "liaison_redis_errors",
    "Redis calls that failed, by error type (the caller saw `unavailable`, or a bug for others)",
    ["error"],
    registry=REGISTRY,
)
SNAPSHOT_LOADS = Counter(
    "liaison_snapshot_loads",
    "Hub loads by how a snapshot was used: hit (loaded from a snapshot), miss (none, the whole "
    "log was read) or stale (a snapshot of another epoch or version, ignored)",
    ["outcome"],
    registry=REGISTRY,
)


def page_kind(role: str) -> str:
    """The page a role's join code opens: the control console, the observer dashboard or a station."""
    if role in (StaffRole.DIRECTOR, StaffRole.CONTROLLER, StaffRole.SIMCELL):
        return "console"
    if role in (StaffRole.MENTOR, StaffRole.OBSERVER, StaffRole.EVALUATOR):
        return "observer"
    return "station"


# -- hooks ------------------------------------------------------------------------------

_open: dict[object, tuple[tuple[str, str], Callable[[], int]]] = {}
_answered: dict[tuple[str, str], Any] = {}
_appended: dict[str, Any] = {}
"""Labelled children looked up once: `labels()` takes a lock and checks its arguments each time,
and these two are counted for every command."""


def connection_opened(connection: object, role: str, binary: bool, queued: Callable[[], int]) -> None:
    """A connection went live; `queued()` says how many frames wait in its send queue."""
    labels = (page_kind(role), "msgpack" if binary else "json")
    _open[connection] = (labels, queued)
    CONNECTIONS.labels(*labels).inc()


def connection_closed(connection: object) -> None:
    found = _open.pop(connection, None)
    if found is not None:
        CONNECTIONS.labels(*found[0]).dec()


def command_answered(name: str, reply: dict[str, Any]) -> None:
    if reply.get("ok"):
        outcome = "duplicate" if (reply.get("result") or {}).get("duplicate") else "ok"
    else:
        outcome = str((reply.get("error") or {}).get("code", "error"))
    key = (name if name in COMMANDS else "unknown", outcome)
    child = _answered.get(key)
    if child is None:
        child = _answered[key] = COMMANDS_ANSWERED.labels(*key)
    child.inc()


def appended(started: float, outcome: str) -> None:
    """An append.lua call that began at `started` (time.perf_counter()) came back."""
    child = _appended.get(outcome)
    if child is None:
        child = _appended[outcome] = APPEND_SECONDS.labels(outcome)
    child.observe(time.perf_counter() - started)


def hub_loaded(started: float) -> None:
    HUB_LOAD_SECONDS.observe(time.perf_counter() - started)


def fanned_out(started: float) -> None:
    FANOUT_SECONDS.observe(time.perf_counter() - started)


def slow_consumer_kicked() -> None:
    SLOW_CONSUMERS.inc()


def redis_error(error: BaseException) -> None:
    REDIS_ERRORS.labels(type(error).__name__).inc()


def snapshot_loaded(outcome: str) -> None:
    """For the snapshot loader: `hit`, `miss` or `stale`."""
    SNAPSHOT_LOADS.labels(outcome).inc()


# -- computed when scraped ----------------------------------------------------------------


class _Loaded(Protocol):
    def loaded(self) -> list[Any]: ...


class _Live(Collector):
    """Values read at scrape time: hubs loaded and the send queues of the open connections."""

    def __init__(self) -> None:
        self.hubs: _Loaded | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        hubs = GaugeMetricFamily("liaison_hubs_loaded", "Exercise hubs loaded on this instance")
        hubs.add_metric([], len(self.hubs.loaded()) if self.hubs is not None else 0)
        yield hubs
        depths = [queued() for _, queued in list(_open.values())]
        total = GaugeMetricFamily(
            "liaison_send_queue_frames", "Frames waiting in the send queues of all open connections"
        )
        total.add_metric([], sum(depths))
        yield total
        deepest = GaugeMetricFamily(
            "liaison_send_queue_frames_max",
            "Frames waiting in the fullest send queue (LIAISON_SEND_QUEUE is the limit)",
        )
        deepest.add_metric([], max(depths, default=0))
        yield deepest


_LIVE = _Live()
REGISTRY.register(_LIVE)


def watch(hubs: _Loaded, instance: str) -> None:
    """Called by the app at start: the instance's hubs, for `liaison_hubs_loaded`."""
    _LIVE.hubs = hubs
    INSTANCE.clear()
    INSTANCE.labels(instance).set(1)


def exposition() -> tuple[bytes, str]:
    """The metrics in the Prometheus text format, and its content type (`/metrics`, http_api)."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
