"""The light generators' frame reader: only what the oracle needs, the rest skipped."""

from __future__ import annotations

import msgpack

import loadtest.oracle
import tests.e2e.log
from loadtest.wire import decode, peek


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
