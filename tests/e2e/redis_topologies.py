"""Real Redis topologies on loopback for the e2e tests: a Sentinel set-up and a 3-primary cluster.

- `SentinelSetup`: one primary behind a `FaultyProxy`, one replica, and three `redis-sentinel`
  processes watching them (quorum 2, down after 500 ms). Everyone reaches the primary through
  the proxy's address, which is the primary's address as far as the Sentinels know (a replica
  syncing from another address than the Sentinels' would be "fixed" by them after a few
  seconds); `hold_replication` lets a test stop the replica's sync only: it then misses the
  primary's last writes. `url` is the `redis+sentinel://` address Liaison takes.
- `ClusterSetup`: three `redis-server --cluster-enabled yes` joined with
  `redis-cli --cluster create` (no replicas). `url` is the `redis+cluster://` address.

Both build on `RedisProcess` (AOF, loopback, die with the test run); the fixtures are in
tests/e2e/conftest.py.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import redis

from server.adapters.redis_server import HOST, RedisProcess, find_redis_server
from tests.e2e.proxy import FaultyProxy
from tests.support import free_port

SERVICE = "liaison"
DOWN_AFTER_MS = 500
READY_WITHIN = 20.0


def _wait(check: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            if check():
                return
        except (redis.RedisError, OSError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within:g} s")
        time.sleep(0.05)


def _client(port: int) -> redis.Redis:
    return redis.Redis(HOST, port, socket_timeout=2, socket_connect_timeout=1)


class SentinelProcess:
    """One `redis-sentinel` with its own config file (Sentinel rewrites it)."""

    def __init__(self, folder: Path, primary_port: int) -> None:
        self.folder = folder
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "sentinel.conf"
        self.config.write_text(
            f"port {self.port}\nbind {HOST}\ndaemonize no\ndir {folder}\n"
            f"logfile {folder / 'sentinel.log'}\n"
            f"sentinel monitor {SERVICE} {HOST} {primary_port} 2\n"
            f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {SERVICE} 3000\n"
            f"sentinel parallel-syncs {SERVICE} 1\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-sentinel")
        command = (
            [binary, str(self.config)]
            if binary
            else [str(find_redis_server()), str(self.config), "--sentinel"]
        )
        setpriv = shutil.which("setpriv")
        prefix = [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []
        self.process = subprocess.Popen([*prefix, *command], stdin=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def master(self) -> dict[str, Any]:
        with _client(self.port) as client:
            info: dict[str, Any] = client.sentinel_master(SERVICE)
            return info


class SentinelSetup:
    def __init__(self, folder: Path) -> None:
        self.primary = RedisProcess(folder / "primary", fsync="always")
        self.primary.start()
        self.proxy = FaultyProxy(self.primary.port).start()
        self.replica = RedisProcess(
            folder / "replica",
            fsync="always",
            extra=["--replicaof", HOST, str(self.proxy.port), "--replica-announce-ip", HOST],
        )
        self.replica.start()
        _wait(self._replicating, READY_WITHIN, "the replica in sync with the primary")
        self.sentinels = [SentinelProcess(folder / f"sentinel-{i}", self.proxy.port) for i in range(3)]
        for sentinel in self.sentinels:
            sentinel.start()
        _wait(self._watching, READY_WITHIN, "three Sentinels that know each other and the replica")

    @property
    def url(self) -> str:
        hosts = ",".join(f"{HOST}:{sentinel.port}" for sentinel in self.sentinels)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def hold_replication(self, holding: bool = True) -> None:
        self.proxy.hold_replication(holding)

    def _replicating(self) -> bool:
        with _client(self.replica.port) as client:
            return bool(client.info("replication").get("master_link_status") == "up")

    def _watching(self) -> bool:
        for sentinel in self.sentinels:
            info = sentinel.master()
            if int(info["num-other-sentinels"]) < 2 or int(info["num-slaves"]) < 1:
                return False
        return True

    def kill_primary_and_wait_failover(self, within: float = READY_WITHIN) -> float:
        """SIGKILL the primary; seconds until the Sentinels name the replica primary."""
        killed = time.monotonic()
        self.primary.kill()
        _wait(
            lambda: all(int(s.master()["port"]) == self.replica.port for s in self.sentinels),
            within,
            "the Sentinels promote the replica",
        )
        return time.monotonic() - killed

    def bring_back_old_primary(self, within: float = READY_WITHIN) -> None:
        """Start the old primary again (same port, its AOF) as a replica of the new one, as an
        operator would (the Sentinels would convert it too, but only after their next INFO
        round, up to 10 s); it drops what it had and syncs."""
        self.primary.extra = ["--replicaof", HOST, str(self.replica.port), "--replica-announce-ip", HOST]
        self.primary.start()

        def following() -> bool:
            with _client(self.primary.port) as client:
                info = client.info("replication")
                return bool(info.get("role") == "slave" and info.get("master_link_status") == "up")

        _wait(following, within, "the old primary back as a replica")

    def stop(self) -> None:
        for sentinel in self.sentinels:
            sentinel.stop()
        self.replica.stop()
        self.primary.stop()
        self.proxy.stop()


class ClusterSetup:
    def __init__(self, folder: Path, nodes: int = 3) -> None:
        if shutil.which("redis-cli") is None:
            raise RuntimeError(
                "redis-cli is not on PATH: install redis-tools (Debian: redis-server brings it)"
            )
        self.nodes = [
            RedisProcess(
                folder / f"node-{i}",
                fsync="always",
                # the cluster bus port is given: the default (port + 10000) may be beyond 65535
                extra=[
                    *("--cluster-enabled", "yes", "--cluster-node-timeout", "2000"),
                    *("--cluster-port", str(free_port())),
                ],
            )
            for i in range(nodes)
        ]
        for node in self.nodes:
            node.start()
        addresses = [f"{HOST}:{node.port}" for node in self.nodes]
        subprocess.run(
            ["redis-cli", "--cluster", "create", *addresses, "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        _wait(self._ok, READY_WITHIN, "cluster_state:ok on every node")

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"{HOST}:{node.port}" for node in self.nodes)

    def _ok(self) -> bool:
        for node in self.nodes:
            with _client(node.port) as client:
                if b"cluster_state:ok" not in client.execute_command("CLUSTER", "INFO"):
                    return False
        return True

    def node_of(self, key: str) -> int:
        """The port of the node that serves `key`'s slot."""
        with _client(self.nodes[0].port) as client:
            slot = int(client.execute_command("CLUSTER", "KEYSLOT", key))
            for start, end, primary, *_ in client.execute_command("CLUSTER", "SLOTS"):
                if int(start) <= slot <= int(end):
                    return int(primary[1])
        raise AssertionError(f"no node serves slot {slot}")

    def flush(self) -> None:
        for node in self.nodes:
            with _client(node.port) as client:
                client.flushall()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
