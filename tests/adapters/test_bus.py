"""The bus against a real Redis: it hands every append message on, and comes back after a cut."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio

from server.adapters import keys, redis_line
from server.adapters.bus import Bus


@pytest.mark.parametrize("on_line", [True, False], ids=["line", "redis-py pubsub"])
async def test_the_bus_hands_on_each_message_and_catches_up_after_a_cut(
    redis_client: redis.asyncio.Redis, monkeypatch: pytest.MonkeyPatch, on_line: bool
) -> None:
    if not on_line:
        monkeypatch.setattr(redis_line, "supported", lambda client: False)  # the cluster's path
    got: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    reconnects = 0

    def reconnected() -> None:
        nonlocal reconnects
        reconnects += 1

    bus = Bus(redis_client, lambda exercise, data: got.put_nowait((exercise, data)), reconnected)
    running = asyncio.create_task(bus.run())
    try:
        await asyncio.wait_for(bus.connected.wait(), 5)
        await redis_client.publish(keys.channel("bus-a"), b"one")
        await redis_client.publish("liaison:other", b"not an exercise channel")
        await redis_client.publish(keys.channel("bus-b"), b"two")
        assert await asyncio.wait_for(got.get(), 5) == ("bus-a", b"one")
        assert await asyncio.wait_for(got.get(), 5) == ("bus-b", b"two")
        assert reconnects == 1
        await redis_client.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        async with asyncio.timeout(5):
            while reconnects < 2:  # subscribed again, and told the hubs to catch up
                await asyncio.sleep(0.02)
        await redis_client.publish(keys.channel("bus-a"), b"three")
        assert await asyncio.wait_for(got.get(), 5) == ("bus-a", b"three")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
