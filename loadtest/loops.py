"""The event loop a load-test process runs on: uvloop when it is installed, like the server's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def loop_factory(choice: str = "auto") -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's when it is installed (auto) or asked for, else None (asyncio's own)."""
    if choice == "asyncio":
        return None
    try:
        import uvloop  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory
