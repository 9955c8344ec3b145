"""Snapshots in a real Redis: each chunk is stored once, a save sends only the chunks Redis does
not hold, and what no snapshot names any more is deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from server.adapters import keys
from server.adapters.store import Store, StoredSnapshot

EXERCISE = "snapshot-store-test"


@pytest.fixture(autouse=True)
async def forget_the_test_exercise(redis_client: redis.asyncio.Redis) -> AsyncIterator[None]:
    yield
    await redis_client.delete(keys.snapshot(EXERCISE), keys.snapshot_chunks(EXERCISE))


def snapshot(seq: int, *chunks: str, epoch: str = "e1") -> StoredSnapshot:
    return StoredSnapshot(
        epoch, seq, 13, f"head {seq}".encode(), tuple((c, f"<{c}>".encode()) for c in chunks)
    )


async def stored_chunks(client: redis.asyncio.Redis) -> dict[bytes, bytes]:
    return dict(await client.hgetall(keys.snapshot_chunks(EXERCISE)))


async def test_a_save_sends_only_new_chunks_and_a_read_gives_them_all_in_order(
    redis_client: redis.asyncio.Redis,
) -> None:
    store = Store(redis_client)
    assert await store.save_snapshot(EXERCISE, snapshot(10, "feed:a", "feed:b", "requests:r")) == (True, 28)
    assert await store.save_snapshot(EXERCISE, snapshot(20, "feed:a", "feed:c", "requests:r")) == (True, 8)
    read = await store.snapshot(EXERCISE)
    assert read == snapshot(20, "feed:a", "feed:c", "requests:r")
    assert set(await stored_chunks(redis_client)) == {b"feed:a", b"feed:c", b"requests:r"}  # feed:b dropped
    assert await store.snapshot_seq(EXERCISE, "e1", 13) == 20


async def test_a_snapshot_as_recent_is_kept_and_nothing_of_the_older_one_is_written(
    redis_client: redis.asyncio.Redis,
) -> None:
    store = Store(redis_client)
    await store.save_snapshot(EXERCISE, snapshot(20, "feed:a"))
    assert await store.save_snapshot(EXERCISE, snapshot(15, "feed:old")) == (False, 0)
    assert await store.snapshot(EXERCISE) == snapshot(20, "feed:a")
    assert set(await stored_chunks(redis_client)) == {b"feed:a"}
    # another epoch replaces it, however far it is
    assert (await store.save_snapshot(EXERCISE, snapshot(5, "feed:z", epoch="e2")))[0]
    assert await store.snapshot(EXERCISE) == snapshot(5, "feed:z", epoch="e2")


async def test_a_chunk_another_instance_dropped_is_sent_again(redis_client: redis.asyncio.Redis) -> None:
    """Instance A saved feed:a; instance B's later snapshot no longer names it, so it is gone;
    A's next snapshot names feed:a again and must not take it as held."""
    a, b = Store(redis_client), Store(redis_client)
    await a.save_snapshot(EXERCISE, snapshot(10, "feed:a"))
    await b.save_snapshot(EXERCISE, snapshot(20, "feed:b"))
    assert set(await stored_chunks(redis_client)) == {b"feed:b"}
    assert await a.save_snapshot(EXERCISE, snapshot(30, "feed:a", "feed:c")) == (True, 16)
    assert await a.snapshot(EXERCISE) == snapshot(30, "feed:a", "feed:c")


async def test_a_snapshot_whose_chunk_is_missing_is_not_read(redis_client: redis.asyncio.Redis) -> None:
    store = Store(redis_client)
    await store.save_snapshot(EXERCISE, snapshot(10, "feed:a", "feed:b"))
    await redis_client.hdel(keys.snapshot_chunks(EXERCISE), "feed:b")
    assert await store.snapshot(EXERCISE) is None


async def test_a_snapshot_of_format_12_is_not_read_and_its_data_goes_at_the_next_save(
    redis_client: redis.asyncio.Redis,
) -> None:
    key = keys.snapshot(EXERCISE)
    await redis_client.hset(key, mapping={"epoch": "e1", "seq": 10, "format": 12, "data": b"everything"})
    store = Store(redis_client)
    assert await store.snapshot(EXERCISE) is None
    assert await store.snapshot_seq(EXERCISE, "e1", 13) == 0
    await store.save_snapshot(EXERCISE, snapshot(11, "feed:a"))
    assert not await redis_client.hexists(key, "data")
    assert await store.snapshot(EXERCISE) == snapshot(11, "feed:a")


async def test_after_a_read_a_save_sends_only_what_the_read_snapshot_did_not_hold(
    redis_client: redis.asyncio.Redis,
) -> None:
    """A restarted instance reads the snapshot, then writes its own: the chunks it read stay."""
    await Store(redis_client).save_snapshot(EXERCISE, snapshot(10, "feed:a", "feed:b"))
    restarted = Store(redis_client)
    assert await restarted.snapshot(EXERCISE) is not None
    assert await restarted.save_snapshot(EXERCISE, snapshot(20, "feed:a", "feed:b", "feed:c")) == (True, 8)
    assert await restarted.snapshot(EXERCISE) == snapshot(20, "feed:a", "feed:b", "feed:c")
