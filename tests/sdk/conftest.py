"""Fixtures of the SDK tests: a scripted protocol peer, and clients that are always closed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from clients.sdk import Client

from .peer import Peer


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    peer = Peer()
    await peer.start()
    yield peer
    await peer.stop()


ClientFactory = Callable[..., Client]


@pytest.fixture
async def make_client(peer: Peer) -> AsyncIterator[ClientFactory]:
    """Clients of the peer with short backoff delays; closed at the end of the test."""
    made: list[Client] = []

    def make(**options: Any) -> Client:
        options = {"code": "ABCD-EFGH", "backoff_initial": 0.01, "backoff_max": 0.05} | options
        client = Client(peer.url, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()
