"""docs/protocol.md is the contract: everything a client can meet must be in it, as `code`.

Frame types, commands, event kinds and settings come from the code's own tables. The error and
close codes the server really sends are read from the source of the endpoint and the hub with
`ast`, so a new literal there fails this test until the docs describe it.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from server.adapters.wire_errors import TABLE
from server.core.errors import ERROR_CODES
from server.core.events import EVENT_TYPES
from server.protocol import messages
from server.protocol.commands import CATALOGUE, COMMANDS, PING
from server.protocol.history import HISTORY
from server.settings import setting_names

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "protocol.md"
ADAPTERS = ROOT / "server" / "adapters"
SESSION = [
    ADAPTERS / name
    for name in (
        "endpoint.py",
        "authentication.py",
        "command_execution.py",
        "send_queue.py",
        "frames.py",
        "wire_errors.py",
        "preview.py",
        "hub.py",
    )
]
"""The modules that send error and close codes: the endpoint's, and the hub."""
MESSAGES = ROOT / "server" / "protocol" / "messages.py"
FROM_UVICORN = {1007, 1009, 1012}
"""Close codes uvicorn sends by itself: invalid UTF-8 in a text frame, a frame over
LIAISON_MAX_FRAME_BYTES, and a connection still open when a graceful stop has run out of time."""

# Where the codes sit in each call: (position of the close code, position of the error code).
CLOSING_CALLS = {
    "Refused": (0, 1),
    "kick": (0, 1),
    "close": (2, 3),
    "ProtocolError": (1, None),
    "WireError": (2, 0),
}
ERROR_FRAME_CALLS = {"messages.reply_error": 1, "messages.error": 0}


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def in_backticks(text: str) -> set[str]:
    without_fences = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return set(re.findall(r"`([^`\n]+)`", without_fences))


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}.*?$(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"docs/protocol.md has no section '## {title}'"
    return match.group(1)


def table_names(text: str) -> list[str]:
    """The first column of a Markdown table's rows, when it is `code`."""
    return re.findall(r"^\| `([^`]+)` \|", text, flags=re.M)


def calls(path: Path) -> Iterator[tuple[str, str, ast.Call]]:
    """Every call in a module: the function's name, its dotted name ("messages.error"), the call."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value.id if isinstance(func.value, ast.Name) else "?"
                yield func.attr, f"{owner}.{func.attr}", node
            elif isinstance(func, ast.Name):
                yield func.id, func.id, node


def literal(call: ast.Call, position: int | None, kind: type) -> list[Any]:
    if position is None or position >= len(call.args):
        return []
    arg = call.args[position]
    if isinstance(arg, ast.Constant) and type(arg.value) is kind and arg.value != "":
        return [arg.value]
    return []


def sent_close_codes() -> set[int]:
    codes: set[int] = {inspect.signature(messages.ProtocolError).parameters["close_code"].default}
    codes |= FROM_UVICORN
    codes |= {error.close for _, error in TABLE if error.close is not None}
    for path in (*SESSION, MESSAGES):
        for name, _, call in calls(path):
            if name in CLOSING_CALLS:
                codes.update(literal(call, CLOSING_CALLS[name][0], int))
    return codes


def sent_error_codes() -> set[str]:
    codes: set[str] = set(ERROR_CODES) | {error.code for _, error in TABLE}
    for path in SESSION:
        for name, dotted, call in calls(path):
            if name in CLOSING_CALLS:
                codes.update(literal(call, CLOSING_CALLS[name][1], str))
            if dotted in ERROR_FRAME_CALLS:
                codes.update(literal(call, ERROR_FRAME_CALLS[dotted], str))
    return codes


def missing(kind: str, wanted: Iterable[object]) -> list[str]:
    documented = in_backticks(doc_text())
    return [
        f"{kind} {value!r} is not in docs/protocol.md as `{value}`"
        for value in wanted
        if str(value) not in documented
    ]


def test_the_source_scan_finds_what_it_should() -> None:
    # Guards the scanner itself: if these vanish, the ast patterns above no longer match the code.
    assert {
        1000,
        1011,
        4000,
        4001,
        4002,
        4003,
        4004,
        4005,
        4500,
        4501,
        4502,
        4503,
        4504,
    } <= sent_close_codes()
    assert {
        "bad_request",
        "unknown_command",
        "conflict",
        "unavailable",
        "protocol",
        "too_slow",
        "too_many_attempts",
        "busy",
        "shutting_down",
        "revoked",
    } <= sent_error_codes()


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("client frame type", messages.CLIENT_FRAMES),
        ("server frame type", messages.SERVER_FRAMES),
        ("command", sorted(COMMANDS)),
        ("event kind", sorted(EVENT_TYPES)),
        ("error code", sorted(sent_error_codes())),
        ("close code", sorted(sent_close_codes())),
        ("setting", setting_names()),
    ],
    ids=["client-frames", "server-frames", "commands", "events", "error-codes", "close-codes", "settings"],
)
def test_docs_mention(kind: str, values: Iterable[object]) -> None:
    problems = missing(kind, values)
    assert not problems, "\n".join(problems)


def test_commands_table_matches_the_commands() -> None:
    listed = table_names(section(doc_text(), "Commands"))
    commands = {*COMMANDS, HISTORY, PING, CATALOGUE}
    unknown = sorted(set(listed) - commands)
    assert not unknown, f"docs/protocol.md lists commands that do not exist: {unknown}"
    unlisted = sorted(commands - set(listed))
    assert not unlisted, f"commands missing from the Commands table of docs/protocol.md: {unlisted}"
    assert len(listed) == len(set(listed)), f"a command is listed twice: {listed}"


def test_events_table_matches_the_event_kinds() -> None:
    listed = set(table_names(section(doc_text(), "Events")))
    assert listed == set(EVENT_TYPES), (
        f"Events table of docs/protocol.md: unknown {sorted(listed - set(EVENT_TYPES))}, "
        f"missing {sorted(set(EVENT_TYPES) - listed)}"
    )


def test_error_codes_table_lists_only_codes_the_server_sends() -> None:
    listed = set(table_names(section(doc_text(), "Error codes")))
    unknown = sorted(listed - sent_error_codes())
    assert not unknown, f"docs/protocol.md documents error codes the server never sends: {unknown}"
    unlisted = sorted(sent_error_codes() - listed)
    assert not unlisted, f"error codes missing from the Error codes table of docs/protocol.md: {unlisted}"


def test_close_codes_table_is_exactly_the_close_codes_sent() -> None:
    listed = {int(code) for code in table_names(section(doc_text(), "Close codes"))}
    unlisted = sorted(sent_close_codes() - listed)
    assert not unlisted, f"close codes missing from the Close codes table of docs/protocol.md: {unlisted}"
    # 1006 is never sent: it is what a client sees when the connection is lost without a close.
    unknown = sorted(listed - sent_close_codes() - {1006})
    assert not unknown, f"docs/protocol.md documents close codes the server never sends: {unknown}"


def test_settings_table_lists_only_real_settings() -> None:
    listed = set(table_names(section(doc_text(), "Server settings")))
    unknown = sorted(listed - set(setting_names()))
    assert not unknown, f"docs/protocol.md lists settings that do not exist: {unknown}"
