"""Encoding and decoding of frames for the two subprotocols.

`liaison.v1.msgpack` uses binary frames, `liaison.v1.json` text frames. Both carry the same
maps. Decoding never raises anything but `FrameError`, whatever the bytes.
"""

from __future__ import annotations

import json
import math
import re
from enum import StrEnum
from typing import Any

import msgpack

MAX_DEPTH = 16
"""Deepest nesting of maps and lists accepted in a frame."""
INTEGERS = range(-(2**63), 2**64)
"""Integers a frame may hold: what MessagePack can carry (JSON has no limit of its own)."""
_LONG_NUMBER = re.compile(r"\d{19}")


class FrameError(ValueError):
    """A frame that is not a valid v1 frame; the message says why."""


class Subprotocol(StrEnum):
    MSGPACK = "liaison.v1.msgpack"
    JSON = "liaison.v1.json"

    @property
    def binary(self) -> bool:
        return self is Subprotocol.MSGPACK


def choose(offered: list[str]) -> Subprotocol | None:
    """The subprotocol to accept from the client's offer, in the client's order."""
    for name in offered:
        if name in (Subprotocol.MSGPACK, Subprotocol.JSON):
            return Subprotocol(name)
    return None


def encode(subprotocol: Subprotocol, frame: dict[str, Any]) -> bytes | str:
    if subprotocol is Subprotocol.MSGPACK:
        packed: bytes = msgpack.packb(frame, use_bin_type=True)
        return packed
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def decode(subprotocol: Subprotocol, data: bytes | str) -> dict[str, Any]:
    if subprotocol is Subprotocol.MSGPACK:
        if not isinstance(data, bytes):
            raise FrameError("liaison.v1.msgpack takes binary frames")
        try:
            value = msgpack.unpackb(data, raw=False, strict_map_key=True)
        except (
            ValueError,
            TypeError,
            msgpack.ExtraData,
            msgpack.FormatError,
            msgpack.StackError,
        ) as e:
            raise FrameError(f"not valid msgpack: {type(e).__name__}") from None
    else:
        if not isinstance(data, str):
            raise FrameError("liaison.v1.json takes text frames")
        try:
            value = json.loads(data, parse_constant=_no_constant)
        except (ValueError, RecursionError) as e:
            raise FrameError(f"not valid JSON: {type(e).__name__}") from None
    if not isinstance(value, dict):
        raise FrameError(f"a frame is a map, not {_kind(value)}")
    if _depth(value) > MAX_DEPTH:
        raise FrameError(f"a frame nests deeper than {MAX_DEPTH} levels")
    if isinstance(data, str) and ("\\ud" in data or "\\uD" in data) and not _encodable(value):
        raise FrameError("not valid JSON: a \\u escape makes a lone surrogate")
    if isinstance(data, bytes) and (b"\xca" in data or b"\xcb" in data) and not _finite(value):
        raise FrameError("a number is not finite: NaN and Infinity are not numbers in protocol v1")
    if isinstance(data, str) and _LONG_NUMBER.search(data) and not _integers_fit(value):
        raise FrameError("a number is out of range: integers must fit in 64 bits")
    return value


def _no_constant(name: str) -> Any:
    """JSON has no NaN or Infinity (RFC 8259 section 6); Python's decoder takes them unless told."""
    raise ValueError(f"{name} is not a JSON number")


def _finite(value: Any) -> bool:
    """Whether every float in `value` is finite (MessagePack can carry NaN; JSON clients could not
    be sent it). Without recursion, as `_depth`."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


def _integers_fit(value: Any) -> bool:
    """Whether every integer in `value` fits in MessagePack (the server stores and sends on
    what it decodes). Without recursion, as `_depth`."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and item not in INTEGERS:
            return False
    return True


def _encodable(value: Any) -> bool:
    """Whether every string in `value` is valid Unicode (JSON's \\ud800 escapes can break it)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _depth(value: Any) -> int:
    """Nesting depth, computed without recursion so hostile input cannot exhaust the stack. Only
    maps and lists go on the stack: a command's leaves (strings, numbers) cost a type check."""
    deepest = 1
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                return deepest
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif depth >= deepest:  # a leaf is a level too: {"a": 1} is 2 deep
                deepest = depth + 1
                if deepest > MAX_DEPTH:
                    return deepest
    return deepest


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
