"""Exceptions raised by the SDK.

Every exception the SDK raises on purpose derives from `LiaisonError`:

* `LiaisonError`: base class.
    * `CommandError`: a `reply` with `ok: false`; carries the error `code` and `message` from
      the reply, and the command's `name` and `id`. Nothing was written on the server.
    * `ConnectionClosed`: the client gave up on its session and will not reconnect; carries the
      close `code` (`None` when no WebSocket connection was ever opened, e.g. an HTTP 403 at the
      upgrade), the close `reason`, and the `error` frame's code and message when the server sent
      one just before closing.
        * `TerminalError`: the server closed with a code in 4500-4999, "do not retry with the same
          credential" (protocol.md, "Close codes"): `4500` protocol error, `4501` bad credential,
          `4502` unsupported, `4503` revoked.
    * `ProtocolViolation`: the server sent something the v1 protocol does not allow (a frame that
      does not decode, a field of the wrong type, an event before `welcome` ...). The client closes
      the connection with `1002` and stops.

`ConnectionClosed` and its subclasses, and `ProtocolViolation`, are raised by `Client.events()`
(after the events received before are delivered) and by every command in flight. A timeout given
to a command raises the built-in `TimeoutError`.
"""

from __future__ import annotations

RETRYABLE_COMMAND_ERRORS = frozenset({"unavailable", "busy", "conflict", "rate_limited"})
"""Reply error codes after which the same command may be sent again with the same id."""


class LiaisonError(Exception):
    """Base class of the SDK's exceptions."""


class CommandError(LiaisonError):
    """The server refused a command (`reply.ok` is false); nothing was written."""

    def __init__(self, code: str, message: str, *, name: str, id: str) -> None:
        super().__init__(f"{name} ({id}) failed: {code}: {message}")
        self.code = code
        self.message = message
        self.name = name
        self.id = id

    @property
    def retryable(self) -> bool:
        """Whether sending the command again with the same `id` may succeed."""
        return self.code in RETRYABLE_COMMAND_ERRORS


class ConnectionClosed(LiaisonError):
    """The session is over: the client will not reconnect."""

    def __init__(
        self,
        code: int | None,
        reason: str,
        *,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> None:
        text = f"connection closed ({code}): {reason}" if code is not None else reason
        if error_code is not None:
            text += f" [{error_code}: {error_message}]"
        super().__init__(text)
        self.code = code
        self.reason = reason
        self.error_code = error_code
        self.error_message = error_message


class TerminalError(ConnectionClosed):
    """The server closed with 4500-4999: do not retry with the same credential."""


class ProtocolViolation(LiaisonError):
    """The server broke the v1 protocol; the message says how."""
