"""A reconnect storm: a whole room connects at once (after a Wi-Fi outage, say), fresh and
resuming, while Redis is up. Nobody may be told that Redis is unavailable (issue 15)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from server.adapters.redis_server import RedisProcess
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire


def _room(size: int) -> list[dict[str, Any]]:
    teams, roles = ("NOR", "SUD"), ("police", "prosecutor", "social_worker")
    trainees = [
        {"name": f"Trainee {i:03}", "team": teams[i % 2], "role": roles[i // 2 % 3]} for i in range(size)
    ]
    return [{"name": "Dana Director", "team": None, "role": "director"}, *trainees]


async def _join(url: str, code: str, resume: dict[str, Any] | None) -> tuple[Wire | None, Any]:
    """The wire and its welcome, or None and what the server closed it with."""
    wire = await Wire.open(url, open_timeout=60)
    try:
        async with asyncio.timeout(60):
            return wire, await wire.hello(code=code, resume=resume)
    except ConnectionClosed as closed:
        errors = [f for f in wire.frames if f["type"] == "error"]
        await wire.close()
        return None, (closed.rcvd.code if closed.rcvd else None, errors)


async def _storm(
    url: str, codes: list[str], positions: list[dict[str, Any]] | None
) -> list[tuple[Wire | None, Any]]:
    return await asyncio.gather(
        *(_join(url, code, None if positions is None else positions[i]) for i, code in enumerate(codes))
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize("size", [100, 200])
async def test_a_reconnect_storm_is_served_fresh_and_resuming_while_redis_is_up(
    redis_process: RedisProcess, start_server: Callable[..., ServerProcess], size: int
) -> None:
    server = start_server(redis_process.url, f"storm{size}")
    created = server.create_exercise(roster=_room(size))
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    for i in range(300):  # a log of some hundred events to replay
        await director.send(
            {
                "type": "cmd",
                "id": f"a{i}",
                "name": "announcement.make",
                "args": {"audience": {"everyone": True}, "text": f"update {i}"},
            }
        )
    while len([f for f in director.frames if f["type"] == "reply"]) < 302:
        await director.recv()
    codes = [code_of(created, f"Trainee {i:03}") for i in range(size)]

    fresh = await _storm(server.ws_url, codes, None)
    refused = [outcome for wire, outcome in fresh if wire is None]
    assert not refused, f"{len(refused)} of {size} fresh joins refused: {refused[:3]}"
    positions = []
    for wire, _ in fresh:
        assert wire is not None
        await wire.drain(0.05)
        positions.append(wire.position())
        await wire.close()

    for i in range(50):  # the room was away while the exercise went on
        await director.ok("announcement.make", audience={"everyone": True}, text=f"while away {i}")
    resumed = await _storm(server.ws_url, codes, positions)
    refused = [outcome for wire, outcome in resumed if wire is None]
    assert not refused, f"{len(refused)} of {size} resumes refused: {refused[:3]}"
    for wire, welcome in resumed:
        assert wire is not None
        assert (welcome["mode"], welcome["reason"]) == ("resume", "resumed")
        end = await wire.next("position", timeout=60)
        texts = [f["data"]["text"] for f in wire.events() if f["kind"] == "announcement.made"]
        assert texts == [f"while away {i}" for i in range(50)], texts[:3]
        assert end["seq"] >= positions[0]["seq"]
        await wire.close()
    assert '"unavailable"' not in server.log()
    await director.close()
