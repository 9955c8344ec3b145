"""The application factory: `create_app(settings)` wires the adapters around the core.

The lifespan connects to Redis, starts the bus (pub/sub), the instance heartbeat and, on
demand, one hub per exercise, all in one task group; it cancels them all on shutdown. Redis
may be down when the server starts: the server serves anyway and answers "unavailable"
until Redis is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from server.adapters import http_api, metrics, redis_connect, web
from server.adapters.bus import Bus
from server.adapters.direct_send import KeepRawSend
from server.adapters.endpoint import Endpoint
from server.adapters.graceful_stop import GracefulStop
from server.adapters.hub import Hub
from server.adapters.hubs import Hubs
from server.adapters.services import Services
from server.adapters.snapshots import SnapshotPolicy
from server.adapters.store import Store, StoreUnavailable, connect
from server.adapters.wire_errors import FAILURES
from server.core import commands as c
from server.core.errors import DomainError
from server.settings import Settings

log = structlog.get_logger("liaison.app")


def create_app(settings: Settings) -> Starlette:
    redis_connect.check(settings)  # SettingsError for a Redis URL or replica count it cannot use
    settings = settings.with_instance_id()
    graceful = GracefulStop()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        client = connect(settings.redis_url)
        store = Store(
            client, min_replicas=settings.redis_min_replicas, wait_timeout=settings.redis_wait_timeout
        )
        async with asyncio.TaskGroup() as tasks:
            hubs = Hubs(
                store,
                settings.instance_id,
                settings.position_interval,
                tasks,
                SnapshotPolicy(settings.snapshot_every, settings.snapshot_seconds),
            )
            services = Services(settings, store, hubs, settings.admin_token or secrets.token_urlsafe(24))
            bus = Bus(client, hubs.on_message, hubs.on_reconnect)
            hubs.spawn(bus.run(), "bus")
            hubs.spawn(hubs.heartbeat(), "heartbeat")
            metrics.watch(hubs, settings.instance_id)
            log.info("instance.started", instance=settings.instance_id)
            try:
                yield {"services": services, "endpoint": Endpoint(services, graceful)}
            finally:
                deadline = asyncio.get_running_loop().time() + LAST_WRITES_WAIT
                await _close_own_connections(hubs, settings.instance_id, deadline)
                await _snapshot_loaded(hubs, deadline)
                services.accepting = False
                hubs.stop()
                with contextlib.suppress(StoreUnavailable, TimeoutError):
                    async with asyncio.timeout_at(deadline):  # else its liveness key expires
                        await store.forget_instance(settings.instance_id)
        await store.aclose()
        await client.aclose()
        log.info("instance.stopped", instance=settings.instance_id)

    async def websocket(ws: WebSocket) -> None:
        endpoint: Endpoint = ws.state.endpoint
        await endpoint(ws)

    app = Starlette(
        routes=[*http_api.routes, *web.routes, WebSocketRoute("/ws", websocket)],
        middleware=[Middleware(KeepRawSend), Middleware(web.SecurityHeaders)],
        lifespan=lifespan,
    )
    app.state.graceful_stop = graceful  # `liaison serve` calls its stop() when uvicorn shuts down
    return app


LAST_WRITES_WAIT = 5.0
"""Seconds the lifespan's end gives its last writes in all: this instance's connections closed,
a last snapshot of each loaded exercise, this instance forgotten. Usually they take a fraction
of a second; when Redis does not answer, the stop gives them up at this deadline instead of
waiting on Redis (nothing acknowledged depends on them)."""


async def _close_own_connections(hubs: Hubs, instance: str, deadline: float) -> None:
    """Write `connection.closed` for this instance's connections now: the presence grace of the
    last ones would outlive the process (other instances would close them, ~15 s later)."""

    async def close(hub: Hub) -> None:
        try:
            await hub.execute(c.CloseInstanceConnections(instance), c.SYSTEM)
        except FAILURES as failure:
            log.warning("presence.close_failed", exercise=hub.exercise, error=repr(failure))
        except DomainError as refused:
            log.warning("presence.close_failed", exercise=hub.exercise, error=repr(refused))

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout_at(deadline):
            await asyncio.gather(*(close(hub) for hub in hubs.loaded()))


async def _snapshot_loaded(hubs: Hubs, deadline: float) -> None:
    """Write a snapshot of every loaded exercise that moved since its last one: the next start
    (of this instance or another) then loads it without folding a tail of the log. A crash
    skips this; the next load folds at most `SnapshotPolicy.every` events."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout_at(deadline):
            await asyncio.gather(*(hub.snapshot_now() for hub in hubs.loaded()))
