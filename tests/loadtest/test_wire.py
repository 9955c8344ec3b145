"""The light generators' frame reader: only what the oracle needs, the rest skipped."""

from __future__ import annotations

import asyncio

import msgpack

import loadtest.oracle
import tests.e2e.log
from loadtest.wire import Wire, decode, peek, peek_data


def test_a_large_event_is_peeked_without_its_data() -> None:
    frame = {"type": "event", "seq": 41, "at": 1.5, "kind": "message.posted", "data": {"text": "x" * 1000}}
    raw = msgpack.packb(frame, use_bin_type=True)
    assert peek(raw) == {"type": "event", "seq": 41, "at": 1.5, "kind": "message.posted"}
    assert decode(raw) == frame


def test_a_small_frame_is_decoded_whole() -> None:
    frame = {"type": "event", "seq": 2, "at": 1.5, "kind": "message.posted", "data": {"text": "hi"}}
    assert peek(msgpack.packb(frame, use_bin_type=True)) == frame


def test_a_reply_is_peeked_for_its_id_outcome_and_seq() -> None:
    big = {"request": "R-1", "fields": ["x" * 600]}
    ok = peek(msgpack.packb({"type": "reply", "id": "c-1", "ok": True, "result": big, "seq": 7}))
    assert ok == {"type": "reply", "id": "c-1", "ok": True, "seq": 7}
    failed = peek(msgpack.packb({"type": "reply", "id": "c-3", "ok": False, "error": {"code": "forbidden"}}))
    assert (failed["ok"], failed.get("seq")) == (False, None)


def test_the_end_to_end_suite_and_the_load_test_share_one_oracle() -> None:
    assert tests.e2e.log.visible_seqs is loadtest.oracle.visible_seqs
    assert tests.e2e.log.read_log is loadtest.oracle.read_events
    assert tests.e2e.log.assert_contiguous is loadtest.oracle.assert_contiguous


def server_frame(payload: bytes, opcode: int = 0x2, fin: bool = True) -> bytes:
    """An unmasked frame as a server sends it (RFC 6455 §5.2)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    size = len(payload)
    if size < 126:
        return head + bytes([size]) + payload
    if size < 2**16:
        return head + bytes([126]) + size.to_bytes(2, "big") + payload
    return head + bytes([127]) + size.to_bytes(8, "big") + payload


def test_the_direct_parser_takes_frames_however_the_bytes_arrive() -> None:
    wire = Wire("ws://127.0.0.1:1/ws", code="X")
    wire._raw = True  # as after the handshake
    got: list[bytes] = []
    wire.listen(got.append)
    small, medium, large = b"a" * 10, b"b" * 300, b"c" * 70_000
    stream = (
        server_frame(small)
        + server_frame(medium)
        + server_frame(large[:100], fin=False)
        + server_frame(large[100:], opcode=0x0)
        + server_frame(b"ignored text", opcode=0x1)
    )
    for start in range(0, len(stream), 7):  # in 7-byte pieces
        wire.received(stream[start : start + 7])
    assert got == [small, medium, large]
    assert not wire._buffer


def test_after_the_welcome_whole_messages_go_straight_to_the_listener_in_one_pass() -> None:
    loop = asyncio.new_event_loop()
    try:
        wire = Wire("ws://127.0.0.1:1/ws", code="X")
        wire._raw = True
        welcomed: asyncio.Future[bytes] = loop.create_future()
        welcomed.set_result(b"the welcome")
        wire._first = welcomed  # as once the welcome is in: the direct path
        got: list[bytes] = []
        wire.listen(got.append)
        frames = [b"e%d" % n * (n + 1) for n in range(50)] + [b"z" * 200]
        stream = b"".join(server_frame(f) for f in frames) + server_frame(b"big" * 30_000, fin=False)
        stream += server_frame(b"end", opcode=0x0)
        wire.received(stream[:-3])  # many frames in one read, the last one cut
        assert got == frames and wire._buffer
        wire.received(stream[-3:])
        assert got == [*frames, b"big" * 30_000 + b"end"]
        assert not wire._buffer and not wire._fragments
    finally:
        loop.close()


def test_a_players_keys_are_read_from_a_large_events_data_and_the_rest_skipped() -> None:
    data = {"inject": "I-7", "text": "x" * 2000, "attachments": [{"name": "a.pdf"}], "by": "p-1"}
    frame = {"type": "event", "seq": 9, "at": 1.5, "kind": "inject.released", "data": data}
    raw = msgpack.packb(frame, use_bin_type=True)
    assert peek_data(raw, frozenset({"inject", "by", "request"})) == {"inject": "I-7", "by": "p-1"}
    assert peek_data(msgpack.packb({"type": "event", "data": [1, 2]}), frozenset({"inject"})) == {}
    assert peek_data(msgpack.packb({"type": "position", "seq": 3}), frozenset({"inject"})) == {}
