"""The asyncio client: one session with a Liaison server, kept alive across connections.

Per client there is one supervisor task, which is also the reader of the current connection, and
one writer task per connection; no threads. The supervisor opens a connection, sends `hello`,
reads frames into the session core (`session.py`), and when the connection is lost either
reconnects after a backoff delay (`backoff.py`), resuming from the client's position, or stops.
Commands wait in a table until their reply; the writer sends those not yet sent on the current
connection as soon as it is welcomed, so a command in flight when a connection drops is sent again,
with the same id, on the next one (the server never applies an id twice).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as websocket_connect
from websockets.exceptions import ConnectionClosed as WebSocketClosed
from websockets.exceptions import InvalidHandshake, InvalidProxy, InvalidStatus, InvalidURI
from websockets.typing import Subprotocol as WebSocketSubprotocol

from . import backoff, frames
from .errors import CommandError, ConnectionClosed, LiaisonError, ProtocolViolation
from .events import Event, Me, Reply, Welcome
from .frames import Subprotocol
from .history import (
    REQUESTS_LIMIT,
    EventPage,
    FeedItem,
    FeedPage,
    RequestPage,
    event_page,
    feed_page,
    request_page,
)
from .session import Anomaly, AnomalyKind, Reconnect, Session, Stop
from .stream import EventStream

log = logging.getLogger("clients.sdk")

_ABANDONED_IDS = 1024
"""How many ids of commands given up on (timeout, cancellation) are remembered, so that their
late replies are not counted as anomalies."""

_Closure = tuple[int | None, str]
"""How a connection ended: the close code (None when none was opened) and the reason."""


@dataclass(eq=False, slots=True)
class _Command:
    id: str
    name: str
    data: bytes | str
    future: asyncio.Future[Reply]
    sent_on: int = 0
    """The number of the connection it was last sent on (0: not sent yet)."""


class Client:
    """A session with a Liaison server. Use `async with Client(...) as client:`.

    `code` is a join code, `token` a session token (give one; with both, the token is tried
    first and the code is the fallback when it is refused with `4501`). `resume` is a position
    `(epoch, seq)` to resume from. `reconnect=False` makes any lost connection the end of the
    session. `max_queue` bounds the event stream: when it is full the client stops reading and the
    server will eventually drop it as too slow; pass `discard_events=True` for a client that never
    reads `events()`. `open_timeout` bounds each connection's handshake and wait for `welcome`,
    `start_timeout` the wait for the first welcome in `open()` over all attempts.
    """

    def __init__(
        self,
        url: str,
        *,
        code: str | None = None,
        token: str | None = None,
        subprotocol: Literal["msgpack", "json"] | str = "msgpack",
        resume: tuple[str, int] | None = None,
        reconnect: bool = True,
        backoff_initial: float = 0.1,
        backoff_max: float = 5.0,
        name: str | None = None,
        max_queue: int = 1024,
        discard_events: bool = False,
        open_timeout: float | None = 10.0,
        start_timeout: float | None = 30.0,
        close_timeout: float | None = 5.0,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        max_size: int | None = 16 * 2**20,
        compression: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        backoff.ceiling(0, initial=backoff_initial, maximum=backoff_max)  # validates them
        self.url = url
        self.name = name or f"sdk-{secrets.token_hex(3)}"
        self.subprotocol = Subprotocol.named(subprotocol)
        self._session = Session(code=code, token=token, resume=resume, reconnect=reconnect)
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._rng = rng
        self._discard_events = discard_events
        self._open_timeout = open_timeout
        self._start_timeout = start_timeout
        self._connect_options: dict[str, Any] = {
            "subprotocols": [WebSocketSubprotocol(self.subprotocol.value)],
            "compression": "deflate" if compression else None,
            "open_timeout": open_timeout,
            "close_timeout": close_timeout,
            "ping_interval": ping_interval,
            "ping_timeout": ping_timeout,
            "max_size": max_size,
        }
        self._stream = EventStream(max_queue)
        self._commands: dict[str, _Command] = {}
        self._abandoned: deque[str] = deque(maxlen=_ABANDONED_IDS)
        self._counter = itertools.count(1)
        self._nonce = secrets.token_hex(4)
        self._connection = 0
        self._ws: ClientConnection | None = None
        self._welcomed_at: float | None = None
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self._failure: LiaisonError | None = None

    # What the client knows.

    @property
    def welcome(self) -> Welcome | None:
        """The last welcome received."""
        return self._session.welcome

    @property
    def position(self) -> tuple[str, int] | None:
        """`(epoch, seq)`: every event up to `seq` this client may see has been received."""
        return self._session.position

    @property
    def snapshot(self) -> dict[str, Any] | None:
        """The snapshot of the last snapshot-mode welcome."""
        return self._session.snapshot

    @property
    def me(self) -> Me | None:
        return self._session.me

    @property
    def token(self) -> str | None:
        """The session token the next connection will use."""
        return self._session.token

    @property
    def resets(self) -> int:
        """Snapshot-mode welcomes answering a resume: times continuity could not be proven."""
        return self._session.resets

    @property
    def reconnects(self) -> int:
        """Welcomes received after the first."""
        return self._session.reconnects

    @property
    def anomalies(self) -> list[Anomaly]:
        """What the server sent that it should not have (duplicates, out-of-order events ...)."""
        return self._session.anomalies

    @property
    def connected(self) -> bool:
        """Whether the current connection is open and welcomed."""
        return self._ws is not None and self._session.welcomed

    @property
    def stopped(self) -> bool:
        """Whether the client is done: closed, or stopped by `error`."""
        return self._stopped

    @property
    def error(self) -> LiaisonError | None:
        """The error that stopped the client, if any."""
        return self._failure

    def events(self) -> EventStream:
        """The stream of `Event` and `Reset` items, replayed then live, in order.

        There is one stream per client: iterate it from one task. It raises the error that stopped
        the client once the items received before are consumed; it ends after `close()`.
        """
        return self._stream

    async def wait_until(self, predicate: Callable[[Client], bool]) -> None:
        """Wait until `predicate(client)` holds, checked whenever the client's state changes.

        Raises the client's error if it stops first. Bound it with `asyncio.timeout()`.
        """
        while not predicate(self):
            if self._stopped:
                raise self._failure or ConnectionClosed(1000, "the client was closed")
            changed = self._changed
            await changed.wait()

    # Life cycle.

    async def open(self) -> None:
        """Connect, and wait for the first welcome (at most `start_timeout` seconds)."""
        if self._task is not None:
            raise RuntimeError("a client is opened once")
        self._task = asyncio.create_task(self._run(), name=f"liaison-sdk:{self.name}")
        try:
            async with asyncio.timeout(self._start_timeout):
                await self.wait_until(lambda c: c.welcome is not None)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the connection and stop; commands in flight raise `ConnectionClosed`."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})
        self._stop(None)

    async def __aenter__(self) -> Client:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # Commands.

    async def command(
        self,
        name: str,
        /,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (part of the API, like asyncio.wait_for)
        command_id: str | None = None,
        **args: Any,
    ) -> dict[str, Any]:
        """Run a command; its `result`. `CommandError` when the server refuses it.

        `timeout` bounds the whole wait, including for a connection; `command_id` replaces the
        generated id (to retry a command from an earlier run, say). For arguments named
        `timeout` or `command_id`, use `request()`.
        """
        reply = await self.request(name, args, timeout=timeout, command_id=command_id)
        return reply.result

    async def request(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (part of the API, like asyncio.wait_for)
        command_id: str | None = None,
    ) -> Reply:
        """Run a command; the whole successful `Reply` (with `seq` and `duplicate`)."""
        if self._task is None:
            raise RuntimeError("open the client before sending commands")
        if self._stopped:
            raise self._failure or ConnectionClosed(1000, "the client was closed")
        id = command_id or f"{name[:32]}-{next(self._counter)}-{self._nonce}"
        if id in self._commands:
            raise ValueError(f"a command with id {id!r} is already in flight")
        data = frames.encode(self.subprotocol, frames.cmd(id, name, dict(args or {})))
        command = _Command(id, name, data, asyncio.get_running_loop().create_future())
        self._commands[id] = command
        self._wake.set()
        try:
            async with asyncio.timeout(timeout):
                reply = await command.future
        except (TimeoutError, asyncio.CancelledError):
            if self._commands.pop(id, None) is not None and command.sent_on:
                self._abandoned.append(id)
            raise
        if reply.error is not None:
            raise CommandError(reply.error.code, reply.error.message, name=name, id=id)
        return reply

    # Requests between countries and the heartbeat (protocol.md, "Commands").

    async def draft_request(
        self,
        instrument: str,
        to: str,
        subject: str,
        fields: dict[str, Any] | None = None,
        *,
        agency: str | None = None,
        urgent: bool = False,
        spontaneous: bool = False,
        send: bool = False,
    ) -> str:
        """Draft a request to team `to` with its subject line; its id. With `send`, draft and send
        it at once: both or neither (`CommandError` naming the fields when the send is refused)."""
        args: dict[str, Any] = {
            "instrument": instrument,
            "to": to,
            "subject": subject,
            "fields": fields or {},
        }
        if agency:
            args["agency"] = agency
        args |= {"urgent": urgent, "spontaneous": spontaneous, "send": send}
        result = await self.command("request.draft", **args)
        return str(result["request"])

    async def update_request(
        self,
        request: str,
        fields: dict[str, Any],
        *,
        subject: str | None = None,
        urgent: bool | None = None,
    ) -> None:
        """Change a draft (or a validated request not sent yet): `fields` replace its form; a
        co-signature is cleared by the change."""
        args: dict[str, Any] = {"request": request, "fields": fields}
        if subject is not None:
            args["subject"] = subject
        if urgent is not None:
            args["urgent"] = urgent
        await self.command("request.update", **args)

    async def ping(self, *, timeout: float | None = None) -> float:  # noqa: ASYNC109 (as in `command`)
        """The heartbeat: the server's wall time (Unix seconds). A client that pings is expected to
        go on (at least every 15 s), or the server takes its connection as gone."""
        result = await self.command("ping", timeout=timeout)
        return float(result["time"])

    # Older history (protocol.md, "Reading older history: `history`").

    async def history_feed(
        self,
        thread: str,
        before: int,
        *,
        limit: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (as in `command`)
    ) -> FeedPage:
        """Up to `limit` (1-100, the server's default 100) items of `thread` posted before seq
        `before`, oldest first. Start from `snapshot["feed_older"][thread]`; go on with
        `page.before` while `page.more`. A thread the viewer may not read is empty."""
        args: dict[str, Any] = {"of": "feed", "thread": thread, "before": before}
        return feed_page(await self._history(args, limit, timeout))

    async def history_events(
        self,
        before: int,
        *,
        limit: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (as in `command`)
    ) -> EventPage:
        """Up to `limit` (1-200, the server's default 200) events before seq `before` that this
        viewer may see, oldest first. For what came before a snapshot, start with its seq + 1
        (`Reset.seq + 1`); go on with `page.before` while `page.more`."""
        args: dict[str, Any] = {"of": "events", "before": before}
        return event_page(await self._history(args, limit, timeout))

    async def history_requests(
        self,
        before: int,
        *,
        limit: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (as in `command`)
    ) -> RequestPage:
        """Up to `limit` (1-50, the server's default 50) requests numbered below `before` (request
        `R-<n>` has the number n) that this viewer may see, in the order drafted. Start from
        `snapshot["requests_before"]`; go on with `page.before` while `page.more`."""
        args: dict[str, Any] = {"of": "requests", "before": before}
        return request_page(await self._history(args, limit, timeout))

    async def _history(
        self,
        args: dict[str, Any],
        limit: int | None,
        timeout: float | None,  # noqa: ASYNC109 (as in `command`)
    ) -> dict[str, Any]:
        """The result of one `history` read (`args`, and `limit` when given)."""
        if limit is not None:
            args["limit"] = limit
        reply = await self.request("history", args, timeout=timeout)
        result: dict[str, Any] = reply.result
        return result

    async def requests_now(
        self,
        ids: list[str],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (as in `command`)
    ) -> RequestPage:
        """Requests by id (1-50 of them) as they are now, for one a live event named that the last
        snapshot did not carry; the ids the viewer may not see are left out."""
        reply = await self.request("history", {"of": "requests", "ids": list(ids)}, timeout=timeout)
        return request_page(reply.result)

    async def older_requests_in_flight(self) -> list[dict[str, Any]]:
        """The requests older than the last snapshot's that were in flight when it was made, as
        they are now, oldest first: a team's inbox or a SimCell queue shows every open request.
        They are read by the ids the snapshot names (`snapshot["requests_older_in_flight_ids"]`,
        the newest 200), 50 a read; those it counts beyond (`requests_older_in_flight`) are
        found with `older_requests`."""
        ids = list((self.snapshot or {}).get("requests_older_in_flight_ids") or [])
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), REQUESTS_LIMIT):
            page = await self.requests_now(ids[start : start + REQUESTS_LIMIT])
            found.extend(page.requests)
        return found

    async def older_requests(
        self, before: int | None = None, *, limit: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """The requests numbered below `before` this viewer may see, newest first, back to the
        first, a page at a time. `before` defaults to where the last snapshot's requests start
        (`snapshot["requests_before"]`); nothing when it carried every request."""
        if before is None:
            before = (self.snapshot or {}).get("requests_before")
        while before is not None:
            page = await self.history_requests(before, limit=limit)
            for request in reversed(page.requests):
                yield request
            if page.more and page.before >= before:
                raise ProtocolViolation(f"history.before did not go back ({page.before} after {before})")
            before = page.before if page.more else None

    async def older_feed(
        self, thread: str, before: int | None = None, *, limit: int | None = None
    ) -> AsyncIterator[FeedItem]:
        """The items of `thread` posted before seq `before`, newest first, back to the first one,
        a page at a time. `before` defaults to where the last snapshot's feed of that thread
        starts (`snapshot["feed_older"]`); nothing when it has no older items."""
        if before is None:
            older = (self.snapshot or {}).get("feed_older") or {}
            before = older.get(thread)
        while before is not None:
            page = await self.history_feed(thread, before, limit=limit)
            for item in reversed(page.items):
                yield item
            before = page.before

    async def older_events(self, before: int, *, limit: int | None = None) -> AsyncIterator[Event]:
        """The events before seq `before` this viewer may see, newest first, back to the first,
        a page at a time."""
        more = before > 1
        while more:
            page = await self.history_events(before, limit=limit)
            for event in reversed(page.events):
                yield event
            if page.more and page.before >= before:
                raise ProtocolViolation(f"history.before did not go back ({page.before} after {before})")
            before, more = page.before, page.more

    # The supervisor and its connections.

    async def _run(self) -> None:
        attempt = 0
        loop = asyncio.get_running_loop()
        try:
            while True:
                outcome = await self._connect_once()
                if isinstance(outcome, Stop):
                    self._stop(outcome.error)
                    return
                code, reason = outcome
                welcomed_at, self._welcomed_at = self._welcomed_at, None
                decision = self._session.connection_lost(code, reason)
                self._notify()
                if isinstance(decision, Stop):
                    log.info("%s: stopped: %s", self.name, decision.error)
                    self._stop(decision.error)
                    return
                assert isinstance(decision, Reconnect)
                if welcomed_at is not None and loop.time() - welcomed_at >= self._backoff_max:
                    attempt = 0  # the connection was stable: start the backoff over
                wait = 0.0
                if not decision.immediately:
                    wait = backoff.delay(
                        attempt,
                        initial=self._backoff_initial,
                        maximum=self._backoff_max,
                        rng=self._rng,
                    )
                    attempt += 1
                log.info("%s: connection lost (%s %s), again in %.3fs", self.name, code, reason, wait)
                await asyncio.sleep(wait)
        except asyncio.CancelledError:
            self._stop(None)
            raise
        except Exception as exc:  # a bug in the SDK: stop loudly rather than hang
            log.exception("%s: internal error", self.name)
            self._stop(LiaisonError(f"internal error in the SDK: {exc!r}"))

    async def _connect_once(self) -> _Closure | Stop:
        try:
            ws = await websocket_connect(self.url, **self._connect_options)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status >= 500 or status == 429:
                return None, str(exc)
            return Stop(ConnectionClosed(None, str(exc)))
        except (InvalidURI, InvalidProxy) as exc:
            return Stop(ConnectionClosed(None, str(exc)))
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            return None, f"cannot connect: {exc}"
        self._connection += 1
        number = self._connection
        self._ws = ws
        try:
            try:
                await ws.send(frames.encode(self.subprotocol, self._session.connecting()))
            except WebSocketClosed as exc:
                return _closure(exc)
            async with asyncio.TaskGroup() as tasks:
                writer = tasks.create_task(
                    self._write(ws, number), name=f"liaison-sdk:{self.name}:writer:{number}"
                )
                try:
                    return await self._read(ws)
                finally:
                    writer.cancel()
        finally:
            self._ws = None
            self._notify()
            # Not `async with ws`: on an exception (cancellation by `close()`) it closes with 1011.
            await ws.close()

    async def _read(self, ws: ClientConnection) -> _Closure | Stop:
        """Read frames until the connection closes. The task that runs it is its reader."""
        try:
            async with asyncio.timeout(self._open_timeout) as welcome_deadline:
                while True:
                    frame = frames.parse(frames.decode(self.subprotocol, await ws.recv()))
                    output = self._session.receive(frame)
                    if isinstance(frame, Welcome):
                        welcome_deadline.reschedule(None)
                        self._welcomed_at = asyncio.get_running_loop().time()
                        self._wake.set()  # the writer sends the commands in flight
                    if isinstance(output, Reply):
                        self._resolve(output)
                    elif output is not None and not self._discard_events:
                        await self._stream.put(output)
                    self._notify()
        except WebSocketClosed as exc:
            return _closure(exc)
        except ProtocolViolation as exc:
            log.warning("%s: protocol violation: %s", self.name, exc)
            await ws.close(1002, str(exc).encode()[:120].decode(errors="ignore"))  # 123 bytes at most
            return Stop(exc)
        except TimeoutError:
            await ws.close(1000, "no welcome in time")
            return None, f"no welcome within {self._open_timeout}s"

    async def _write(self, ws: ClientConnection, number: int) -> None:
        """Send the commands not yet sent on this connection, in the order they were issued."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                if not self._session.welcomed:
                    continue
                for command in list(self._commands.values()):
                    if command.sent_on != number and not command.future.done():
                        command.sent_on = number
                        await ws.send(command.data)
        except WebSocketClosed:
            return  # the reader sees it too

    def _resolve(self, reply: Reply) -> None:
        command = self._commands.pop(reply.id, None)
        if command is None:
            if reply.id not in self._abandoned:
                self._session.note(
                    AnomalyKind.UNKNOWN_REPLY, f"a reply to {reply.id!r}, not a command in flight"
                )
            return
        if not command.future.done():
            command.future.set_result(reply)

    def _stop(self, error: LiaisonError | None) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._failure = error
        failure = error or ConnectionClosed(1000, "the client was closed")
        for command in self._commands.values():
            if not command.future.done():
                command.future.set_exception(failure)
        self._commands.clear()
        self._stream.end(error)
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def _closure(exc: WebSocketClosed) -> _Closure:
    if exc.rcvd is not None:
        return exc.rcvd.code, exc.rcvd.reason
    return 1006, "connection lost without a close frame"


async def connect(url: str, code: str, **options: Any) -> Client:
    """A `Client` for `url` with join code `code`, opened; `await client.close()` when done."""
    client = Client(url, code=code, **options)
    await client.open()
    return client
