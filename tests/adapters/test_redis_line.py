"""Redis lines against a real Redis: replies, error kinds, broken connections, a lost script."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import redis.asyncio
from redis import exceptions as redis_errors

from server.adapters import keys, redis_line
from server.adapters import store as store_module
from server.adapters.redis_line import Line, Subscription
from server.adapters.store import Store
from server.core.audience import Audience
from server.core.events import AnnouncementMade

EXERCISE = "line-test"


@pytest.fixture(autouse=True)
async def forget_the_test_exercise(redis_client: redis.asyncio.Redis) -> None:
    await redis_client.delete(keys.log(EXERCISE), keys.meta(EXERCISE), keys.applied_commands(EXERCISE))


async def kill(redis_client: redis.asyncio.Redis, held: Line | Subscription) -> int:
    """Close the connection `held` holds from the Redis side, as a Redis restart would (only
    that one: other tests' servers may share this Redis)."""
    connection = held._connection
    assert connection is not None
    host, port = connection.writer.get_extra_info("sockname")[:2]
    killed: int = await redis_client.execute_command(
        "CLIENT", "KILL", "ADDR", f"{host}:{port}", "SKIPME", "yes"
    )
    return killed


def test_a_line_serves_one_server_but_not_a_cluster() -> None:
    assert redis_line.supported(redis.asyncio.Redis())
    assert not redis_line.supported(redis.asyncio.RedisCluster(host="127.0.0.1", port=1))


async def test_a_line_answers_each_command_and_raises_error_replies_as_redis_py_does(
    redis_client: redis.asyncio.Redis,
) -> None:
    line = Line(redis_client)
    assert await line.call("SET", "line-test:key", b"\x00bytes") == b"OK"
    assert await line.call("GET", "line-test:key") == b"\x00bytes"
    assert await line.call("INCRBY", "line-test:n", 2) == 2
    with pytest.raises(redis_errors.NoScriptError):
        await line.call("EVALSHA", "0" * 40, 0)
    with pytest.raises(redis_errors.ResponseError, match="unknown command"):
        await line.call("NO-SUCH-COMMAND")
    assert await line.call("GET", "line-test:key") == b"\x00bytes"  # the line goes on after errors
    await redis_client.delete("line-test:key", "line-test:n")
    await line.close()


async def test_a_line_whose_connection_was_closed_opens_another_and_sends_the_command_again(
    redis_client: redis.asyncio.Redis,
) -> None:
    line = Line(redis_client)
    assert await line.call("PING") == b"PONG"
    assert await kill(redis_client, line) == 1
    assert await line.call("PING") == b"PONG"
    await line.close()


async def test_a_cancelled_command_leaves_no_reply_for_the_next_one(
    redis_client: redis.asyncio.Redis,
) -> None:
    """Cancelled between a command and its reply, the line must not hand that late reply to the
    next caller: it drops the connection first."""
    line = Line(redis_client)
    waiting = asyncio.create_task(line.call("BLPOP", "line-test:empty", 0.3))
    await asyncio.sleep(0.05)
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    assert await line.call("ECHO", "mine") == b"mine"
    await asyncio.sleep(0.4)
    assert await line.call("ECHO", "again") == b"again"
    await line.close()


async def test_an_append_after_redis_lost_its_scripts_loads_the_script_again(
    redis_client: redis.asyncio.Redis,
) -> None:
    store = Store(redis_client)
    note = [AnnouncementMade("ctl", Audience(everyone=True), "one")]
    assert (await store.create(EXERCISE, note, now=1.0)).outcome == "ok"
    await redis_client.script_flush()  # what a restarted Redis has: no scripts
    result = await store.append(EXERCISE, 1, note, now=2.0)
    assert (result.outcome, result.seq) == ("ok", 2)
    await store.aclose()


async def subscribed(redis_client: redis.asyncio.Redis) -> Subscription:
    subscription = Subscription(redis_client)
    await subscription.open("line-test:{*}:events")
    return subscription


async def test_a_subscription_hands_on_messages_and_says_when_it_was_cut(
    redis_client: redis.asyncio.Redis,
) -> None:
    subscription = await subscribed(redis_client)
    await redis_client.publish("line-test:{a}:events", b"\x01first")
    await redis_client.publish("elsewhere", b"not for us")
    await redis_client.publish("line-test:{b}:events", b"second")
    assert await subscription.message() == (b"line-test:{a}:events", b"\x01first")
    assert await subscription.message() == (b"line-test:{b}:events", b"second")
    assert await kill(redis_client, subscription) == 1
    with pytest.raises(redis_errors.ConnectionError):
        await asyncio.wait_for(subscription.message(), 5)
    await subscription.close()


async def test_a_silent_subscription_pings_and_stays_open(
    redis_client: redis.asyncio.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_line, "PING_AFTER", 0.1)
    subscription = await subscribed(redis_client)
    reading = asyncio.create_task(subscription.message())
    await asyncio.sleep(0.5)  # several pings answered meanwhile
    assert not reading.done()
    await redis_client.publish("line-test:{a}:events", b"late")
    assert await asyncio.wait_for(reading, 2) == (b"line-test:{a}:events", b"late")
    await subscription.close()


async def test_a_subscription_that_gets_no_answer_to_its_ping_is_called_broken(
    redis_client: redis.asyncio.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`CLIENT PAUSE` holds every client's commands, the PING's too: a network gone silent."""
    monkeypatch.setattr(redis_line, "PING_AFTER", 0.1)
    subscription = await subscribed(redis_client)
    await redis_client.execute_command("CLIENT", "PAUSE", 1000, "ALL")
    try:
        with pytest.raises(redis_errors.ConnectionError, match="no PING"):
            await asyncio.wait_for(subscription.message(), 0.9)
    finally:
        await redis_client.execute_command("CLIENT", "UNPAUSE")
        await subscription.close()


async def test_a_store_appends_to_many_exercises_at_once_on_a_bounded_number_of_lines(
    redis_client: redis.asyncio.Redis,
) -> None:
    store = Store(redis_client)
    names = [f"line-test-{i}" for i in range(store_module.LINES + 3)]
    note = [AnnouncementMade("ctl", Audience(everyone=True), "one")]
    try:
        for name in names:
            assert (await store.create(name, note, now=1.0)).outcome == "ok"
        results = await asyncio.gather(*(store.append(name, 1, note, now=2.0) for name in names))
        assert [(r.outcome, r.seq) for r in results] == [("ok", 2)] * len(names)
        assert store._lines is not None and len(store._lines) == store_module.LINES  # the latest ones
        assert list(store._lines) == names[-store_module.LINES :]
        again = await store.append(names[0], 2, note, now=3.0)  # its line was closed: a new one
        assert (again.outcome, again.seq) == ("ok", 3)
    finally:
        await store.aclose()
        await redis_client.srem(keys.EXERCISES, *names)
        for name in names:
            await redis_client.delete(keys.log(name), keys.meta(name), keys.applied_commands(name))
