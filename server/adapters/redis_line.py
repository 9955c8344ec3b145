"""Redis lines: one connection held for one kind of hot traffic, written and read with hiredis.

Every event of an exercise costs one append (`EVALSHA` of `append.lua`) and one pub/sub message.
Through redis-py's client, the append alone costs about 145 µs of CPU here (a pool checkout
under a timeout, the retry and deprecation wrappers, the health check, the parser's layers),
against about 65 µs when hiredis packs the command and parses the reply read straight off the
connection (docs/performance.md, "Redis lines"). A line does only that:

- `Line`: commands one at a time on one held connection, each with its reply; the connection is
  opened again after a break, and a command that met a broken or silent connection is sent again
  (at most `RETRIES` times, with backoff), as redis-py's own retry does for every client here;
- `Subscription`: a pattern subscription whose messages are read as they come, with a `PING`
  after `PING_AFTER` seconds of silence and the subscription called broken when even that gets
  no answer.

redis-py still opens each connection (`make_connection` of the client's pool + `connect`): the
address, TLS, AUTH, SELECT and, behind Sentinel, asking for the primary are its own, so a line
takes every URL form a client does. Lines serve one server and a Sentinel primary; a cluster's
client routes each key to its node, so `supported` is False for it and callers keep redis-py.
Failures surface as redis-py's exceptions (`ConnectionError`, `TimeoutError`, `ResponseError`
and its kinds), which `server.adapters.store` turns into `StoreUnavailable` as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from typing import Any, TypeGuard

import redis.asyncio as aioredis
from redis import exceptions as redis_errors

try:
    import hiredis
except ImportError:  # pragma: no cover - hiredis comes with redis[hiredis], a dependency
    hiredis = None  # type: ignore[assignment]

RETRIES = 3
"""Times a command is sent again after a broken connection or a timeout (redis-py's `Retry` here)."""
PING_AFTER = 5.0
"""Seconds of silence on a subscription before it asks Redis for a `PING` (answered at once)."""
READ_SIZE = 65536

_ERRORS: dict[str, type[redis_errors.RedisError]] = {
    "NOSCRIPT": redis_errors.NoScriptError,
    "READONLY": redis_errors.ReadOnlyError,
    "LOADING": redis_errors.BusyLoadingError,
    "OOM": redis_errors.OutOfMemoryError,
    "NOPERM": redis_errors.NoPermissionError,
}


def supported(client: Any) -> TypeGuard[aioredis.Redis]:
    """Whether lines can serve `client`: one server or a Sentinel primary, with hiredis."""
    return hiredis is not None and isinstance(client, aioredis.Redis)


def error_of(reply: Exception) -> redis_errors.RedisError:
    """redis-py's exception for an error reply (`READONLY ...` → `ReadOnlyError`)."""
    text = str(reply)
    code, _, rest = text.partition(" ")
    kind = _ERRORS.get(code)
    return kind(rest) if kind is not None else redis_errors.ResponseError(text)


class _Connection:
    """One open connection of the client's pool, its streams, and a hiredis reader."""

    def __init__(
        self, pool: Any, raw: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.pool = pool
        self.raw = raw
        self.reader = reader
        self.writer = writer
        self.parser = hiredis.Reader()

    @classmethod
    async def open(cls, client: aioredis.Redis) -> _Connection:
        """A connection of the client's pool, held until `close` (closing the client closes it too)."""
        pool = client.connection_pool
        raw = await pool.get_connection()  # type: ignore[no-untyped-call]
        reader, writer = raw._reader, raw._writer  # what redis-py's own parser reads
        if reader is None or writer is None:  # pragma: no cover - the pool hands out open ones
            await pool.release(raw)
            raise redis_errors.ConnectionError("the Redis connection did not open")
        return cls(pool, raw, reader, writer)

    def send(self, args: Sequence[Any]) -> None:
        self.writer.write(hiredis.pack_command(tuple(args)))

    async def reply(self) -> Any:
        """The next reply; an error reply is returned as redis-py's exception, not raised."""
        parser = self.parser
        while True:
            reply = parser.gets()
            if reply is not False:
                return error_of(reply) if isinstance(reply, hiredis.ReplyError) else reply
            data = await self.reader.read(READ_SIZE)
            if not data:
                raise redis_errors.ConnectionError("Connection closed by server.")
            parser.feed(data)

    async def close(self) -> None:
        """Close it and give it back to the pool (which opens a fresh one when next asked)."""
        try:
            await self.raw.disconnect(nowait=True)
        finally:
            await self.pool.release(self.raw)


class Line:
    """Commands one at a time on one held connection (see the module's docstring)."""

    def __init__(self, client: aioredis.Redis, *, timeout: float = 5.0) -> None:
        self._client = client
        self._timeout = timeout
        self._connection: _Connection | None = None
        self._turn = asyncio.Lock()
        self._stale = False
        """A caller was cancelled between a command and its reply: the reply is still to come."""

    async def call(self, *args: Any) -> Any:
        """The reply to one command; an error reply raises redis-py's exception for it."""
        async with self._turn:
            if self._stale:
                self._stale = False
                await self._drop()
            attempt = 0
            while True:
                try:
                    reply = await self._once(args)
                except asyncio.CancelledError:
                    self._stale = True
                    raise
                except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError):
                    await self._drop()
                    attempt += 1
                    if attempt > RETRIES:
                        raise
                    await asyncio.sleep(min(0.5, 0.05 * 2**attempt) * (0.5 + random.random()))  # noqa: S311
                    continue
                if isinstance(reply, redis_errors.ReadOnlyError):
                    await self._drop()  # a demoted primary: the next connection asks the Sentinels
                if isinstance(reply, Exception):
                    raise reply
                return reply

    async def _once(self, args: Sequence[Any]) -> Any:
        try:
            async with asyncio.timeout(self._timeout):
                if self._connection is None:
                    self._connection = await _Connection.open(self._client)
                self._connection.send(args)
                return await self._connection.reply()
        except TimeoutError:
            raise redis_errors.TimeoutError(f"no reply from Redis within {self._timeout:g} s") from None

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(redis_errors.RedisError, OSError):
                await connection.close()

    async def close(self) -> None:
        async with self._turn:
            await self._drop()


class Subscription:
    """One pattern subscription, its messages read off the connection as they come.

    A watchdog looks every `PING_AFTER` seconds: when nothing came since its last look it sends
    a `PING`, and when even that got no answer by the next look it aborts the connection, so that
    `message` raises instead of waiting forever on a network that went silent (no timer per
    message: the messages only mark the line as heard)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._connection: _Connection | None = None
        self._heard = False
        self._pinged = False
        self._silent = False
        self._watchdog: asyncio.TimerHandle | None = None

    async def open(self, pattern: str, *, within: float = 5.0) -> None:
        try:
            async with asyncio.timeout(within):
                self._connection = await _Connection.open(self._client)
                self._connection.send(("PSUBSCRIBE", pattern))
                reply = await self._connection.reply()
        except TimeoutError:
            raise redis_errors.TimeoutError(f"no answer to PSUBSCRIBE within {within:g} s") from None
        if isinstance(reply, Exception):
            raise reply
        self._watchdog = asyncio.get_running_loop().call_later(PING_AFTER, self._look)

    def _look(self) -> None:
        connection = self._connection
        if connection is None:
            return
        if self._heard:
            self._heard = self._pinged = False
        elif not self._pinged:
            connection.send(("PING",))
            self._pinged = True
        else:
            self._silent = True
            connection.writer.transport.abort()  # `message` then raises
            return
        self._watchdog = asyncio.get_running_loop().call_later(PING_AFTER, self._look)

    async def message(self) -> tuple[bytes, bytes]:
        """The next published message: its channel and data. `ConnectionError` when the
        connection closed, or stayed silent even after a `PING`."""
        connection = self._connection
        if connection is None:
            raise redis_errors.ConnectionError("not subscribed")
        while True:
            try:
                reply = await connection.reply()
            except (redis_errors.ConnectionError, OSError) as error:
                if self._silent:
                    raise redis_errors.ConnectionError(
                        f"the subscription answered no PING within {PING_AFTER:g} s"
                    ) from error
                raise
            self._heard = True
            if isinstance(reply, Exception):
                raise reply
            if isinstance(reply, list) and len(reply) == 4 and reply[0] == b"pmessage":  # RESP3: a push
                return reply[2], reply[3]
            # a subscription confirmation or a PING's answer: nothing to hand on

    async def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(redis_errors.RedisError, OSError):
                await connection.close()
