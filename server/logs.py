"""Logging: structlog for our own lines, and the stdlib loggers rendered the same way.

Our loggers (`structlog.get_logger()`) and the libraries' stdlib loggers (uvicorn, websockets,
redis, asyncio) end in one handler on stderr whose `ProcessorFormatter` renders every record
alike: JSON lines in production, colourful console lines on a terminal. Context bound with
`structlog.contextvars.bind_contextvars` (connection, exercise, participant) shows on both.

uvicorn installs its own handlers unless it is given `log_config=None`: the CLI must pass that.
"""

from __future__ import annotations

import logging
import sys
from typing import Final, TextIO

import structlog
from structlog.typing import Processor

from server.settings import Settings, SettingsError

LEVELS: Final = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
FORMATS: Final = ("auto", "json", "console")
STDLIB_LOGGERS: Final = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "websockets",
    "redis",
    "asyncio",
)
"""Library loggers whose own handlers are removed so that their records reach ours."""

_JSON_TRACEBACKS: Final = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)  # locals may hold secrets
)


class _LiaisonHandler(logging.StreamHandler[TextIO]):
    """Marks the handler this module installs, so a second call replaces it."""


CLIENT_ERRORS: Final = {"Invalid UTF-8 sequence received from client.": "client.invalid_utf8"}
"""uvicorn's error-level records (with a traceback) that are a client's fault, not ours."""


class _ClientErrors(logging.Filter):
    """A client's bad input is a warning without a traceback: uvicorn logs a text frame that is not
    UTF-8 (closed with 1007) as an error with its traceback, as if it were a bug of the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        event = CLIENT_ERRORS.get(record.msg) if isinstance(record.msg, str) else None
        if event is not None and record.name.startswith("uvicorn"):
            record.msg = f"{event}: the client sent a text frame that is not UTF-8 (closed 1007)"
            record.args = ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> None:
    """Configure structlog and the stdlib root logger from `settings`; safe to call again."""
    level = _level(settings.log_level)
    stream = sys.stderr if stream is None else stream
    json = _use_json(settings.log_format, stream)

    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        # Drops calls below the level before any processor runs.
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Not cached, so that reconfiguring (and structlog.testing.capture_logs) always applies.
        cache_logger_on_first_use=False,
    )

    renderer: Processor
    if json:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=_is_tty(stream))
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([_JSON_TRACEBACKS] if json else []),
            renderer,
        ],
    )
    handler = _LiaisonHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(_ClientErrors())

    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LiaisonHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in STDLIB_LOGGERS:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
        library.setLevel(logging.NOTSET)


def _level(name: str) -> int:
    try:
        return LEVELS[name.strip().lower()]
    except KeyError:
        raise SettingsError(f"LIAISON_LOG_LEVEL={name!r}: expected one of {', '.join(LEVELS)}") from None


def _use_json(log_format: str, stream: TextIO) -> bool:
    match log_format.strip().lower():
        case "json":
            return True
        case "console":
            return False
        case "auto":
            return not _is_tty(stream)
        case _:
            raise SettingsError(f"LIAISON_LOG_FORMAT={log_format!r}: expected one of {', '.join(FORMATS)}")


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())
