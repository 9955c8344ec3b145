"""Two hubs (as on two instances) writing one exercise against a real Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import redis.asyncio

from server.adapters.commit import Executed
from server.adapters.credentials import Credentials
from server.adapters.exercises import create_exercise
from server.adapters.hub import Hub
from server.adapters.store import Store
from server.core import commands as c
from server.core.audience import Audience, Viewer
from server.core.errors import InvalidArguments
from server.core.events import AnnouncementMade, Event
from server.scenario.loader import load_scenario
from server.scenario.roster import load_roster

TWIN_PORTS = Path(__file__).resolve().parents[2] / "scenarios" / "twin-ports"


def no_background(work: Coroutine[Any, Any, Any], name: str) -> None:
    work.close()  # these hubs do not run their follow loop: they learn of others' appends by catching up


async def two_hubs(client: redis.asyncio.Redis) -> tuple[Hub, Hub, Viewer]:
    scenario = load_scenario(TWIN_PORTS)
    store = Store(client)
    created = await create_exercise(
        store, Credentials(b"test"), scenario, load_roster(TWIN_PORTS / "roster.csv", scenario)
    )
    hubs = []
    for instance in ("a", "b"):
        hub = Hub(created.exercise, Store(client), instance, 1.0, no_background)
        await hub.load()
        hubs.append(hub)
    director = next(p for p in hubs[0].state.participants.values() if p.staff)
    return hubs[0], hubs[1], Viewer(director.id, director.team, director.role, True)


WRITERS = 4


def announce(text: str) -> c.MakeAnnouncement:
    return c.MakeAnnouncement(Audience(everyone=True), text)


async def test_a_hub_is_not_starved_by_writers_that_keep_winning_the_race(
    redis_client: redis.asyncio.Redis,
) -> None:
    """Raw writers append back to back, one round trip each; the hub needs three per try
    (meta, read, append) and would lose nearly every race without taking the turn."""
    hub, _, director = await two_hubs(redis_client)
    fast = Store(redis_client)
    stop = asyncio.Event()

    async def hammer() -> None:
        fast = Store(redis_client)  # a store each: each appends on its own connection
        expected = hub.seq
        while not stop.is_set():
            events: list[Event] = [AnnouncementMade(director.participant, Audience(everyone=True), "fast")]
            result = await fast.append(hub.exercise, expected, events, now=time.time(), writer="fast")
            expected = result.seq

    hammering = asyncio.gather(*(hammer() for _ in range(WRITERS)))
    try:
        for i in range(30):
            executed = await hub.execute(announce(f"hub {i}"), director)
            assert executed.seq is not None
    finally:
        stop.set()
        await hammering
    texts = [
        e.text for e in (s.event for s in await fast.read(hub.exercise, 0)) if isinstance(e, AnnouncementMade)
    ]
    assert [t for t in texts if t != "fast"] == [f"hub {i}" for i in range(30)]
    between = texts[texts.index("hub 0") : texts.index("hub 29")]
    assert "fast" in between  # the other writers really were racing all along


async def test_a_hub_waits_while_another_instance_holds_the_turn(redis_client: redis.asyncio.Redis) -> None:
    """The holder may take a while (a busy event loop); the waiting hub must not burn its
    attempts and answer `conflict` meanwhile."""
    hub, _, director = await two_hubs(redis_client)
    store = Store(redis_client)
    assert await store.take_turn(hub.exercise, "other-instance", 0.9)

    async def give_back_later() -> None:
        await asyncio.sleep(0.3)
        await store.give_back_turn(hub.exercise, "other-instance")

    giving_back = asyncio.create_task(give_back_later())
    executed = await hub.execute(announce("after the turn"), director)
    await giving_back
    assert executed.seq == hub.seq
    assert giving_back.done()


async def test_two_hubs_writing_at_once_both_get_every_command_written_in_one_order(
    redis_client: redis.asyncio.Redis,
) -> None:
    a, b, director = await two_hubs(redis_client)

    async def write(hub: Hub, label: str) -> None:
        for i in range(100):
            await hub.execute(announce(f"{label} {i}"), director)

    await asyncio.gather(write(a, "a"), write(b, "b"))
    await a.catch_up()
    await b.catch_up()
    assert a.seq == b.seq
    log = [s.event for s in await Store(redis_client).read(a.exercise, 0)]
    texts = [e.text for e in log if isinstance(e, AnnouncementMade)]
    assert sorted(texts) == sorted([f"a {i}" for i in range(100)] + [f"b {i}" for i in range(100)])
    assert [t for t in texts if t.startswith("a ")] == [f"a {i}" for i in range(100)]


async def test_commands_waiting_together_are_appended_together_and_a_refused_one_refuses_only_itself(
    redis_client: redis.asyncio.Redis,
) -> None:
    hub, _, director = await two_hubs(redis_client)
    start = hub.seq
    commands = [announce(f"together {i}") for i in range(40)]
    commands[17] = announce("   ")  # an empty text is refused
    outcomes = await asyncio.gather(
        *(
            hub.execute(command, director, f"{director.participant}/g{i}")
            for i, command in enumerate(commands)
        ),
        return_exceptions=True,
    )

    refused = outcomes.pop(17)
    assert isinstance(refused, InvalidArguments)
    assert all(isinstance(outcome, Executed) for outcome in outcomes)
    assert [o.seq for o in outcomes if isinstance(o, Executed)] == list(range(start + 1, start + 40))
    stored = await Store(redis_client).read(hub.exercise, start)
    assert [s.event.text for s in stored if isinstance(s.event, AnnouncementMade)] == [
        f"together {i}" for i in range(40) if i != 17
    ]
    appends = {s.at for s in stored}  # the events of one append share its time
    assert len(appends) < 39


async def test_a_command_sent_twice_at_once_or_retried_later_is_applied_once(
    redis_client: redis.asyncio.Redis,
) -> None:
    hub, other, director = await two_hubs(redis_client)
    key = f"{director.participant}/twice"
    first, second = await asyncio.gather(
        hub.execute(announce("once"), director, key), hub.execute(announce("once"), director, key)
    )
    retried = await other.execute(announce("once"), director, key)  # after a reconnect elsewhere

    assert (first.duplicate, second.duplicate, retried.duplicate) == (False, True, True)
    assert first.seq == second.seq == retried.seq
    stored = await Store(redis_client).read(hub.exercise, 0)
    assert [s.event.text for s in stored if isinstance(s.event, AnnouncementMade)] == ["once"]
