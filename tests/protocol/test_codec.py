"""The codec: frames in, maps or `FrameError` out, for both subprotocols."""

from __future__ import annotations

import json
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.protocol.codec import MAX_DEPTH, FrameError, Subprotocol, choose, decode, encode

MSGPACK, JSON = Subprotocol.MSGPACK, Subprotocol.JSON

FRAME: dict[str, Any] = {
    "type": "cmd",
    "id": "c-1",
    "name": "announcement.make",
    "args": {"audience": {"everyone": True, "teams": ["t1", "t2"]}, "text": "héllo ✓", "n": 1.5},
    "seq": None,
}


def nested(levels: int, innermost: dict[str, Any] | None = None) -> dict[str, Any]:
    """`levels` maps inside each other: {"a": {"a": ... innermost}}, innermost {} by default."""
    frame: dict[str, Any] = innermost or {}
    for _ in range(levels - 1):
        frame = {"a": frame}
    return frame


def test_subprotocol_names_and_frame_kinds() -> None:
    assert MSGPACK == "liaison.v1.msgpack" and MSGPACK.binary
    assert JSON == "liaison.v1.json" and not JSON.binary


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["liaison.v1.msgpack", "liaison.v1.json"], MSGPACK),
        (["liaison.v1.json", "liaison.v1.msgpack"], JSON),
        (["chat", "liaison.v1.json"], JSON),
        (["liaison.v2.msgpack", "chat"], None),
        ([], None),
    ],
)
def test_choose_takes_the_first_known_subprotocol_in_client_order(
    offered: list[str], chosen: Subprotocol | None
) -> None:
    assert choose(offered) is chosen


def test_msgpack_frames_are_binary_and_round_trip() -> None:
    data = encode(MSGPACK, FRAME)
    assert isinstance(data, bytes)
    assert msgpack.unpackb(data) == FRAME
    assert decode(MSGPACK, data) == FRAME


def test_json_frames_are_compact_utf8_text_and_round_trip() -> None:
    data = encode(JSON, FRAME)
    assert isinstance(data, str)
    assert " " not in data.replace("héllo ✓", "")
    assert "héllo ✓" in data  # not \u-escaped
    assert json.loads(data) == FRAME
    assert decode(JSON, data) == FRAME


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_frames_with_nan_or_infinity_are_refused(token: str) -> None:
    with pytest.raises(FrameError, match="not valid JSON"):
        decode(JSON, f'{{"type": "cmd", "id": "c1", "name": "clock.speed", "args": {{"speed": {token}}}}}')


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_msgpack_frames_with_a_number_that_is_not_finite_are_refused(number: float) -> None:
    data = msgpack.packb({"type": "cmd", "args": {"speed": number, "list": [1.5]}})
    with pytest.raises(FrameError, match="not finite"):
        decode(MSGPACK, data)
    assert decode(MSGPACK, msgpack.packb({"speed": 1.5, "n": [2.0]})) == {"speed": 1.5, "n": [2.0]}


def test_json_refuses_to_encode_nan() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        encode(JSON, {"x": float("nan")})


@pytest.mark.parametrize(
    ("subprotocol", "data", "message"),
    [
        (MSGPACK, '{"type": "hello"}', "liaison.v1.msgpack takes binary frames"),
        (JSON, b'{"type": "hello"}', "liaison.v1.json takes text frames"),
    ],
)
def test_wrong_frame_type_for_the_subprotocol(subprotocol: Subprotocol, data: Any, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        decode(subprotocol, data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xc1", "not valid msgpack: FormatError"),  # 0xc1 is never used
        (b"\x81\xa4type", "not valid msgpack: ValueError"),  # truncated map
        (msgpack.packb({"a": 1}) + b"\x00", "not valid msgpack: ExtraData"),
        (msgpack.packb({1: "integer key"}), "not valid msgpack: ValueError"),
        (b"\xa2\xff\xfe", "not valid msgpack: UnicodeDecodeError"),  # str that is not UTF-8
        (b"\x91" * 2000 + b"\x80", "not valid msgpack: StackError"),
        (b"", "not valid msgpack: ValueError"),
    ],
)
def test_invalid_msgpack(data: bytes, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        decode(MSGPACK, data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not valid JSON: JSONDecodeError"),
        ("", "not valid JSON: JSONDecodeError"),
        ('{"a": 1} {}', "not valid JSON: JSONDecodeError"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: RecursionError"),
        ('{"text": "\\ud800"}', "lone surrogate"),
        ('{"\\uDFFF": 1}', "lone surrogate"),
        ('{"a": ["x", {"b": "\\udc00z"}]}', "lone surrogate"),
    ],
)
def test_invalid_json(data: str, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        decode(JSON, data)


def test_json_surrogate_pairs_are_fine() -> None:
    assert decode(JSON, '{"text": "\\ud83d\\ude00", "u": "\\u00e9"}') == {"text": "😀", "u": "é"}


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ([1, 2], "a list"),
        ("x", "a string"),
        (3, "a number"),
        (2.5, "a number"),
        (None, "NoneType"),
        (True, "bool"),
    ],
)
@pytest.mark.parametrize("subprotocol", [MSGPACK, JSON])
def test_a_frame_is_a_map(subprotocol: Subprotocol, value: Any, kind: str) -> None:
    data = msgpack.packb(value) if subprotocol.binary else json.dumps(value)
    with pytest.raises(FrameError, match=f"a frame is a map, not {kind}$"):
        decode(subprotocol, data)


def test_msgpack_bytes_is_not_a_map() -> None:
    with pytest.raises(FrameError, match="not bytes"):
        decode(MSGPACK, msgpack.packb(b"raw", use_bin_type=True))


@pytest.mark.parametrize("subprotocol", [MSGPACK, JSON])
def test_depth_limit(subprotocol: Subprotocol) -> None:
    # MAX_DEPTH counts every level, the innermost value included: {"a": 1} is 2 deep.
    for deepest in (nested(MAX_DEPTH), nested(MAX_DEPTH - 1, {"x": 1})):
        assert decode(subprotocol, encode(subprotocol, deepest)) == deepest
    for too_deep in (nested(MAX_DEPTH + 1), nested(MAX_DEPTH, {"x": 1}), nested(500)):
        with pytest.raises(FrameError, match=f"a frame nests deeper than {MAX_DEPTH} levels"):
            decode(subprotocol, encode(subprotocol, too_deep))


def test_depth_counts_lists_and_scalars() -> None:
    lists: Any = "leaf"
    for _ in range(MAX_DEPTH - 1):
        lists = [lists]
    assert decode(JSON, json.dumps({"l": lists[0]})) == {"l": lists[0]}
    with pytest.raises(FrameError, match="nests deeper"):
        decode(JSON, json.dumps({"l": lists}))


def test_wide_frames_are_not_deep() -> None:
    wide = {str(i): [{"x": i}] * 50 for i in range(200)}
    assert decode(MSGPACK, encode(MSGPACK, wide)) == wide


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**30])
def test_json_integers_beyond_64_bits_are_refused(number: int) -> None:
    """MessagePack cannot carry them, and the server stores and sends on what it decodes."""
    with pytest.raises(FrameError, match="out of range"):
        decode(Subprotocol.JSON, json.dumps({"type": "cmd", "args": {"about": [number]}}))


def test_json_integers_within_64_bits_and_long_strings_of_digits_are_fine() -> None:
    frame = {"a": 2**64 - 1, "b": -(2**63), "c": "1" * 40, "d": {"e": 1.5e300}}
    assert decode(Subprotocol.JSON, json.dumps(frame)) == frame
    encode(Subprotocol.MSGPACK, frame)


def _reference_depth(value: Any) -> int:
    """Every level counts, the innermost value included; an empty map or list is one level."""
    children = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else None
    if children is None or not children:
        return 1
    return 1 + max(_reference_depth(child) for child in children)


_values = st.recursive(
    st.none() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3),
    max_leaves=30,
)


@given(st.dictionaries(st.text(max_size=2), _values, max_size=4))
@settings(max_examples=300, deadline=None)
def test_a_frame_is_refused_exactly_when_it_nests_deeper_than_the_limit(frame: dict[str, Any]) -> None:
    """The stack walk that skips leaves agrees with the plain recursive count."""
    for wrapped in (frame, nested(MAX_DEPTH - 3, {"x": frame})):
        data = msgpack.packb(wrapped)
        if _reference_depth(wrapped) > MAX_DEPTH:
            with pytest.raises(FrameError, match="nests deeper"):
                decode(Subprotocol.MSGPACK, data)
        else:
            assert decode(Subprotocol.MSGPACK, data) == wrapped
