"""A graceful stop (SIGTERM): tell every client to reconnect elsewhere at once, let the commands
in flight finish, then let the server exit.

`liaison serve` calls `stop` when uvicorn begins to shut down, after the listening sockets
are closed and before uvicorn would close the connections with a bare 1012. Each session then
stops taking commands up, waits for the one in flight (at most `COMMAND_WAIT` seconds), hands
its queued frames to the socket and closes with `shutting_down` (4000). The lifespan then
writes `connection.closed` for all of this instance's connections at once (their presence
grace would outlive the process).
"""

from __future__ import annotations

import asyncio

from server.adapters.send_queue import Connection

COMMAND_WAIT = 5.0
"""Seconds a session waits for its command in flight before it closes anyway."""
STOP_WAIT = COMMAND_WAIT + 2.0
"""Seconds `stop` waits for all sessions to close."""


class GracefulStop:
    def __init__(self) -> None:
        self.stopping = False
        self._connections: set[Connection] = set()
        self._emptied = asyncio.Event()

    def add(self, connection: Connection) -> bool:
        """Track a new session; False once the instance is stopping (refuse it)."""
        if self.stopping:
            return False
        self._connections.add(connection)
        self._emptied.clear()
        return True

    def discard(self, connection: Connection) -> None:
        self._connections.discard(connection)
        if not self._connections:
            self._emptied.set()

    async def stop(self, within: float = STOP_WAIT) -> None:
        self.stopping = True
        if not self._connections:
            return
        for connection in list(self._connections):
            connection.stop()
        try:
            async with asyncio.timeout(within):
                await self._emptied.wait()
        except TimeoutError:
            pass
