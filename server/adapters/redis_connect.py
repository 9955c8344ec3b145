"""From `LIAISON_REDIS_URL` to a Redis client: one server, a Sentinel set-up, or a Cluster.

- `redis://[[user]:password@]host:port/db`, `rediss://...`, `unix://...`: one Redis (redis-py's
  own URL form);
- `redis+sentinel://[[user]:password@]host:port[,host:port...]/service[/db][?options]`: the
  primary of `service`, found through the Sentinels;
- `redis+cluster://[[user]:password@]host:port[,host:port...][?options]`: a Redis Cluster,
  from any of its nodes.

The user and password in front of the hosts are those of the Redis servers (primary, replicas,
cluster nodes). Options of the Sentinel form: `sentinel_username`, `sentinel_password` (when
the Sentinels themselves ask for a password; by default they are asked with none). A Sentinel
port defaults to 26379, a cluster node's to 6379. Both forms take `ssl=true` for TLS to the
Redis servers.

Every client retries briefly on connection errors and never hangs forever; one server's and a
Sentinel primary's pool is a blocking one: when all `POOL_SIZE` connections are in use, a
caller waits up to `POOL_WAIT` seconds for one instead of failing at once with "Too many
connections" (the default pool's behaviour, which told a reconnect storm that Redis was down:
issue 15). A Sentinel client asks the Sentinels for the primary whenever it (re)connects, so
after a failover the store, the append script, the bus and presence all follow the new primary
by themselves: the calls during the failover fail as `StoreUnavailable`, like any Redis outage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, unquote

import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialBackoff

from server.settings import Settings, SettingsError

POOL_SIZE = 64
"""Redis connections one instance opens at most (its pub/sub connection not counted). A reconnect
storm of hundreds of sessions shares them: each session holds one only for a command's round trip."""
POOL_WAIT = 5.0
"""Seconds a caller waits for a free connection of the pool before it is told the instance is busy."""

SENTINEL_PORT = 26379
_SENTINEL: Any = Sentinel
"""`Sentinel`, called untyped: redis-py types its constructor from 8.2 on, not before."""
CLUSTER_PORT = 6379
SCHEMES = ("redis", "rediss", "unix", "redis+sentinel", "redis+cluster")

Client = aioredis.Redis | RedisCluster
"""What the store, the bus and the backups talk to: one server (or a Sentinel primary), or a cluster."""

Kind = Literal["single", "sentinel", "cluster"]


@dataclass(frozen=True, slots=True)
class RedisAddress:
    """A parsed `LIAISON_REDIS_URL`."""

    kind: Kind
    url: str
    """The URL as given (a single server's is handed to redis-py as is)."""
    hosts: tuple[tuple[str, int], ...] = ()
    service: str = ""
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_username: str | None = None
    sentinel_password: str | None = None
    ssl: bool = False


def parse(url: str) -> RedisAddress:
    """`url` understood, or a `SettingsError` that says what is wrong with it and how it should look."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in SCHEMES:
        raise SettingsError(
            f"LIAISON_REDIS_URL={url!r}: expected redis://host:port/db, "
            "redis+sentinel://host:port[,host:port...]/service[/db] or "
            "redis+cluster://host:port[,host:port...]"
        )
    if scheme in ("redis", "rediss", "unix"):
        return RedisAddress("single", url)
    kind: Kind = "sentinel" if scheme == "redis+sentinel" else "cluster"
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    userinfo, at, hostlist = netloc.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    default_port = SENTINEL_PORT if kind == "sentinel" else CLUSTER_PORT
    hosts = tuple(_host(url, part, default_port) for part in hostlist.split(",") if part.strip())
    if not hosts:
        raise SettingsError(f"LIAISON_REDIS_URL={url!r}: no host:port before the path")
    options = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
    known = {"sentinel_username", "sentinel_password", "ssl"} if kind == "sentinel" else {"ssl"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise SettingsError(
            f"LIAISON_REDIS_URL={url!r}: unknown option {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})"
        )
    ssl = options.get("ssl", "false").lower() in ("1", "true", "yes", "on")
    parts = [part for part in path.split("/") if part]
    if kind == "sentinel":
        if not parts or len(parts) > 2:
            raise SettingsError(
                f"LIAISON_REDIS_URL={url!r}: expected the service name after the hosts, "
                "e.g. redis+sentinel://host:26379/mymaster/0"
            )
        service, db = parts[0], _db(url, parts[1] if len(parts) > 1 else "0")
    else:
        if len(parts) > 1 or (parts and _db(url, parts[0]) != 0):
            raise SettingsError(f"LIAISON_REDIS_URL={url!r}: a Redis Cluster has only database 0")
        service, db = "", 0
    return RedisAddress(
        kind,
        url,
        hosts,
        service,
        db,
        username,
        password,
        options.get("sentinel_username") or None,
        options.get("sentinel_password") or None,
        ssl,
    )


def _host(url: str, part: str, default_port: int) -> tuple[str, int]:
    host, colon, port = part.strip().rpartition(":")
    if not colon:
        host, port = part.strip(), str(default_port)
    host = host.strip("[]")  # [::1]:26379
    try:
        number = int(port)
    except ValueError:
        number = 0
    if not host or not 0 < number < 65536:
        raise SettingsError(f"LIAISON_REDIS_URL={url!r}: {part!r} is not host:port")
    return host, number


def _db(url: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"LIAISON_REDIS_URL={url!r}: database {text!r} is not a number") from None


def _options() -> dict[str, Any]:
    return {
        "socket_timeout": 5.0,
        "socket_connect_timeout": 2.0,
        "health_check_interval": 10,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=3),
        "retry_on_error": [redis_errors.ConnectionError, redis_errors.TimeoutError],
    }


class BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """The Sentinel pool (finds the primary on every connect) with the blocking pool's wait."""


class SentinelPrimary(aioredis.Redis):
    """The primary's client; closing it also closes the connections to the Sentinels."""

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        try:
            await super().aclose(close_connection_pool)
        finally:
            sentinel: Sentinel = self.connection_pool.sentinel_manager  # type: ignore[attr-defined]
            await sentinel.aclose()


def connect(url: str) -> Client:
    """A client for `url` (see the module's table); SettingsError for a URL it cannot use."""
    address = parse(url)
    if address.kind == "single":
        pool = BlockingConnectionPool.from_url(
            url, max_connections=POOL_SIZE, timeout=POOL_WAIT, **_options()
        )
        return aioredis.Redis.from_pool(pool)  # closing the client closes the pool
    credentials: dict[str, Any] = {"username": address.username, "password": address.password}
    if address.kind == "sentinel":
        sentinel = _SENTINEL(
            list(address.hosts),
            sentinel_kwargs={
                "socket_timeout": 1.0,
                "socket_connect_timeout": 1.0,
                "username": address.sentinel_username,
                "password": address.sentinel_password,
            },
        )
        client: aioredis.Redis = sentinel.master_for(
            address.service,
            redis_class=SentinelPrimary,
            connection_pool_class=BlockingSentinelPool,
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT,
            db=address.db,
            ssl=address.ssl,
            **credentials,
            **_options(),
        )
        return client
    options = _options()
    del options["retry_on_error"]  # the cluster client retries connection errors itself
    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in address.hosts],
        max_connections=POOL_SIZE,
        ssl=address.ssl,
        **credentials,
        **options,
    )


def kind_of(url: str) -> Kind:
    return parse(url).kind


def check(settings: Settings) -> None:
    """The Redis settings make sense together, or a SettingsError that says which does not."""
    if settings.redis_min_replicas < 0:
        raise SettingsError(f"LIAISON_REDIS_MIN_REPLICAS={settings.redis_min_replicas}: expected 0 or more")
    if settings.redis_wait_timeout <= 0:
        raise SettingsError(
            f"LIAISON_REDIS_WAIT_TIMEOUT={settings.redis_wait_timeout:g}: expected seconds above 0"
        )
    if not settings.redis_url:
        return
    if parse(settings.redis_url).kind == "cluster" and settings.redis_min_replicas:
        raise SettingsError(
            f"LIAISON_REDIS_MIN_REPLICAS={settings.redis_min_replicas}: not supported with a Redis Cluster "
            "(redis+cluster://); use 0, or a Sentinel set-up (redis+sentinel://)"
        )
