"""The WebSocket endpoint `/ws`: protocol v1 sessions (see docs/protocol.md).

A session: negotiate the subprotocol, read the hello within the timeout, check the
credential, attach to the exercise's hub (welcome, then replay or snapshot), then read
commands in order while a writer task drains the connection's bounded send queue. A
connection whose queue overflows is too slow: it is closed with 4001 and resumes exactly
when it comes back. The endpoint holds no rules; `server.core` decides everything.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import structlog
from starlette.websockets import WebSocket

from server.adapters import metrics
from server.adapters.credentials import Credentials, TokenClaims
from server.adapters.direct_send import DirectWriter
from server.adapters.hub import AppendConflict, Attached, ExerciseGone, Hub
from server.adapters.limits import FailedAttempts, TokenBucket
from server.adapters.services import Services
from server.adapters.store import StoreUnavailable
from server.core import commands as c
from server.core.audience import Viewer
from server.core.errors import DomainError
from server.core.view import snapshot
from server.protocol import messages
from server.protocol.codec import FrameError, Subprotocol, choose, decode, encode
from server.protocol.commands import COMMANDS, ArgumentError

log = structlog.get_logger("liaison.endpoint")

_connection_numbers = itertools.count(1)

PRESENCE_RETRY = (0.5, 5.0)
"""Seconds before retrying a presence update Redis refused, and the most it grows to."""
JOIN_WINDOW = 60.0
"""Seconds over which failed join attempts per address are counted (LIAISON_JOIN_FAILURES)."""


class Refused(Exception):
    """The session cannot start; the connection closes with `code` after an error frame."""

    def __init__(self, code: int, error: str, message: str) -> None:
        super().__init__(message)
        self.code, self.error, self.message = code, error, message


@dataclass(eq=False)
class Connection:
    """One live WebSocket as the hub sees it: a viewer and a bounded send queue."""

    websocket: WebSocket
    subprotocol: Subprotocol
    viewer: Viewer
    id: str
    limit: int
    last_seq: int = 0
    frames_out: int = 0
    frames_direct: int = 0
    """Of `frames_out`, those written directly (not through the writer task)."""
    direct: DirectWriter | None = None
    """Writes a frame at once when nothing is queued (`server.adapters.direct_send`)."""
    closing: tuple[int, str, str] | None = None
    kicked: asyncio.Event = field(default_factory=asyncio.Event)
    _queue: deque[bytes | str] = field(default_factory=deque)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    _sending: bool = False

    def push(self, frame: bytes | str, seq: int) -> None:
        if self.closing is not None:
            return
        self.last_seq = max(self.last_seq, seq)
        if not self._queue and not self._sending and self.direct is not None and self.direct.write(frame):
            self.frames_out += 1
            self.frames_direct += 1
            return
        if len(self._queue) >= self.limit:
            metrics.slow_consumer_kicked()
            self.kick(4001, "too_slow", "the connection did not keep up; reconnect to resume")
            return
        self._queue.append(frame)
        self._wakeup.set()

    def kick(self, code: int, error: str, reason: str) -> None:
        """Close this connection soon with `code` (the session's main task does it)."""
        if self.closing is None:
            self.closing = (code, error, reason)
            self._queue.clear()
            self.kicked.set()

    async def write(self) -> None:
        """Send queued frames, forever; the session cancels this task when it ends."""
        send = self.websocket.send_bytes if self.subprotocol.binary else self.websocket.send_text
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            self._sending = True
            try:
                await send(self._queue.popleft())  # type: ignore[arg-type]
            finally:
                self._sending = False
            self.frames_out += 1


class Endpoint:
    _credentials: Credentials

    def __init__(self, services: Services) -> None:
        self._services = services
        self._failures = FailedAttempts(services.settings.join_failures, JOIN_WINDOW)
        self._settings = services.settings
        self._store = services.store
        self._hubs = services.hubs

    async def __call__(self, websocket: WebSocket) -> None:
        if not self._origin_allowed(websocket):
            await websocket.close(code=1008)  # before accept: the upgrade is refused with 403
            return
        subprotocol = choose(list(websocket.scope.get("subprotocols", [])))
        if subprotocol is None:
            await websocket.accept()
            await _close(websocket, Subprotocol.JSON, 4502, "unsupported", _NO_SUBPROTOCOL)
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
            await _close(websocket, subprotocol, refusal.code, refusal.error, refusal.message)
        finally:
            log.info("connection.closed", duration=round(time.monotonic() - started, 3), **stats)
            structlog.contextvars.clear_contextvars()

    async def _session(self, websocket: WebSocket, subprotocol: Subprotocol, stats: dict[str, Any]) -> None:
        hello = await self._read_hello(websocket, subprotocol)
        address = websocket.client.host if websocket.client else "?"
        if self._failures.blocked(address, time.monotonic()):
            raise Refused(4004, "too_many_attempts", "too many failed join attempts; wait a minute")
        try:
            self._credentials = await self._services.credentials()
        except StoreUnavailable:
            raise Refused(4003, "unavailable", "Redis is unavailable; try again shortly") from None
        try:
            hub, viewer, claims = await self._authenticate(hello)
        except Refused as refusal:
            if refusal.error in ("bad_credential", "revoked"):
                self._failures.failed(address, time.monotonic())
            raise
        open_now = len(hub.state.connections.get(viewer.participant, ()))
        if open_now >= self._settings.max_connections:
            raise Refused(
                4504, "too_many_connections", f"this participant already has {open_now} connections open"
            )
        connection = Connection(
            websocket=websocket,
            subprotocol=subprotocol,
            viewer=viewer,
            id=f"{self._hubs.instance}:{next(_connection_numbers)}",
            limit=self._settings.send_queue,
            direct=DirectWriter.of(websocket.scope, subprotocol.binary),
        )
        structlog.contextvars.bind_contextvars(
            exercise=hub.exercise, participant=viewer.participant, connection=connection.id
        )
        try:
            attached = await hub.attach(
                connection, hello.resume, lambda a: self._welcome(a, hub, viewer, claims)
            )
        except StoreUnavailable:
            raise Refused(4003, "unavailable", "Redis is unavailable; try again shortly") from None
        stats.update(mode=attached.mode, reason=attached.reason)
        metrics.connection_opened(connection, viewer.role, subprotocol.binary, lambda: len(connection._queue))
        try:
            await self._run(connection, hub, stats)
        finally:
            metrics.connection_closed(connection)
            hub.detach(connection)
            stats["frames_out"] = connection.frames_out
            stats["frames_direct"] = connection.frames_direct
            stats["close_code"] = connection.closing[0] if connection.closing else stats.get("close_code")
            self._hubs.later(
                self._settings.presence_grace,
                lambda: _close_presence(hub, viewer.participant, connection.id),
                name=f"presence-close:{connection.id}",
            )

    async def _run(self, connection: Connection, hub: Hub, stats: dict[str, Any]) -> None:
        """Write and read until the client goes, breaks the protocol, or is kicked; then close."""
        writer = asyncio.create_task(connection.write(), name=f"writer:{connection.id}")
        reader = asyncio.create_task(
            self._read_commands(connection, hub, stats), name=f"reader:{connection.id}"
        )
        kicked = asyncio.create_task(connection.kicked.wait(), name=f"kicked:{connection.id}")
        try:
            await hub.execute(c.OpenConnection(connection.viewer.participant, connection.id), c.SYSTEM)
        except (StoreUnavailable, DomainError, AppendConflict, ExerciseGone, TimeoutError) as failure:
            log.warning("presence.open_failed", error=repr(failure))
        try:
            await asyncio.wait({writer, reader, kicked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, writer, kicked):
                task.cancel()
            await asyncio.gather(reader, writer, kicked, return_exceptions=True)
        if connection.closing is None and reader.done() and not reader.cancelled():
            problem = reader.exception()
            if isinstance(problem, Refused):
                connection.kick(problem.code, problem.error, problem.message)
            elif problem is not None:
                log.error("connection.failed", exc_info=problem)
                connection.kick(1011, "internal", "internal error")
        if connection.closing is not None:
            code, error, reason = connection.closing
            await _close(connection.websocket, connection.subprotocol, code, error, reason)

    async def _read_hello(self, websocket: WebSocket, subprotocol: Subprotocol) -> messages.Hello:
        try:
            async with asyncio.timeout(self._settings.hello_timeout):
                frame = await _receive(websocket, subprotocol)
        except TimeoutError:
            raise Refused(4002, "hello_timeout", "no hello in time") from None
        if frame is None:
            raise Refused(1000, "", "")
        try:
            return messages.parse_hello(frame)
        except messages.ProtocolError as error:
            error_code = "unsupported" if error.close_code == 4502 else "protocol"
            raise Refused(error.close_code, error_code, error.message) from None

    async def _authenticate(self, hello: messages.Hello) -> tuple[Hub, Viewer, TokenClaims]:
        try:
            if hello.code is not None:
                code_hash = self._credentials.hash_code(hello.code)
                found = None if code_hash is None else await self._store.lookup_code(code_hash)
                if found is None:
                    raise Refused(4501, "bad_credential", "unknown join code")
                hub = await self._hubs.get(found[0])
                member = hub.state.participants.get(found[1])
                if member is None or member.code_hash != code_hash:
                    raise Refused(4501, "bad_credential", "unknown join code")
            else:
                assert hello.token is not None
                claims = self._credentials.verify(hello.token, time.time())
                if claims is None:
                    raise Refused(4501, "bad_credential", "invalid or expired session token")
                hub = await self._hubs.get(claims.exercise)
                member = hub.state.participants.get(claims.participant)
                if member is None or member.generation != claims.generation:
                    raise Refused(4503, "revoked", "this session's join code was replaced or revoked")
        except StoreUnavailable:
            raise Refused(4003, "unavailable", "Redis is unavailable; try again shortly") from None
        except ExerciseGone:
            raise Refused(4501, "bad_credential", "this exercise no longer exists") from None
        if member.revoked:
            raise Refused(4503, "revoked", "this join code was revoked")
        viewer = Viewer(member.id, member.team, member.role, member.staff)
        return hub, viewer, TokenClaims(hub.exercise, member.id, member.generation)

    def _welcome(self, attached: Attached, hub: Hub, viewer: Viewer, claims: TokenClaims) -> dict[str, Any]:
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
            token=self._credentials.token(claims, now),
            epoch=attached.epoch,
            seq=attached.seq,
            mode=attached.mode,
            reason=attached.reason,
            snapshot=None if attached.snapshot_state is None else snapshot(attached.snapshot_state, viewer),
            instance=self._hubs.instance,
            now=now,
        )

    async def _read_commands(self, connection: Connection, hub: Hub, stats: dict[str, Any]) -> None:
        bucket = TokenBucket(self._settings.command_rate, self._settings.command_burst)
        while True:
            frame = await _receive(connection.websocket, connection.subprotocol)
            if frame is None:
                return
            try:
                command = messages.parse_command(frame)
            except messages.ProtocolError as error:
                raise Refused(error.close_code, "protocol", error.message) from None
            except messages.BadCommand as error:
                stats["errors"] += 1
                connection.push(
                    self._encode(
                        connection,
                        messages.reply_error(error.command_id, "bad_request", error.message),
                    ),
                    0,
                )
                continue
            stats["commands"] += 1
            if not bucket.take(time.monotonic()):
                stats["errors"] += 1
                stats["rate_limited"] = stats.get("rate_limited", 0) + 1
                limited = messages.reply_error(
                    command.id, "rate_limited", "too many commands; slow down and retry"
                )
                metrics.command_answered(command.name, limited)
                connection.push(self._encode(connection, limited), 0)
                continue
            reply = await self._execute(connection, hub, command)
            metrics.command_answered(command.name, reply)
            if not reply["ok"]:
                stats["errors"] += 1
            connection.push(self._encode(connection, reply), 0)

    async def _execute(
        self, connection: Connection, hub: Hub, frame: messages.CommandFrame
    ) -> dict[str, Any]:
        spec = COMMANDS.get(frame.name)
        if spec is None:
            return messages.reply_error(
                frame.id, "unknown_command", f"no command {frame.name!r} in protocol v1"
            )
        new_code = self._credentials.mint()
        viewer = connection.viewer
        try:
            command = spec.build(frame.args, new_code)
            if spec.issues_code:
                await self._store.register_codes(hub.exercise, {new_code.hash: "pending"})
            executed = await hub.execute(command, viewer, command_key=f"{viewer.participant}/{frame.id}")
            if spec.issues_code and executed.events:
                result = spec.result(executed.events, new_code)
                await self._store.register_codes(hub.exercise, {new_code.hash: result["participant"]})
        except ArgumentError as error:
            return messages.reply_error(frame.id, "invalid_args", str(error))
        except DomainError as error:
            return messages.reply_error(frame.id, error.code, error.message)
        except (StoreUnavailable, TimeoutError):
            return messages.reply_error(
                frame.id,
                "unavailable",
                "Redis is unavailable; retry with the same id (a retry of an applied one says duplicate)",
            )
        except AppendConflict:
            return messages.reply_error(
                frame.id, "conflict", "the log kept moving; nothing was written, retry"
            )
        except ExerciseGone:
            raise Refused(4000, "shutting_down", "the exercise is gone") from None
        except Exception:
            log.exception("command.failed", command=frame.name)
            return messages.reply_error(frame.id, "internal", "internal error (logged)")
        if executed.duplicate:
            return messages.reply_ok(frame.id, {"duplicate": True}, executed.seq)
        return messages.reply_ok(frame.id, spec.result(executed.events, new_code), executed.seq)

    def _encode(self, connection: Connection, frame: dict[str, Any]) -> bytes | str:
        return encode(connection.subprotocol, frame)

    def _origin_allowed(self, websocket: WebSocket) -> bool:
        origin = websocket.headers.get("origin")
        if origin is None:
            return True  # not a browser: browsers always send Origin
        if origin in self._settings.allowed_origins:
            return True
        return urlsplit(origin).netloc == websocket.headers.get("host", "")


async def _close_presence(hub: Hub, participant: str, connection: str) -> None:
    """Write `connection.closed`; while Redis is away, keep trying (else it would stay online)."""
    delay = PRESENCE_RETRY[0]
    while True:
        try:
            await hub.execute(c.CloseConnection(participant, connection), c.SYSTEM)
            return
        except (StoreUnavailable, AppendConflict, TimeoutError) as failure:
            log.warning("presence.close_failed", connection=connection, error=repr(failure), retry_in=delay)
        except ExerciseGone:
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, PRESENCE_RETRY[1])


_NO_SUBPROTOCOL = "offer liaison.v1.msgpack or liaison.v1.json in Sec-WebSocket-Protocol"


async def _receive(websocket: WebSocket, subprotocol: Subprotocol) -> dict[str, Any] | None:
    """The next frame, decoded; None when the client has gone."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    data: bytes | str | None = message.get("bytes")
    if data is None:
        data = message.get("text") or ""
    try:
        return decode(subprotocol, data)
    except FrameError as error:
        raise Refused(4500, "protocol", str(error)) from None


async def _close(websocket: WebSocket, subprotocol: Subprotocol, code: int, error: str, reason: str) -> None:
    """Say why (an error frame), then close; give up quickly on a peer that does not read."""
    try:
        async with asyncio.timeout(1.0):
            if error:
                frame = encode(subprotocol, messages.error(error, reason))
                if isinstance(frame, bytes):
                    await websocket.send_bytes(frame)
                else:
                    await websocket.send_text(frame)
            await websocket.close(code, reason[:120])
    except (TimeoutError, RuntimeError, OSError):
        pass
    except Exception as exc:  # the peer vanished mid-close (uvicorn's ClientDisconnected)
        log.debug("connection.close_failed", error=repr(exc))


def _client(websocket: WebSocket) -> str:
    client = websocket.client
    return f"{client.host}:{client.port}" if client else "?"
