"""The demo exercise honours LIAISON_SCENARIOS_DIR (the Docker image with LIAISON_DEMO=true)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from server.scenario.shipped import shipped_scenarios
from tests.e2e.servers import ADMIN_TOKEN, ServerProcess


def _demo(server: ServerProcess, within: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answer = httpx.get(
            server.url + "/api/exercises/demo", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=5
        )
        if answer.status_code == 200:
            found: dict[str, Any] = answer.json()
            return found
        time.sleep(0.1)
    raise AssertionError(f"no demo exercise after {within} s:\n{server.log()}")


def test_the_demo_uses_twin_ports_from_the_scenarios_folder(
    redis_url: str, start_server: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    folder = tmp_path / "scenarios"
    shutil.copytree(shipped_scenarios() / "twin-ports", folder / "twin-ports")
    main = folder / "twin-ports" / "scenario.yaml"
    text = main.read_text()
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    main.write_text(text.replace(title, "title: Twin Ports, the venue's own copy"))
    server = start_server(redis_url, demo="true", scenarios_dir=str(folder), data_dir=str(tmp_path / "data"))
    demo = _demo(server)
    assert demo["title"] == "Twin Ports, the venue's own copy"
    assert demo["participants"] == 11


def test_the_demo_falls_back_to_the_shipped_copy(
    redis_url: str, start_server: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    folder = tmp_path / "scenarios"  # the operator's own scenarios, without twin-ports
    shutil.copytree(shipped_scenarios() / "greenhouse", folder / "greenhouse")
    server = start_server(redis_url, demo="true", scenarios_dir=str(folder), data_dir=str(tmp_path / "data"))
    assert _demo(server)["participants"] == 11
