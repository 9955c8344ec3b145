"""`LIAISON_REDIS_URL` in its three forms, and the errors that say what is wrong with one."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from server.adapters.redis_connect import BlockingSentinelPool, RedisAddress, check, connect, parse
from server.settings import Settings, SettingsError


def test_a_single_server_url_is_handed_to_redis_py_as_is() -> None:
    assert parse("redis://h:6379/2") == RedisAddress("single", "redis://h:6379/2")
    assert parse("rediss://:pw@h:6380/0").kind == "single"
    assert parse("unix:///run/redis.sock").kind == "single"


def test_a_sentinel_url_names_the_sentinels_the_service_the_db_and_both_passwords() -> None:
    address = parse(
        "redis+sentinel://app:s%40cret@s1:26380,s2,[::1]:26381/mymaster/3?sentinel_password=sp&ssl=true"
    )
    assert address.kind == "sentinel"
    assert address.hosts == (("s1", 26380), ("s2", 26379), ("::1", 26381))
    assert (address.service, address.db) == ("mymaster", 3)
    assert (address.username, address.password) == ("app", "s@cret")
    assert (address.sentinel_username, address.sentinel_password) == (None, "sp")
    assert address.ssl is True
    assert parse("redis+sentinel://s1/mymaster").db == 0


def test_a_cluster_url_names_its_nodes() -> None:
    address = parse("redis+cluster://:pw@n1:7000,n2:7001")
    assert address.kind == "cluster"
    assert address.hosts == (("n1", 7000), ("n2", 7001))
    assert address.password == "pw"
    assert parse("redis+cluster://n1/0").hosts == (("n1", 6379),)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://h:6379", "expected redis://"),
        ("h:6379", "expected redis://"),
        ("redis+sentinel://s1:26379", "service name"),
        ("redis+sentinel://s1:26379/a/b/c", "service name"),
        ("redis+sentinel://s1:26379/mymaster/x", "database 'x' is not a number"),
        ("redis+sentinel:///mymaster", "no host:port"),
        ("redis+sentinel://s1:port/mymaster", "'s1:port' is not host:port"),
        ("redis+sentinel://s1:99999/mymaster", "is not host:port"),
        ("redis+sentinel://s1/mymaster?sentinel_pasword=x", "unknown option sentinel_pasword"),
        ("redis+cluster://n1:7000/1", "only database 0"),
        ("redis+cluster://n1:7000?sentinel_password=x", "unknown option sentinel_password"),
    ],
)
def test_a_bad_url_is_refused_with_what_is_wrong(url: str, says: str) -> None:
    with pytest.raises(SettingsError, match="LIAISON_REDIS_URL") as refused:
        parse(url)
    assert says in str(refused.value)


def test_min_replicas_is_checked_against_the_url() -> None:
    check(Settings(redis_url="redis+sentinel://s1/m", redis_min_replicas=1))
    check(Settings(redis_min_replicas=2))
    with pytest.raises(
        SettingsError, match="LIAISON_REDIS_MIN_REPLICAS=1: not supported with a Redis Cluster"
    ):
        check(Settings(redis_url="redis+cluster://n1:7000", redis_min_replicas=1))
    with pytest.raises(SettingsError, match="LIAISON_REDIS_MIN_REPLICAS=-1"):
        check(Settings(redis_min_replicas=-1))
    with pytest.raises(SettingsError, match="LIAISON_REDIS_WAIT_TIMEOUT=0"):
        check(Settings(redis_wait_timeout=0))
    with pytest.raises(SettingsError, match="LIAISON_REDIS_URL"):
        check(Settings(redis_url="redis+sentinel://s1"))


async def test_each_form_gives_its_client() -> None:
    single = connect("redis://127.0.0.1:1/0")
    sentinel = connect("redis+sentinel://127.0.0.1:1/mymaster/0")
    cluster = connect("redis+cluster://127.0.0.1:1")
    try:
        assert isinstance(single, aioredis.Redis)
        assert isinstance(sentinel, aioredis.Redis)
        assert isinstance(sentinel.connection_pool, BlockingSentinelPool)
        assert sentinel.connection_pool.max_connections == 64
        assert isinstance(cluster, RedisCluster)
    finally:
        await single.aclose()
        await sentinel.aclose()
        await cluster.aclose()


def test_the_app_refuses_a_redis_url_it_cannot_use_before_it_serves() -> None:
    from server.app import create_app

    with pytest.raises(SettingsError, match="expected the service name"):
        create_app(Settings(redis_url="redis+sentinel://s1:26379"))
