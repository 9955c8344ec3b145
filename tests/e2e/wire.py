"""A raw protocol-v1 peer for tests that check frames and close codes exactly.

Most tests use the SDK (`clients.sdk`); this one sends whatever bytes a test wants and
records every frame and the close code, so it can also misbehave on purpose.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import msgpack
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

_ids = itertools.count(1)


class Wire:
    opened: set[Wire] = set()
    """Wires not closed yet: the `close_wires` fixture closes what a failing test left open."""

    def __init__(self, ws: ClientConnection, binary: bool) -> None:
        Wire.opened.add(self)
        self.ws = ws
        self.binary = binary
        self.frames: list[dict[str, Any]] = []
        self.welcome: dict[str, Any] | None = None
        self.base = 0

    @classmethod
    async def open(cls, url: str, *, binary: bool = True, **kwargs: Any) -> Wire:
        protocol = "liaison.v1.msgpack" if binary else "liaison.v1.json"
        # max_queue unbounded: tests read frames only when they care
        options = {"max_queue": None, "close_timeout": 2, **kwargs}
        ws = await connect(url, subprotocols=[protocol], max_size=None, **options)  # type: ignore[list-item]
        return cls(ws, binary)

    @classmethod
    async def join(
        cls, url: str, code: str, *, binary: bool = True, resume: dict[str, Any] | None = None
    ) -> Wire:
        wire = await cls.open(url, binary=binary)
        await wire.hello(code=code, resume=resume)
        return wire

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(msgpack.packb(frame) if self.binary else json.dumps(frame))

    async def hello(
        self,
        *,
        code: str | None = None,
        token: str | None = None,
        resume: Any = None,
        catalogue: str | None = None,
    ) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "hello", "v": 1}
        if catalogue is not None:
            frame["catalogue"] = catalogue
        if code is not None:
            frame["code"] = code
        if token is not None:
            frame["token"] = token
        if resume is not None:
            frame["resume"] = resume
        await self.send(frame)
        self.welcome = await self.next("welcome")
        self.base = self.welcome["seq"] if self.welcome["mode"] == "snapshot" else resume["seq"]
        return self.welcome

    async def recv(self, timeout: float = 10.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            data = await self.ws.recv()
        frame: dict[str, Any] = msgpack.unpackb(data) if isinstance(data, bytes) else json.loads(data)
        self.frames.append(frame)
        return frame

    async def next(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == kind:
                return frame

    async def command(
        self, name: str, timeout: float = 10.0, id: str | None = None, **args: Any
    ) -> dict[str, Any]:
        command_id = id or f"c{next(_ids)}"
        await self.send({"type": "cmd", "id": command_id, "name": name, "args": args})
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == "reply" and frame["id"] == command_id:
                return frame

    async def ok(self, name: str, **args: Any) -> dict[str, Any]:
        reply = await self.command(name, **args)
        assert reply["ok"], reply
        return reply

    async def drain(self, quiet: float = 0.3) -> list[dict[str, Any]]:
        """Read until nothing arrives for `quiet` seconds."""
        got = []
        try:
            while True:
                got.append(await self.recv(quiet))
        except TimeoutError:
            return got

    async def closed(self, timeout: float = 10.0) -> tuple[int | None, list[dict[str, Any]]]:
        """Read until the server closes; the close code and the frames before it."""
        got = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    got.append(await self.recv(timeout))
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            return code, got

    def events(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == "event"]

    def position(self) -> dict[str, Any]:
        """The resume position the frames received so far prove."""
        assert self.welcome is not None
        seq = self.base
        for frame in self.frames:
            if frame["type"] in ("event", "position"):
                seq = max(seq, frame["seq"])
        return {"epoch": self.welcome["epoch"], "seq": seq}

    async def close(self) -> None:
        Wire.opened.discard(self)
        await self.ws.close()
