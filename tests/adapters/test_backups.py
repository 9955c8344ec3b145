"""Export, restore, archive and delete against a real Redis, and the exercise file's checks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from server.adapters import keys
from server.adapters.backups import Backups, ExerciseMissing
from server.adapters.exercise_file import ExerciseFile, ExerciseFileError
from server.adapters.exercises import ExerciseExists
from server.adapters.store import Store
from server.core.audience import Audience
from server.core.events import AnnouncementMade, Event

EXERCISE = "backup-test"


def note(text: str) -> list[Event]:
    return [AnnouncementMade("ctl", Audience(everyone=True), text)]


@pytest.fixture(autouse=True)
async def forget_the_test_exercise(redis_client: redis.asyncio.Redis) -> AsyncIterator[None]:
    yield
    await redis_client.srem(keys.EXERCISES, EXERCISE)
    await redis_client.delete(keys.log(EXERCISE), keys.meta(EXERCISE), keys.applied_commands(EXERCISE))


async def played(client: redis.asyncio.Redis) -> Store:
    store = Store(client)
    assert (await store.create(EXERCISE, note("opening"), now=1.0)).outcome == "ok"
    await store.append(EXERCISE, 1, note("a") + note("b"), now=2.5, command_key="p/1", writer="x")
    await store.register_codes(EXERCISE, {"hash-1": "P0001", "hash-2": "P0002"})
    await store.register_codes("other", {"hash-3": "P0001"})
    return store


async def test_export_then_restore_is_exact_with_a_new_epoch(redis_client: redis.asyncio.Redis) -> None:
    store = await played(redis_client)
    backups = Backups(store)
    log = await redis_client.xrange(keys.log(EXERCISE))
    epoch = (await store.meta(EXERCISE)).epoch  # type: ignore[union-attr]
    file = ExerciseFile.from_json((await backups.export(EXERCISE)).to_json())
    assert (file.seq, file.commands, file.codes) == (3, {"p/1": 3}, {"hash-1": "P0001", "hash-2": "P0002"})
    with pytest.raises(ExerciseExists):
        await backups.restore(file)
    await redis_client.set(f"liaison:{{{EXERCISE}}}:snapshot", b"old")  # any key of the exercise
    new_epoch = await backups.restore(file, force=True)
    assert new_epoch != epoch
    assert await redis_client.xrange(keys.log(EXERCISE)) == log
    assert not await redis_client.exists(f"liaison:{{{EXERCISE}}}:snapshot")
    assert await store.applied(EXERCISE, ["p/1"]) == [3]
    assert await store.lookup_code("hash-2") == (EXERCISE, "P0002")
    meta = await store.meta(EXERCISE)
    assert meta is not None and (meta.seq, meta.epoch) == (3, new_epoch)
    assert EXERCISE in await store.exercises()
    after = await store.append(EXERCISE, 3, note("c"), now=4.0, writer="x")  # the log goes on
    assert (after.outcome, after.seq) == ("ok", 4)


async def test_an_archived_exercise_refuses_appends_until_reopened(redis_client: redis.asyncio.Redis) -> None:
    store = await played(redis_client)
    backups = Backups(store)
    await backups.archive(EXERCISE)
    assert await backups.archived(EXERCISE)
    refused = await store.append(EXERCISE, 3, note("late"), now=3.0, writer="x")
    assert refused.outcome == "gone"
    assert len(await store.read(EXERCISE, 0)) == 3
    await backups.archive(EXERCISE, archived=False)
    assert (await store.append(EXERCISE, 3, note("again"), now=3.0, writer="x")).outcome == "ok"


async def test_delete_removes_the_keys_the_codes_and_the_listing(redis_client: redis.asyncio.Redis) -> None:
    store = await played(redis_client)
    backups = Backups(store)
    await backups.delete(EXERCISE)
    assert await redis_client.keys(f"liaison:{{{EXERCISE}}}:*") == []
    assert EXERCISE not in await store.exercises()
    assert await store.lookup_code("hash-1") is None
    assert await store.lookup_code("hash-3") == ("other", "P0001")  # other exercises keep theirs
    with pytest.raises(ExerciseMissing):
        await backups.delete(EXERCISE)
    with pytest.raises(ExerciseMissing):
        await backups.export(EXERCISE)
    await redis_client.hdel(keys.CODES, "hash-3")


def _document(**changes: object) -> bytes:
    base: dict[str, object] = {
        "format": "liaison-exercise",
        "version": 1,
        "exercise": EXERCISE,
        "meta": {"seq": "1", "epoch": "e"},
        "events": [
            [
                1,
                "1.0",
                "gqFrsWFubm91bmNlbWVudC5tYWRloWSDpmF1dGhvcqNjdGyoYXVkaWVuY2WFqGV2ZXJ5b25lw6V0ZWFtc5Clcm9sZXOQrHBhcnRpY2lwYW50c5CqdGVhbV9yb2xlc5CkdGV4dKF4",
            ]
        ],
    }
    return json.dumps(base | changes).encode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "zip"}, "not an exercise file"),
        ({"version": 2}, "this server reads version 1"),
        ({"exercise": "Bad Id"}, "exercise: expected an exercise id"),
        ({"meta": {"seq": "2", "epoch": "e"}}, "is not the last event's 1"),
        ({"events": []}, "must start at seq 1"),
        ({"events": [[1, "1.0", "!!"]]}, "bad time or base64"),
        ({"events": [[1, "1.0", "AAAA"]]}, "not an event this server reads"),
        ({"commands": {"p/1": "x"}}, "commands: expected a map"),
    ],
)
def test_a_file_this_server_cannot_restore_is_refused(changes: dict[str, object], message: str) -> None:
    assert ExerciseFile.from_json(_document()).seq == 1  # the base document is fine
    with pytest.raises(ExerciseFileError, match=message):
        ExerciseFile.from_json(_document(**changes))
    with pytest.raises(ExerciseFileError, match="not JSON"):
        ExerciseFile.from_json(b"{")
