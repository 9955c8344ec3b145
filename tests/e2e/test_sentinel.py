"""Liaison behind Redis Sentinel: SIGKILL of the primary under load, with and without WAIT.

The set-up (tests/e2e/redis_topologies.py): a primary, a replica that replicates through a proxy,
three Sentinels; two Liaison instances on `redis+sentinel://`; writers and watchers of the fault
tests (tests/e2e/test_faults_redis.py) on both. Each test holds replication back (the proxy
drops the replication traffic) for a moment, kills the primary with SIGKILL and lets the
Sentinels promote the replica, which then lacks the primary's last writes:

- with `LIAISON_REDIS_MIN_REPLICAS=1`, nothing written in that moment was acknowledged (the
  replies said `unavailable`, and the writers retried with the same id): every acknowledged
  command is in the log after the failover, once;
- without it, the commands acknowledged in that moment are lost. The instances see that the log
  lost its tail, the exercise gets a new epoch and every client that had seen the lost events
  gets a fresh snapshot (`epoch_changed`), never a silent fork.

In both, each watcher's history from its last snapshot on is exactly what the log says it may
see (the oracle of tests/e2e/log.py), the log has no hole and no command is applied twice.
LIAISON_FAULT_REPORT (see test_faults_redis) gets one JSON line per test, with the pause the
writers saw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from server.adapters.redis_connect import connect
from server.adapters.store import Store
from tests.e2e.log import assert_contiguous, read_log, viewer_of, visible_seqs
from tests.e2e.redis_topologies import SentinelSetup
from tests.e2e.servers import ServerProcess
from tests.e2e.test_faults_redis import FAST, Cohort, report
from tests.support import wait_until

pytestmark = pytest.mark.slow

HELD_BACK = 1.5
"""Seconds replication is held back before the primary is killed."""


async def epoch_of(url: str, exercise: str) -> str:
    client = connect(url)
    try:
        meta = await Store(client).meta(exercise)
    finally:
        await client.aclose()
    assert meta is not None
    return meta.epoch


async def first_acknowledgement_after(cohort: Cohort, since: float, within: float = 30.0) -> float:
    """Seconds from `since` until the writers get their next acknowledgement."""
    before = cohort.acknowledged()
    await wait_until(lambda: cohort.acknowledged() > before, within=within, interval=0.02)
    return time.monotonic() - since


async def settle(cohort: Cohort, url: str) -> dict[str, Any]:
    """Stop writing, let the watchers catch up, and check what they received; the counts."""
    cohort.stop.set()
    async with asyncio.timeout(30):
        await asyncio.gather(*cohort.tasks[: len(cohort.writers)])
    log = await read_log(url, cohort.created["exercise"])
    assert_contiguous(log)
    last = log[-1].seq
    await wait_until(
        lambda: all(w.seq >= last for w in cohort.watchers), within=15, message="watchers behind"
    )
    for task in cohort.tasks[len(cohort.writers) :]:
        task.cancel()
    await asyncio.gather(*cohort.tasks, return_exceptions=True)
    for watcher in cohort.watchers:
        await watcher.close()

    texts = [item.event.text for item in log if item.event.kind in ("message.posted", "announcement.made")]  # type: ignore[attr-defined]
    acknowledged = [text for w in cohort.writers for text in w.acknowledged]
    lost = sorted(set(acknowledged) - set(texts))
    counts: dict[str, Any] = {
        "acknowledged": len(acknowledged),
        "lost": len(lost),
        "lost_texts": lost,
        "applied_twice": len(texts) - len(set(texts)),
        "unavailable_replies": sum(w.unavailable for w in cohort.writers),
        "unavailable_then_found_written": sum(w.duplicates for w in cohort.writers),
        "events_in_log": last,
        "fresh_snapshots": 0,
        "snapshot_reasons": [],
        "events_checked": 0,
    }
    for watcher in cohort.watchers:
        segments = watcher.segments
        start = max(
            i for i, wire in enumerate(segments) if wire.welcome and wire.welcome["mode"] == "snapshot"
        )
        if start > 0:
            counts["fresh_snapshots"] += 1
            counts["snapshot_reasons"].append(segments[start].welcome["reason"])  # type: ignore[index]
        welcome = segments[start].welcome
        assert welcome is not None
        got = [
            f["seq"]
            for wire in segments[start:]
            for f in wire.frames
            if f["type"] == "event" and f["seq"] <= last
        ]
        expected = visible_seqs(log, viewer_of(log, welcome), after=segments[start].base, until=last)
        counts["events_checked"] += len(got)
        assert got == expected, f"{welcome['me']['name']}: got {len(got)}, expected {len(expected)}"
    for writer in cohort.writers:
        assert not writer.refused, writer.refused[:3]
    assert counts["applied_twice"] == 0, counts
    return counts


async def play_through_failover(
    setup: SentinelSetup, start_server: Callable[..., ServerProcess], **settings: str
) -> tuple[Cohort, str, dict[str, Any]]:
    a = start_server(setup.url, "a", **FAST, **settings)
    b = start_server(setup.url, "b", **FAST, **settings)
    created = a.create_exercise()
    epoch = created.get("epoch") or await epoch_of(setup.url, created["exercise"])
    cohort = await Cohort.start(created, [a.ws_url, b.ws_url], [b.ws_url, a.ws_url])
    await cohort.until_acknowledged(30)

    setup.hold_replication()  # the replica gets nothing more from here on
    await asyncio.sleep(0.2)  # the replies already on their way
    held = cohort.acknowledged()
    await asyncio.sleep(HELD_BACK)
    acknowledged_while_held = cohort.acknowledged() - held
    killed = time.monotonic()
    promoted = await asyncio.to_thread(setup.kill_primary_and_wait_failover)
    fault = {
        "fault": f"replication held back {HELD_BACK} s, SIGKILL of the primary, Sentinel failover",
        "promoted_after_s": round(promoted, 2),
        "acknowledged_while_held": acknowledged_while_held,
    }
    return cohort, epoch, fault | {"killed_at": killed}


async def test_with_min_replicas_every_acknowledged_command_survives_the_failover(
    sentinel_setup: SentinelSetup, start_server: Callable[..., ServerProcess]
) -> None:
    cohort, epoch, fault = await play_through_failover(
        sentinel_setup, start_server, redis_min_replicas="1", redis_wait_timeout="0.3"
    )
    killed = fault.pop("killed_at")
    assert fault["acknowledged_while_held"] == 0  # WAIT saw no replica: the replies said unavailable
    # The promoted replica has no replica of its own: nothing is acknowledged until the old
    # primary is back, as a replica of the new one.
    await asyncio.to_thread(sentinel_setup.bring_back_old_primary)
    fault["first_ack_after_kill_s"] = round(await first_acknowledgement_after(cohort, killed), 2)
    await cohort.until_acknowledged(30, within=30)
    counts = await settle(cohort, sentinel_setup.url)

    assert counts["lost"] == 0, counts["lost_texts"]
    assert counts["unavailable_replies"] > 0
    # What was written during the hold-back (never acknowledged) was delivered, then lost with
    # the primary: the exercise has a new epoch, and the watchers got a fresh snapshot.
    assert await epoch_of(sentinel_setup.url, cohort.created["exercise"]) != epoch
    assert counts["fresh_snapshots"] >= 1 and "epoch_changed" in counts["snapshot_reasons"], counts
    report("sentinel_min_replicas_1", fault, {k: v for k, v in counts.items() if k != "lost_texts"})


async def test_without_min_replicas_the_lost_tail_gives_a_new_epoch_and_fresh_snapshots(
    sentinel_setup: SentinelSetup, start_server: Callable[..., ServerProcess]
) -> None:
    cohort, epoch, fault = await play_through_failover(sentinel_setup, start_server)
    killed = fault.pop("killed_at")
    assert fault["acknowledged_while_held"] > 0
    fault["first_ack_after_kill_s"] = round(await first_acknowledgement_after(cohort, killed), 2)
    await cohort.until_acknowledged(30, within=30)
    counts = await settle(cohort, sentinel_setup.url)

    # Acknowledged on the old primary only: lost with it, as asynchronous replication allows.
    assert counts["lost"] > 0
    assert await epoch_of(sentinel_setup.url, cohort.created["exercise"]) != epoch
    assert counts["fresh_snapshots"] == len(cohort.watchers), counts
    assert set(counts["snapshot_reasons"]) <= {"epoch_changed"}, counts
    report("sentinel_min_replicas_0", fault, {k: v for k, v in counts.items() if k != "lost_texts"})
