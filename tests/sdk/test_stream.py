"""The event stream: order, a bounded buffer that makes the reader wait, and its end."""

from __future__ import annotations

import asyncio

import pytest

from clients.sdk import ConnectionClosed, Event, EventStream, Reset

ITEMS = [Reset({}, "new", "e1", 0), *(Event(seq, 0.0, "k", {}) for seq in (1, 2, 3))]


async def test_items_come_out_in_order() -> None:
    stream = EventStream(10)
    for item in ITEMS:
        await stream.put(item)
    assert len(stream) == 4
    stream.end()
    assert [item async for item in stream] == ITEMS
    assert stream.ended


async def test_a_full_buffer_makes_put_wait_for_the_consumer() -> None:
    stream = EventStream(2)
    await stream.put(ITEMS[0])
    await stream.put(ITEMS[1])
    putting = asyncio.create_task(stream.put(ITEMS[2]), name="put")
    await asyncio.sleep(0)  # one turn of the loop: the task runs up to its wait (deterministic)
    assert not putting.done()
    assert len(stream) == 2
    assert await anext(stream) == ITEMS[0]
    async with asyncio.timeout(5):
        await putting
    assert [await anext(stream), await anext(stream)] == ITEMS[1:3]


async def test_consumer_waits_for_items() -> None:
    stream = EventStream(2)
    getting = asyncio.create_task(anext(stream), name="get")
    await stream.put(ITEMS[1])
    async with asyncio.timeout(5):
        assert await getting == ITEMS[1]


async def test_end_with_error_raises_after_the_items() -> None:
    stream = EventStream(5)
    await stream.put(ITEMS[1])
    error = ConnectionClosed(4503, "revoked")
    stream.end(error)
    stream.end()  # the first end counts
    await stream.put(ITEMS[2])  # dropped
    assert await anext(stream) == ITEMS[1]
    with pytest.raises(ConnectionClosed) as caught:
        await anext(stream)
    assert caught.value is error


async def test_end_releases_a_waiting_producer_and_consumer() -> None:
    stream = EventStream(1)
    await stream.put(ITEMS[0])
    putting = asyncio.create_task(stream.put(ITEMS[1]), name="put")
    await asyncio.sleep(0)
    stream.end()
    async with asyncio.timeout(5):
        await putting
    assert [item async for item in stream] == ITEMS[:1]

    empty = EventStream(1)
    getting = asyncio.create_task(anext(empty), name="get")
    await asyncio.sleep(0)
    empty.end()
    with pytest.raises(StopAsyncIteration):
        async with asyncio.timeout(5):
            await getting


def test_size_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least one"):
        EventStream(0)
