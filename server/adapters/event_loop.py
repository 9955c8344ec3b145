"""The event loop `liaison serve` runs on (`LIAISON_EVENT_LOOP`): asyncio's own by default.

uvloop is a drop-in loop on libuv, opt-in: on it, redis-py raises a bare RuntimeError ("the
handler is closed") when Redis's connection drops under a command, where on asyncio's loop it
raises a ConnectionError that the server answers `unavailable`; the Redis fault suite
(tests/e2e/test_faults_redis.py) then sees `internal` errors. docs/performance.md says more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from server.settings import SettingsError


def event_loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop `serve` runs on: uvloop when asked for (or, for auto, when installed)."""
    match choice.strip().lower():
        case "asyncio":
            return None
        case "auto" | "uvloop" as wanted:
            try:
                import uvloop  # type: ignore[import-not-found, unused-ignore]
            except ImportError:
                if wanted == "uvloop":
                    raise SettingsError(
                        "LIAISON_EVENT_LOOP=uvloop: uvloop is not installed (pip install uvloop)"
                    ) from None
                return None
            factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
            return factory
        case _:
            raise SettingsError(f"LIAISON_EVENT_LOOP={choice!r}: expected auto, uvloop or asyncio")
