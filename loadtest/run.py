"""One `liaison loadtest` invocation: set up the target, run the phases, write the reports."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import report
from .age import age_exercise, growth_env
from .age_report import age_lines, window_cost
from .cluster import LocalCluster, ws_url
from .disk import fsync_probe
from .options import Options
from .progress import ProgressLine
from .runner import RunError, Target, probe_connections, probe_storm, run_baseline, run_cohort


@contextlib.contextmanager
def target_for(options: Options, run_dir: Path) -> Iterator[Target]:
    if options.server is not None:
        if not options.token:
            raise RunError("--server needs --token (or LIAISON_ADMIN_TOKEN)")
        pids = {f"server-{number}": pid for number, pid in enumerate(options.server_pids, 1)}
        yield Target(options.server, options.token, (ws_url(options.server),), options.redis_url, pids)
        return
    env = growth_env(options.server_env) if options.age else dict(options.server_env)
    with LocalCluster(
        options.instances, run_dir, fsync=options.fsync, env=env, replicas=options.redis_replicas
    ) as cluster:
        pids = {f"server-{i.name}": i.pid for i in cluster.instances}
        if cluster.redis.pid is not None:
            pids["redis"] = cluster.redis.pid

        def restart() -> float:
            """With the run's own settings (the growth's raised rate limit dropped)."""
            started = cluster.restart(dict(options.server_env))
            pids.update({f"server-{i.name}": i.pid for i in cluster.instances})
            return started

        yield Target(
            cluster.instances[0].url,
            cluster.token,
            tuple(ws_url(url) for url in cluster.urls),
            cluster.redis_url,
            pids,
            restart,
            tuple(instance.log_path for instance in cluster.instances),
        )


def run(options: Options, command: str) -> int:
    started = datetime.datetime.now(datetime.UTC)
    run_dir = options.out / started.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    progress = ProgressLine(options.progress)
    result: dict[str, Any] = {
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_before": _load()},
        "options": {k: "***" if k == "token" and v else str(v) for k, v in vars_of(options).items()},
    }
    latencies: dict[str, Any] = {}
    if options.server is None and options.fsync == "always":
        progress.text("disk: timing fsync where Redis will write (3 s)")
        result["machine"]["fsync_ms"] = fsync_probe(run_dir)
    try:
        with target_for(options, run_dir) as target:
            if options.age and options.probe == "connections":
                raise RunError("--age goes with a cohort run or --probe storm, not --probe connections")
            if options.age:
                exercise, scenario, age = asyncio.run(age_exercise(options, target, progress))
                result["age"] = age
                print("\n".join(age_lines(age)), flush=True)  # before the phases that follow
                aged = (exercise, scenario)
                if options.probe is None:
                    cohort = asyncio.run(run_cohort(options, target, progress, aged))
                    latencies["Liaison"] = cohort.pop("_latencies", [])
                    result["cohort"] = cohort
                    age["window"] = window_cost(cohort)
                storm = asyncio.run(probe_storm(options, target, progress, aged))
                if options.probe == "storm":
                    result["probe"] = {"storm": storm}
                else:
                    age["storm"] = storm
            elif options.probe == "connections":
                result["probe"] = {"connections": asyncio.run(probe_connections(options, target, progress))}
            elif options.probe == "storm":
                result["probe"] = {"storm": asyncio.run(probe_storm(options, target, progress))}
            else:
                cohort = asyncio.run(run_cohort(options, target, progress))
                latencies["Liaison"] = cohort.pop("_latencies", [])
                result["cohort"] = cohort
        if options.probe is None and options.baseline:
            cohort = result["cohort"]
            log = cohort.get("log") or {}
            rate = log.get("events_per_s") or max(1.0, options.rate)
            matched = 0
            delivered = (cohort.get("server") or {}).get("deliveries_in_window")
            if delivered and log.get("events_in_window"):
                matched = max(1, round(delivered / log["events_in_window"]))
            fanout = matched if options.baseline_fanout == "matched" else 0
            baseline = asyncio.run(run_baseline(options, cohort["members"], rate, run_dir, progress, fanout))
            latencies["baseline"] = baseline.pop("_latencies", [])
            result["baseline"] = baseline
            ours, floor = cohort["latency_ms"], baseline["latency_ms"]
            result["ratio"] = {
                key: ours[key] / floor[key] if floor.get(key) else None for key in ("p50", "p95", "p99")
            }
            ours_cpu = (cohort.get("server") or {}).get("cpu_us_per_delivery")
            result["ratio"]["cpu_per_frame"] = _cpu_ratio(ours_cpu, baseline)
            if options.baseline_fanout == "both" and matched:
                same = asyncio.run(run_baseline(options, cohort["members"], rate, run_dir, progress, matched))
                same.pop("_latencies", None)
                result["baseline_matched"] = same
                result["ratio"]["cpu_per_frame_matched"] = _cpu_ratio(ours_cpu, same)
    except (RunError, OSError, RuntimeError) as error:
        progress.done()
        print(f"liaison loadtest: {error}", file=sys.stderr)
        return 2
    result["machine"]["load_after"] = _load()
    result["verdict"] = report.verdict(result, options.thresholds)
    result = report.clean(result)
    report.write_json(result, run_dir / "report.json")
    report.write_html(result, latencies, run_dir / "report.html")
    print(report.summary_text(result))
    print(f"reports: {run_dir / 'report.json'}  {run_dir / 'report.html'}")
    return 0 if result["verdict"]["pass"] else 1


def _cpu_ratio(ours: float | None, baseline: dict[str, Any]) -> float | None:
    """Liaison's CPU per delivered frame ÷ the bare server's in `baseline`."""
    floor = (baseline.get("server") or {}).get("cpu_us_per_delivery")
    return ours / floor if ours and floor else None


def vars_of(options: Options) -> dict[str, Any]:
    return {field.name: getattr(options, field.name) for field in dataclasses.fields(options)}


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"
