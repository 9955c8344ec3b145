"""The load test plays with the SDK and the protocol only: the modules that simulate the cohort
import nothing of the server. The oracle may (it applies the server's visibility rules to the
Redis log), and so may the set-up (the local Redis launcher, the scenario bundler) and the
playbook of the core play-through tests."""

from __future__ import annotations

import ast
from pathlib import Path

LOADTEST = Path(__file__).resolve().parents[2] / "loadtest"
MAY_IMPORT_THE_SERVER = {"oracle.py", "cluster.py", "cohort.py", "playbook.py"}


def server_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [name for name in names if name == "server" or name.startswith("server.")]
    return found


def test_the_players_need_no_server_model() -> None:
    offenders = {
        path.name: server_imports(path)
        for path in sorted(LOADTEST.glob("*.py"))
        if path.name not in MAY_IMPORT_THE_SERVER and server_imports(path)
    }
    assert offenders == {}


def test_the_oracle_does_read_the_server_rules() -> None:
    assert "server.core.visibility" in server_imports(LOADTEST / "oracle.py")
