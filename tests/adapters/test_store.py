"""The append script against a real Redis: compare-and-append, exactly-once keys, the turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from server.adapters import keys
from server.adapters.store import Store
from server.core.audience import Audience
from server.core.events import AnnouncementMade, Event

EXERCISE = "store-test"


def note(text: str) -> list[Event]:
    return [AnnouncementMade("ctl", Audience(everyone=True), text)]


@pytest.fixture(autouse=True)
async def forget_the_test_exercise(redis_client: redis.asyncio.Redis) -> AsyncIterator[None]:
    """Its log is not a whole exercise: servers sharing the session's Redis must not list it."""
    yield
    await redis_client.srem(keys.EXERCISES, EXERCISE)
    await redis_client.delete(keys.log(EXERCISE), keys.meta(EXERCISE), keys.applied_commands(EXERCISE))


async def created(client: redis.asyncio.Redis) -> Store:
    store = Store(client)
    result = await store.create(EXERCISE, note("opening"), now=1.0)
    assert (result.outcome, result.seq) == ("ok", 1)
    return store


async def test_an_append_at_the_expected_position_is_written_and_a_stale_one_is_refused(
    redis_client: redis.asyncio.Redis,
) -> None:
    store = await created(redis_client)
    written = await store.append(EXERCISE, 1, note("a") + note("b"), now=2.0, writer="x")
    assert (written.outcome, written.seq) == ("ok", 3)
    stale = await store.append(EXERCISE, 1, note("late"), now=3.0, writer="y")
    assert (stale.outcome, stale.seq) == ("conflict", 3)
    assert [item.seq for item in await store.read(EXERCISE, 0)] == [1, 2, 3]


async def test_a_command_key_is_applied_once(redis_client: redis.asyncio.Redis) -> None:
    store = await created(redis_client)
    first = await store.append(EXERCISE, 1, note("once"), now=2.0, command_key="p/1", writer="x")
    again = await store.append(EXERCISE, 2, note("once"), now=2.0, command_key="p/1", writer="y")
    assert (first.outcome, first.seq, again.outcome, again.seq) == ("ok", 2, "dup", 2)
    assert await store.applied(EXERCISE, ["p/1", "p/2"]) == [2, None]


async def test_an_append_to_an_exercise_that_does_not_exist_is_gone(
    redis_client: redis.asyncio.Redis,
) -> None:
    result = await Store(redis_client).append("nowhere", 4, note("x"), now=1.0, writer="x")
    assert result.outcome == "gone"


async def test_while_a_writer_holds_the_turn_only_its_append_is_accepted(
    redis_client: redis.asyncio.Redis,
) -> None:
    store = await created(redis_client)
    assert await store.take_turn(EXERCISE, "starving", 5.0)
    assert not await store.take_turn(EXERCISE, "fast", 5.0)

    refused = await store.append(EXERCISE, 1, note("fast"), now=2.0, writer="fast")
    assert (refused.outcome, refused.seq) == ("busy", 1)

    written = await store.append(EXERCISE, 1, note("starving"), now=2.0, writer="starving")
    assert (written.outcome, written.seq) == ("ok", 2)
    assert await redis_client.get(keys.turn(EXERCISE)) is None  # the holder's append gave it back
    after = await store.append(EXERCISE, 2, note("fast"), now=3.0, writer="fast")
    assert after.outcome == "ok"


async def test_only_the_holder_gives_the_turn_back_and_a_turn_expires(
    redis_client: redis.asyncio.Redis,
) -> None:
    store = await created(redis_client)
    assert await store.take_turn(EXERCISE, "holder", 0.2)
    await store.give_back_turn(EXERCISE, "other")
    assert await redis_client.get(keys.turn(EXERCISE)) == b"holder"
    await store.give_back_turn(EXERCISE, "holder")
    assert await redis_client.get(keys.turn(EXERCISE)) is None

    assert await store.take_turn(EXERCISE, "dies", 0.2)
    await asyncio.sleep(0.4)
    assert (await store.append(EXERCISE, 1, note("free"), now=2.0, writer="other")).outcome == "ok"


async def test_a_pool_that_stays_in_use_makes_callers_wait_then_says_busy_not_unavailable(
    redis_url: str,
) -> None:
    """Redis is up but the instance's pool is all in use: callers wait for a connection, and after
    the pool's timeout they hear `StoreBusy`, a kind of `StoreUnavailable` the wire tells apart."""
    from server.adapters.store import StoreBusy

    pool = redis.asyncio.BlockingConnectionPool.from_url(redis_url, max_connections=1, timeout=0.2)
    client = redis.asyncio.Redis.from_pool(pool)
    store = Store(client)
    holder = redis.asyncio.Redis.from_url(redis_url)
    try:
        blocked = asyncio.create_task(client.blpop(["store-test:never"], timeout=2))  # holds the only one
        await asyncio.sleep(0.05)
        with pytest.raises(StoreBusy):
            await store.meta(EXERCISE)
        await holder.rpush("store-test:never", "x")
        await blocked
        waiting = asyncio.create_task(store.meta(EXERCISE))  # a free connection again: served
        assert await waiting is None
    finally:
        await client.aclose()
        await holder.aclose()
