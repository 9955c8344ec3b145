"""The session core, as transcripts: frames in, hello / items / decisions out. No I/O."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from clients.sdk import (
    AnomalyKind,
    ConnectionClosed,
    ErrorFrame,
    Event,
    Me,
    Mode,
    Position,
    ProtocolViolation,
    Reply,
    Reset,
    ServerInfo,
    TerminalError,
    Welcome,
)
from clients.sdk.session import Reconnect, Session, Stop

SNAPSHOT: dict[str, Any] = {"teams": []}


def welcome(
    *, epoch: str = "e1", seq: int = 0, mode: Mode = Mode.SNAPSHOT, reason: str = "new", token: str = "t1"
) -> Welcome:
    return Welcome(
        me=Me("p1", "Ann", "nl", "analyst", staff=False),
        exercise="ex1",
        token=token,
        epoch=epoch,
        seq=seq,
        mode=mode,
        reason=reason,
        snapshot=SNAPSHOT if mode is Mode.SNAPSHOT else None,
        server=ServerInfo("a", 0.0),
    )


def event(seq: int) -> Event:
    return Event(seq, 0.0, "message.posted", {})


def welcomed(session: Session, **fields: Any) -> Reset | None:
    session.connecting()
    item = session.receive(welcome(**fields))
    assert item is None or isinstance(item, Reset)
    return item


def test_first_hello_uses_the_code_or_the_token() -> None:
    assert Session(code="c").connecting() == {"type": "hello", "v": 1, "code": "c"}
    assert Session(code="c", token="t").connecting() == {"type": "hello", "v": 1, "token": "t"}
    assert Session(code="c", resume=("e", 3)).connecting() == {
        "type": "hello",
        "v": 1,
        "code": "c",
        "resume": {"epoch": "e", "seq": 3},
    }
    with pytest.raises(ValueError, match="join code or a session token"):
        Session()


def test_snapshot_welcome_sets_the_position_and_yields_a_reset() -> None:
    session = Session(code="c")
    assert session.position is None
    assert session.me is None
    assert welcomed(session, seq=7) == Reset(SNAPSHOT, "new", "e1", 7)
    assert session.position == ("e1", 7)
    assert session.snapshot == SNAPSHOT
    assert session.me == Me("p1", "Ann", "nl", "analyst", staff=False)
    assert (session.resets, session.reconnects) == (0, 0)


def test_position_advances_only_on_frames_that_carry_one() -> None:
    session = Session(code="c")
    welcomed(session, seq=7)
    assert session.receive(event(9)) == event(9)
    assert session.position == ("e1", 9)
    reply = Reply("x", True, {}, 40, None)
    assert session.receive(reply) is reply
    assert session.position == ("e1", 9)  # a reply's seq is not a position
    assert session.receive(Position(12)) is None
    assert session.position == ("e1", 12)
    assert session.receive(Position(12)) is None  # the same position again is fine
    assert session.receive(event(13)) == event(13)
    assert session.anomalies == []


def test_stale_events_are_anomalies_and_not_delivered() -> None:
    session = Session(code="c")
    welcomed(session, seq=7)
    assert session.receive(event(7)) is None  # already in the snapshot
    assert session.receive(event(8)) == event(8)
    assert session.receive(event(8)) is None
    assert session.receive(event(5)) is None
    assert session.receive(Position(6)) is None
    assert session.position == ("e1", 8)
    assert [a.kind for a in session.anomalies] == [
        AnomalyKind.DUPLICATE,
        AnomalyKind.DUPLICATE,
        AnomalyKind.OUT_OF_ORDER,
        AnomalyKind.POSITION_BACKWARDS,
    ]
    assert str(session.anomalies[2]) == "event 5 (message.posted) after 8 in epoch e1"


def test_resume_keeps_the_position_until_the_replay() -> None:
    session = Session(code="c")
    welcomed(session, seq=3, token="t1")
    session.receive(Position(10))
    assert session.connection_lost(4001, "too slow") == Reconnect()
    assert session.connecting() == {
        "type": "hello",
        "v": 1,
        "token": "t1",
        "resume": {"epoch": "e1", "seq": 10},
    }
    assert session.receive(welcome(mode=Mode.RESUME, seq=14, token="t2")) is None
    assert session.position == ("e1", 10)
    assert session.token == "t2"
    assert session.receive(event(12)) == event(12)
    assert session.receive(Position(14)) is None
    assert session.position == ("e1", 14)
    assert (session.resets, session.reconnects, session.anomalies) == (0, 1, [])


def test_snapshot_after_a_resume_is_a_reset() -> None:
    session = Session(code="c")
    welcomed(session, seq=3)
    session.receive(event(5))
    session.connection_lost(1006, "")
    reset = welcomed(session, epoch="e2", seq=1, reason="epoch_changed")
    assert reset == Reset(SNAPSHOT, "epoch_changed", "e2", 1)
    assert session.position == ("e2", 1)
    assert (session.resets, session.reconnects) == (1, 1)
    assert session.receive(event(2)) == event(2)  # seqs of the new epoch from the snapshot on


def test_ahead_resets_the_position_backwards() -> None:
    session = Session(code="c", resume=("e1", 50))
    assert welcomed(session, seq=20, reason="ahead") == Reset(SNAPSHOT, "ahead", "e1", 20)
    assert session.position == ("e1", 20)
    assert session.resets == 1
    assert session.receive(event(21)) == event(21)


def test_resume_that_ends_before_the_offered_position_is_an_anomaly() -> None:
    session = Session(code="c", resume=("e1", 50))
    welcomed(session, mode=Mode.RESUME, seq=45)
    assert [a.kind for a in session.anomalies] == [AnomalyKind.RESUME_BEHIND]
    assert session.position == ("e1", 50)


@pytest.mark.parametrize(
    ("resume", "frame", "message"),
    [
        (None, welcome(mode=Mode.RESUME), "without resume"),
        (("e0", 4), welcome(mode=Mode.RESUME), "epoch 'e1', not 'e0'"),
        (None, event(1), "event frame before welcome"),
        (None, Position(1), "position frame before welcome"),
        (None, Reply("x", True, {}, None, None), "reply frame before welcome"),
    ],
)
def test_violations(resume: tuple[str, int] | None, frame: Any, message: str) -> None:
    session = Session(code="c", resume=resume)
    session.connecting()
    with pytest.raises(ProtocolViolation, match=message):
        session.receive(frame)


def test_second_welcome_on_one_connection_is_a_violation() -> None:
    session = Session(code="c")
    welcomed(session)
    with pytest.raises(ProtocolViolation, match="second welcome"):
        session.receive(welcome())


@pytest.mark.parametrize("code", [None, 1001, 1006, 1011, 1012, 1013, 4000, 4001, 4002, 4003, 4499])
def test_close_codes_that_reconnect(code: int | None) -> None:
    session = Session(code="c")
    welcomed(session)
    assert session.connection_lost(code, "") == Reconnect()
    assert not session.welcomed


@pytest.mark.parametrize("code", [4500, 4501, 4502, 4503, 4999])
def test_close_codes_that_are_terminal(code: int) -> None:
    session = Session(code="c")
    welcomed(session)
    assert session.receive(ErrorFrame("revoked", "gone")) is None
    decision = session.connection_lost(code, "bye")
    assert isinstance(decision, Stop)
    error = decision.error
    assert isinstance(error, TerminalError)
    assert (error.code, error.reason, error.error_code, error.error_message) == (
        code,
        "bye",
        "revoked",
        "gone",
    )


@pytest.mark.parametrize("code", [1000, 1002, 1005, 1009, 3000])
def test_other_close_codes_stop(code: int) -> None:
    session = Session(code="c")
    welcomed(session)
    decision = session.connection_lost(code, "")
    assert isinstance(decision, Stop)
    assert type(decision.error) is ConnectionClosed
    assert decision.error.code == code


def test_no_reconnect_when_disabled() -> None:
    session = Session(code="c", reconnect=False)
    welcomed(session)
    decision = session.connection_lost(4001, "too slow")
    assert isinstance(decision, Stop)
    assert type(decision.error) is ConnectionClosed
    assert decision.error.code == 4001


def test_refused_token_falls_back_to_the_code_once() -> None:
    session = Session(code="c")
    welcomed(session, seq=2, token="t1")
    session.connection_lost(4000, "")
    assert session.connecting()["token"] == "t1"
    assert session.connection_lost(4501, "") == Reconnect(immediately=True)
    assert session.connecting() == {
        "type": "hello",
        "v": 1,
        "code": "c",
        "resume": {"epoch": "e1", "seq": 2},
    }
    decision = session.connection_lost(4501, "")  # the code too: give up
    assert isinstance(decision, Stop)
    assert isinstance(decision.error, TerminalError)


def test_refused_token_without_a_code_is_terminal() -> None:
    session = Session(token="t")
    session.connecting()
    assert isinstance(session.connection_lost(4501, ""), Stop)
    session = Session(code="c", token="t")
    session.connecting()
    assert isinstance(session.connection_lost(4503, ""), Stop)  # revoked: the code is too


def test_the_catalogue_is_named_once_held_and_put_back_where_left_out() -> None:
    session = Session(code="c")
    assert "catalogue" not in session.connecting()
    rules = {"instruments": [{"id": "MLA"}]}
    session.receive(
        dataclasses.replace(welcome(), snapshot={"teams": [], "catalogue_tag": "c1-a", "catalogue": rules})
    )
    session.connection_lost(1006, "")
    assert session.connecting()["catalogue"] == "c1-a"
    reset = session.receive(
        dataclasses.replace(welcome(seq=5), snapshot={"teams": [], "catalogue_tag": "c1-a"})
    )
    assert isinstance(reset, Reset)
    assert reset.snapshot["catalogue"] is rules and session.snapshot == reset.snapshot
    # A snapshot of another catalogue (a changed scenario) carries it: held from then on.
    other: dict[str, Any] = {"instruments": []}
    session.connection_lost(1006, "")
    session.connecting()
    session.receive(
        dataclasses.replace(
            welcome(seq=9), snapshot={"teams": [], "catalogue_tag": "c1-b", "catalogue": other}
        )
    )
    session.connection_lost(1006, "")
    assert session.connecting()["catalogue"] == "c1-b"
    # A snapshot without one it does not hold stays as it came (the `catalogue` command reads it).
    bare = session.receive(
        dataclasses.replace(welcome(seq=12), snapshot={"teams": [], "catalogue_tag": "c1-z"})
    )
    assert isinstance(bare, Reset) and "catalogue" not in bare.snapshot
