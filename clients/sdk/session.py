"""What a client knows across connections, with no I/O: position, credential, anomalies.

A sans-I/O core in the manner of websockets' `protocol.py`: the asyncio shell (`client.py`) asks
it for the `hello` to send on a new connection, feeds it every frame received, and asks it what to
do when the connection is lost. It implements protocol.md, "Positions, epochs and resume" and
"Close codes":

* The position `(epoch, seq)` advances only on frames that carry a `seq` (`event`, `position`,
  `welcome` in snapshot mode), never backwards, never ahead of what was received.
* A `welcome` in snapshot mode sets the position to `(welcome.epoch, welcome.seq)` and yields a
  `Reset` for the event stream. In resume mode the position stays where it was; the replayed
  events move it.
* What the client can see going wrong is recorded as an `Anomaly`, never dropped silently: an event
  whose `seq` is not above the position (a duplicate or out of order; the event is not delivered),
  a `position` going backwards, a resume that ends before the offered position, a reply to no
  command in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias

from . import frames
from .errors import ConnectionClosed, LiaisonError, ProtocolViolation, TerminalError
from .events import ErrorFrame, Event, Item, Me, Mode, Position, Reply, Reset, ServerFrame, Welcome

RECONNECT_CLOSE_CODES = frozenset({1001, 1006, 1011, 1012, 1013, *range(4000, 4500)})
"""Close codes after which the client reconnects and resumes. protocol.md lists 1006, 1011, 1012
and 4000-4499; 1001 (going away) and 1013 (try again later) are what servers and proxies send when
they stop or shed load, so they are treated like 1012."""

TERMINAL_CLOSE_CODES = range(4500, 5000)
"""Close codes that mean "do not retry with the same credential"."""

BAD_CREDENTIAL = 4501


class AnomalyKind(StrEnum):
    DUPLICATE = "duplicate"
    """An event whose seq equals the position's."""
    OUT_OF_ORDER = "out_of_order"
    """An event whose seq is below the position's."""
    POSITION_BACKWARDS = "position_backwards"
    """A `position` frame below the position."""
    RESUME_BEHIND = "resume_behind"
    """A resume-mode welcome whose seq is below the position offered in `hello.resume`."""
    UNKNOWN_REPLY = "unknown_reply"
    """A reply whose id is not a command in flight (nor one given up on by a timeout)."""


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something the server should not have sent, seen by this client."""

    kind: AnomalyKind
    description: str

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Open a new connection and resume; `immediately` skips the backoff delay."""

    immediately: bool = False


@dataclass(frozen=True, slots=True)
class Stop:
    """Give up: `error` goes to the event stream and to the commands in flight."""

    error: LiaisonError


Decision: TypeAlias = Reconnect | Stop


class Session:
    """One participant's session with the server, across any number of connections."""

    def __init__(
        self,
        *,
        code: str | None = None,
        token: str | None = None,
        resume: tuple[str, int] | None = None,
        reconnect: bool = True,
    ) -> None:
        if code is None and token is None:
            raise ValueError("a session needs a join code or a session token")
        self.code = code
        self.token = token
        self.reconnect = reconnect
        self.position: tuple[str, int] | None = resume
        self.welcome: Welcome | None = None
        self.snapshot: dict[str, Any] | None = None
        self.resets = 0
        """Snapshot-mode welcomes answering a hello that offered a position: continuity lost."""
        self.reconnects = 0
        """Welcomes after the first."""
        self.anomalies: list[Anomaly] = []
        self.welcomed = False
        """Whether the current connection has received its welcome."""
        self.error: ErrorFrame | None = None
        """The `error` frame of the current connection, if any."""
        self._offered: tuple[str, int] | None = None
        self._used_token = False
        self._catalogue: tuple[str, Any] | None = None
        """The scenario catalogue of the last snapshot that carried one, with its tag: named in
        every hello, so that later snapshots leave it out (protocol.md, "The catalogue once")."""

    @property
    def me(self) -> Me | None:
        return self.welcome.me if self.welcome is not None else None

    def connecting(self) -> dict[str, Any]:
        """A new connection opens: the `hello` to send first."""
        self.welcomed = False
        self.error = None
        self._offered = self.position
        self._used_token = self.token is not None
        held = "" if self._catalogue is None else self._catalogue[0]
        if self.token is not None:
            return frames.hello(token=self.token, resume=self.position, catalogue=held)
        return frames.hello(code=self.code, resume=self.position, catalogue=held)

    def receive(self, frame: ServerFrame) -> Item | Reply | None:
        """Take in one frame; what it gives: an item for the event stream, a reply, or nothing."""
        if isinstance(frame, ErrorFrame):
            self.error = frame
            return None
        if isinstance(frame, Welcome):
            return self._welcome(frame)
        if not self.welcomed:
            raise ProtocolViolation(f"a {type(frame).__name__.lower()} frame before welcome")
        if isinstance(frame, Reply):
            return frame
        assert self.position is not None  # set by every welcome
        epoch, last = self.position
        if isinstance(frame, Event):
            if frame.seq <= last:
                kind = AnomalyKind.DUPLICATE if frame.seq == last else AnomalyKind.OUT_OF_ORDER
                self.note(kind, f"event {frame.seq} ({frame.kind}) after {last} in epoch {epoch}")
                return None
            self.position = (epoch, frame.seq)
            return frame
        assert isinstance(frame, Position)
        if frame.seq < last:
            self.note(AnomalyKind.POSITION_BACKWARDS, f"position {frame.seq} after {last} in {epoch}")
        else:
            self.position = (epoch, frame.seq)
        return None

    def note(self, kind: AnomalyKind, description: str) -> None:
        self.anomalies.append(Anomaly(kind, description))

    def _welcome(self, welcome: Welcome) -> Reset | None:
        if self.welcomed:
            raise ProtocolViolation("a second welcome on one connection")
        offered = self._offered
        if welcome.mode is Mode.RESUME:
            if offered is None:
                raise ProtocolViolation("a resume-mode welcome to a hello without resume")
            if welcome.epoch != offered[0]:
                raise ProtocolViolation(
                    f"a resume-mode welcome in epoch {welcome.epoch!r}, not {offered[0]!r}"
                )
            if welcome.seq < offered[1]:
                self.note(
                    AnomalyKind.RESUME_BEHIND,
                    f"resume ends at {welcome.seq}, before the position offered, {offered[1]}",
                )
        if self.welcome is not None:
            self.reconnects += 1
        self.welcome = welcome
        self.welcomed = True
        self.token = welcome.token
        if welcome.mode is Mode.RESUME:
            return None
        assert welcome.snapshot is not None  # frames.parse requires it in snapshot mode
        if offered is not None:
            self.resets += 1
        self.position = (welcome.epoch, welcome.seq)
        self.snapshot = self._with_catalogue(welcome.snapshot)
        return Reset(self.snapshot, welcome.reason, welcome.epoch, welcome.seq)

    def _with_catalogue(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The snapshot with its catalogue: kept when it carries one, put back when it left out
        the one this session holds."""
        tag = snapshot.get("catalogue_tag")
        if "catalogue" in snapshot:
            if isinstance(tag, str) and tag:
                self._catalogue = (tag, snapshot["catalogue"])
            return snapshot
        if self._catalogue is not None and tag == self._catalogue[0]:
            return {**snapshot, "catalogue": self._catalogue[1]}
        return snapshot

    def connection_lost(self, code: int | None, reason: str) -> Decision:
        """The connection closed with `code` (None: none was opened, or it broke without one)."""
        self.welcomed = False
        error, self.error = self.error, None
        if code == BAD_CREDENTIAL and self._used_token and self.code is not None:
            self.token = None  # protocol.md: fall back to the join code when the token is refused
            return Reconnect(immediately=True)
        if self.reconnect and (code is None or code in RECONNECT_CLOSE_CODES):
            return Reconnect()
        details: dict[str, Any] = {}
        if error is not None:
            details = {"error_code": error.code, "error_message": error.message}
        if code is not None and code in TERMINAL_CLOSE_CODES:
            return Stop(TerminalError(code, reason, **details))
        return Stop(ConnectionClosed(code, reason or "no reason given", **details))
