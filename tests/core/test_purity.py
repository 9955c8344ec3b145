"""The core does no I/O: no module in server/core imports a network, clock, log or random
library. Time and randomness come in as arguments."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import server.core

FORBIDDEN = frozenset(
    {
        "asyncio",
        "redis",
        "starlette",
        "websockets",
        "msgpack",
        "json",
        "logging",
        "structlog",
        "time",
        "datetime",
        "random",
        "secrets",
        "os",
        "socket",
        "uvicorn",
    }
)
CORE = Path(server.core.__file__).parent
MODULES = sorted(CORE.rglob("*.py"))
"""Every module of the core, its packages (`fold`, `debrief`) included."""


def forbidden_imports(source: str) -> list[str]:
    """The forbidden top-level packages `source` imports, in order, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.partition(".")[0] in FORBIDDEN]
    return found


def test_the_core_has_its_modules() -> None:
    assert {path.stem for path in MODULES} >= {"decide", "events", "state", "visibility", "view"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(CORE)))
def test_no_io_in_the_core(path: Path) -> None:
    imported = forbidden_imports(path.read_text())
    assert not imported, f"server/core/{path.relative_to(CORE)} imports {', '.join(imported)}"


def test_the_check_sees_every_form_of_import() -> None:
    source = """
import hashlib, os.path
from datetime import datetime
from . import clock
from .time import x
import jsonschema
def later():
    import asyncio
    from redis.asyncio import Redis
"""
    assert forbidden_imports(source) == ["os.path", "datetime", "asyncio", "redis.asyncio"]
