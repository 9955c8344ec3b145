"""`liaison loadtest`: simulate a cohort against a Liaison server and report what it measured.

    liaison loadtest                                   200 participants, local instance, 2 minutes
    liaison loadtest --participants 200 --rate 40 --duration 60s --max-p99-ms 50
    liaison loadtest --instances 2                     two local instances on one Redis
    liaison loadtest --redis-replicas 1 --server-setting REDIS_MIN_REPLICAS=1   the cost of WAIT
    liaison loadtest --server http://host:8080 --token T [--redis-url redis://...]
    liaison loadtest --probe connections --probe-max 2000 --memory-budget 150
    liaison loadtest --probe storm --storm-clients 200 --storm-behind 300
    liaison loadtest --age 200000                      grow to 200,000 events, then window and storm
    liaison loadtest --age 200000 --probe storm        grow, then the storm only

Results go to `--out/<timestamp>/`: report.json, report.html, and the local servers' logs.
The exit code is 0 on PASS, 1 on FAIL (a threshold not met), 2 when the run could not be done.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from .options import Options, Thresholds, duration


def add_loadtest_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "loadtest",
        help="simulate a cohort against a server and report latency, losses and capacity",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_argument_group("target")
    target.add_argument("--server", help="base URL of a running server (default: start local instances)")
    target.add_argument("--token", help="admin token of --server (default: LIAISON_ADMIN_TOKEN)")
    target.add_argument("--redis-url", help="Redis of --server, to check for lost events")
    target.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        metavar="PID",
        help="a process of --server running on this machine, to sample its CPU and memory (repeatable)",
    )
    target.add_argument("--instances", type=int, default=1, help="local instances on one Redis (default 1)")
    target.add_argument(
        "--redis-replicas",
        type=int,
        default=0,
        metavar="N",
        help="replicas of the local Redis, e.g. with --server-setting REDIS_MIN_REPLICAS=1 (default 0)",
    )
    target.add_argument(
        "--server-setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a LIAISON_* setting for local instances, e.g. SEND_QUEUE=2000 (repeatable)",
    )
    target.add_argument(
        "--fsync", default="always", choices=["always", "everysec", "no"], help="local Redis AOF"
    )

    cohort = parser.add_argument_group("cohort")
    cohort.add_argument(
        "--scenario",
        default="auto",
        help="scenario name or folder (default: greenhouse once it has a roster.csv, else twin-ports)",
    )
    cohort.add_argument("--roster", type=Path, help="roster file (CSV or YAML) instead of a generated one")
    cohort.add_argument("--participants", type=int, default=200, help="generated participants (default 200)")
    cohort.add_argument("--ramp", type=duration, default=10.0, help="time to connect everyone (default 10s)")
    cohort.add_argument(
        "--duration", type=duration, default=120.0, help="play time after the ramp (default 120s)"
    )
    cohort.add_argument("--rate", type=float, default=0.0, help="extra events/s exercise-wide (default 0)")
    cohort.add_argument(
        "--message-every", type=duration, default=30.0, help="mean time between a participant's messages"
    )
    cohort.add_argument(
        "--announce-every", type=duration, default=10.0, help="mean time between a controller's announcements"
    )
    cohort.add_argument(
        "--churn", type=float, default=0.1, help="share of clients that drop and rejoin (0.1)"
    )
    cohort.add_argument("--offline", type=duration, default=2.0, help="longest time a dropped client is away")
    cohort.add_argument("--processes", type=int, default=2, help="load-generator processes (default 2)")
    cohort.add_argument(
        "--clients-per-process",
        type=int,
        default=0,
        help="clients per load-generator process; sets the number of processes (overrides --processes)",
    )
    cohort.add_argument(
        "--sdk-bots",
        action="store_true",
        help="members on the SDK's Client (default: light bots that peek at frames, loadtest/lightbot.py)",
    )
    cohort.add_argument("--seed", type=int, default=1)
    cohort.add_argument(
        "--baseline", action=argparse.BooleanOptionalAction, default=True, help="also measure the bare floor"
    )
    cohort.add_argument("--baseline-duration", type=duration, default=30.0, help="baseline play time (30s)")

    cohort.add_argument(
        "--baseline-fanout",
        choices=["all", "matched", "both"],
        default="both",
        help="baseline frames to every client (all), to as many as a Liaison event reached (matched), "
        "or both: the latency floor broadcasts, then a second run at Liaison's fan-out gives the CPU "
        "per frame of the same frames per event (both, the default)",
    )

    aging = parser.add_argument_group("age (a course's whole life)")
    aging.add_argument(
        "--age",
        type=int,
        default=0,
        metavar="N",
        help="first grow the exercise to N events through real commands, then measure at that age",
    )
    aging.add_argument(
        "--age-clients", type=int, default=0, help="growth connections (default: one per team and role)"
    )
    aging.add_argument("--age-window", type=int, default=32, help="commands in flight per growth connection")
    aging.add_argument(
        "--age-fsync",
        default="everysec",
        choices=["always", "everysec", "no"],
        help="local Redis's appendfsync while the exercise grows (default everysec; the window uses --fsync)",
    )
    aging.add_argument(
        "--age-rate",
        type=float,
        default=0.0,
        help="commands/s per growth connection at most (for --server: under its LIAISON_COMMAND_RATE)",
    )
    aging.add_argument(
        "--age-turns",
        type=int,
        default=12,
        metavar="PAIRS",
        help="then the aged exercise and a fresh one take turns on the same server, to compare their "
        "CPU per command (default 12 pairs; 0: skip)",
    )
    aging.add_argument("--age-turn", type=duration, default=1.0, help="the length of one turn (1s)")

    probes = parser.add_argument_group("capacity probes")
    probes.add_argument("--probe", choices=["connections", "storm"], help="run a probe instead of a cohort")
    probes.add_argument("--probe-step", type=int, default=250, help="connections added per step (250)")
    probes.add_argument("--probe-max", type=int, default=2000, help="most connections to try (2000)")
    probes.add_argument("--memory-budget", type=float, default=150.0, help="RSS budget in MB (150)")
    probes.add_argument("--storm-clients", type=int, default=200, help="clients in the storm (200)")
    probes.add_argument("--storm-behind", type=int, default=300, help="events each misses (300)")

    verdict = parser.add_argument_group("thresholds (PASS/FAIL)")
    verdict.add_argument("--max-p99-ms", type=float)
    verdict.add_argument("--max-p50-ms", type=float)
    verdict.add_argument("--max-ratio-p99", type=float, help="p99 over the baseline's p99")
    verdict.add_argument(
        "--max-ratio-cpu", type=float, help="server CPU per delivered frame over the baseline server's"
    )
    verdict.add_argument("--max-lost", type=int, default=0)
    verdict.add_argument("--max-duplicates", type=int, default=0)
    verdict.add_argument("--max-out-of-order", type=int, default=0)
    verdict.add_argument("--max-errors", type=int)

    parser.add_argument("--out", type=Path, default=Path("loadtest-results"), help="results folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress line")
    parser.set_defaults(run=_run)


def options_from(args: argparse.Namespace) -> Options:
    env: list[tuple[str, str]] = []
    for item in args.server_setting:
        key, _, value = item.partition("=")
        key = key.strip().upper()
        env.append((key if key.startswith("LIAISON_") else "LIAISON_" + key, value))
    return Options(
        server=args.server,
        token=args.token or os.environ.get("LIAISON_ADMIN_TOKEN"),
        redis_url=args.redis_url,
        server_pids=tuple(args.server_pid),
        instances=args.instances,
        redis_replicas=max(0, args.redis_replicas),
        scenario=args.scenario,
        roster=args.roster,
        participants=args.participants,
        ramp=args.ramp,
        duration=args.duration,
        rate=args.rate,
        message_every=args.message_every,
        announce_every=args.announce_every,
        churn=args.churn,
        offline=args.offline,
        processes=max(1, args.processes),
        clients_per_process=max(0, args.clients_per_process),
        sdk_bots=args.sdk_bots,
        age=max(0, args.age),
        age_clients=max(0, args.age_clients),
        age_window=max(1, args.age_window),
        age_rate=max(0.0, args.age_rate),
        age_fsync=args.age_fsync,
        age_turns=max(0, args.age_turns),
        age_turn=max(0.1, args.age_turn),
        baseline=args.baseline,
        baseline_duration=args.baseline_duration,
        baseline_fanout=args.baseline_fanout,
        probe=args.probe,
        probe_step=args.probe_step,
        probe_max=args.probe_max,
        memory_budget_mb=args.memory_budget,
        storm_clients=args.storm_clients,
        storm_behind=args.storm_behind,
        fsync=args.fsync,
        seed=args.seed,
        out=args.out,
        progress=not args.no_progress,
        thresholds=Thresholds(
            max_p99_ms=args.max_p99_ms,
            max_p50_ms=args.max_p50_ms,
            max_ratio_p99=args.max_ratio_p99,
            max_lost=args.max_lost,
            max_duplicates=args.max_duplicates,
            max_out_of_order=args.max_out_of_order,
            max_errors=args.max_errors,
        ),
        server_env=tuple(env),
    )


def _run(args: argparse.Namespace) -> int:
    from .run import run  # the heavy imports only when the command runs

    program = Path(sys.argv[0]).name if sys.argv else "liaison"
    prefix = ["python", "-m", "loadtest"] if program == "__main__.py" else [program]
    command = " ".join([*prefix, *(shlex.quote(a) for a in sys.argv[1:])])
    return run(options_from(args), command)


def main(argv: list[str] | None = None) -> int:
    """`python -m loadtest ...`: the same command without the `liaison` entry point."""
    parser = argparse.ArgumentParser(prog="loadtest")
    commands = parser.add_subparsers(required=True)
    add_loadtest_command(commands)
    args = parser.parse_args(["loadtest", *(sys.argv[1:] if argv is None else argv)])
    result: Any = args.run(args)
    return int(result)
