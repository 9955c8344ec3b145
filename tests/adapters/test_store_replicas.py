"""`LIAISON_REDIS_MIN_REPLICAS`: an append counts only once WAIT saw it on the replicas."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from server.adapters import keys
from server.adapters.redis_server import HOST, RedisProcess
from server.adapters.store import NotReplicated, Store, StoreUnavailable
from server.adapters.wire_errors import wire_error
from server.core.audience import Audience
from server.core.events import AnnouncementMade, Event

EXERCISE = "replicated"


def note(text: str) -> list[Event]:
    return [AnnouncementMade("ctl", Audience(everyone=True), text)]


@pytest.fixture(autouse=True)
async def forget_the_test_exercise(redis_client: aioredis.Redis) -> AsyncIterator[None]:
    """The session's Redis outlives the test: leave no half-made exercise in its list."""
    yield
    await redis_client.srem(keys.EXERCISES, EXERCISE)
    await redis_client.delete(keys.log(EXERCISE), keys.meta(EXERCISE), keys.applied_commands(EXERCISE))


@pytest.fixture
def replica(fresh_redis: RedisProcess, tmp_path: Path) -> Iterator[RedisProcess]:
    process = RedisProcess(tmp_path / "replica", extra=["--replicaof", HOST, str(fresh_redis.port)])
    process.start()
    client = redis.Redis(host=HOST, port=process.port)
    deadline = time.monotonic() + 15
    while client.info("replication").get("master_link_status") != "up":
        assert time.monotonic() < deadline, "the replica did not sync"
        time.sleep(0.05)
    client.close()
    yield process
    process.stop()


async def test_without_a_replica_an_append_is_written_but_not_acknowledged(
    redis_client: aioredis.Redis,
) -> None:
    store = Store(redis_client, min_replicas=1, wait_timeout=0.05)
    with pytest.raises(NotReplicated, match="0 of the 1 replica"):
        await store.create(EXERCISE, note("opening"), now=1.0)
    assert (await Store(redis_client).meta(EXERCISE)) is not None  # on the primary all the same
    await redis_client.sadd(keys.EXERCISES, EXERCISE)
    with pytest.raises(NotReplicated):
        await store.append(EXERCISE, 1, note("a"), now=2.0, command_key="p/1")
    # the retry finds it applied, but is not told `duplicate` before a replica confirms it
    with pytest.raises(NotReplicated, match="applied before"):
        await store.applied(EXERCISE, ["p/1"])
    assert await store.applied(EXERCISE, ["p/2"]) == [None]  # nothing to confirm: no wait
    assert await Store(redis_client).applied(EXERCISE, ["p/1"]) == [2]
    error = wire_error(NotReplicated("x"))
    assert error is not None and error.code == "unavailable" and "replicas" in error.message
    assert isinstance(NotReplicated("x"), StoreUnavailable)


async def test_with_a_replica_appends_and_duplicates_are_acknowledged(
    fresh_redis: RedisProcess, replica: RedisProcess
) -> None:
    client = aioredis.Redis.from_url(fresh_redis.url)
    try:
        store = Store(client, min_replicas=1, wait_timeout=2.0)
        assert (await store.create(EXERCISE, note("opening"), now=1.0)).outcome == "ok"
        result = await store.append(EXERCISE, 1, note("a"), now=2.0, command_key="p/1")
        assert (result.outcome, result.seq) == ("ok", 2)
        assert await store.applied(EXERCISE, ["p/1"]) == [2]
        replicated = redis.Redis(host=HOST, port=replica.port)
        try:
            assert replicated.xlen(keys.log(EXERCISE)) == 2  # acknowledged: on the replica
        finally:
            replicated.close()
        with pytest.raises(NotReplicated):  # two replicas asked for, one there
            await Store(client, min_replicas=2, wait_timeout=0.05).append(EXERCISE, 2, note("b"), now=3.0)
    finally:
        await client.aclose()
