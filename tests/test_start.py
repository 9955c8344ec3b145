"""The entry point (`liaison`, `python -m server`): the CLI runs, and the collector is back on."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

import server.cli
from server import start


def test_the_entry_point_runs_the_cli_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    states: list[bool] = []

    def cli() -> int:
        states.append(gc.isenabled())
        return 7

    monkeypatch.setattr(server.cli, "main", cli)
    try:
        assert start.main() == 7
    finally:
        gc.unfreeze()
    assert states == [True] and gc.isenabled()


def test_python_m_server_is_the_liaison_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and "usage: liaison" in done.stdout


def test_the_api_commands_talk_to_the_port_the_server_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """`LIAISON_PORT=18610 liaison serve` and `liaison exercise list` in the same shell: the
    second finds the first without `--server`."""
    monkeypatch.setenv("LIAISON_PORT", "18610")
    args = server.cli._parser().parse_args(["exercise", "list"])
    assert args.server == "http://127.0.0.1:18610"
    monkeypatch.delenv("LIAISON_PORT")
    assert server.cli._parser().parse_args(["exercise", "list"]).server == "http://127.0.0.1:8080"
