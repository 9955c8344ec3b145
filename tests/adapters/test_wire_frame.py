"""`wire_frame` serialises an event once for every connection: its bytes must be what websockets
itself writes for a server's unmasked frame, for each length encoding and both opcodes."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from server.adapters.direct_send import wire_frame


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
@pytest.mark.parametrize("binary", [True, False])
def test_wire_frame_is_what_websockets_writes(length: int, binary: bool) -> None:
    data = bytes(i % 251 for i in range(length))
    text = "é" * (length // 2)
    frame: bytes | str = data if binary else text
    payload = data if binary else text.encode()
    expected = Frame(Opcode.BINARY if binary else Opcode.TEXT, payload).serialize(mask=False)
    assert wire_frame(frame, binary) == expected
