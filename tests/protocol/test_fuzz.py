"""Hypothesis against the protocol's inputs: whatever arrives, only the documented errors leave.

- `decode` turns any bytes or text into a map or a `FrameError`, nothing else.
- `decode(encode(x)) == x` for every JSON-like map within the depth limit, in both subprotocols.
- `parse_hello` / `parse_command` answer any map with their value, `ProtocolError` or `BadCommand`.
- every command's `build` answers any args with a core command or an `ArgumentError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core import commands as c
from server.protocol.codec import MAX_DEPTH, FrameError, Subprotocol, decode, encode
from server.protocol.commands import COMMANDS, ArgumentError, NewCode
from server.protocol.messages import (
    BadCommand,
    CommandFrame,
    Hello,
    ProtocolError,
    parse_command,
    parse_hello,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
SCALARS = st.none() | st.booleans() | INT64 | st.floats(allow_nan=False, allow_infinity=False) | st.text()
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def wrapped(leaf: Any, shells: list[tuple[bool, str]]) -> Any:
    """`leaf` inside one container per shell: a map under the key when the flag is set, else a list."""
    for is_map, key in shells:
        leaf = {key: leaf} if is_map else [leaf]
    return leaf


DEEP_FRAMES = st.builds(  # narrow but deep, to straddle MAX_DEPTH
    lambda leaf, shells, key: {key: wrapped(leaf, shells)},
    JSON_VALUES,
    st.lists(st.tuples(st.booleans(), st.text(max_size=2)), max_size=MAX_DEPTH + 4),
    st.text(max_size=2),
)


def depth(value: Any) -> int:
    """Reference depth: every level counts, the innermost value included ({"a": 1} is 2 deep)."""
    if isinstance(value, dict):
        return 1 + max((depth(child) for child in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(child) for child in value), default=0)
    return 1


def mutated(data: bytes, position: int, junk: bytes, cut: int) -> bytes:
    """Valid bytes with junk spliced in at `position` and the tail cut by `cut`."""
    position %= len(data) + 1
    spliced = data[:position] + junk + data[position:]
    return spliced[: max(0, len(spliced) - cut)]


MSGPACK_LIKE = st.binary(max_size=200) | st.builds(
    mutated,
    st.builds(
        lambda v: msgpack.packb(v, use_bin_type=True), st.dictionaries(st.text(max_size=8), JSON_VALUES)
    ),
    st.integers(min_value=0),
    st.binary(max_size=4),
    st.integers(min_value=0, max_value=3),
)
JSON_TOKENS = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        '"',
        ":",
        ",",
        '"a"',
        "1",
        "-1.5e3",
        "true",
        "null",
        "NaN",
        "Infinity",
        "\\ud800",
        '"\\ud800"',
        '"\\udc00"',
        '"\\ud83d\\ude00"',
        '"\\u00e9"',
        '"type"',
        '"hello"',
        " ",
        "\\",
        "1e999",
    ]
)
JSON_LIKE = (
    st.text(max_size=200)
    | st.lists(JSON_TOKENS, max_size=40).map("".join)
    | st.builds(
        lambda v, pos, junk: (lambda t: t[: pos % (len(t) + 1)] + junk + t[pos % (len(t) + 1) :])(
            json.dumps(v)
        ),
        st.dictionaries(st.text(max_size=8), JSON_VALUES),
        st.integers(min_value=0),
        JSON_TOKENS,
    )
)


def attempt(call: Callable[[], Any], *allowed: type[Exception]) -> tuple[Any, Exception | None]:
    """The call's value and None, or None and the error when it raised one of `allowed`."""
    try:
        return call(), None
    except allowed as error:
        return None, error


def check_decoded(value: Any) -> None:
    assert isinstance(value, dict)
    assert depth(value) <= MAX_DEPTH


@FUZZ
@given(MSGPACK_LIKE)
def test_msgpack_decode_gives_a_map_or_frame_error(data: bytes) -> None:
    try:
        value = decode(Subprotocol.MSGPACK, data)
    except FrameError:
        return
    check_decoded(value)


@FUZZ
@given(JSON_LIKE)
def test_json_decode_gives_an_encodable_map_or_frame_error(data: str) -> None:
    try:
        value = decode(Subprotocol.JSON, data)
    except FrameError:
        return
    check_decoded(value)
    encode(Subprotocol.MSGPACK, value)  # a decoded frame can always be sent on (no lone surrogates)


@FUZZ
@given(st.binary(max_size=50) | st.text(max_size=50), st.sampled_from(Subprotocol))
def test_decode_of_either_frame_type_on_either_subprotocol(
    data: bytes | str, subprotocol: Subprotocol
) -> None:
    try:
        value = decode(subprotocol, data)
    except FrameError:
        return
    check_decoded(value)


@FUZZ
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES) | DEEP_FRAMES)
def test_round_trip_within_the_depth_limit(frame: dict[str, Any]) -> None:
    for subprotocol in Subprotocol:
        data = encode(subprotocol, frame)
        assert isinstance(data, bytes) is subprotocol.binary
        if depth(frame) <= MAX_DEPTH:
            assert decode(subprotocol, data) == frame
        else:
            with pytest.raises(FrameError, match="nests deeper"):
                decode(subprotocol, data)


FRAME_KEYS = st.sampled_from(["type", "v", "code", "token", "resume", "id", "name", "args"]) | st.text(
    max_size=6
)
FRAME_VALUES = (
    st.sampled_from(["hello", "cmd", "clock.speed", "x" * 65, "", "e1"])
    | st.integers(min_value=-2, max_value=2)
    | st.fixed_dictionaries(
        {}, optional={"epoch": SCALARS, "seq": SCALARS | st.integers(-3, 3), "z": SCALARS}
    )
    | JSON_VALUES
)
FRAMES = st.dictionaries(FRAME_KEYS, FRAME_VALUES, max_size=6)


@FUZZ
@given(FRAMES)
def test_parse_hello_gives_a_hello_or_protocol_error(frame: dict[str, Any]) -> None:
    hello, error = attempt(lambda: parse_hello(frame), ProtocolError)
    if isinstance(error, ProtocolError):
        assert error.close_code in (4500, 4502)
        return
    assert isinstance(hello, Hello)
    assert (hello.code is None) != (hello.token is None)


@FUZZ
@given(FRAMES | FRAMES.map(lambda f: {**f, "type": "cmd", "id": "fuzz"}))
def test_parse_command_gives_a_command_protocol_error_or_bad_command(frame: dict[str, Any]) -> None:
    command, error = attempt(lambda: parse_command(frame), ProtocolError, BadCommand)
    if isinstance(error, ProtocolError):
        assert error.close_code == 4500
        return
    if isinstance(error, BadCommand):
        assert error.command_id == frame["id"]
        return
    assert isinstance(command, CommandFrame)
    assert isinstance(command.args, dict)


ARG_KEYS = st.sampled_from(
    ["speed", "to", "name", "team", "role", "participant", "text", "audience"]
) | st.text(max_size=6)
ARG_VALUES = (
    JSON_VALUES
    | st.integers()
    | st.sampled_from([10**400, -(10**400), "D" + "9" * 400 + " 08:30", "D1 99:99", "D0 00:00"])  # edges
    | st.binary(max_size=4)
    | st.from_regex(r"\AD[0-9]{1,400}[ T][0-9]{1,2}:[0-9]{2}\Z")
    | st.fixed_dictionaries(
        {},
        optional={
            "everyone": SCALARS,
            "teams": JSON_VALUES,
            "roles": st.lists(st.text(max_size=3)),
            "participants": JSON_VALUES,
        },
    )
)
CODE = NewCode(code="ABCD-EFGH-JKLM", hash="h-fuzz")


ARGS = st.dictionaries(ARG_KEYS, ARG_VALUES, max_size=3) | st.fixed_dictionaries(
    {},
    optional={
        key: ARG_VALUES for key in ["speed", "to", "name", "team", "role", "participant", "text", "audience"]
    },
)


@pytest.mark.parametrize("name", sorted(COMMANDS))
@settings(max_examples=40, deadline=None)
@given(args=ARGS)
def test_build_gives_a_command_or_argument_error(name: str, args: dict[str, Any]) -> None:
    command, error = attempt(lambda: COMMANDS[name].build(args, CODE), ArgumentError)
    if error is not None:
        assert str(error).startswith("args.")
        return
    assert isinstance(command, c.Command)
