"""CPU of one append-sized EVALSHA: through redis-py's client, and on a Redis line.

    .venv/bin/python scripts/bench_redis_line.py [--calls 20000] [--rounds 2]

Starts its own redis-server (no persistence) on a free loopback port, loads a script that does
what `append.lua` does at its cheapest (one XADD, a two-item reply), and times this process's
CPU (user + system, `getrusage`) per call, one call at a time, with the arguments of a
one-event append: through `Redis.register_script` (what the store used before), and through
`server.adapters.redis_line.Line` (what it uses now). The figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import subprocess
import time

from loadtest.cluster import free_port
from server.adapters import redis_connect
from server.adapters.redis_line import Line

SCRIPT = "redis.call('XADD', KEYS[1], '*', 'e', ARGV[9]); return {'ok', 1}"
KEYS = ["bench:{x}:log", "bench:{x}:meta", "bench:{x}:applied", "bench:{x}:turn"]
ARGS = [1, "epoch", "bench:{x}:events", "1.5", "writer", 1, "", 1, b"x" * 150]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def bench(port: int, calls: int, rounds: int) -> None:
    client = redis_connect.connect(f"redis://127.0.0.1:{port}/0")
    script = client.register_script(SCRIPT)
    line = Line(client)
    await script(keys=KEYS, args=ARGS)
    for round_ in range(1, rounds + 1):
        started = cpu()
        for _ in range(calls):
            await script(keys=KEYS, args=ARGS)
        through_client = (cpu() - started) / calls
        started = cpu()
        for _ in range(calls):
            await line.call("EVALSHA", script.sha, len(KEYS), *KEYS, *ARGS)
        on_line = (cpu() - started) / calls
        print(
            f"round {round_}: redis-py {through_client * 1e6:.1f} µs per call, "
            f"line {on_line * 1e6:.1f} µs ({on_line / through_client:.2f} x)"
        )
    await line.close()
    await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("bench_redis_line: no redis-server on PATH (apt-get install redis-server)")
    port = free_port()
    redis = subprocess.Popen(  # noqa: S603 - the redis-server on PATH, fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        asyncio.run(bench(port, args.calls, args.rounds))
    finally:
        redis.terminate()
        redis.wait()


if __name__ == "__main__":
    main()
