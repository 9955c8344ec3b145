"""A TCP proxy between a Liaison instance and Redis that misbehaves on request.

`FaultyProxy(upstream_port)` listens on a free loopback port and forwards every connection to
Redis. It runs its own event loop in a thread, so the test's blocking calls (starting a server,
`httpx`) never stall it. Between `start()` and `stop()`, from any thread:

- `delay(seconds)`: each chunk is forwarded `seconds` after it arrived (order kept);
- `pause()` / `resume()`: stop forwarding in both directions (a network that drops packets: the
  connections stay open, the bytes wait) and let them flow again;
- `cut()`: reset every open connection (RST), as when a NAT or firewall forgets them;
- `refuse(True)`: new connections are reset at once (Redis unreachable), until `refuse(False)`.

`accepted` counts the connections accepted, `cuts` the connections reset by `cut()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Coroutine
from typing import Any

from tests.support import free_port

CHUNK = 65_536


class FaultyProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.accepted = 0
        self.cuts = 0
        self._delay = 0.0
        self._refusing = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="faulty-proxy", daemon=True)
        self._flowing: asyncio.Event | None = None
        self._server: asyncio.Server | None = None
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._replication: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        """Links on which a replica syncs (it sent REPLCONF): `hold_replication` pauses only those."""
        self._replicating: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> FaultyProxy:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def delay(self, seconds: float) -> None:
        self._delay = seconds

    def pause(self) -> None:
        self._loop.call_soon_threadsafe(self._set_flowing, False)

    def resume(self) -> None:
        self._loop.call_soon_threadsafe(self._set_flowing, True)

    def hold_replication(self, holding: bool) -> None:
        """Stop (True) or let through again (False) the traffic of replicas syncing through the
        proxy, and only theirs: the primary goes on serving its clients, its replicas fall behind."""
        self._call(self._hold(holding))

    def refuse(self, refusing: bool) -> None:
        self._refusing = refusing

    def cut(self) -> int:
        """Reset every open connection; how many there were."""
        cut: int = self._call(self._cut())
        return cut

    # -- in the proxy's thread ------------------------------------------------------------

    def _call(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(10)

    def _set_flowing(self, flowing: bool) -> None:
        assert self._flowing is not None
        if flowing:
            self._flowing.set()
        else:
            self._flowing.clear()

    async def _hold(self, holding: bool) -> None:
        assert self._replicating is not None
        if holding:
            self._replicating.clear()
        else:
            self._replicating.set()

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._replicating = asyncio.Event()
        self._replicating.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        await self._cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _cut(self) -> int:
        links = list(self._links)
        self._links.clear()
        for client, upstream in links:
            _reset(client)
            _reset(upstream)
        self.cuts += len(links)
        return len(links)

    async def _accept(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self._refusing:
            _reset(client)
            return
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(client)
            return
        link = (client, upstream)
        self._links.add(link)
        for reader, writer in ((client_reader, upstream), (upstream_reader, client)):
            task = asyncio.create_task(self._pump(reader, writer, link), name="proxy-pump")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        link: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        """Forward one direction; chunks wait out the delay and any pause, in order."""
        loop = asyncio.get_running_loop()
        pending: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            assert self._flowing is not None and self._replicating is not None
            while True:
                due, data = await pending.get()
                if not data:
                    break
                await asyncio.sleep(max(0.0, due - loop.time()))
                await self._flowing.wait()
                if link in self._replication:
                    await self._replicating.wait()
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(send(), name="proxy-send")
        try:
            while not sender.done():
                data = await reader.read(CHUNK)
                if writer is link[1] and b"REPLCONF" in data:  # from a replica, to the primary
                    self._replication.add(link)
                pending.put_nowait((loop.time() + self._delay, data))
                if not data:
                    break
            await sender
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender
            if link in self._links:  # one side ended: end the other, as a real network path would
                self._links.discard(link)
                for end in link:
                    end.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), not a polite FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
