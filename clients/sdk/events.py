"""Typed server frames, and the items a client's event stream yields.

Frames are facts the server told the client (protocol.md, "Server frames"): `Welcome`, `Event`,
`Position`, `Reply` and `ErrorFrame`. `Reset` is not a frame: the client puts it in its event stream
when a `welcome` in snapshot mode says "drop what you showed and rebuild from this snapshot".
All are frozen dataclasses; maps from the wire (`data`, `snapshot`, `result`) are plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias


class Mode(StrEnum):
    """`welcome.mode`."""

    SNAPSHOT = "snapshot"
    RESUME = "resume"


@dataclass(frozen=True, slots=True)
class Me:
    """`welcome.me`: who this connection is. `team` is None for staff without a team."""

    participant: str
    name: str
    team: str | None
    role: str
    staff: bool


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """`welcome.server`: the instance's name and its wall time (Unix seconds)."""

    instance: str
    time: float


@dataclass(frozen=True, slots=True)
class Welcome:
    """The server's answer to `hello`. `snapshot` is None in resume mode."""

    me: Me
    exercise: str
    token: str
    epoch: str
    seq: int
    mode: Mode
    reason: str
    snapshot: dict[str, Any] | None
    server: ServerInfo


@dataclass(frozen=True, slots=True)
class Event:
    """One event of the exercise log: `seq` is its position, `at` its wall time (Unix seconds)."""

    seq: int
    at: float
    kind: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Position:
    """The log has reached `seq`; nothing since the last frame is for this client."""

    seq: int


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """`{code, message}`, in a failed reply or an `error` frame."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one `cmd`. On success `error` is None; on failure `result` is empty.

    `seq` is the position of the last event the command wrote (None when it wrote nothing). It is
    not a position of this client: the client may not see that event.
    """

    id: str
    ok: bool
    result: dict[str, Any]
    seq: int | None
    error: ErrorInfo | None

    @property
    def duplicate(self) -> bool:
        """The server had already applied a command with this id; nothing was applied again."""
        return bool(self.result.get("duplicate", False))


@dataclass(frozen=True, slots=True)
class ErrorFrame:
    """Sent just before the server closes the connection, to say why."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Reset:
    """Marker in the event stream: continuity is not proven (or this is the first snapshot).

    Drop what was built from earlier items and rebuild from `snapshot`, which reflects the log up
    to `seq` in `epoch`; the events after it follow in the stream.
    """

    snapshot: dict[str, Any]
    reason: str
    epoch: str
    seq: int


ServerFrame: TypeAlias = Welcome | Event | Position | Reply | ErrorFrame
"""Any frame the server sends."""

Item: TypeAlias = Event | Reset
"""What `Client.events()` yields."""
