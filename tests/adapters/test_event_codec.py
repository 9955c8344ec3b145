"""Events in the log: msgspec writes them, and logs written before (msgpack + `to_data`) stay
readable, event for event, through the flagship's play-through."""

from __future__ import annotations

import msgpack
import pytest

from server.adapters.store import decode_event, encode_event
from server.core.events import to_data
from tests.core.test_snapshots import played


def test_every_event_round_trips() -> None:
    for event in played():
        assert decode_event(encode_event(event)) == event


def test_logs_stored_before_msgspec_read_the_same() -> None:
    for event in played():
        old = msgpack.packb({"k": event.kind, "d": to_data(event)}, use_bin_type=True)
        assert decode_event(old) == event


def test_an_unknown_kind_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        decode_event(msgpack.packb({"k": "no.such", "d": {}}))
