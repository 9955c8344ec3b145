"""A scripted Liaison protocol peer: a WebSocket server whose every frame the test decides.

It is not the Liaison server nor a model of it: it speaks the frames of docs/protocol.md, encoded
here independently of the SDK, and does exactly what the test tells it, so that the tests can
check the SDK's side of the contract (what it sends, how it reacts to what it receives).
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

import msgpack
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from clients.sdk import Client

SUBPROTOCOLS = [Subprotocol("liaison.v1.msgpack"), Subprotocol("liaison.v1.json")]
STEP = 5.0
"""Deadline of one step of a script (seconds)."""


def snapshot(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "exercise": {"id": "ex1", "title": "Twin ports", "status": "running"},
        "teams": [{"id": "nl", "name": "Netherlands", "country": "NL"}],
        "roles": [{"id": "analyst", "name": "Analyst"}],
        "participants": [],
        "feed": [],
    }
    return base | fields


class PeerConnection:
    """One accepted connection, driven by the test."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.subprotocol = ws.subprotocol

    async def receive(self) -> dict[str, Any]:
        async with asyncio.timeout(STEP):
            data = await self.ws.recv()
        if self.subprotocol == "liaison.v1.msgpack":
            assert isinstance(data, bytes), "msgpack frames are binary"
            frame = msgpack.unpackb(data, raw=False)
        else:
            assert isinstance(data, str), "json frames are text"
            frame = json.loads(data)
        assert isinstance(frame, dict)
        return frame

    async def hello(self) -> dict[str, Any]:
        frame = await self.receive()
        assert frame["type"] == "hello", frame
        return frame

    async def command(self) -> dict[str, Any]:
        frame = await self.receive()
        assert frame["type"] == "cmd", frame
        return frame

    async def send(self, frame: dict[str, Any]) -> None:
        if self.subprotocol == "liaison.v1.msgpack":
            await self.ws.send(msgpack.packb(frame, use_bin_type=True))
        else:
            await self.ws.send(json.dumps(frame))

    async def welcome(
        self,
        *,
        epoch: str = "e1",
        seq: int = 0,
        mode: str = "snapshot",
        reason: str | None = None,
        token: str = "tok-1",
        state: dict[str, Any] | None = None,
    ) -> None:
        frame: dict[str, Any] = {
            "type": "welcome",
            "v": 1,
            "me": {"participant": "p1", "name": "Ann", "team": "nl", "role": "analyst", "staff": False},
            "exercise": "ex1",
            "token": token,
            "epoch": epoch,
            "seq": seq,
            "mode": mode,
            "reason": reason or ("new" if mode == "snapshot" else "resumed"),
            "server": {"instance": "peer", "time": 1_700_000_000.5},
        }
        if mode == "snapshot":
            frame["snapshot"] = state if state is not None else snapshot()
        await self.send(frame)

    async def event(self, seq: int, kind: str = "message.posted", **data: Any) -> None:
        data = data or {"author": "p2", "team": "nl", "text": f"message {seq}"}
        await self.send({"type": "event", "seq": seq, "at": 1_700_000_000 + seq, "kind": kind, "data": data})

    async def position(self, seq: int) -> None:
        await self.send({"type": "position", "seq": seq})

    async def reply(self, id: str, result: dict[str, Any] | None = None, seq: int | None = None) -> None:
        await self.send({"type": "reply", "id": id, "ok": True, "result": result or {}, "seq": seq})

    async def refuse(self, id: str, code: str, message: str = "refused") -> None:
        await self.send({"type": "reply", "id": id, "ok": False, "error": {"code": code, "message": message}})

    async def error(self, code: str, message: str = "") -> None:
        await self.send({"type": "error", "code": code, "message": message})

    async def close(self, code: int, reason: str = "") -> None:
        await self.ws.close(code, reason)

    def drop(self) -> None:
        """Lose the connection without a close frame (the client sees 1006)."""
        self.ws.transport.abort()

    async def closed_with(self) -> int | None:
        """The close code the client sent, once the connection is closed."""
        async with asyncio.timeout(STEP):
            await self.ws.wait_closed()
        return self.ws.close_code


class Peer:
    """A server on 127.0.0.1 that hands each accepted connection to the test."""

    def __init__(self) -> None:
        self.port = 0
        self._server: Server | None = None
        self._accepted: asyncio.Queue[PeerConnection] = asyncio.Queue()
        self.refuse_status: int | None = None
        """When set, upgrade requests are answered with this HTTP status."""
        self.requests = 0
        """Upgrade requests received."""
        self._requested = asyncio.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            self.port,
            subprotocols=SUBPROTOCOLS,
            process_request=self._process_request,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and close every connection (with 1001, going away)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def accept(self) -> PeerConnection:
        async with asyncio.timeout(STEP):
            return await self._accepted.get()

    async def wait_requests(self, count: int) -> None:
        """Wait until `count` upgrade requests have been received."""
        async with asyncio.timeout(STEP):
            while self.requests < count:
                requested = self._requested
                await requested.wait()

    @property
    def waiting(self) -> int:
        """Accepted connections not yet taken by `accept()`."""
        return self._accepted.qsize()

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests += 1
        self._requested.set()
        self._requested = asyncio.Event()
        if self.refuse_status is not None:
            return connection.respond(HTTPStatus(self.refuse_status), "refused\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        await self._accepted.put(PeerConnection(ws))
        await ws.wait_closed()


async def opened(client: Client, peer: Peer, **welcome: Any) -> tuple[PeerConnection, dict[str, Any]]:
    """Open `client`: the peer takes the connection, reads the hello and sends a welcome."""
    opening = asyncio.create_task(client.open(), name="test-open")
    connection = await peer.accept()
    hello = await connection.hello()
    await connection.welcome(**welcome)
    async with asyncio.timeout(5):
        await opening
    return connection, hello
