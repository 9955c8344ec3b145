"""How long a Liaison process takes to start: `python -m server --help` (the entry point,
`server/start.py`: the CLI imported with the cyclic collector off) against the same CLI
imported with the collector on, in alternating runs so that the machine's noise hits both.

    PYTHONPATH=. .venv/bin/python scripts/bench_start.py [--runs 15]

Most of an instance's restart is this (docs/performance.md, "A course's whole life, round 6").
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

WAYS = {
    "entry point (collector off while importing)": [sys.executable, "-m", "server", "--help"],
    "the CLI imported with the collector on": [
        sys.executable,
        "-c",
        "import sys; sys.argv = ['liaison', '--help']; from server.cli import main; main()",
    ],
}


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--runs", type=int, default=15, help="runs of each (default 15)")
    runs = parser.parse_args().runs
    took: dict[str, list[float]] = {way: [] for way in WAYS}
    for run in range(runs):
        for way, command in WAYS.items():
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)  # noqa: S603
            took[way].append(time.perf_counter() - started)
        print(f"\r{run + 1}/{runs} runs", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    for way, seconds in took.items():
        median, fastest = statistics.median(seconds) * 1000, min(seconds) * 1000
        print(f"{way}: median {median:.0f} ms, fastest {fastest:.0f} ms")


if __name__ == "__main__":
    main()
