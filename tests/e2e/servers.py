"""Real Liaison instances for end-to-end tests: `python -m server serve` in a subprocess.

Each `ServerProcess` is a whole instance (uvicorn, hubs, bus) on a free port, pointed at a
test's Redis, so tests can kill it with SIGKILL, restart it, and run two side by side.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support import free_port

ADMIN_TOKEN = "test-admin-token"


class ServerProcess:
    def __init__(self, redis_url: str, log_dir: Path, name: str = "a", **settings: str) -> None:
        self.redis_url = redis_url
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"server-{name}.log"
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> ServerProcess:
        self.start_without_waiting()
        self.wait_healthy()
        return self

    def start_without_waiting(self) -> None:
        env = {
            **os.environ,
            "LIAISON_REDIS_URL": self.redis_url,
            "LIAISON_PORT": str(self.port),
            "LIAISON_ADMIN_TOKEN": ADMIN_TOKEN,
            "LIAISON_INSTANCE_ID": f"{self.name}{int(time.time() * 1000) % 100000}",
            "LIAISON_LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
            "LIAISON_PRESENCE_GRACE": "0.5",
            "LIAISON_COMMAND_RATE": "10000",  # tests drive commands fast; test_bad_input tests the limit
            "LIAISON_COMMAND_BURST": "10000",
            **{f"LIAISON_{key.upper()}": value for key, value in self.settings.items()},
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def wait_healthy(self, within: float = 15.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited:\n{self.log()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server {self.name} not healthy after {within} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def create_exercise(self, roster: list[dict[str, Any]] | None = None, **body: Any) -> dict[str, Any]:
        payload = {"scenario": "twin-ports", "roster": roster or default_roster(), **body}
        response = httpx.post(
            self.url + "/api/exercises",
            json=payload,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


def default_roster() -> list[dict[str, Any]]:
    """Two teams of three, and one of each staff role."""
    return [
        {"name": "Dana Director", "team": None, "role": "director"},
        {"name": "Carl Controller", "team": None, "role": "controller"},
        {"name": "Mona Mentor", "team": None, "role": "mentor"},
        {"name": "Otto Observer", "team": None, "role": "observer"},
        {"name": "Sim Cell", "team": None, "role": "simcell"},
        {"name": "Nils Berg", "team": "NOR", "role": "police"},
        {"name": "Nora Lind", "team": "NOR", "role": "prosecutor"},
        {"name": "Ola Strand", "team": "NOR", "role": "social_worker"},
        {"name": "Sara Costa", "team": "SUD", "role": "police"},
        {"name": "Sofia Reyes", "team": "SUD", "role": "prosecutor"},
        {"name": "Santi Mora", "team": "SUD", "role": "social_worker"},
    ]


def code_of(created: dict[str, Any], name: str) -> str:
    return next(c["code"] for c in created["codes"] if c["name"] == name)
