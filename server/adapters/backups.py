"""Backup, restore, delete and archive of one exercise, in Redis.

- `export` reads the meta, then the log up to the meta's seq, the applied-command keys and the
  exercise's join codes: one consistent `ExerciseFile` even while the exercise is played.
- `restore` writes a file back exactly (same events, same seqs, same append times) under a new
  epoch, so every client that resumes gets a fresh snapshot rather than a history from another
  log. The log is written first, while the exercise has no meta (nothing can append to it, and
  hubs see no exercise); a last atomic step gives it its meta and lists it.
- `delete` removes every key of the exercise (whatever the key, through its hash tag), its join
  codes and its place in the list. Hubs on every instance see the meta gone within a second and
  close their connections.
- `archive` marks the exercise read-only: the log stays and can be read, exported and replayed,
  and append.lua refuses every append (as for a deleted exercise).

Redis exceptions never leave this module (`StoreUnavailable`, as in the store).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from server.adapters import keys
from server.adapters.exercise_file import ExerciseFile, LogEntry
from server.adapters.exercises import ExerciseExists
from server.adapters.store import Store

WRITE_CHUNK = 1_000
READ_CHUNK = 1_000

# The last step of a restore: only if nobody created the exercise in the meantime. It touches
# the exercise's own keys only (one slot in a Redis Cluster); the list of exercises comes after.
_OPEN_RESTORED = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


class ExerciseMissing(Exception):
    """No exercise with that id."""


class Backups:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._redis: Any = store.client  # redis.asyncio.Redis or RedisCluster
        self._open_restored = self._redis.register_script(_OPEN_RESTORED)

    async def _call(self, coroutine: Any) -> Any:
        return await self._store.guard(coroutine)

    async def _meta(self, exercise: str) -> dict[str, str]:
        raw = await self._call(self._redis.hgetall(keys.meta(exercise)))
        return {k.decode(): v.decode() for k, v in raw.items()}

    async def export(self, exercise: str) -> ExerciseFile:
        meta = await self._meta(exercise)
        if "seq" not in meta:
            raise ExerciseMissing(exercise)
        last = int(meta["seq"])
        events: list[LogEntry] = []
        start = 1
        while start <= last:
            entries = await self._call(
                self._redis.xrange(keys.log(exercise), min=f"{start}-0", max=f"{last}-0", count=READ_CHUNK)
            )
            for entry_id, fields in entries:
                seq = int(entry_id.split(b"-")[0])
                events.append(LogEntry(seq, fields[b"at"].decode(), bytes(fields[b"e"])))
            if len(entries) < READ_CHUNK:
                break
            start = events[-1].seq + 1
        applied = await self._call(self._redis.hgetall(keys.applied_commands(exercise)))
        commands = {k.decode(): int(v) for k, v in applied.items() if int(v) <= last}
        return ExerciseFile(
            exercise, meta, events, commands, await self._codes(exercise), exported_at=time.time()
        )

    async def _codes(self, exercise: str) -> dict[str, str]:
        prefix = f"{exercise}/".encode()
        found: dict[str, str] = {}
        cursor = 0
        while True:
            cursor, page = await self._call(self._redis.hscan(keys.CODES, cursor, count=1_000))
            for code_hash, value in page.items():
                if value.startswith(prefix):
                    found[code_hash.decode()] = value[len(prefix) :].decode()
            if cursor == 0:
                return found

    async def _own_keys(self, exercise: str) -> list[bytes]:
        """Every key with the exercise's hash tag, whichever module made it."""

        async def scan() -> list[bytes]:  # every node of a cluster (scan_iter does), or the one server
            pattern = f"liaison:{{{exercise}}}:*"
            return [key async for key in self._redis.scan_iter(match=pattern, count=1_000)]

        found: list[bytes] = await self._call(scan())
        return found

    async def exists(self, exercise: str) -> bool:
        return bool(await self._call(self._redis.exists(keys.meta(exercise))))

    async def restore(self, file: ExerciseFile, *, force: bool = False) -> str:
        """Write `file` back under a new epoch; the epoch. ExerciseExists unless `force`."""
        exercise = file.exercise
        if await self.exists(exercise):
            if not force:
                raise ExerciseExists(exercise)
            await self.delete(exercise)
        await self._call(self._redis.delete(keys.log(exercise), keys.applied_commands(exercise)))
        for i in range(0, len(file.events), WRITE_CHUNK):
            async with self._redis.pipeline(transaction=False) as pipe:
                for entry in file.events[i : i + WRITE_CHUNK]:
                    pipe.xadd(keys.log(exercise), {"e": entry.payload, "at": entry.at}, id=f"{entry.seq}-0")
                await self._call(pipe.execute())
        if file.commands:
            mapping: dict[Any, Any] = dict(file.commands)
            await self._call(self._redis.hset(keys.applied_commands(exercise), mapping=mapping))
        epoch = secrets.token_hex(8)
        meta = {k: v for k, v in file.meta.items() if k not in ("epoch", "restored")}
        meta |= {"seq": str(file.seq), "epoch": epoch, "restored": repr(time.time())}
        flat = [part for pair in meta.items() for part in pair]
        opened = await self._call(self._open_restored(keys=[keys.meta(exercise)], args=flat))
        if not opened:
            raise ExerciseExists(exercise)
        await self._call(self._redis.sadd(keys.EXERCISES, exercise))
        if file.codes:
            codes: dict[Any, Any] = {h: f"{exercise}/{p}" for h, p in file.codes.items()}
            await self._call(self._redis.hset(keys.CODES, mapping=codes))
        return epoch

    async def delete(self, exercise: str) -> None:
        if not await self.exists(exercise):
            raise ExerciseMissing(exercise)
        # The meta first: from then on every append is refused and hubs see no exercise. Then the
        # list (another slot in a Redis Cluster: no transaction spans both).
        await self._call(self._redis.delete(keys.meta(exercise)))
        await self._call(self._redis.srem(keys.EXERCISES, exercise))
        own = await self._own_keys(exercise)
        if own:
            await self._call(self._redis.delete(*own))
        codes = await self._codes(exercise)
        if codes:
            await self._call(self._redis.hdel(keys.CODES, *codes))

    async def archived(self, exercise: str) -> bool:
        return bool(await self._call(self._redis.hexists(keys.meta(exercise), "archived")))

    async def archive(self, exercise: str, archived: bool = True) -> None:
        if not await self.exists(exercise):
            raise ExerciseMissing(exercise)
        if archived:
            await self._call(self._redis.hset(keys.meta(exercise), "archived", repr(time.time())))
        else:
            await self._call(self._redis.hdel(keys.meta(exercise), "archived"))
