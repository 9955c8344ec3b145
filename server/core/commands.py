"""Commands: what an actor asks the exercise to do, named in the imperative.

Commands from clients arrive through the protocol (`server.protocol.commands` builds them
from wire arguments); the system commands (connections opening and closing) come from the
server's own adapters and no client can send them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from server.core.audience import Audience, Viewer


class System:
    """The server itself as an actor: connection bookkeeping, scheduling."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = System()

Actor = Viewer | System


@dataclass(frozen=True, slots=True)
class Command:
    pass


@dataclass(frozen=True, slots=True)
class MarkReady(Command):
    pass


@dataclass(frozen=True, slots=True)
class StartExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class PauseExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class ResumeExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class EndExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class SetClockSpeed(Command):
    speed: float


@dataclass(frozen=True, slots=True)
class JumpClock(Command):
    """Jump forward to simulated time `to`, or to the next morning when `to` is None."""

    to: float | None = None


@dataclass(frozen=True, slots=True)
class RosterEntry:
    name: str
    team: str | None
    role: str
    code_hash: str


@dataclass(frozen=True, slots=True)
class AddParticipant(Command):
    entry: RosterEntry


@dataclass(frozen=True, slots=True)
class RevokeCredential(Command):
    participant: str


@dataclass(frozen=True, slots=True)
class ReissueCredential(Command):
    participant: str
    code_hash: str


@dataclass(frozen=True, slots=True)
class OpenConnection(Command):
    participant: str
    connection: str


@dataclass(frozen=True, slots=True)
class CloseConnection(Command):
    participant: str
    connection: str


@dataclass(frozen=True, slots=True)
class CloseInstanceConnections(Command):
    """Close every connection held by a server instance that is gone (killed, crashed)."""

    instance: str


@dataclass(frozen=True, slots=True)
class PostMessage(Command):
    """Post to the author's team channel."""

    text: str


@dataclass(frozen=True, slots=True)
class MakeAnnouncement(Command):
    audience: Audience
    text: str
