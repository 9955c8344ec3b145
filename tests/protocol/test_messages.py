"""Client frames parsed into values or errors; server frames built from values."""

from __future__ import annotations

from typing import Any

import pytest

from server.core.clock import Clock
from server.core.events import ConnectionOpened, CredentialIssued, ExerciseStarted, ParticipantAdded
from server.protocol import messages
from server.protocol.messages import (
    MAX_ID,
    MAX_NAME,
    BadCommand,
    CommandFrame,
    Hello,
    ProtocolError,
    Resume,
    parse_command,
    parse_hello,
)

# -- hello -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "hello"),
    [
        ({"type": "hello", "v": 1, "code": "ABCD-EFGH"}, Hello("ABCD-EFGH", None, None)),
        ({"type": "hello", "v": 1, "token": "t.sig"}, Hello(None, "t.sig", None)),
        ({"type": "hello", "v": 1, "code": "c", "token": None}, Hello("c", None, None)),
        ({"type": "hello", "v": 1, "code": "c", "resume": None}, Hello("c", None, None)),
        (
            {"type": "hello", "v": 1, "token": "t", "resume": {"epoch": "e1", "seq": 0}},
            Hello(None, "t", Resume("e1", 0)),
        ),
        (
            {"type": "hello", "v": 1, "code": "c", "resume": {"epoch": "e1", "seq": 42, "extra": 1}},
            Hello("c", None, Resume("e1", 42)),
        ),
    ],
)
def test_valid_hello(frame: dict[str, Any], hello: Hello) -> None:
    assert parse_hello(frame) == hello


RESUME_ERROR = "hello.resume must be {epoch: string, seq: integer >= 0}"
CREDENTIAL_ERROR = "hello needs exactly one of code or token, as a string"


@pytest.mark.parametrize(
    ("frame", "close_code", "message"),
    [
        ({"type": "cmd", "id": "1"}, 4500, "the first frame must be a hello, not 'cmd'"),
        ({}, 4500, "the first frame must be a hello, not None"),
        ({"type": "hello", "code": "c"}, 4502, "unsupported protocol version None; this server speaks 1"),
        ({"type": "hello", "v": 2, "code": "c"}, 4502, "unsupported protocol version 2"),
        ({"type": "hello", "v": "1", "code": "c"}, 4502, "unsupported protocol version '1'"),
        ({"type": "hello", "v": True, "code": "c"}, 4502, "unsupported protocol version True"),
        ({"type": "hello", "v": 1.0, "code": "c"}, 4502, "unsupported protocol version 1.0"),
        ({"type": "hello", "v": 1}, 4500, CREDENTIAL_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "token": "t"}, 4500, CREDENTIAL_ERROR),
        ({"type": "hello", "v": 1, "code": 12345}, 4500, CREDENTIAL_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "token": 5}, 4500, CREDENTIAL_ERROR),
        ({"type": "hello", "v": 1, "code": None, "token": ["t"]}, 4500, CREDENTIAL_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": "e1:5"}, 4500, RESUME_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": {"seq": 5}}, 4500, RESUME_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": {"epoch": 1, "seq": 5}}, 4500, RESUME_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": {"epoch": "e"}}, 4500, RESUME_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": {"epoch": "e", "seq": "5"}}, 4500, RESUME_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": {"epoch": "e", "seq": 5.0}}, 4500, RESUME_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": {"epoch": "e", "seq": True}}, 4500, RESUME_ERROR),
        ({"type": "hello", "v": 1, "code": "c", "resume": {"epoch": "e", "seq": -1}}, 4500, RESUME_ERROR),
    ],
)
def test_hello_errors_and_their_close_codes(frame: dict[str, Any], close_code: int, message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_hello(frame)
    assert caught.value.close_code == close_code
    assert caught.value.message.startswith(message)
    assert str(caught.value) == caught.value.message


def test_protocol_error_closes_with_4500_by_default() -> None:
    assert ProtocolError("x").close_code == 4500


# -- cmd ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "command"),
    [
        ({"type": "cmd", "id": "1", "name": "exercise.start"}, CommandFrame("1", "exercise.start", {})),
        (
            {"type": "cmd", "id": "x" * MAX_ID, "name": "n" * MAX_NAME, "args": {"speed": 2}},
            CommandFrame("x" * MAX_ID, "n" * MAX_NAME, {"speed": 2}),
        ),
    ],
)
def test_valid_cmd(frame: dict[str, Any], command: CommandFrame) -> None:
    assert parse_command(frame) == command


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ({"type": "hello", "v": 1, "code": "c"}, "hello was already received"),
        ({"type": "gimme"}, "unknown frame type 'gimme' (a client sends hello, then cmd)"),
        ({"id": "1", "name": "exercise.start"}, "unknown frame type None"),
        ({"type": "cmd", "name": "exercise.start"}, f"cmd.id must be a string of 1 to {MAX_ID} characters"),
        ({"type": "cmd", "id": 1, "name": "exercise.start"}, "cmd.id must be a string"),
        ({"type": "cmd", "id": "", "name": "exercise.start"}, "cmd.id must be a string"),
        ({"type": "cmd", "id": "x" * (MAX_ID + 1), "name": "exercise.start"}, "cmd.id must be a string"),
    ],
)
def test_cmd_protocol_errors_close_the_connection(frame: dict[str, Any], message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_command(frame)
    assert caught.value.close_code == 4500
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ({"type": "cmd", "id": "7"}, f"cmd.name must be a string of 1 to {MAX_NAME} characters"),
        ({"type": "cmd", "id": "7", "name": ["exercise.start"]}, "cmd.name must be a string"),
        ({"type": "cmd", "id": "7", "name": ""}, "cmd.name must be a string"),
        ({"type": "cmd", "id": "7", "name": "n" * (MAX_NAME + 1)}, "cmd.name must be a string"),
        ({"type": "cmd", "id": "7", "name": "clock.speed", "args": [2]}, "cmd.args must be a map"),
        ({"type": "cmd", "id": "7", "name": "clock.speed", "args": None}, "cmd.args must be a map"),
    ],
)
def test_cmd_with_a_usable_id_but_bad_body_is_a_bad_command(frame: dict[str, Any], message: str) -> None:
    with pytest.raises(BadCommand) as caught:
        parse_command(frame)
    assert caught.value.command_id == "7"
    assert caught.value.message.startswith(message)
    assert str(caught.value) == caught.value.message


# -- server frames -----------------------------------------------------------------------------

ME = {"participant": "p1", "name": "Ana", "team": "t1", "role": "analyst", "staff": False}


def welcome(snapshot: dict[str, Any] | None, mode: str, reason: str) -> dict[str, Any]:
    return messages.welcome(
        me=ME,
        exercise="ex1",
        token="tok",
        epoch="e1",
        seq=9,
        mode=mode,
        reason=reason,
        snapshot=snapshot,
        instance="i-1",
        now=1700000000.5,
    )


def test_welcome_in_snapshot_mode_carries_the_snapshot() -> None:
    assert welcome({"teams": []}, "snapshot", "new") == {
        "type": "welcome",
        "v": 1,
        "me": ME,
        "exercise": "ex1",
        "token": "tok",
        "epoch": "e1",
        "seq": 9,
        "mode": "snapshot",
        "reason": "new",
        "server": {"instance": "i-1", "time": 1700000000.5},
        "snapshot": {"teams": []},
    }


def test_welcome_in_resume_mode_has_no_snapshot() -> None:
    frame = welcome(None, "resume", "resumed")
    assert "snapshot" not in frame
    assert (frame["mode"], frame["reason"], frame["seq"]) == ("resume", "resumed", 9)


def test_event_frame() -> None:
    event = ConnectionOpened(participant="p1", connection="i-1:3")
    assert messages.event_frame(12, 1700000001.0, event) == {
        "type": "event",
        "seq": 12,
        "at": 1700000001.0,
        "kind": "connection.opened",
        "data": {"participant": "p1", "connection": "i-1:3"},
    }


def test_event_frame_data_is_plain() -> None:
    frame = messages.event_frame(3, 1.0, ExerciseStarted(clock=Clock(0.0, 1.0, 2.0, True)))
    assert frame["data"] == {"clock": {"sim_anchor": 0.0, "wall_anchor": 1.0, "speed": 2.0, "running": True}}


def test_event_frame_strips_secret_fields() -> None:
    assert sorted(messages.SECRET_FIELDS) == ["code_hash"]
    added = ParticipantAdded(
        participant="p1", name="Ana", team="t1", role="analyst", staff=False, code_hash="h-secret"
    )
    issued = CredentialIssued(participant="p1", generation=2, code_hash="h-secret")
    assert messages.event_frame(1, 1.0, added)["data"] == {
        "participant": "p1",
        "name": "Ana",
        "team": "t1",
        "role": "analyst",
        "staff": False,
    }
    assert messages.event_frame(2, 1.0, issued)["data"] == {"participant": "p1", "generation": 2}
    assert "h-secret" not in repr(messages.event_frame(1, 1.0, added))


def test_position() -> None:
    assert messages.position(40) == {"type": "position", "seq": 40}


def test_replies() -> None:
    assert messages.reply_ok("c1", {"participant": "p2", "code": "K"}, 17) == {
        "type": "reply",
        "id": "c1",
        "ok": True,
        "result": {"participant": "p2", "code": "K"},
        "seq": 17,
    }
    assert messages.reply_ok("c2", {}, None)["seq"] is None
    assert messages.reply_error("c3", "forbidden", "no") == {
        "type": "reply",
        "id": "c3",
        "ok": False,
        "error": {"code": "forbidden", "message": "no"},
    }


def test_error() -> None:
    assert messages.error("too_slow", "reconnect") == {
        "type": "error",
        "code": "too_slow",
        "message": "reconnect",
    }


def test_frame_type_lists() -> None:
    assert messages.CLIENT_FRAMES == ("hello", "cmd")
    built = [
        welcome(None, "resume", "resumed"),
        messages.event_frame(1, 1.0, ConnectionOpened("p", "c")),
        messages.position(1),
        messages.reply_ok("1", {}, None),
        messages.error("internal", "x"),
    ]
    assert tuple(frame["type"] for frame in built) == messages.SERVER_FRAMES
