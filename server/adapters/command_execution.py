"""Running a connection's commands: read `cmd` frames in order, run each through the hub, queue
exactly one reply each.

The rate limit (`LIAISON_COMMAND_RATE`, bursts of `LIAISON_COMMAND_BURST`) counts a command
when it is taken up, one after the other, not when its frame arrived: a pipelined burst is
counted as the server processes it. A limited command is not run (`rate_limited`); the client
retries it later with the same id. Failures of the adapters become replies through the one
table in `server.adapters.wire_errors`.

Heartbeat: `ping` is answered at once (nothing written, `seq` null), so a page can tell a dead
network from a quiet exercise within seconds. A connection that has pinged is expected to go on:
silent for `HEARTBEAT_SILENCE` seconds, it is taken as gone (its presence grace starts), as a
network cut that never closes the TCP connection would otherwise keep it "online" for minutes.
A frame over `LIAISON_MAX_FRAME_BYTES` that holds a command gets the reply `too_large` and the
session goes on (`server.adapters.frames.Oversized`).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import structlog

from server.adapters import metrics
from server.adapters.credentials import Credentials
from server.adapters.frames import Oversized, receive
from server.adapters.history import history
from server.adapters.hub import ExerciseGone, Hub
from server.adapters.limits import TokenBucket
from server.adapters.send_queue import Connection
from server.adapters.services import Services
from server.adapters.wire_errors import FAILURES, Refused, wire_error
from server.core.audience import Viewer
from server.core.commands import Command
from server.core.errors import DomainError
from server.core.evaluation import is_anonymous
from server.core.view import catalogue_with_tag
from server.protocol import messages
from server.protocol.codec import encode
from server.protocol.commands import CATALOGUE, COMMANDS, PING, ArgumentError, NewCode
from server.protocol.history import HISTORY, parse_history

log = structlog.get_logger("liaison.endpoint")

NO_CODE = NewCode(code="", hash="")
"""What the commands that issue no join code are built with (only `issues_code` ones read it)."""
HEARTBEAT_SILENCE = 15.0
"""Seconds without a frame after which a connection that pings is taken as gone."""


class CommandRunner:
    def __init__(self, services: Services, credentials: Credentials, read_only: str = "") -> None:
        self._settings = services.settings
        self._store = services.store
        self._credentials = credentials
        self._read_only = read_only
        """When set (a preview), every command but the reads (`history`, `catalogue`) is refused
        with this message."""

    async def read(self, connection: Connection, hub: Hub, stats: dict[str, Any]) -> None:
        """Until the client goes (or the instance stops); raises `Refused` on a protocol error."""
        bucket = TokenBucket(self._settings.command_rate, self._settings.command_burst)
        pinged = False
        while not connection.stopping.is_set():
            connection.idle.set()
            try:
                frame = await self._next(connection, pinged)
            except Oversized as oversized:
                connection.idle.clear()
                if oversized.command_id is None:
                    raise
                stats["errors"] += 1
                self._reply(
                    connection, messages.reply_error(oversized.command_id, "too_large", oversized.message)
                )
                continue
            connection.idle.clear()
            if frame is None or connection.stopping.is_set():
                return  # a command that came as the instance stops gets no reply: the client retries it
            try:
                command = messages.parse_command(frame)
            except messages.ProtocolError as error:
                raise Refused(error.close_code, "protocol", error.message) from None
            except messages.BadCommand as error:
                stats["errors"] += 1
                self._reply(connection, messages.reply_error(error.command_id, "bad_request", error.message))
                continue
            stats["commands"] += 1
            if command.name == PING:
                pinged = True
                self._reply(connection, messages.reply_ok(command.id, {"time": time.time()}, None))
                continue
            if not bucket.take(time.monotonic()):
                stats["errors"] += 1
                stats["rate_limited"] = stats.get("rate_limited", 0) + 1
                limited = messages.reply_error(
                    command.id, "rate_limited", "too many commands; nothing was done: retry later, same id"
                )
                metrics.command_answered(command.name, limited)
                self._reply(connection, limited)
                continue
            reply = await self.execute(connection, hub, command)
            if not reply["ok"]:
                stats["errors"] += 1
            metrics.command_answered(command.name, reply)
            self._reply(connection, reply)

    async def _next(self, connection: Connection, pinged: bool) -> dict[str, Any] | None:
        """The next frame; None when the client went, or went silent after pinging."""
        limit = self._settings.max_frame_bytes
        if not pinged:
            return await receive(connection.websocket, connection.subprotocol, limit)
        try:
            async with asyncio.timeout(HEARTBEAT_SILENCE):
                return await receive(connection.websocket, connection.subprotocol, limit)
        except TimeoutError:
            log.info("connection.silent", seconds=HEARTBEAT_SILENCE)
            return None

    async def execute(self, connection: Connection, hub: Hub, frame: messages.CommandFrame) -> dict[str, Any]:
        if frame.name == HISTORY:
            return await self._history(connection, hub, frame)
        if frame.name == CATALOGUE:  # a read, like history: allowed in a preview
            rules, tag = catalogue_with_tag(hub.state.scenario)
            return messages.reply_ok(frame.id, {"tag": tag, "catalogue": rules}, None)
        if self._read_only:
            return messages.reply_error(frame.id, "read_only", self._read_only)
        spec = COMMANDS.get(frame.name)
        if spec is None:
            unknown = f"no command {frame.name!r} in protocol v1"
            return messages.reply_error(frame.id, "unknown_command", unknown)
        new_code = self._credentials.mint() if spec.issues_code else NO_CODE  # minting costs an HMAC
        viewer = connection.viewer
        try:
            command = spec.build(frame.args, new_code)
            if spec.issues_code:
                await self._store.register_codes(hub.exercise, {new_code.hash: "pending"})
            executed = await hub.execute(
                command, viewer, command_key=_command_key(hub, command, viewer, frame)
            )
            if spec.issues_code and executed.events:
                result = spec.result(executed.events, new_code)
                await self._store.register_codes(hub.exercise, {new_code.hash: result["participant"]})
        except ArgumentError as error:
            return messages.reply_error(frame.id, "invalid_args", str(error))
        except DomainError as error:
            return messages.reply_error(frame.id, error.code, error.message)
        except ExerciseGone as failure:
            raise Refused.by(failure) from None
        except FAILURES as failure:
            known = wire_error(failure)
            assert known is not None
            return messages.reply_error(frame.id, known.code, known.message)
        except Exception:
            log.exception("command.failed", command=frame.name)
            return messages.reply_error(frame.id, "internal", "internal error (logged)")
        if executed.duplicate:
            return messages.reply_ok(frame.id, {"duplicate": True}, executed.seq)
        return messages.reply_ok(frame.id, spec.result(executed.events, new_code), executed.seq)

    async def _history(
        self, connection: Connection, hub: Hub, frame: messages.CommandFrame
    ) -> dict[str, Any]:
        """A read: answered from the projection and the log, nothing written, no seq."""
        try:
            result = await history(hub, connection.viewer, parse_history(frame.args))
        except ArgumentError as error:
            return messages.reply_error(frame.id, "invalid_args", str(error))
        except FAILURES as failure:
            known = wire_error(failure)
            assert known is not None
            return messages.reply_error(frame.id, known.code, known.message)
        return messages.reply_ok(frame.id, result, None)

    def _reply(self, connection: Connection, frame: dict[str, Any]) -> None:
        connection.push(encode(connection.subprotocol, frame), 0)


def _command_key(hub: Hub, command: Command, viewer: Viewer, frame: messages.CommandFrame) -> str:
    """The key a command is remembered by in the applied-commands record (a retry with the same
    id is answered as a duplicate). For an answer to an anonymous questionnaire it is a one-way
    hash, so that not even that record in Redis names who answered (docs/protocol.md)."""
    key = f"{viewer.participant}/{frame.id}"
    if is_anonymous(hub.state, command):
        return "anonymous/" + hashlib.sha256(key.encode()).hexdigest()
    return key
