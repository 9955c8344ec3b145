"""One table from the adapters' exceptions to what a client is told (docs/protocol.md).

The endpoint (replies, refused sessions) and the HTTP API both answer an adapter's failure
through `wire_error`, so "Redis is unavailable" is written once. `Refused` is how a session
that cannot go on says why: an `error` frame with `error`, then the close `code`.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.adapters.hub import AppendConflict, ExerciseGone
from server.adapters.store import NotReplicated, StoreBusy, StoreUnavailable


@dataclass(frozen=True, slots=True)
class WireError:
    code: str
    """`reply.error.code`, `error.code` and the HTTP API's `error.code`."""
    message: str
    close: int | None
    """The close code when the failure ends a session; None: it never does (a reply only)."""
    status: int
    """The HTTP API's status."""


BUSY = WireError(
    "busy",
    "the server is busy (every Redis connection stayed in use); retry shortly, with the same id",
    4005,
    503,
)
UNAVAILABLE = WireError(
    "unavailable",
    "Redis is unavailable; retry shortly, with the same id (a retry of an applied one says duplicate)",
    4003,
    503,
)
NOT_REPLICATED = WireError(
    "unavailable",
    "written on the Redis primary, but not confirmed by the replicas LIAISON_REDIS_MIN_REPLICAS asks"
    " for in time; retry shortly, with the same id (answered duplicate if it survived)",
    4003,
    503,
)
CONFLICT = WireError("conflict", "the log kept moving; nothing was written: retry, same id", None, 409)
GONE = WireError("shutting_down", "the exercise is gone", 4000, 404)

TABLE: tuple[tuple[type[Exception], WireError], ...] = (
    (StoreBusy, BUSY),  # before StoreUnavailable, of which it is a kind
    (NotReplicated, NOT_REPLICATED),  # likewise
    (StoreUnavailable, UNAVAILABLE),
    (TimeoutError, UNAVAILABLE),  # a command's events not applied in time: not known to be written
    (AppendConflict, CONFLICT),
    (ExerciseGone, GONE),
)
"""Adapter exception → wire error, first match wins. Anything else is a bug (`internal`)."""


def wire_error(failure: BaseException) -> WireError | None:
    """What the client is told of `failure`; None when it is not an adapter's failure (a bug)."""
    for kind, error in TABLE:
        if isinstance(failure, kind):
            return error
    return None


FAILURES: tuple[type[Exception], ...] = tuple(kind for kind, _ in TABLE)
"""The exceptions `wire_error` answers, for `except FAILURES`."""


class Refused(Exception):
    """The session cannot start or go on; the connection closes with `code` after an error frame."""

    def __init__(self, code: int, error: str, message: str) -> None:
        super().__init__(message)
        self.code, self.error, self.message = code, error, message

    @classmethod
    def by(cls, failure: BaseException) -> Refused:
        """The refusal the table gives an adapter's failure (`internal`, 1011, for anything else)."""
        error = wire_error(failure)
        if error is None or error.close is None:
            return cls(1011, "internal", "internal error (logged)")
        return cls(error.close, error.code, error.message)
