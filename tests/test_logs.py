"""configure_logging: one rendering for structlog and stdlib loggers, JSON or console."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import structlog

from server.logs import STDLIB_LOGGERS, configure_logging
from server.settings import Settings, SettingsError


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put structlog and the stdlib loggers back as they were: the rest of the suite shares them."""
    config = structlog.get_config()
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    saved = {
        name: (list(lib.handlers), lib.propagate, lib.level)
        for name in STDLIB_LOGGERS
        for lib in [logging.getLogger(name)]
    }
    yield
    structlog.contextvars.clear_contextvars()
    structlog.configure(**config)
    root.handlers[:], root.level = saved_root
    for name, (handlers, propagate, level) in saved.items():
        lib = logging.getLogger(name)
        lib.handlers[:], lib.propagate, lib.level = handlers, propagate, level


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines(stream)]


def test_json_renders_structlog_and_stdlib_lines_alike() -> None:
    stream = io.StringIO()
    configure_logging(Settings(log_format="json"), stream=stream)
    structlog.contextvars.bind_contextvars(connection="c1")
    structlog.get_logger().info("hello", team="nl")
    logging.getLogger("uvicorn.access").info('%s "%s %s"', "10.0.0.1", "GET", "/health")

    ours, theirs = records(stream)
    assert ours["event"] == "hello"
    assert ours["team"] == "nl"
    assert theirs["event"] == '10.0.0.1 "GET /health"'
    assert theirs["logger"] == "uvicorn.access"
    for record in (ours, theirs):
        assert record["level"] == "info"
        assert record["connection"] == "c1"
        stamp = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
        assert stamp.utcoffset() == timedelta(0)


def test_console_renders_stdlib_lines_too() -> None:
    stream = io.StringIO()
    configure_logging(Settings(log_format="console"), stream=stream)
    structlog.get_logger().warning("slow client", queue=1000)
    logging.getLogger("websockets").warning("connection lost")
    ours, theirs = lines(stream)
    assert "slow client" in ours
    assert "queue=1000" in ours
    assert "connection lost" in theirs
    assert "[websockets]" in theirs
    assert "\x1b[" not in stream.getvalue()  # no colours when the stream is no terminal


@pytest.mark.parametrize(("stream", "is_json"), [(io.StringIO(), True), (Terminal(), False)])
def test_auto_is_json_unless_on_a_terminal(stream: io.StringIO, is_json: bool) -> None:
    configure_logging(Settings(log_format="auto"), stream=stream)
    structlog.get_logger().info("started")
    (line,) = lines(stream)
    assert line.startswith("{") is is_json


def test_the_level_applies_to_both() -> None:
    stream = io.StringIO()
    configure_logging(Settings(log_format="json", log_level="warning"), stream=stream)
    structlog.get_logger().info("dropped")
    logging.getLogger("redis").info("dropped too")
    structlog.get_logger().error("kept")
    logging.getLogger("asyncio").warning("kept too")
    assert [record["event"] for record in records(stream)] == ["kept", "kept too"]


def test_configuring_twice_does_not_duplicate_lines() -> None:
    first, second = io.StringIO(), io.StringIO()
    logging.getLogger("uvicorn.error").addHandler(logging.StreamHandler(io.StringIO()))
    configure_logging(Settings(log_format="json", log_level="debug"), stream=first)
    configure_logging(Settings(log_format="json"), stream=second)
    structlog.get_logger().debug("below info now")
    structlog.get_logger().info("once")
    logging.getLogger("uvicorn.error").info("once too")
    assert first.getvalue() == ""
    assert [record["event"] for record in records(second)] == ["once", "once too"]
    for name in STDLIB_LOGGERS:
        assert logging.getLogger(name).handlers == []
        assert logging.getLogger(name).propagate


def test_json_tracebacks_leave_out_local_variables() -> None:
    stream = io.StringIO()
    configure_logging(Settings(log_format="json"), stream=stream)
    join_code = "secret-join-code"
    try:
        raise RuntimeError(f"bad code length {len(join_code)}")
    except RuntimeError:
        structlog.get_logger().exception("failed")
    (record,) = records(stream)
    assert record["exception"][0]["exc_type"] == "RuntimeError"
    assert join_code not in stream.getvalue()


@pytest.mark.parametrize(
    ("settings", "variable"),
    [
        (Settings(log_level="verbose"), "LIAISON_LOG_LEVEL"),
        (Settings(log_format="xml"), "LIAISON_LOG_FORMAT"),
    ],
)
def test_unknown_values_name_their_variable(settings: Settings, variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        configure_logging(settings, stream=io.StringIO())


def test_uvicorns_invalid_utf8_error_is_a_client_warning_without_a_traceback() -> None:
    stream = io.StringIO()
    configure_logging(Settings(log_format="json"), stream=stream)
    try:
        b"\xc3\x28".decode()
    except UnicodeDecodeError:
        logging.getLogger("uvicorn.error").exception("Invalid UTF-8 sequence received from client.")
    logging.getLogger("uvicorn.error").error("Exception in ASGI application")  # others stay errors

    utf8, other = records(stream)
    assert utf8["level"] == "warning"
    assert utf8["event"].startswith("client.invalid_utf8")
    assert "exception" not in utf8
    assert other["level"] == "error"
