"""The floor of a light generator: what receiving a frame costs here, and nothing else.

`python -m loadtest.receive_floor --clients 100 --rate 50` starts the bare broadcast server of
`loadtest.baseline`, opens that many `Wire` connections in this process (on uvloop when it is
installed, as the generators), sends `--rate` frames per second that the server relays to all
of them, and prints this process's CPU (user and system, `getrusage`) per frame received over
`--seconds`. Each frame is decoded whole (`msgpack.unpackb`) and counted: no oracle, no player,
no command. The load test's generators cost this plus their bookkeeping and their commands
(docs/performance.md, "Light load generators").

`--receiver picows` opens the connections with picows (a WebSocket client written in Cython,
`pip install picows`; not a dependency) instead, to tell what a compiled frame parser would save.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import msgpack
from websockets.asyncio.client import connect

from .cluster import free_port
from .loops import loop_factory
from .wire import Wire


async def measure(
    port: int, clients: int, rate: float, seconds: float, receiver: str = "wire"
) -> dict[str, float]:
    """Against the bare server listening on `port`."""
    received = 0

    def count(raw: bytes) -> None:
        nonlocal received
        msgpack.unpackb(raw)
        received += 1

    url = f"ws://127.0.0.1:{port}/"
    deadline = time.monotonic() + 10
    while True:
        try:
            driver = await connect(url)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
    wires = [Wire(url) for _ in range(clients)] if receiver == "wire" else []
    for wire in wires:
        await wire.open(greet=False)
        wire.listen(count)
    compiled = await _picows_clients(url, clients, count) if receiver == "picows" else []

    async def drive() -> None:
        sent = 0
        while True:
            sent += 1
            await driver.send(msgpack.packb({"id": str(sent), "text": "x" * 60}))
            await asyncio.sleep(1 / rate)

    async def drain() -> None:
        async for _ in driver:
            pass

    async with asyncio.TaskGroup() as tasks:
        driving, draining = tasks.create_task(drive()), tasks.create_task(drain())
        await asyncio.sleep(2.0)
        before, at_start = resource.getrusage(resource.RUSAGE_SELF), received
        await asyncio.sleep(seconds)
        after, frames = resource.getrusage(resource.RUSAGE_SELF), received - at_start
        driving.cancel()
        draining.cancel()
    for wire in wires:
        wire.abort()
    for transport in compiled:
        transport.disconnect()
    await driver.close()
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    return {
        "frames_per_s": frames / seconds,
        "user_us": 1e6 * user / max(1, frames),
        "system_us": 1e6 * system / max(1, frames),
        "us_per_frame": 1e6 * (user + system) / max(1, frames),
    }


async def _picows_clients(url: str, clients: int, count: Callable[[bytes], None]) -> list[Any]:
    try:
        from picows import WSListener, ws_connect  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise SystemExit("receive_floor: --receiver picows needs picows (pip install picows)") from None

    class Counting(WSListener):  # type: ignore[misc,unused-ignore]  # Any when picows is absent
        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            count(frame.get_payload_as_bytes())

    transports = []
    for _ in range(clients):
        transport, _listener = await ws_connect(Counting, url)
        transports.append(transport)
    return transports


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest.receive_floor", description=__doc__)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0, help="frames/s sent, each relayed to all")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--receiver", choices=["wire", "picows"], default="wire", help="the client's WebSocket code"
    )
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "loadtest.baseline", "--port", str(port)], stdout=subprocess.DEVNULL
    )
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            got = runner.run(measure(port, args.clients, args.rate, args.seconds, args.receiver))
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(5)
    print(
        f"{args.clients} {args.receiver} clients, {got['frames_per_s']:,.0f} frames/s received: "
        f"{got['us_per_frame']:.2f} µs of CPU per frame "
        f"(user {got['user_us']:.2f}, system {got['system_us']:.2f})"
    )


if __name__ == "__main__":
    main()
