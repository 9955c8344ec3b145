"""The frames of protocol v1: parsing what clients send, building what the server sends.

Client to server: `hello`, `cmd`. Server to client: `welcome`, `event`, `position`,
`reply`, `error`. Every field is described in `docs/protocol.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from server.core.events import Event, to_data

VERSION: Final = 1
MAX_ID = 64
MAX_NAME = 64

SECRET_FIELDS: Final = frozenset({"code_hash"})
"""Event fields that stay on the server: they are removed from every frame."""

CLIENT_FRAMES: Final = ("hello", "cmd")
SERVER_FRAMES: Final = ("welcome", "event", "position", "reply", "error")


class ProtocolError(ValueError):
    """A frame breaks the protocol; the connection closes with `close_code`."""

    def __init__(self, message: str, close_code: int = 4500) -> None:
        super().__init__(message)
        self.message = message
        self.close_code = close_code


@dataclass(frozen=True, slots=True)
class Resume:
    epoch: str
    seq: int


@dataclass(frozen=True, slots=True)
class Hello:
    code: str | None
    token: str | None
    resume: Resume | None
    preview: str | None = None
    """Control's read-only preview: the participant whose station to see as they do."""
    catalogue: str = ""
    """The `catalogue_tag` of the scenario catalogue the client holds: a welcome whose catalogue
    has that tag leaves it out."""


@dataclass(frozen=True, slots=True)
class CommandFrame:
    id: str
    name: str
    args: dict[str, Any]


class BadCommand(ValueError):
    """A `cmd` frame with a usable id but a malformed body: answered with `bad_request`."""

    def __init__(self, command_id: str, message: str) -> None:
        super().__init__(message)
        self.command_id = command_id
        self.message = message


def parse_hello(frame: dict[str, Any]) -> Hello:
    kind = frame.get("type")
    if kind != "hello":
        raise ProtocolError(f"the first frame must be a hello, not {kind!r}")
    if not _is_int(frame.get("v")) or frame["v"] != VERSION:  # true == 1 in Python
        raise ProtocolError(f"unsupported protocol version {frame.get('v')!r}; this server speaks 1", 4502)
    code, token = frame.get("code"), frame.get("token")
    if not (isinstance(code, str) ^ isinstance(token, str)) or (code is not None and token is not None):
        raise ProtocolError("hello needs exactly one of code or token, as a string")
    preview = frame.get("preview")
    if preview is not None and (not isinstance(preview, str) or not 0 < len(preview) <= MAX_ID):
        raise ProtocolError(f"hello.preview must be a participant id, a string of 1 to {MAX_ID} characters")
    catalogue = frame.get("catalogue", "")
    if not isinstance(catalogue, str) or len(catalogue) > MAX_ID:
        raise ProtocolError(
            f"hello.catalogue must be a catalogue_tag, a string of at most {MAX_ID} characters"
        )
    resume = frame.get("resume")
    if resume is None:
        return Hello(code, token, None, preview, catalogue)
    if (
        not isinstance(resume, dict)
        or not isinstance(resume.get("epoch"), str)
        or not _is_int(resume.get("seq"))
        or resume["seq"] < 0
    ):
        raise ProtocolError("hello.resume must be {epoch: string, seq: integer >= 0}")
    return Hello(code, token, Resume(resume["epoch"], resume["seq"]), preview, catalogue)


def parse_command(frame: dict[str, Any]) -> CommandFrame:
    kind = frame.get("type")
    if kind == "hello":
        raise ProtocolError("hello was already received")
    if kind != "cmd":
        raise ProtocolError(f"unknown frame type {kind!r} (a client sends hello, then cmd)")
    command_id = frame.get("id")
    if not isinstance(command_id, str) or not 0 < len(command_id) <= MAX_ID:
        raise ProtocolError(f"cmd.id must be a string of 1 to {MAX_ID} characters")
    name, args = frame.get("name"), frame.get("args", {})
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        raise BadCommand(command_id, f"cmd.name must be a string of 1 to {MAX_NAME} characters")
    if not isinstance(args, dict):
        raise BadCommand(command_id, "cmd.args must be a map")
    return CommandFrame(command_id, name, args)


def welcome(
    *,
    me: dict[str, Any],
    exercise: str,
    token: str,
    epoch: str,
    seq: int,
    mode: str,
    reason: str,
    snapshot: dict[str, Any] | None,
    instance: str,
    now: float,
    preview: dict[str, Any] | None = None,
) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "welcome",
        "v": VERSION,
        "me": me,
        "exercise": exercise,
        "token": token,
        "epoch": epoch,
        "seq": seq,
        "mode": mode,
        "reason": reason,
        "server": {"instance": instance, "time": now},
    }
    if snapshot is not None:
        frame["snapshot"] = snapshot
    if preview is not None:
        frame["preview"] = preview
    return frame


def event_frame(seq: int, at: float, event: Event) -> dict[str, Any]:
    data = {k: v for k, v in to_data(event).items() if k not in SECRET_FIELDS}
    return {"type": "event", "seq": seq, "at": at, "kind": event.kind, "data": data}


def position(seq: int) -> dict[str, Any]:
    return {"type": "position", "seq": seq}


def reply_ok(command_id: str, result: dict[str, Any], seq: int | None) -> dict[str, Any]:
    return {"type": "reply", "id": command_id, "ok": True, "result": result, "seq": seq}


def reply_error(command_id: str, code: str, message: str) -> dict[str, Any]:
    return {
        "type": "reply",
        "id": command_id,
        "ok": False,
        "error": {"code": code, "message": message},
    }


def error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
