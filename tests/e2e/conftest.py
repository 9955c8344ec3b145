"""Fixtures for end-to-end tests: real instances on the test's Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from server.adapters.redis_server import RedisProcess
from tests.e2e.redis_topologies import ClusterSetup, SentinelSetup
from tests.e2e.servers import ServerProcess
from tests.e2e.wire import Wire


@pytest.fixture(autouse=True)
async def close_wires() -> AsyncIterator[None]:
    """Close the connections a test left open (a failed assertion skips its own close), so
    their sockets are not reported as unclosed in whichever later test collects them."""
    yield
    for wire in list(Wire.opened):
        await wire.close()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start instances with `start_server(redis_url, name, **settings)`; all are stopped after."""
    started: list[ServerProcess] = []

    def start(redis_url: str, name: str = "a", **settings: str) -> ServerProcess:
        server = ServerProcess(redis_url, tmp_path, name, **settings).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(redis_url: str, start_server: Callable[..., ServerProcess]) -> ServerProcess:
    return start_server(redis_url)


@pytest.fixture(scope="module")
def shared_server(
    redis_process: RedisProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One instance for a whole module of tests that each create their own exercise.

    It uses the session's Redis without flushing it (the flush of `redis_url` would pull the
    server-wide secret from under the running instance), so use `shared_server.redis_url`.
    """
    server = ServerProcess(redis_process.url, tmp_path_factory.mktemp("shared-server"), "shared").start()
    yield server
    server.stop()


@pytest.fixture
def sentinel_setup(tmp_path: Path) -> Iterator[SentinelSetup]:
    """A primary, a replica (replicating through a proxy the test may pause) and three Sentinels."""
    setup = SentinelSetup(tmp_path / "sentinel")
    yield setup
    setup.stop()


@pytest.fixture(scope="session")
def redis_cluster_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterSetup]:
    cluster = ClusterSetup(tmp_path_factory.mktemp("redis-cluster"))
    yield cluster
    cluster.stop()


@pytest.fixture
def redis_cluster(redis_cluster_session: ClusterSetup) -> ClusterSetup:
    """A real 3-primary Redis Cluster on loopback, flushed before each test; `.url` is the
    `redis+cluster://` address."""
    redis_cluster_session.flush()
    return redis_cluster_session
