"""A log that lost its last events: what a Redis failover with asynchronous replication can do.

A replica promoted by Sentinel has what the old primary sent it before dying, which may end a few
events short of what the instances applied and delivered. The log then goes on from an earlier
seq, or has other events at the seqs clients already hold: resumed as usual, a client would
keep events that are nowhere in the log and miss the ones now there under the same seqs, with
nothing to tell it (a silent fork).

A hub checks, each time it catches up, that the log still holds what it applied last (its seq,
and the append time of its last event, which is unique to an append). When it does not, the
hub gives the exercise a new epoch (`renew_epoch`, compare-and-set on the old one, so that the
hubs of all instances agree on one), reloads from the log, and closes its connections: every
client that resumes names the old epoch and gets a fresh snapshot (`epoch_changed`). With
`LIAISON_REDIS_MIN_REPLICAS` no acknowledged command is lost this way, but events delivered
before a replica confirmed them may still be: the same check covers them.
"""

from __future__ import annotations

import secrets
import time

from server.adapters.store import Meta, Store


async def lost_tail(store: Store, exercise: str, meta: Meta, seq: int, last_at: float | None) -> str | None:
    """Why the log no longer holds what the projection applied up to `seq` (the append time of
    its event at `seq` being `last_at`, when known), or None when it does."""
    if meta.seq < seq:
        return f"the log ends at {meta.seq}, before {seq}, the last event applied here"
    if last_at is None or seq == 0:
        return None
    stored = await store.read(exercise, seq - 1, seq)
    if not stored or stored[0].seq != seq:
        return f"the log has no event {seq} any more"
    if stored[0].at != last_at:
        return f"the log holds another event at {seq} than the one applied here"
    return None


async def renew_epoch(store: Store, exercise: str, epoch: str, why: str) -> str:
    """Give the exercise a new epoch unless another hub already did; the epoch it has now."""
    return await store.renew_epoch(exercise, epoch, secrets.token_hex(8), why, now=time.time())
