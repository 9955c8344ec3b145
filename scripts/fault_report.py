#!/usr/bin/env python3
"""Run the fault, hostile-input and access-control suites N times and print what they measured.

    .venv/bin/python scripts/fault_report.py            # one run
    .venv/bin/python scripts/fault_report.py --runs 3   # three runs in a row

Each run is one pytest process over the files below, with `--junitxml` (pass, fail, time per
test) and `LIAISON_FAULT_REPORT` (the fault tests write one JSON line of counts each: commands
acknowledged, lost, applied twice; events each watcher checked against the log, gaps,
duplicates, out of order; `unavailable` replies; resumes). The output is Markdown, ready for
docs/reliability.md and docs/security.md. The exit status is 1 when any test failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUITES = (
    "tests/e2e/test_faults.py",
    "tests/e2e/test_faults_redis.py",
    "tests/e2e/test_bad_input.py",
    "tests/e2e/test_access.py",
    "tests/core/test_access_matrix.py",
    "tests/protocol/test_fuzz.py",
)
SUMMED = (
    "acknowledged",
    "lost",
    "applied_twice",
    "events_checked",
    "gaps",
    "duplicates",
    "out_of_order",
    "unavailable_replies",
    "unavailable_then_found_written",
    "watcher_resumes",
    "writer_reconnects",
)


def run_once(index: int, folder: Path, extra: list[str]) -> tuple[Path, Path, int]:
    junit, counts = folder / f"junit-{index}.xml", folder / f"counts-{index}.jsonl"
    env = {**os.environ, "LIAISON_FAULT_REPORT": str(counts)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
    run = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [*command, *extra, *SUITES], cwd=ROOT, env=env, check=False, stdout=sys.stderr
    )
    status = run.returncode
    return junit, counts, status


def read_junit(path: Path) -> list[tuple[str, str, float]]:
    """(test id, outcome, seconds) for each test case."""
    cases = []
    for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314 - written by our pytest
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        cases.append((name, outcome, float(case.get("time", 0))))
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="how many times to run the suites (default 1)")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments")
    options = parser.parse_args()

    outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seconds: dict[str, float] = defaultdict(float)
    faults: dict[str, list[dict[str, Any]]] = defaultdict(list)
    failed_runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(options.runs):
            junit, counts, status = run_once(index, Path(tmp), options.pytest_args)
            failed_runs += status != 0
            if junit.exists():
                for name, outcome, took in read_junit(junit):
                    outcomes[name][outcome] += 1
                    seconds[name] += took
            if counts.exists():
                for line in counts.read_text().splitlines():
                    record = json.loads(line)
                    faults[record["test"]].append(record)

    print(f"# Fault and attack report: {options.runs} run(s), {failed_runs} with a failure\n")
    print("## Faults under load (sums over all runs)\n")
    header = ["fault", "runs", *SUMMED]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for _, records in sorted(faults.items()):
        sums = [str(sum(int(r.get(key, 0)) for r in records)) for key in SUMMED]
        print(f"| {records[0]['fault']} | {len(records)} | " + " | ".join(sums) + " |")
    print("\n## Tests\n")
    print("| test | passed | failed | skipped | mean s |")
    print("|---|---|---|---|---|")
    for name in sorted(outcomes):
        counts = outcomes[name]
        runs = sum(counts.values())
        short = name.removeprefix("tests.")
        print(
            f"| {short} | {counts['passed']} | {counts['failed']} | {counts['skipped']} |"
            f" {seconds[name] / runs:.1f} |"
        )
    total = {key: sum(c[key] for c in outcomes.values()) for key in ("passed", "failed", "skipped")}
    print(f"\nTotal: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped.")
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
