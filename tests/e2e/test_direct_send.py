"""Events go straight to an idle connection's socket; a slow one falls back to its queue."""

from __future__ import annotations

import json

from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire
from tests.support import wait_until


async def test_the_server_writes_frames_straight_to_the_socket_in_order(server: ServerProcess) -> None:
    """Fails if uvicorn no longer lets `server.adapters.direct_send` reach its protocol (the
    connections would then silently send every frame through their writer task)."""
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    watcher = await Wire.join(server.ws_url, code_of(created, "Nils Berg"), binary=False)
    for i in range(30):
        await director.ok("announcement.make", audience={"everyone": True}, text=f"note {i}")
    await watcher.drain()
    texts = [e["data"]["text"] for e in watcher.events() if e["kind"] == "announcement.made"]
    assert texts == [f"note {i}" for i in range(30)]
    await watcher.close()

    def closed_lines() -> list[dict[str, object]]:
        return [json.loads(line) for line in server.log().splitlines() if '"connection.closed"' in line]

    await wait_until(lambda: bool(closed_lines()), message="no connection.closed line in the server log")
    (line,) = closed_lines()
    assert isinstance(line["frames_out"], int) and isinstance(line["frames_direct"], int)
    assert line["frames_out"] >= 31  # the welcome and the 30 announcements at least
    assert line["frames_direct"] >= 30


async def test_a_burst_of_commands_on_one_connection_is_answered_once_each_in_order(
    server: ServerProcess,
) -> None:
    """`server.adapters.read_ahead` lets 8 messages wait unread before it stops reading the
    socket, and reads again once they are taken: a burst of 60 frames written at once loses
    none, answers each once, in order, and the connection goes on afterwards."""
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    ids = [f"burst-{i}" for i in range(60)]
    for i, command_id in enumerate(ids):
        if i % 12 == 0:
            args = {"audience": {"everyone": True}, "text": f"burst {i}"}
            await director.send({"type": "cmd", "id": command_id, "name": "announcement.make", "args": args})
        else:
            await director.send({"type": "cmd", "id": command_id, "name": "ping", "args": {}})
    replies = []
    while len(replies) < len(ids):
        frame = await director.recv()
        if frame["type"] == "reply":
            replies.append(frame)
    assert [reply["id"] for reply in replies] == ids
    assert all(reply["ok"] for reply in replies), [r for r in replies if not r["ok"]]
    assert (await director.ok("announcement.make", audience={"everyone": True}, text="after"))["seq"]
    await director.close()
