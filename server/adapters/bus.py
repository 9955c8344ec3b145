"""The bus: one pub/sub subscription per instance that hands append messages to the hubs.

It subscribes to the pattern of every exercise channel, so hubs come and go without
subscribe calls. Behind Sentinel the subscription is on the primary (found again after a
failover, which breaks it like any outage); in a Redis Cluster it is on any one node: the append
script's classic PUBLISH reaches every node of the cluster. (Sharded pub/sub, SPUBLISH, would
keep each message on its exercise's shard, but it has no patterns: the bus would subscribe to
each exercise's channel on its slot's node and follow every resharding. For the few hundred
messages a second of even many courses, the cluster-wide broadcast costs less than that.)
One server's and a Sentinel primary's messages are read on a `redis_line.Subscription`
(hiredis on a held connection), a cluster's through redis-py's `PubSub`.
When the subscription breaks (Redis restart, `CLIENT KILL TYPE pubsub`),
it reconnects with backoff and tells every hub to catch up from the log, since messages
published meanwhile are lost: pub/sub only speeds delivery, the stream is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from typing import Any

import structlog
from redis import exceptions as redis_errors
from redis.asyncio.cluster import RedisCluster

from server.adapters import redis_line
from server.adapters.redis_connect import Client

PATTERN = "liaison:{*}:events"

log = structlog.get_logger("liaison.bus")


def exercise_of(channel: bytes) -> str:
    """`liaison:{ex}:events` → `ex`."""
    text = channel.decode()
    return text[text.index("{") + 1 : text.rindex("}")]


class Bus:
    def __init__(
        self,
        client: Client,
        on_message: Callable[[str, bytes], None],
        on_reconnect: Callable[[], None],
    ) -> None:
        self._redis: Any = client
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self.connected = asyncio.Event()

    async def run(self) -> None:
        delay = 0.05
        while True:
            subscription = self._subscription()
            try:
                await subscription.open(PATTERN)
                self.connected.set()
                self._on_reconnect()
                delay = 0.05
                names: dict[bytes, str] = {}
                while True:
                    channel, data = await subscription.message()
                    name = names.get(channel)
                    if name is None:
                        name = names[channel] = exercise_of(channel)
                    self._on_message(name, data)
            except (*_BROKEN, redis_errors.ResponseError) as error:
                if self.connected.is_set():
                    log.warning("bus.disconnected", error=str(error) or type(error).__name__)
                self.connected.clear()
            finally:
                await subscription.close()
            await asyncio.sleep(delay * (0.5 + random.random()))  # noqa: S311 - jitter
            delay = min(delay * 2, 2.0)

    def _subscription(self) -> redis_line.Subscription | _PubSub:
        """On a line for one server or a Sentinel primary, through redis-py's `PubSub` in a cluster."""
        if redis_line.supported(self._redis):
            return redis_line.Subscription(self._redis)
        return _PubSub(self._redis)


class _PubSub:
    """redis-py's `PubSub`, with the calls of `redis_line.Subscription`: on the primary, or on a
    random node of a cluster (the client learns the cluster's nodes first, again after every
    break: a node may have gone)."""

    def __init__(self, client: Any) -> None:
        self._redis = client
        self._pubsub: Any = None

    async def open(self, pattern: str) -> None:
        if isinstance(self._redis, RedisCluster):
            await self._redis.initialize()
            node = self._redis.get_random_node()
            self._pubsub = self._redis.pubsub(node=node, ignore_subscribe_messages=True)
        else:
            self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.psubscribe(pattern)

    async def message(self) -> tuple[bytes, bytes]:
        while True:
            message = await self._pubsub.get_message(timeout=1.0)
            if message is not None and message["type"] == "pmessage":
                return message["channel"], message["data"]

    async def close(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(redis_errors.RedisError, OSError):
                await self._pubsub.aclose()


_BROKEN = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.RedisClusterException,  # no cluster node reachable
    redis_errors.ClusterError,
    OSError,
)
