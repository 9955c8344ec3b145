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

from server.adapters import http_api, metrics, web
from server.adapters.bus import Bus
from server.adapters.direct_send import KeepRawSend
from server.adapters.endpoint import Endpoint
from server.adapters.hubs import Hubs
from server.adapters.services import Services
from server.adapters.store import Store, StoreUnavailable, connect
from server.settings import Settings

log = structlog.get_logger("liaison.app")


def create_app(settings: Settings) -> Starlette:
    settings = settings.with_instance_id()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        client = connect(settings.redis_url)
        store = Store(client)
        async with asyncio.TaskGroup() as tasks:
            hubs = Hubs(store, settings.instance_id, settings.position_interval, tasks)
            services = Services(settings, store, hubs, settings.admin_token or secrets.token_urlsafe(24))
            bus = Bus(client, hubs.on_message, hubs.on_reconnect)
            hubs.spawn(bus.run(), "bus")
            hubs.spawn(hubs.heartbeat(), "heartbeat")
            metrics.watch(hubs, settings.instance_id)
            log.info("instance.started", instance=settings.instance_id)
            try:
                yield {"services": services, "endpoint": Endpoint(services)}
            finally:
                services.accepting = False
                hubs.stop()
                with contextlib.suppress(StoreUnavailable):
                    await store.forget_instance(settings.instance_id)
        await client.aclose()
        log.info("instance.stopped", instance=settings.instance_id)

    async def websocket(ws: WebSocket) -> None:
        endpoint: Endpoint = ws.state.endpoint
        await endpoint(ws)

    return Starlette(
        routes=[*http_api.routes, *web.routes, WebSocketRoute("/ws", websocket)],
        middleware=[Middleware(KeepRawSend), Middleware(web.SecurityHeaders)],
        lifespan=lifespan,
    )
