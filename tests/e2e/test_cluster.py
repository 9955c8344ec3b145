"""Liaison on a real 3-primary Redis Cluster (`redis+cluster://`): exercises on several nodes.

Each exercise's keys share its hash tag, so an exercise lives on one node; the cross-exercise keys
live wherever their own slots are. The delivery test and the kill -9 fault test of the suite run
here unchanged, then several exercises on different nodes are played at once while an instance is
killed and started again, and backups round-trip on the cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from server.adapters import keys
from server.adapters.redis_connect import connect
from server.adapters.store import Store
from tests.adapters import test_backups
from tests.e2e import test_delivery, test_faults
from tests.e2e.redis_topologies import ClusterSetup
from tests.e2e.servers import ServerProcess
from tests.e2e.test_faults_redis import FAST, Cohort, assert_log_clear

pytestmark = pytest.mark.slow


@pytest.fixture
async def cluster_client(redis_cluster: ClusterSetup) -> AsyncIterator[aioredis.RedisCluster]:
    client = connect(redis_cluster.url)
    assert isinstance(client, aioredis.RedisCluster)
    yield client
    await client.aclose()


async def test_delivery_to_a_resuming_client_on_a_cluster(
    redis_cluster: ClusterSetup, start_server: Callable[..., ServerProcess]
) -> None:
    await (
        test_delivery.test_a_resuming_client_gets_exactly_the_missing_visible_events_from_the_other_instance(
            redis_cluster.url, start_server
        )
    )


async def test_two_instances_racing_on_a_cluster_never_fork_the_log(
    redis_cluster: ClusterSetup, start_server: Callable[..., ServerProcess]
) -> None:
    await test_delivery.test_two_instances_racing_to_append_never_fork_the_log(
        redis_cluster.url, start_server
    )


async def test_kill_9_of_an_instance_on_a_cluster(
    redis_cluster: ClusterSetup, start_server: Callable[..., ServerProcess]
) -> None:
    await test_faults.test_kill_9_of_an_instance_loses_nothing_and_clients_resume_elsewhere(
        redis_cluster.url, start_server
    )


async def test_exercises_on_different_nodes_play_at_once_through_an_instance_restart(
    redis_cluster: ClusterSetup, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_cluster.url, "a", **FAST), start_server(redis_cluster.url, "b", **FAST)
    created = [a.create_exercise(id=f"course-{i}") for i in range(4)]
    nodes = {redis_cluster.node_of(keys.log(c["exercise"])) for c in created}
    assert len(nodes) >= 2, f"all four exercises on one node ({nodes}): pick other ids"
    shared = {redis_cluster.node_of(key) for key in (keys.CODES, keys.EXERCISES, keys.SECRET)}
    assert len(shared | nodes) >= 2

    cohorts = [await Cohort.start(c, [a.ws_url, b.ws_url], [b.ws_url, a.ws_url]) for c in created]
    await asyncio.gather(*(cohort.until_acknowledged(15) for cohort in cohorts))
    b.kill()  # watchers on b resume on b once it is back; writers on b reconnect there too
    await asyncio.gather(*(cohort.until_acknowledged(10) for cohort in cohorts))
    b.start()
    await asyncio.gather(*(cohort.until_acknowledged(15, within=30) for cohort in cohorts))
    for cohort in cohorts:
        counts = await cohort.finish(redis_cluster.url)
        assert counts["acknowledged"] >= 40
    assert_log_clear(a)

    client = connect(redis_cluster.url)
    try:
        listed = await Store(client).exercises()
    finally:
        await client.aclose()
    assert {c["exercise"] for c in created} <= set(listed)


async def test_backups_round_trip_on_a_cluster(
    redis_cluster: ClusterSetup, cluster_client: aioredis.RedisCluster
) -> None:
    """The adapter tests of backups, with a cluster client (export, restore, delete, listing)."""
    await test_backups.test_export_then_restore_is_exact_with_a_new_epoch(cluster_client)  # type: ignore[arg-type]
    redis_cluster.flush()
    await test_backups.test_delete_removes_the_keys_the_codes_and_the_listing(cluster_client)  # type: ignore[arg-type]
    redis_cluster.flush()
    await test_backups.test_an_archived_exercise_refuses_appends_until_reopened(cluster_client)  # type: ignore[arg-type]
