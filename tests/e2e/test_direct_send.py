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
