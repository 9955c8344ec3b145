"""The SDK depends on docs/protocol.md only: no module under clients/ imports `server`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import clients

CLIENTS = Path(clients.__file__).parent
MODULES = sorted(CLIENTS.rglob("*.py"))


def imported_names(source: str) -> set[str]:
    """Modules named by import statements and `importlib.import_module` / `__import__` calls."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__"):
                names.add(str(node.args[0].value))
    return names


def test_the_check_sees_every_form_of_import() -> None:
    source = "import server.core\nfrom server import app\nimportlib.import_module('server.x')\n"
    source += "__import__('server.y')\nfrom . import frames\n"
    assert imported_names(source) == {"server.core", "server", "server.x", "server.y"}


def test_modules_found() -> None:
    assert CLIENTS / "sdk" / "client.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(CLIENTS)))
def test_no_module_imports_server(path: Path) -> None:
    names = imported_names(path.read_text())
    offending = {name for name in names if name.split(".")[0] == "server"}
    assert not offending, f"{path} imports {offending}"


def test_importing_the_sdk_loads_nothing_from_server() -> None:
    program = (
        "import sys, clients.sdk\n"
        "loaded = [m for m in sys.modules if m == 'server' or m.startswith('server.')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", program], check=True, timeout=60)
