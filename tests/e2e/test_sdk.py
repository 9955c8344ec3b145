"""The Python SDK against real instances: reconnect, exact resume and exactly-once commands
through a server restart and an instance switch behind one URL-less client."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import pytest

from clients.sdk import Client, CommandError, Event, Reset
from tests.e2e.log import read_log, viewer_of, visible_seqs
from tests.e2e.servers import ServerProcess, code_of


async def _collect(client: Client, into: list[Event | Reset]) -> None:
    async for item in client.events():
        into.append(item)


async def test_sdk_clients_survive_a_server_restart_with_no_loss_and_no_duplicate(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_url, "a")
    created = server.create_exercise()
    watcher = Client(server.ws_url, code=code_of(created, "Nils Berg"), subprotocol="json", backoff_max=0.5)
    writer = Client(server.ws_url, code=code_of(created, "Nora Lind"), backoff_max=0.5)
    seen: list[Event | Reset] = []
    async with watcher, writer:
        collecting = asyncio.create_task(_collect(watcher, seen))
        for i in range(20):
            await writer.command("message.post", text=f"before {i}")
        server.stop()
        pending = [asyncio.create_task(writer.command("message.post", text=f"during {i}")) for i in range(5)]
        await asyncio.sleep(0.3)  # the commands wait for the connection while the server is down
        server.start()
        await asyncio.wait_for(asyncio.gather(*pending), 30)
        for i in range(20):
            await writer.command("message.post", text=f"after {i}")
        log = await read_log(redis_url, created["exercise"])
        async with asyncio.timeout(15):
            while watcher.position[1] < log[-1].seq:
                await asyncio.sleep(0.05)
        collecting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await collecting
        assert watcher.reconnects >= 1 and writer.reconnects >= 1
        assert watcher.anomalies == [] and writer.anomalies == []
        assert watcher.resets == 0  # the restart was resumed exactly, never replaced by a snapshot
        welcome = watcher.welcome
        assert welcome is not None
    resets = [item for item in seen if isinstance(item, Reset)]
    assert len(resets) == 1  # only the first, "new"
    texts = [item.event.text for item in log if item.event.kind == "message.posted"]  # type: ignore[attr-defined]
    assert sorted(texts) == sorted(
        [f"before {i}" for i in range(20)]
        + [f"during {i}" for i in range(5)]
        + [f"after {i}" for i in range(20)]
    )
    got = [item.seq for item in seen if isinstance(item, Event)]
    viewer = viewer_of(
        log,
        {
            "me": {
                "participant": welcome.me.participant,
                "team": welcome.me.team,
                "role": welcome.me.role,
                "staff": welcome.me.staff,
            }
        },
    )
    assert got == visible_seqs(log, viewer, after=resets[0].seq, until=log[-1].seq)


async def test_the_sdk_drafts_edits_and_sends_requests_with_a_subject_and_pings(
    shared_server: ServerProcess,
) -> None:
    created = shared_server.create_exercise()
    director = Client(shared_server.ws_url, code=code_of(created, "Dana Director"))
    async with director, Client(shared_server.ws_url, code=code_of(created, "Sara Costa")) as sara:
        await director.command("exercise.ready")
        await director.command("exercise.start")
        assert abs(await sara.ping() - time.time()) < 60
        request = await sara.draft_request(
            "POLICE_MSG", "NOR", "SeaCrew", {"question": "Who owns the SeaCrew Agency?"}
        )
        await sara.update_request(
            request, {"question": "Who runs SeaCrew Agency in Nordhavn?"}, subject="SeaCrew"
        )
        with pytest.raises(CommandError) as refused:
            await sara.draft_request("POLICE_MSG", "NOR", "Empty", {}, send=True)
        assert refused.value.code == "invalid_args" and "field 'question': required" in refused.value.message
        await sara.command("request.send", request=request)
        log = await read_log(shared_server.redis_url, created["exercise"])
        drafted = [e.event for e in log if e.event.kind == "request.drafted"]
        assert len(drafted) == 1  # the refused draft-and-send left nothing behind
        sent = next(e.event for e in log if e.event.kind == "request.sent")
        assert sent.subject == "SeaCrew"  # type: ignore[attr-defined]
