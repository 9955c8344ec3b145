"""What a run says: the summary table, the PASS/FAIL line, the JSON file and the HTML report.

The HTML report is one self-contained file: inline SVG (latency histograms, a timeline of
events per second and connected clients), inline CSS, no script, no external asset.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .age_report import age_lines
from .disk import fsync_line, stall_lines
from .options import Thresholds
from .stats import log_bins

# -- verdict ----------------------------------------------------------------------------


def verdict(result: dict[str, Any], thresholds: Thresholds) -> dict[str, Any]:
    """Each threshold given, against what was measured; PASS when all hold."""
    checks: list[dict[str, Any]] = []
    cohort = result.get("cohort")

    def check(name: str, value: float | None, limit: float | None) -> None:
        if limit is None:
            return
        ok = value is not None and not math.isnan(value) and value <= limit
        checks.append({"name": name, "value": value, "limit": limit, "ok": ok})

    if cohort is not None:
        latency = cohort["latency_ms"]
        found = cohort["checks"]
        check("p99 delivery latency (ms)", latency["p99"], thresholds.max_p99_ms)
        check("p50 delivery latency (ms)", latency["p50"], thresholds.max_p50_ms)
        check("lost events", found.get("lost"), thresholds.max_lost)
        check("duplicated events", found.get("duplicates"), thresholds.max_duplicates)
        check("out-of-order events", found.get("out_of_order"), thresholds.max_out_of_order)
        check("errors", sum(cohort["errors"].values()), thresholds.max_errors)
        ratio = result.get("ratio") or {}
        check("p99 ratio to the baseline", ratio.get("p99"), thresholds.max_ratio_p99)
        check("CPU per frame ratio to the baseline", ratio.get("cpu_per_frame"), thresholds.max_ratio_cpu)
    age = result.get("age") or {}
    storm = (result.get("probe") or {}).get("storm") or age.get("storm")
    if storm is not None and storm.get("checks"):
        check("lost events (storm)", storm["checks"]["lost"], thresholds.max_lost)
        check("duplicated events (storm)", storm["checks"]["duplicates"], thresholds.max_duplicates)
    if age:
        check("events short of --age", max(0, age["target"] - age["reached"]), 0)
    return {"pass": all(c["ok"] for c in checks), "checks": checks}


# -- text -------------------------------------------------------------------------------


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _row(label: str, summary: dict[str, Any] | None) -> str:
    if not summary or not summary.get("count"):
        return f"  {label:<30} {'-':>9}"
    cells = [_num(summary["count"])] + [_num(summary[k], 2) for k in ("p50", "p95", "p99", "max")]
    return f"  {label:<30} " + " ".join(f"{c:>9}" for c in cells)


def summary_text(result: dict[str, Any]) -> str:
    lines: list[str] = []
    cohort, baseline = result.get("cohort"), result.get("baseline")
    if result.get("age"):
        lines += age_lines(result["age"])
    if cohort is not None:
        lines.append(
            f"Liaison: {cohort['members']} clients, {cohort['instances']} instance(s), "
            f"{cohort['processes']} load process(es), scenario {cohort['scenario']}, "
            f"{cohort['drops']} churn drops"
        )
        if fsync := (result.get("machine") or {}).get("fsync_ms"):
            lines.append(fsync_line(fsync))
        header = " ".join(f"{h:>9}" for h in ("count", "p50", "p95", "p99", "max"))
        lines.append(f"  {'':<30} {header}")
        lines.append(_row("delivery latency (ms)", cohort["latency_ms"]))
        lines.append(_row("  during the ramp (ms)", cohort.get("ramp_latency_ms")))
        lines.append(_row("command round trip (ms)", cohort["rtt_ms"]))
        lines.append(_row("rejoin: connect→welcome (ms)", cohort["rejoin_ms"]))
        lines.append(_row("rejoin: connect→live (ms)", cohort["live_ms"]))
        if baseline is not None:
            lines.append(_row("baseline delivery (ms)", baseline["latency_ms"]))
            lines.append(_row("baseline round trip (ms)", baseline["rtt_ms"]))
            ratio = result.get("ratio") or {}
            lines.append(
                f"  ratio to the baseline: p50 {_num(ratio.get('p50'), 2)}x, p99 {_num(ratio.get('p99'), 2)}x"
                f"  (baseline: {baseline['clients']} clients at {_num(baseline['rate'])} events/s,"
                f" each to {baseline.get('fanout', baseline['clients'])})"
            )
            floor_server = baseline.get("server") or {}
            lines.append(
                f"  baseline server: CPU {_num(floor_server.get('cpu_percent'))} % of a core, "
                f"{_num(floor_server.get('cpu_us_per_delivery'))} µs per delivered frame; "
                f"Liaison's per frame = {_num(ratio.get('cpu_per_frame'), 2)} x the bare server's "
                "(goal ≤ 2 x); "
                f"event loop {baseline.get('event_loop', 'auto')}"
            )
            same = result.get("baseline_matched")
            if same is not None:
                same_server = same.get("server") or {}
                lines.append(
                    f"  same frames per event (each to {same.get('fanout')}): bare server "
                    f"{_num(same_server.get('cpu_us_per_delivery'))} µs per delivered frame; Liaison's = "
                    f"{_num(ratio.get('cpu_per_frame_matched'), 2)} x"
                )
        log = cohort.get("log") or {}
        lines.append(
            f"  events: {_num(log.get('events'))} in the log, "
            f"{_num(log.get('events_per_s'))}/s in the steady window; "
            f"deliveries {_num(cohort['deliveries'])}, replayed {_num(cohort['replayed'])}, "
            f"commands {_num(cohort['commands'])} ({_num(cohort.get('skipped'))} not sent: away, or too many "
            "in flight)"
        )
        calls = cohort.get("redis_calls") or {}
        if calls:
            lines.append(
                "  redis calls: "
                + ", ".join(
                    f"{name} {count:,}" for name, count in sorted(calls.items(), key=lambda kv: -kv[1])[:6]
                )
            )
        if cohort.get("redis_aof_rewrites"):
            lines.append(
                f"  redis rewrote its AOF {cohort['redis_aof_rewrites']} time(s) during the run: a rewrite"
                " competes with the fsync each event waits for (appendfsync always): a long tail's cause?"
            )
        if (recorded := cohort.get("redis_stalls")) is not None:
            lines += stall_lines(
                recorded, cohort["window"], cohort.get("latency_by_second") or {}, cohort.get("t0", 0.0)
            )
        found = cohort["checks"]
        errors = ", ".join(f"{k} {v}" for k, v in sorted(cohort["errors"].items())) or "none"
        lines.append(
            f"  lost {_num(found.get('lost'))} · duplicated {_num(found.get('duplicates'))} · "
            f"out of order {_num(found.get('out_of_order'))} · errors: {errors}"
        )
        server = cohort.get("server") or {}
        if server:
            lines.append(
                f"  server: CPU {_num(server['cpu_percent'])} % of a core, "
                f"{_num(server['cpu_us_per_delivery'])} µs per delivered frame, "
                f"peak RSS {_num(server['peak_rss_mb'])} MB; "
                f"redis CPU {_num(server['redis_cpu_percent'])} %"
            )
        generators = cohort.get("generators") or {}
        if generators or server:
            share = generators.get("to_server", server.get("generator_to_server"))
            ratio = (
                f"= {_num(share, 2)} x the server's (goal ≤ 0.5 x)"
                if share is not None
                else "(the server's CPU not sampled here: read it on the server, or give --server-pid)"
            )
            processes = generators.get("processes")
            spread = (
                f", {processes} process(es) of ≤ {generators.get('clients_per_process')} clients"
                if processes
                else ""
            )
            cpu = generators.get("cpu_percent", server.get("generator_cpu_percent"))
            per_frame = generators.get("us_per_delivery", server.get("generator_us_per_delivery"))
            lines.append(
                f"  load generators: CPU {_num(cpu)} % of a core{spread}, "
                f"{_num(per_frame)} µs per delivered frame {ratio}"
            )
    probe = result.get("probe") or {}
    if "connections" in probe:
        p = probe["connections"]
        lines.append(f"Connections probe (one instance, budget {_num(p['budget_mb'])} MB RSS):")
        for step in p["steps"]:
            lines.append(
                f"  {step['connections']:>6} connections  RSS {_num(step['rss_mb'])} MB"
                f"  (step took {_num(step['seconds'])} s)"
            )
        lines.append(
            f"  within budget: {_num(p['max_within_budget'])} connections; "
            f"{_num(p['mb_per_1000'])} MB per 1,000 connections; errors {p['errors'] or 'none'}"
        )
    storm = probe.get("storm") or (result.get("age") or {}).get("storm")
    if storm:
        s = storm
        at_age = f", at age {_num((result.get('age') or {}).get('reached'))}" if s.get("aged") else ""
        lines.append(f"Reconnect storm: {s['clients']} clients, {s['behind']} events behind each{at_age}")
        header = " ".join(f"{h:>9}" for h in ("count", "p50", "p95", "p99", "max"))
        lines.append(f"  {'':<30} {header}")
        lines.append(_row("connect→welcome (ms)", s["rejoin_ms"]))
        lines.append(_row("connect→live (ms)", s["live_ms"]))
        checks = s.get("checks") or {}
        lines.append(
            f"  all live again after {_num(s['all_live_s'], 2)} s; {s['connected_after']} connected; "
            f"replayed {_num(s['replayed'])}; lost {_num(checks.get('lost'))}, "
            f"duplicated {_num(checks.get('duplicates'))}; errors {s['errors'] or 'none'}"
        )
        if s.get("server_cpu_s"):
            lines.append(
                f"  CPU during the storm: server {_num(s['server_cpu_s'], 2)} s, "
                f"load generators {_num(s.get('generator_cpu_s'), 2)} s"
            )
    outcome = result.get("verdict") or {}
    if outcome.get("checks"):
        parts = [
            f"{c['name']} {_num(c['value'], 2)} ≤ {_num(c['limit'], 2)}{'' if c['ok'] else ' ✗'}"
            for c in outcome["checks"]
        ]
        lines.append(("PASS" if outcome["pass"] else "FAIL") + ": " + "; ".join(parts))
    return "\n".join(lines)


# -- files ------------------------------------------------------------------------------


def write_json(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=1, default=_plain, allow_nan=False) + "\n")


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return None
    raise TypeError(f"not JSON: {type(value).__name__}")


def clean(value: Any) -> Any:
    """NaN → None (JSON has no NaN), recursively."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


# -- HTML -------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
pre{background:#f5f5f5;padding:1em;overflow-x:auto;font-size:12.5px}
.pass{color:#0a0;font-weight:bold}.fail{color:#c00;font-weight:bold}
svg{background:#fff;border:1px solid #ddd;margin:.5em 0}
svg text{font:11px system-ui,sans-serif;fill:#444}
.legend span{display:inline-block;margin-right:1.5em}
"""


def _histogram_svg(
    title: str,
    values: Sequence[float],
    colour: str,
    span: tuple[float, float] | None = None,
    width: int = 520,
    height: int = 220,
) -> str:
    bins = log_bins(values, span=span)
    if not bins:
        return f"<p>{html.escape(title)}: no samples</p>"
    left, bottom, top = 50, 40, 25
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(count for _, _, count in bins)
    bar_w = plot_w / len(bins)
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
        f'<text x="{left}" y="15">{html.escape(title)} (log-scaled bins, ms)</text>',
    ]
    for i, (low, high, count) in enumerate(bins):
        h = plot_h * count / peak
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{low:.2f} to {high:.2f} ms: {count}</title></rect>'
        )
    for i in range(0, len(bins) + 1, max(1, len(bins) // 5)):
        edge = bins[min(i, len(bins) - 1)][0] if i < len(bins) else bins[-1][1]
        x = left + i * bar_w
        parts.append(f'<text x="{x:.1f}" y="{height - 22}" text-anchor="middle">{edge:.3g}</text>')
    parts.append(f'<text x="5" y="{top + 10}">{peak}</text><text x="5" y="{top + plot_h}">0</text>')
    parts.append("</svg>")
    return "".join(parts)


def _timeline_svg(
    series: list[tuple[str, str, dict[int, float]]],
    width: int = 1000,
    height: int = 260,
    shared: bool = False,
) -> str:
    """Lines over seconds; each series scaled to its own maximum (the legend gives it), or all
    to the largest one when `shared`."""
    seconds = sorted({s for _, _, points in series for s in points})
    if not seconds:
        return "<p>no timeline</p>"
    left, bottom, top = 40, 30, 15
    plot_w, plot_h = width - left - 10, height - bottom - top
    first, last = seconds[0], max(seconds[-1], seconds[0] + 1)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    legend = []
    overall = max((max(points.values()) for _, _, points in series if points), default=1.0) or 1.0
    for label, colour, points in series:
        if not points:
            continue
        peak = overall if shared else (max(points.values()) or 1.0)
        span = last - first
        coords = " ".join(
            f"{left + plot_w * (s - first) / span:.1f},{top + plot_h * (1 - points.get(s, 0.0) / peak):.1f}"
            for s in range(first, last + 1)
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{coords}"/>')
        legend.append(f'<span style="color:{colour}">■ {html.escape(label)} (max {peak:,.0f})</span>')
    for s in range(first, last + 1, max(1, (last - first) // 10)):
        x = left + plot_w * (s - first) / (last - first)
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{s}s</text>')
    parts.append("</svg>")
    return f'<div class="legend">{"".join(legend)}</div>' + "".join(parts)


def write_html(result: dict[str, Any], latencies: dict[str, Sequence[float]], path: Path) -> None:
    outcome = result.get("verdict") or {}
    status = ""
    if outcome.get("checks"):
        status = '<p class="pass">PASS</p>' if outcome["pass"] else '<p class="fail">FAIL</p>'
    body = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>Liaison load test {html.escape(result.get('started', ''))}</title><style>{_CSS}</style>",
        "<h1>Liaison load test</h1>",
        f"<p><code>{html.escape(result.get('command', ''))}</code><br>"
        f"{html.escape(result.get('started', ''))}"
        f" · {result.get('machine', {}).get('cpus', '?')} CPUs · load before "
        f"{html.escape(str(result.get('machine', {}).get('load_before', '?')))}</p>",
        status,
        f"<h2>Summary</h2><pre>{html.escape(summary_text(result))}</pre>",
    ]
    colours = {"Liaison": "#2a6fdb", "baseline": "#999"}
    if latencies:
        body.append("<h2>Delivery latency (same scale)</h2>")
        positive = [
            v for values in latencies.values() for v in (min(values, default=0), max(values, default=0))
        ]
        positive = [v for v in positive if v > 0]
        span = (min(positive), max(positive)) if positive else None
        for label, values in latencies.items():
            colour = colours.get(label, "#2a6fdb")
            body.append(_histogram_svg(f"{label} delivery latency", values, colour, span))
    growth = (result.get("age") or {}).get("timeline") or []
    if growth:
        body.append("<h2>Growth (seconds from its start)</h2>")
        body.append(_timeline_svg(_growth_series(growth)))
    cohort = result.get("cohort")
    if cohort is not None:
        events = {int(k): float(v) for k, v in (cohort.get("log") or {}).get("per_second", {}).items()}
        deliveries = {int(k): float(v["deliveries"]) for k, v in cohort["timeline"].items()}
        connected = {int(k): float(v["connected"]) for k, v in cohort["timeline"].items()}
        cpu = _cpu_series(result, cohort)
        body.append("<h2>Timeline (seconds from the start of the ramp)</h2>")
        body.append(
            _timeline_svg(
                [
                    ("events/s (log)", "#d2691e", events),
                    ("deliveries/s", "#2a6fdb", deliveries),
                    ("connected clients", "#0a0", connected),
                    ("server CPU %", "#c00", cpu),
                ]
            )
        )
        by_second = cohort.get("latency_by_second") or {}
        body.append("<h2>Delivery latency per second (ms)</h2>")
        body.append(
            _timeline_svg(
                [
                    ("p50", "#2a6fdb", {int(k): float(v["p50"]) for k, v in by_second.items()}),
                    ("p99", "#c00", {int(k): float(v["p99"]) for k, v in by_second.items()}),
                    ("redis's slowest step", "#888", _stall_series(cohort)),
                ],
                shared=True,
            )
        )
        issues = cohort["checks"].get("issues") or []
        if issues:
            body.append("<h2>Clients with findings</h2><pre>")
            body.append(html.escape(json.dumps(issues[:50], indent=1)))
            body.append("</pre>")
    body.append(f"<h2>Everything</h2><pre>{html.escape(json.dumps(_without_bulk(result), indent=1))}</pre>")
    path.write_text("".join(body), encoding="utf-8")


def _growth_series(samples: list[dict[str, Any]]) -> list[tuple[str, str, dict[int, float]]]:
    """Events in the log, events/s and server CPU %, per second of the growth."""
    seq: dict[int, float] = {}
    rate: dict[int, float] = {}
    cpu: dict[int, float] = {}
    previous: dict[str, Any] | None = None
    for sample in samples:
        second = int(sample["time"])
        seq[second] = float(sample["seq"])
        if previous is not None and sample["time"] > previous["time"]:
            elapsed = sample["time"] - previous["time"]
            rate[second] = (sample["seq"] - previous["seq"]) / elapsed
            cpu[second] = 100 * (sample["server_cpu_s"] - previous["server_cpu_s"]) / elapsed
        previous = sample
    return [("events in the log", "#0a0", seq), ("events/s", "#d2691e", rate), ("server CPU %", "#c00", cpu)]


def _stall_series(cohort: dict[str, Any]) -> dict[int, float]:
    """The worst step Redis recorded in each second (its latency monitor), by second of the run."""
    t0 = cohort.get("t0", 0.0)
    series: dict[int, float] = {}
    for rows in (cohort.get("redis_stalls") or {}).values():
        for at, ms in rows:
            second = int(at - t0)
            series[second] = max(series.get(second, 0.0), float(ms))
    return series


def _cpu_series(result: dict[str, Any], cohort: dict[str, Any]) -> dict[int, float]:
    samples = (cohort.get("monitor") or {}).get("samples") or []
    t0 = cohort.get("t0", 0.0)
    series: dict[int, float] = {}
    previous: tuple[float, float] | None = None
    for sample in samples:
        cpu = sum(v for k, v in sample["cpu_seconds"].items() if k.startswith("server"))
        if previous is not None and sample["time"] > previous[0]:
            series[int(sample["time"] - t0)] = 100 * (cpu - previous[1]) / (sample["time"] - previous[0])
        previous = (sample["time"], cpu)
    return series


def _without_bulk(result: dict[str, Any]) -> dict[str, Any]:
    if result.get("age"):
        result = {**result, "age": {k: v for k, v in result["age"].items() if k != "timeline"}}
    cohort = result.get("cohort")
    if cohort is None:
        return result
    slim = dict(cohort)
    for key in ("timeline", "monitor"):
        slim.pop(key, None)
    slim.pop("latency_by_second", None)
    if "log" in slim:
        slim["log"] = {k: v for k, v in slim["log"].items() if k != "per_second"}
    return {**result, "cohort": slim}
