"""Frames: both subprotocols, the client frames, and parsing of every server frame."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients.sdk import (
    ErrorFrame,
    ErrorInfo,
    Event,
    Me,
    Mode,
    Position,
    ProtocolViolation,
    Reply,
    ServerInfo,
    Subprotocol,
    Welcome,
    frames,
)

WELCOME: dict[str, Any] = {
    "type": "welcome",
    "v": 1,
    "me": {"participant": "p1", "name": "Ann", "team": None, "role": "director", "staff": True},
    "exercise": "ex1",
    "token": "tok",
    "epoch": "e1",
    "seq": 12,
    "mode": "snapshot",
    "reason": "new",
    "snapshot": {"teams": []},
    "server": {"instance": "a", "time": 1700000000},
}


def test_subprotocol_names() -> None:
    assert Subprotocol.named("msgpack") is Subprotocol.MSGPACK
    assert Subprotocol.named("json") is Subprotocol.JSON
    assert Subprotocol.named("liaison.v1.json") is Subprotocol.JSON
    with pytest.raises(ValueError, match="unknown subprotocol"):
        Subprotocol.named("cbor")


def test_msgpack_is_binary_and_json_is_text() -> None:
    frame = {"type": "cmd", "id": "a-1", "name": "message.post", "args": {"text": "héllo"}}
    packed = frames.encode(Subprotocol.MSGPACK, frame)
    assert isinstance(packed, bytes)
    assert msgpack.unpackb(packed) == frame
    text = frames.encode(Subprotocol.JSON, frame)
    assert isinstance(text, str)
    assert json.loads(text) == frame
    assert "héllo" in text
    assert frames.decode(Subprotocol.MSGPACK, packed) == frame
    assert frames.decode(Subprotocol.JSON, text) == frame


@pytest.mark.parametrize(
    ("subprotocol", "data", "message"),
    [
        (Subprotocol.MSGPACK, "{}", "binary frames"),
        (Subprotocol.JSON, b"{}", "text frames"),
        (Subprotocol.MSGPACK, b"\xc1", "not valid msgpack"),
        (Subprotocol.MSGPACK, msgpack.packb([1]), "a frame is a map"),
        (Subprotocol.JSON, "{", "not valid JSON"),
        (Subprotocol.JSON, "[]", "a frame is a map"),
        (Subprotocol.MSGPACK, b"\x91" * 2000 + b"\x80", "nests too deeply"),
    ],
)
def test_undecodable_frames(subprotocol: Subprotocol, data: bytes | str, message: str) -> None:
    with pytest.raises(ProtocolViolation, match=message):
        frames.decode(subprotocol, data)


@given(st.binary())
def test_decoding_any_bytes_raises_only_protocol_violation(data: bytes) -> None:
    with contextlib.suppress(ProtocolViolation):
        frames.decode(Subprotocol.MSGPACK, data)


@given(st.text())
def test_decoding_any_text_raises_only_protocol_violation(data: str) -> None:
    with contextlib.suppress(ProtocolViolation):
        frames.decode(Subprotocol.JSON, data)


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=8,
)


FIELDS = ["seq", "at", "kind", "data", "id", "ok", "v", "me", "result", "error", "mode", "epoch"]
FIELDS += ["snapshot", "server", "token", "reason", "exercise", "code", "message"]
server_like_frames = st.fixed_dictionaries(
    {"type": st.sampled_from(["event", "position", "reply", "welcome", "error", "x"])},
    optional=dict.fromkeys(FIELDS, values),
)


@given(server_like_frames)
def test_parsing_any_map_raises_only_protocol_violation(frame: dict[str, Any]) -> None:
    with contextlib.suppress(ProtocolViolation):
        frames.parse(frame)


def test_hello_with_code_or_token() -> None:
    assert frames.hello(code="ab-cd") == {"type": "hello", "v": 1, "code": "ab-cd"}
    assert frames.hello(token="t", resume=("e1", 4)) == {
        "type": "hello",
        "v": 1,
        "token": "t",
        "resume": {"epoch": "e1", "seq": 4},
    }
    with pytest.raises(ValueError, match="exactly one"):
        frames.hello(code="a", token="t")
    with pytest.raises(ValueError, match="exactly one"):
        frames.hello()


def test_cmd_ids_have_1_to_64_characters() -> None:
    assert frames.cmd("x" * 64, "clock.jump", {}) == {
        "type": "cmd",
        "id": "x" * 64,
        "name": "clock.jump",
        "args": {},
    }
    for bad in ("", "x" * 65):
        with pytest.raises(ValueError, match="1 to 64"):
            frames.cmd(bad, "clock.jump", {})


def test_parse_welcome() -> None:
    assert frames.parse(WELCOME) == Welcome(
        me=Me(participant="p1", name="Ann", team=None, role="director", staff=True),
        exercise="ex1",
        token="tok",
        epoch="e1",
        seq=12,
        mode=Mode.SNAPSHOT,
        reason="new",
        snapshot={"teams": []},
        server=ServerInfo(instance="a", time=1700000000.0),
    )
    resumed = frames.parse(WELCOME | {"mode": "resume", "reason": "resumed", "extra": 1})
    assert isinstance(resumed, Welcome)
    assert resumed.snapshot is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"v": 2}, "welcome.v must be 1"),
        ({"mode": "replay"}, "is not snapshot or resume"),
        ({"snapshot": None}, "welcome.snapshot must be a map"),
        ({"seq": -1}, "welcome.seq must be an integer"),
        ({"seq": True}, "welcome.seq must be an integer"),
        ({"epoch": 3}, "welcome.epoch must be a string"),
        ({"server": {"instance": "a", "time": "now"}}, "welcome.server.time must be a number"),
        ({"me": {**WELCOME["me"], "team": 3}}, "welcome.me.team"),
        ({"me": {**WELCOME["me"], "staff": "yes"}}, "welcome.me.staff"),
        ({"me": {**WELCOME["me"], "role": None}}, "welcome.me.role"),
    ],
)
def test_parse_bad_welcome(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ProtocolViolation, match=message):
        frames.parse(WELCOME | change)


def test_parse_event_position_error() -> None:
    event = {"type": "event", "seq": 3, "at": 1.5, "kind": "exercise.ready", "data": {}}
    assert frames.parse(event) == Event(3, 1.5, "exercise.ready", {})
    assert frames.parse({"type": "position", "seq": 0}) == Position(0)
    assert frames.parse({"type": "error", "code": "revoked", "message": "m"}) == ErrorFrame("revoked", "m")
    for bad in ({"seq": 0}, {"at": float("nan")}, {"kind": None}, {"data": []}):
        with pytest.raises(ProtocolViolation):
            frames.parse(event | bad)
    with pytest.raises(ProtocolViolation, match="unknown frame type"):
        frames.parse({"type": "hello"})


def test_parse_replies() -> None:
    ok = {"type": "reply", "id": "a", "ok": True, "result": {"duplicate": True}, "seq": 4}
    reply = frames.parse(ok)
    assert reply == Reply("a", True, {"duplicate": True}, 4, None)
    assert isinstance(reply, Reply)
    assert reply.duplicate
    assert frames.parse(ok | {"seq": None}) == Reply("a", True, {"duplicate": True}, None, None)
    refused = {"type": "reply", "id": "a", "ok": False, "error": {"code": "x", "message": "y"}}
    assert frames.parse(refused) == Reply("a", False, {}, None, ErrorInfo("x", "y"))
    for bad in (ok | {"ok": 1}, ok | {"result": None}, refused | {"error": {"code": "x"}}):
        with pytest.raises(ProtocolViolation):
            frames.parse(bad)
