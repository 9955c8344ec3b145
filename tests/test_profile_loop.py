"""`scripts/profile_loop.py`: a real instance on a real Redis, its loop's CPU table on SIGUSR1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from loadtest.cluster import free_port

ROOT = Path(__file__).parents[1]


def test_sigusr1_writes_the_cpu_of_the_loop_by_task_and_starts_afresh(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    table = tmp_path / "loop.txt"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LIAISON_REDIS_URL": redis_url,
        "LIAISON_PORT": str(port),
        "LIAISON_ADMIN_TOKEN": "profile-test-token",
        "LIAISON_DATA_DIR": str(tmp_path / "data"),
        "LIAISON_LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "profile_loop.py"), str(table)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                break
            except OSError:
                assert process.poll() is None, "the profiled instance exited"
                assert time.monotonic() < deadline, "the profiled instance did not answer /healthz"
                time.sleep(0.1)
        process.send_signal(signal.SIGUSR1)
        while not table.exists():
            assert time.monotonic() < deadline, "no table after SIGUSR1"
            time.sleep(0.05)
        time.sleep(0.2)  # written in one go; let it land
        first = table.read_text()
        assert first.startswith("process CPU ")
        assert "task Server.serve" in first  # uvicorn's own task, run by the timed loop
        assert "epoll wait" in first
        table.unlink()
        process.send_signal(signal.SIGUSR1)
        while not table.exists():
            assert time.monotonic() < deadline, "no second table"
            time.sleep(0.05)
        time.sleep(0.2)
        second = table.read_text()
        spent = float(second.split()[2])  # "process CPU <s> s in ..."
        assert spent < float(first.split()[2])  # counted afresh: the start is not in it
    finally:
        process.terminate()
        process.wait(timeout=30)
