"""The exception tree: its shape, the values it carries, and its documentation."""

from __future__ import annotations

import pytest

from clients.sdk import errors
from clients.sdk.errors import (
    CommandError,
    ConnectionClosed,
    LiaisonError,
    ProtocolViolation,
    TerminalError,
)


def test_tree() -> None:
    assert issubclass(CommandError, LiaisonError)
    assert issubclass(ConnectionClosed, LiaisonError)
    assert issubclass(TerminalError, ConnectionClosed)
    assert issubclass(ProtocolViolation, LiaisonError)


def test_every_exception_is_in_the_documented_tree() -> None:
    assert errors.__doc__ is not None
    for cls in (LiaisonError, CommandError, ConnectionClosed, TerminalError, ProtocolViolation):
        assert f"* `{cls.__name__}`" in errors.__doc__


@pytest.mark.parametrize(
    ("code", "retryable"),
    [("unavailable", True), ("busy", True), ("conflict", True), ("rate_limited", True)],
)
def test_command_error(code: str, retryable: bool) -> None:
    error = CommandError(code, "later", name="clock.jump", id="clock.jump-1-ab")
    assert (error.code, error.message, error.name, error.id) == (
        code,
        "later",
        "clock.jump",
        "clock.jump-1-ab",
    )
    assert error.retryable is retryable
    assert str(error) == f"clock.jump (clock.jump-1-ab) failed: {code}: later"
    assert not CommandError("forbidden", "", name="n", id="i").retryable


def test_connection_closed_messages() -> None:
    assert str(ConnectionClosed(4001, "too slow")) == "connection closed (4001): too slow"
    assert str(ConnectionClosed(None, "HTTP 403")) == "HTTP 403"
    closed = TerminalError(4503, "revoked", error_code="revoked", error_message="ask again")
    assert str(closed) == "connection closed (4503): revoked [revoked: ask again]"
