"""Local targets: a private redis-server and N Liaison instances as subprocesses, all on loopback.

`LocalCluster` is a blocking context manager. Start it from the main thread: the redis-server
is started through `RedisProcess`, which asks Linux to stop it when the starting thread ends.
Each instance is `python -m server serve` with `LIAISON_REDIS_URL` on that Redis, a free
`LIAISON_PORT` and a generated `LIAISON_ADMIN_TOKEN`; its log goes to the run folder. The
server's modules are compiled to bytecode first (`compile_server`), as an installed Liaison's are.
"""

from __future__ import annotations

import compileall
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import redis

import server
from server.adapters.redis_server import RedisProcess

HOST = "127.0.0.1"
HEALTHY_WITHIN = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(port: int, process: subprocess.Popen[bytes], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} is not listening on {HOST}:{port} after {within:g} s")


def wait_replicating(port: int, within: float) -> None:
    """Until the replica on `port` is in sync with its primary (the first WAIT would time out)."""
    deadline = time.monotonic() + within
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    try:
        while client.info("replication").get("master_link_status") != "up":
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica on port {port} did not sync within {within:g} s")
            time.sleep(0.05)
    finally:
        client.close()


def stop_process(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Instance:
    """One `python -m server serve` subprocess."""

    def __init__(self, name: str, redis_url: str, token: str, log_dir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"server-{name}.log"
        self._base = {
            "LIAISON_REDIS_URL": redis_url,
            "LIAISON_HOST": HOST,
            "LIAISON_PORT": str(self.port),
            "LIAISON_ADMIN_TOKEN": token,
            "LIAISON_INSTANCE_ID": f"load-{name}",
            "LIAISON_LOG_FORMAT": "json",
        }
        self._env = {**os.environ, **self._base, "PYTHONUNBUFFERED": "1", **env}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, env: dict[str, str] | None = None) -> None:
        """Start the process; `env` replaces the extra settings given at construction."""
        if env is not None:
            self._env = {**os.environ, **self._base, "PYTHONUNBUFFERED": "1", **env}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server", "serve"],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_healthy(self, within: float = HEALTHY_WITHIN) -> None:
        assert self.process is not None
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"instance {self.name} exited with {self.process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"instance {self.name} not healthy after {within:g} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


def compile_server() -> None:
    """Compile the server's modules to bytecode where Python keeps it (`__pycache__`), if not yet.

    pip compiles a wheel's modules when it installs them, so an installed Liaison starts from
    bytecode. A checkout does not, and where `PYTHONDONTWRITEBYTECODE` is set (CI machines,
    containers) Python never writes it either: every start of an instance then compiled some
    150 modules again, 0.15-0.3 s of the restart that `--age` times (docs/performance.md)."""
    compileall.compile_dir(Path(server.__file__).parent, quiet=1)


class LocalCluster:
    """A redis-server in a temporary folder and `instances` Liaison instances on it."""

    def __init__(
        self, instances: int, run_dir: Path, *, fsync: str = "always", env: dict[str, str], replicas: int = 0
    ) -> None:
        self.token = secrets.token_urlsafe(18)
        self.run_dir = run_dir
        self._data = Path(tempfile.mkdtemp(prefix="liaison-load-"))
        self.redis = RedisProcess(self._data, fsync=fsync)
        self.replicas = [RedisProcess(self._data / f"replica-{i}", fsync=fsync) for i in range(replicas)]
        """Replicas of the Redis (`--redis-replicas`), for `LIAISON_REDIS_MIN_REPLICAS`'s WAIT."""
        self._count = instances
        self._env = env
        self.instances: list[Instance] = []

    @property
    def redis_url(self) -> str:
        return self.redis.url

    @property
    def urls(self) -> list[str]:
        return [instance.url for instance in self.instances]

    @property
    def server_pids(self) -> dict[str, int]:
        return {instance.name: instance.pid for instance in self.instances}

    def __enter__(self) -> Self:
        try:
            compile_server()
            self.redis.start()
            for replica in self.replicas:
                replica.extra = ["--replicaof", "127.0.0.1", str(self.redis.port)]
                replica.start()
                wait_replicating(replica.port, HEALTHY_WITHIN)
            names = "abcdefghijklmnopqrstuvwxyz"
            for i in range(self._count):
                instance = Instance(names[i % 26], self.redis.url, self.token, self.run_dir, self._env)
                instance.start()
                self.instances.append(instance)
            for instance in self.instances:
                instance.wait_healthy()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def restart(self, env: dict[str, str] | None = None) -> float:
        """Stop every instance, start them again (with `env` as their extra settings, when
        given) on the same ports; the wall time just before the first process was started."""
        for instance in self.instances:
            instance.stop()
        started = time.time()
        for instance in self.instances:
            instance.start(env)
        return started

    def close(self) -> None:
        for instance in self.instances:
            instance.stop()
        for replica in self.replicas:
            replica.stop()
        self.redis.stop()
        shutil.rmtree(self._data, ignore_errors=True)


def api_call(base: str, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One call to the HTTP API for control (docs/protocol.md), JSON in and out."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the operator's own server
        base.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def ws_url(base: str) -> str:
    return base.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/ws"
