"""The floor: a bare `websockets` broadcast server, and the clients that drive it.

The server (`python -m loadtest.baseline --port P`) does what any WebSocket fan-out must do
and nothing else: for each frame a client sends (`{id, text, n}`, MessagePack), it numbers it,
stamps it with its wall time (`at`, like Liaison's append time), sends the event to every
connected client with `websockets.broadcast` (encoded once), or to `n` of them picked at random
when `n` is given, and replies to the sender. No
Redis, no visibility, no log. The load test drives it with as many clients and the same event
rate as the Liaison run, measuring latency the same way (receive time minus `at`), so the
report can state Liaison's latency as a ratio to this floor.

By default every client receives every event: with Liaison a team message reaches the team and
the staff only, so the baseline then delivers more frames per event than Liaison does;
`--baseline-fanout matched` sends each frame to as many clients as a Liaison event reached on
average. A client checks that the seqs it gets increase (a subset may skip some).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import time
from typing import Any

import msgpack
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from .bot import Measures
from .loops import loop_factory

HOST = "127.0.0.1"


async def run_server(port: int) -> None:
    clients: set[ServerConnection] = set()
    rng = random.Random(port)
    seq = 0

    async def relay(ws: ServerConnection) -> None:
        nonlocal seq
        clients.add(ws)
        try:
            async for message in ws:
                assert isinstance(message, bytes)
                body = msgpack.unpackb(message)
                seq += 1
                event = {"type": "event", "seq": seq, "at": time.time(), "kind": "relay", "data": body}
                fanout = body.get("n")
                targets = (
                    clients if not fanout or fanout >= len(clients) else rng.sample(list(clients), fanout)
                )
                broadcast(targets, msgpack.packb(event))
                await ws.send(msgpack.packb({"type": "reply", "id": body.get("id"), "ok": True, "seq": seq}))
        except ConnectionClosed:
            pass
        finally:
            clients.discard(ws)

    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(relay, HOST, port, compression=None, max_size=2**20):
        await stop


class BaselineClient:
    """One plain WebSocket client: times every event, checks its order, times its replies."""

    def __init__(self, url: str, measures: Measures, fanout: int = 0) -> None:
        self.url = url
        self.fanout = fanout
        """Clients each frame should reach (0: all)."""
        self.measures = measures
        self.ws: ClientConnection | None = None
        self.last = 0
        self.anomalies: list[str] = []
        self.pending: dict[str, float] = {}
        self._counter = 0

    async def run(self, connected: asyncio.Event) -> None:
        async with connect(self.url, compression=None, max_size=2**24) as ws:
            self.ws = ws
            connected.set()
            try:
                async for message in ws:
                    assert isinstance(message, bytes)
                    self._receive(msgpack.unpackb(message))
            except ConnectionClosed:
                pass
            finally:
                self.ws = None

    def _receive(self, frame: dict[str, Any]) -> None:
        now = time.time()
        if frame["type"] == "event":
            seq = int(frame["seq"])
            if seq <= self.last:
                self.anomalies.append("duplicate" if seq == self.last else "out_of_order")
                return
            self.last = seq
            self.measures.deliveries += 1
            if frame["at"] >= self.measures.steady_from:
                self.measures.latencies.append((now - frame["at"]) * 1000)
            else:
                self.measures.ramp_latencies.append((now - frame["at"]) * 1000)
        elif frame["type"] == "reply":
            started = self.pending.pop(str(frame["id"]), None)
            if started is not None:
                self.measures.rtts.append((time.perf_counter() - started) * 1000)

    async def send(self) -> None:
        ws = self.ws
        if ws is None:
            self.measures.skipped += 1
            return
        self._counter += 1
        id = f"{id_prefix(self)}-{self._counter}"
        self.pending[id] = time.perf_counter()
        self.measures.commands += 1
        try:
            frame = {"id": id, "text": f"extra {self._counter}", "n": self.fanout}
            await ws.send(msgpack.packb(frame))
        except ConnectionClosed:
            self.measures.errors["closed"] += 1


def id_prefix(client: BaselineClient) -> str:
    return format(id(client), "x")


async def drive(
    clients: list[BaselineClient], rate: float, until: float, rng: random.Random, tasks: asyncio.TaskGroup
) -> None:
    """Frames at `rate` per second (Poisson) from random clients, until `until` (wall time)."""
    if rate <= 0 or not clients:
        return
    due = time.time()
    count = 0
    while True:
        due += rng.expovariate(rate)
        if due >= until:
            return
        await asyncio.sleep(max(0.0, due - time.time()))
        count += 1
        tasks.create_task(rng.choice(clients).send(), name=f"baseline-send:{count}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest.baseline", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--event-loop",
        choices=["auto", "uvloop", "asyncio"],
        default="asyncio",
        help="the loop the Liaison instances run on (auto: uvloop when installed)",
    )
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=loop_factory(args.event_loop)) as runner:
        runner.run(run_server(args.port))


if __name__ == "__main__":
    main()
