"""How long a Liaison process takes to start: `python -m server --help` (the entry point,
`server/start.py`: the CLI imported with the cyclic collector off) against the same CLI
imported with the collector on, in alternating runs so that the machine's noise hits both.

    PYTHONPATH=. .venv/bin/python scripts/bench_start.py [--runs 15]
    PYTHONPATH=. .venv/bin/python scripts/bench_start.py --serve redis://127.0.0.1:6379/0 [--runs 7]

Most of an instance's restart is this (docs/performance.md, "A course's whole life, round 6").
With `--serve`, it times `liaison serve` on that Redis instead, from the process's start to its
first answer on `/healthz`, each start's time printed (round 10: starts under a busy disk).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from loadtest.cluster import free_port

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
    parser.add_argument("--serve", metavar="REDIS_URL", help="time `liaison serve` on this Redis instead")
    args = parser.parse_args()
    if args.serve:
        seconds = [_serve_once(args.serve) for _ in range(args.runs)]
        print(" ".join(f"{s:.3f}" for s in seconds), f"s; median {statistics.median(seconds):.3f} s")
        return
    runs = args.runs
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


def _serve_once(redis_url: str) -> float:
    """Seconds from starting `liaison serve` on `redis_url` to its first 200 on `/healthz`."""
    port = free_port()
    env = {**os.environ, "LIAISON_REDIS_URL": redis_url, "LIAISON_ADMIN_TOKEN": "bench"}
    command = [sys.executable, "-m", "server", "serve", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        while process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    return time.perf_counter() - started
            except (urllib.error.URLError, OSError):
                time.sleep(0.005)
        raise SystemExit(f"liaison serve exited with {process.returncode}")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
