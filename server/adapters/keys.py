"""Every Redis key Liaison uses, in one place.

All keys of one exercise share the hash tag `{<exercise id>}`, so in a Redis Cluster an
exercise lives in one slot and the append script may touch all of them atomically.

The cross-exercise keys (the last five rows) have no tag: each lives in its own slot, wherever
the cluster puts it, and Liaison only ever uses one of them per command or script (a pipeline
at most, which the cluster client splits by node). No script or transaction spans an exercise's
keys and one of them: creating, restoring and deleting an exercise write its own keys first,
then its place in `liaison:exercises` and `liaison:codes`, one command each. Their names are
those of a single Redis, so moving to a cluster needs no rename of stored data.

| key | type | holds |
|---|---|---|
| `liaison:{ex}:log` | stream | the event log; entry id `<seq>-0`, fields `e` (event) and `at` |
| `liaison:{ex}:meta` | hash | `seq`, `epoch`, `created`; `archived`, `restored`, `renewed`, `renewed_why` |
| `liaison:{ex}:cmds` | hash | `<participant>/<client id>` → seq: commands already applied |
| `liaison:{ex}:turn` | string with TTL | id of the instance whose append goes next (see append.lua) |
| `liaison:{ex}:snapshot` | hash | the latest snapshot: `epoch`, `seq`, `format`, `head`, `chunks` (names) |
| `liaison:{ex}:snapshot-chunks` | hash | chunk name → bytes: the chunks that snapshot names, each once |
| `liaison:{ex}:events` | pub/sub channel | one message per append: first seq, time, events |
| `liaison:{ex}:sync` | pub/sub channel | unheard: with MIN_REPLICAS, lets WAIT confirm a duplicate |
| `liaison:{ex}:closing` | set with TTL | connections that ended and wait for their presence grace |
| `liaison:exercises` | set | ids of all exercises |
| `liaison:codes` | hash | join-code hash → `<exercise>/<participant>` |
| `liaison:secret` | string | server-wide secret for code hashes and session tokens |
| `liaison:instance:<id>` | string with TTL | present while instance `<id>` is alive |
| `liaison:join-failures:<addr>/<prefix>` | counter, TTL | failed joins from an address, per code prefix |
"""

from __future__ import annotations

EXERCISES = "liaison:exercises"
CODES = "liaison:codes"
SECRET = "liaison:secret"  # noqa: S105 - a key name, not a secret


def log(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:log"


def meta(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:meta"


def applied_commands(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:cmds"


def turn(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:turn"


def snapshot(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:snapshot"


def snapshot_chunks(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:snapshot-chunks"


def channel(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:events"


def sync_channel(exercise: str) -> str:
    """A channel nobody listens to: a PUBLISH there lets `WAIT` confirm what was read before it."""
    return f"liaison:{{{exercise}}}:sync"


def instance(instance_id: str) -> str:
    return f"liaison:instance:{instance_id}"


def closing(exercise: str) -> str:
    return f"liaison:{{{exercise}}}:closing"


def join_failures(address: str, prefix: str) -> str:
    return f"liaison:join-failures:{address}/{prefix}"
