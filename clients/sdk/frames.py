"""Frames on the wire: the two subprotocols, the client frames, and parsing of server frames.

protocol.md, "Connecting": `liaison.v1.msgpack` carries one MessagePack map per binary frame,
`liaison.v1.json` one JSON object per text frame; both carry the same maps. `decode` and `parse`
raise nothing but `ProtocolViolation`, whatever the server sends. Fields that the protocol does not
define are ignored, so a newer server can add some.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Any

import msgpack

from .errors import ProtocolViolation
from .events import (
    ErrorFrame,
    ErrorInfo,
    Event,
    Me,
    Mode,
    Position,
    Reply,
    ServerFrame,
    ServerInfo,
    Welcome,
)

VERSION = 1
"""`hello.v` and `welcome.v`."""

MAX_COMMAND_ID = 64
"""Longest `cmd.id` (protocol.md, "cmd": 1 to 64 characters)."""


class Subprotocol(StrEnum):
    """The subprotocols of protocol v1, by their `Sec-WebSocket-Protocol` names."""

    MSGPACK = "liaison.v1.msgpack"
    JSON = "liaison.v1.json"

    @classmethod
    def named(cls, name: str) -> Subprotocol:
        """`"msgpack"`, `"json"`, or a full name such as `"liaison.v1.json"`."""
        for member in cls:
            if name in (member.value, member.value.rsplit(".", 1)[1]):
                return member
        raise ValueError(f"unknown subprotocol {name!r}: use 'msgpack' or 'json'")


def encode(subprotocol: Subprotocol, frame: dict[str, Any]) -> bytes | str:
    """One frame: bytes for a binary frame (msgpack), str for a text frame (JSON)."""
    if subprotocol is Subprotocol.MSGPACK:
        packed: bytes = msgpack.packb(frame, use_bin_type=True)
        return packed
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def decode(subprotocol: Subprotocol, data: bytes | str) -> dict[str, Any]:
    """The map in one frame received on a connection speaking `subprotocol`."""
    value: object
    if subprotocol is Subprotocol.MSGPACK:
        if not isinstance(data, bytes):
            raise ProtocolViolation("liaison.v1.msgpack takes binary frames, got a text frame")
        try:
            value = msgpack.unpackb(data, raw=False, strict_map_key=True)
        except msgpack.StackError:
            raise ProtocolViolation("a frame nests too deeply") from None
        except (ValueError, TypeError, msgpack.ExtraData, msgpack.FormatError) as e:
            raise ProtocolViolation(f"a frame is not valid msgpack: {type(e).__name__}") from None
    else:
        if not isinstance(data, str):
            raise ProtocolViolation("liaison.v1.json takes text frames, got a binary frame")
        try:
            value = json.loads(data)
        except (ValueError, RecursionError) as e:
            raise ProtocolViolation(f"a frame is not valid JSON: {type(e).__name__}") from None
    if not isinstance(value, dict):
        raise ProtocolViolation(f"a frame is a map, not {type(value).__name__}")
    return value


# Client frames (protocol.md, "Client frames").


def hello(
    *,
    code: str | None = None,
    token: str | None = None,
    resume: tuple[str, int] | None = None,
    catalogue: str = "",
) -> dict[str, Any]:
    """`hello` with exactly one of `code` and `token`, an optional position to resume from, and
    the `catalogue_tag` of the catalogue the client holds (a snapshot then leaves it out)."""
    if (code is None) == (token is None):
        raise ValueError("hello takes exactly one of code and token")
    frame: dict[str, Any] = {"type": "hello", "v": VERSION}
    if code is not None:
        frame["code"] = code
    else:
        frame["token"] = token
    if resume is not None:
        epoch, seq = resume
        frame["resume"] = {"epoch": epoch, "seq": seq}
    if catalogue:
        frame["catalogue"] = catalogue
    return frame


def cmd(id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """`cmd`; `id` must be 1 to 64 characters."""
    if not 1 <= len(id) <= MAX_COMMAND_ID:
        raise ValueError(f"a command id has 1 to {MAX_COMMAND_ID} characters, not {len(id)}")
    return {"type": "cmd", "id": id, "name": name, "args": args}


# Server frames (protocol.md, "Server frames").


def parse(frame: dict[str, Any]) -> ServerFrame:
    """The typed server frame; `ProtocolViolation` when a documented field is missing or wrong."""
    kind = frame.get("type")
    if kind == "event":
        return Event(
            seq=_int(frame, "seq", "event", minimum=1),
            at=_number(frame, "at", "event"),
            kind=_str(frame, "kind", "event"),
            data=_map(frame, "data", "event"),
        )
    if kind == "position":
        return Position(seq=_int(frame, "seq", "position"))
    if kind == "reply":
        return _reply(frame)
    if kind == "welcome":
        return _welcome(frame)
    if kind == "error":
        return ErrorFrame(code=_str(frame, "code", "error"), message=_str(frame, "message", "error"))
    raise ProtocolViolation(f"unknown frame type {kind!r}")


def _welcome(frame: dict[str, Any]) -> Welcome:
    if frame.get("v") != VERSION:
        raise ProtocolViolation(f"welcome.v must be {VERSION}, not {frame.get('v')!r}")
    me = _map(frame, "me", "welcome")
    server = _map(frame, "server", "welcome")
    mode_name = _str(frame, "mode", "welcome")
    try:
        mode = Mode(mode_name)
    except ValueError:
        raise ProtocolViolation(f"welcome.mode {mode_name!r} is not snapshot or resume") from None
    snapshot = _map(frame, "snapshot", "welcome") if mode is Mode.SNAPSHOT else None
    team = me.get("team")
    if team is not None and not isinstance(team, str):
        raise ProtocolViolation(f"welcome.me.team must be a string or null, not {team!r}")
    staff = me.get("staff")
    if not isinstance(staff, bool):
        raise ProtocolViolation(f"welcome.me.staff must be a boolean, not {staff!r}")
    return Welcome(
        me=Me(
            participant=_str(me, "participant", "welcome.me"),
            name=_str(me, "name", "welcome.me"),
            team=team,
            role=_str(me, "role", "welcome.me"),
            staff=staff,
        ),
        exercise=_str(frame, "exercise", "welcome"),
        token=_str(frame, "token", "welcome"),
        epoch=_str(frame, "epoch", "welcome"),
        seq=_int(frame, "seq", "welcome"),
        mode=mode,
        reason=_str(frame, "reason", "welcome"),
        snapshot=snapshot,
        server=ServerInfo(
            instance=_str(server, "instance", "welcome.server"),
            time=_number(server, "time", "welcome.server"),
        ),
    )


def _reply(frame: dict[str, Any]) -> Reply:
    id = _str(frame, "id", "reply")
    ok = frame.get("ok")
    if ok is True:
        seq = frame.get("seq")
        if seq is not None:
            seq = _int(frame, "seq", "reply")
        return Reply(id=id, ok=True, result=_map(frame, "result", "reply"), seq=seq, error=None)
    if ok is False:
        error = _map(frame, "error", "reply")
        info = ErrorInfo(
            code=_str(error, "code", "reply.error"), message=_str(error, "message", "reply.error")
        )
        return Reply(id=id, ok=False, result={}, seq=None, error=info)
    raise ProtocolViolation(f"reply.ok must be a boolean, not {ok!r}")


def _str(frame: dict[str, Any], key: str, where: str) -> str:
    value = frame.get(key)
    if not isinstance(value, str):
        raise ProtocolViolation(f"{where}.{key} must be a string, not {value!r}")
    return value


def _int(frame: dict[str, Any], key: str, where: str, *, minimum: int = 0) -> int:
    value = frame.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ProtocolViolation(f"{where}.{key} must be an integer >= {minimum}, not {value!r}")
    return value


def _number(frame: dict[str, Any], key: str, where: str) -> float:
    value = frame.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ProtocolViolation(f"{where}.{key} must be a number, not {value!r}")
    return float(value)


def _map(frame: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = frame.get(key)
    if not isinstance(value, dict):
        raise ProtocolViolation(f"{where}.{key} must be a map, not {value!r}")
    return value
