"""A log that lost its last events (a failover with asynchronous replication): the hub that
applied them gives the exercise a new epoch, so that no client keeps a history the log lost."""

from __future__ import annotations

import redis.asyncio

from server.adapters import keys
from server.adapters.store import Store
from tests.adapters.test_hub import announce, two_hubs


async def lose_tail(client: redis.asyncio.Redis, exercise: str, events: int) -> int:
    """What a promoted replica that missed the last `events` events holds; its last seq."""
    store = Store(client)
    meta = await store.meta(exercise)
    assert meta is not None
    last = meta.seq - events
    kept = await client.xrange(keys.log(exercise), max=f"{last}-0")
    await client.delete(keys.log(exercise))  # a stream remembers its top id: build it anew
    for entry_id, fields in kept:
        await client.xadd(keys.log(exercise), fields, id=entry_id)
    await client.hset(keys.meta(exercise), "seq", last)
    return last


async def test_a_log_that_ends_before_the_hub_gets_a_new_epoch(redis_client: redis.asyncio.Redis) -> None:
    hub, other, director = await two_hubs(redis_client)
    epoch = hub.epoch
    for i in range(3):
        await hub.execute(announce(f"n {i}"), director, f"{director.participant}/{i}")
    last = await lose_tail(redis_client, hub.exercise, 2)

    await hub.catch_up()
    meta = await Store(redis_client).meta(hub.exercise)
    assert meta is not None and meta.epoch != epoch
    assert (hub.epoch, hub.seq) == (meta.epoch, last)
    renewed = await redis_client.hget(keys.meta(hub.exercise), "renewed_why")
    assert renewed is not None and b"the log ends at" in renewed

    await other.catch_up()  # the other instance follows the one new epoch
    assert (other.epoch, other.seq) == (meta.epoch, last)


async def test_a_log_with_other_events_at_the_hubs_seqs_gets_a_new_epoch(
    redis_client: redis.asyncio.Redis,
) -> None:
    hub, other, director = await two_hubs(redis_client)
    epoch = hub.epoch
    for i in range(3):
        await hub.execute(announce(f"n {i}"), director, f"{director.participant}/{i}")
    await lose_tail(redis_client, hub.exercise, 2)
    await other.catch_up()  # it had not seen the lost events: nothing is wrong for it
    assert other.epoch == epoch
    await other.execute(announce("x"), director)
    await other.execute(announce("y"), director)
    assert other.seq == hub.seq  # the same seq, other events

    await hub.catch_up()
    meta = await Store(redis_client).meta(hub.exercise)
    assert meta is not None and meta.epoch != epoch and hub.epoch == meta.epoch
    assert hub.state.seq == meta.seq
    texts = [getattr(s.event, "text", "") for s in await Store(redis_client).read(hub.exercise, 0)]
    assert texts[-2:] == ["x", "y"]


async def test_a_hub_whose_last_event_is_in_the_log_keeps_its_epoch(
    redis_client: redis.asyncio.Redis,
) -> None:
    hub, other, director = await two_hubs(redis_client)
    epoch = hub.epoch
    await hub.execute(announce("kept"), director)
    await other.catch_up()
    await other.execute(announce("next"), director)
    await hub.catch_up()
    assert (hub.epoch, hub.seq) == (epoch, other.seq)
