"""The WebSocket endpoint `/ws`: protocol v1 sessions (see docs/protocol.md).

A session: negotiate the subprotocol, read the hello within the timeout and check its
credential (`server.adapters.authentication`), count the participant's open connections,
attach to the exercise's hub (welcome, then replay or snapshot), then read and run commands
in order (`server.adapters.command_execution`) while a writer task drains the connection's
bounded send queue (`server.adapters.send_queue`). The endpoint holds no rules;
`server.core` decides everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from typing import Any
from urllib.parse import urlsplit

import structlog
from starlette.websockets import WebSocket

from server.adapters import metrics
from server.adapters.authentication import Authentication, Identity, read_hello
from server.adapters.command_execution import CommandRunner
from server.adapters.direct_send import DirectWriter
from server.adapters.frames import close
from server.adapters.graceful_stop import COMMAND_WAIT, GracefulStop
from server.adapters.hub import Attached, ExerciseGone, Hub
from server.adapters.preview import READ_ONLY, open_preview
from server.adapters.send_queue import Connection
from server.adapters.services import Services
from server.adapters.store import StoreUnavailable
from server.adapters.wire_errors import FAILURES, Refused
from server.core import commands as c
from server.core.errors import DomainError
from server.core.view import snapshot
from server.protocol import messages
from server.protocol.codec import Subprotocol, choose

log = structlog.get_logger("liaison.endpoint")

_connection_numbers = itertools.count(1)

PRESENCE_RETRY = (0.5, 5.0)
"""Seconds before retrying a presence update Redis refused, and the most it grows to."""
DRAIN_WAIT = 1.0
"""Seconds a stopping session gives its queued frames to reach the socket."""
_NO_SUBPROTOCOL = "offer liaison.v1.msgpack or liaison.v1.json in Sec-WebSocket-Protocol"
_STOPPING = "the server is stopping; reconnect (to another instance) and resume"


class Endpoint:
    def __init__(self, services: Services, graceful: GracefulStop) -> None:
        self._services = services
        self._settings = services.settings
        self._store = services.store
        self._hubs = services.hubs
        self._graceful = graceful
        self._authentication = Authentication(services)

    async def __call__(self, websocket: WebSocket) -> None:
        if not self._origin_allowed(websocket):
            await websocket.close(code=1008)  # before accept: the upgrade is refused with 403
            return
        subprotocol = choose(list(websocket.scope.get("subprotocols", [])))
        if subprotocol is None:
            await websocket.accept()
            await close(websocket, Subprotocol.JSON, 4502, "unsupported", _NO_SUBPROTOCOL)
            return
        await websocket.accept(subprotocol=subprotocol)
        started = time.monotonic()
        structlog.contextvars.bind_contextvars(client=_client(websocket))
        stats: dict[str, Any] = {"commands": 0, "errors": 0}
        try:
            await self._session(websocket, subprotocol, stats)
        except Refused as refusal:
            stats["close_code"] = refusal.code
            stats["refused"] = refusal.error
            await close(websocket, subprotocol, refusal.code, refusal.error, refusal.message)
        finally:
            log.info("connection.closed", duration=round(time.monotonic() - started, 3), **stats)
            structlog.contextvars.clear_contextvars()

    async def _session(self, websocket: WebSocket, subprotocol: Subprotocol, stats: dict[str, Any]) -> None:
        hello = await read_hello(
            websocket, subprotocol, self._settings.hello_timeout, self._settings.max_frame_bytes
        )
        address = websocket.client.host if websocket.client else "?"
        identity = await self._authentication.identify(hello, address)
        if hello.preview is not None:  # control's read-only preview: no presence, not counted
            identity = await open_preview(identity, hello.preview)
        hub, viewer, preview = identity.hub, identity.viewer, identity.preview_by is not None
        open_now = 0 if preview else await self._open_connections(hub, viewer.participant)
        if open_now >= self._settings.max_connections:
            raise Refused(
                4504, "too_many_connections", f"this participant already has {open_now} connections open"
            )
        connection = Connection(
            websocket=websocket,
            subprotocol=subprotocol,
            viewer=viewer,
            holder=identity.preview_by or "",
            id=f"{self._hubs.instance}:{next(_connection_numbers)}",
            limit=self._settings.send_queue,
            direct=DirectWriter.of(websocket.scope, subprotocol.binary),
        )
        structlog.contextvars.bind_contextvars(
            exercise=hub.exercise, participant=viewer.participant, connection=connection.id
        )
        if not self._graceful.add(connection):
            raise Refused(4000, "shutting_down", _STOPPING)
        try:
            try:
                attached = await hub.attach(
                    connection, hello.resume, lambda a: self._welcome(a, identity, hello.catalogue)
                )
            except (StoreUnavailable, ExerciseGone) as failure:
                raise Refused.by(failure) from None
            stats.update(mode=attached.mode, reason=attached.reason)
            metrics.connection_opened(connection, viewer.role, subprotocol.binary, connection.queued)
            try:
                runner = CommandRunner(self._services, identity.credentials, READ_ONLY if preview else "")
                await self._run(connection, hub, runner, stats, presence=not preview)
            finally:
                metrics.connection_closed(connection)
                hub.detach(connection)
                stats["frames_out"] = connection.frames_out
                stats["frames_direct"] = connection.frames_direct
                stats["close_code"] = connection.closing[0] if connection.closing else stats.get("close_code")
                if not preview:
                    await self._closed_later(hub, viewer.participant, connection.id)
        finally:
            self._graceful.discard(connection)

    async def _open_connections(self, hub: Hub, participant: str) -> int:
        """The participant's open connections: those in the state, less those that ended and only
        wait for their presence grace (on any instance), which the state still counts."""
        listed = sorted(hub.state.connections.get(participant, ()))
        if len(listed) < self._settings.max_connections:
            return len(listed)
        try:
            return len(listed) - len(await self._store.closing(hub.exercise, listed))
        except StoreUnavailable:
            return len(listed)

    async def _closed_later(self, hub: Hub, participant: str, connection: str) -> None:
        grace = self._settings.presence_grace
        with contextlib.suppress(StoreUnavailable):
            await self._store.mark_closing(hub.exercise, connection, grace + 60.0)
        self._hubs.later(
            grace,
            lambda: _close_presence(hub, self._services, participant, connection),
            name=f"presence-close:{connection}",
        )

    async def _run(
        self,
        connection: Connection,
        hub: Hub,
        commands: CommandRunner,
        stats: dict[str, Any],
        presence: bool = True,
    ) -> None:
        """Write and read until the client goes, breaks the protocol, is kicked, or the instance
        stops; then close."""
        writer = asyncio.create_task(connection.write(), name=f"writer:{connection.id}")
        reader = asyncio.create_task(commands.read(connection, hub, stats), name=f"reader:{connection.id}")
        kicked = asyncio.create_task(connection.kicked.wait(), name=f"kicked:{connection.id}")
        stopping = asyncio.create_task(connection.stopping.wait(), name=f"stopping:{connection.id}")
        try:
            if presence:
                await hub.execute(c.OpenConnection(connection.viewer.participant, connection.id), c.SYSTEM)
        except FAILURES as failure:
            log.warning("presence.open_failed", error=repr(failure))
        except DomainError as refused:  # a revoked participant: the hub kicks it
            log.warning("presence.open_failed", error=repr(refused))
        try:
            await asyncio.wait({writer, reader, kicked, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if connection.stopping.is_set() and connection.closing is None:
                await self._finish(connection, reader)
        finally:
            for task in (reader, writer, kicked, stopping):
                task.cancel()
            await asyncio.gather(reader, writer, kicked, stopping, return_exceptions=True)
        if connection.closing is None and reader.done() and not reader.cancelled():
            problem = reader.exception()
            if isinstance(problem, Refused):
                connection.kick(problem.code, problem.error, problem.message)
            elif problem is not None:
                log.error("connection.failed", exc_info=problem)
                connection.kick(1011, "internal", "internal error")
        if connection.closing is not None:
            code, error, reason = connection.closing
            await close(connection.websocket, connection.subprotocol, code, error, reason, connection.direct)

    async def _finish(self, connection: Connection, reader: asyncio.Task[None]) -> None:
        """The instance stops: let the command in flight end and the queue drain, then 4000."""
        if not connection.idle.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(COMMAND_WAIT):
                    await asyncio.wait({reader})
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_WAIT):
                await connection.drained()
        if reader.done() and not reader.cancelled() and reader.exception() is not None:
            return  # a protocol error or a bug: reported as such
        connection.kick(4000, "shutting_down", _STOPPING)

    def _welcome(self, attached: Attached, identity: Identity, catalogue_held: str) -> dict[str, Any]:
        hub, viewer = identity.hub, identity.viewer
        member = hub.state.participants[viewer.participant]
        now = time.time()
        return messages.welcome(
            me={
                "participant": member.id,
                "name": member.name,
                "team": member.team,
                "role": member.role,
                "staff": member.staff,
            },
            exercise=hub.exercise,
            token=identity.credentials.token(identity.claims, now),
            epoch=attached.epoch,
            seq=attached.seq,
            mode=attached.mode,
            reason=attached.reason,
            snapshot=None
            if attached.snapshot_state is None
            else snapshot(attached.snapshot_state, viewer, catalogue_held),
            instance=self._hubs.instance,
            now=now,
            preview=_preview_of(identity),
        )

    def _origin_allowed(self, websocket: WebSocket) -> bool:
        origin = websocket.headers.get("origin")
        if origin is None:
            return True  # not a browser: browsers always send Origin
        if origin in self._settings.allowed_origins:
            return True
        return urlsplit(origin).netloc == websocket.headers.get("host", "")


async def _close_presence(hub: Hub, services: Services, participant: str, connection: str) -> None:
    """Write `connection.closed`; while Redis is away, keep trying (else it would stay online)."""
    delay = PRESENCE_RETRY[0]
    while True:
        try:
            await hub.execute(c.CloseConnection(participant, connection), c.SYSTEM)
            with contextlib.suppress(StoreUnavailable):
                await services.store.unmark_closing(hub.exercise, connection)
            return
        except ExerciseGone:
            return
        except FAILURES as failure:
            log.warning("presence.close_failed", connection=connection, error=repr(failure), retry_in=delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, PRESENCE_RETRY[1])


def _preview_of(identity: Identity) -> dict[str, Any] | None:
    """`welcome.preview`: who is previewing this station, or None for a participant's own."""
    if identity.preview_by is None:
        return None
    by = identity.hub.state.participants[identity.preview_by]
    return {"by": by.id, "name": by.name, "role": by.role}


def _client(websocket: WebSocket) -> str:
    client = websocket.client
    return f"{client.host}:{client.port}" if client else "?"
