"""Scripted play per role: what each simulated member does while the exercise runs.

A behaviour is an async function of a `Play` (the bot, the clock of the run, the cohort's
teams and roles, a random generator). `behaviour_for(role)` picks one: a role registered with
`register()` first, else the defaults below. Today's protocol offers team messages,
announcements, and lifecycle and clock commands; the play-through scripts of the play features
(acknowledging injects, drafting and answering requests) plug in here as more behaviours,
registered per role, without touching the runner.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from .bot import Bot
from .catalogue import Catalogue
from .lightbot import LightBot


@dataclass(slots=True)
class Play:
    bot: Bot | LightBot
    rng: random.Random
    until: float
    """Wall time (Unix seconds) at which behaviours stop."""
    teams: Sequence[str]
    roles: Sequence[str]
    participants: Sequence[str]
    message_every: float
    announce_every: float
    catalogue: Catalogue | None = None
    """The welcome's catalogue, for players that act on its instruments and actions."""
    lead: bool = False
    """The first member of their team and role: plays its scripted steps and answers for it."""

    @property
    def over(self) -> bool:
        return time.time() >= self.until

    async def wait(self, mean: float) -> bool:
        """Sleep an exponential time of `mean` seconds; False when the run ends first."""
        delay = self.rng.expovariate(1 / mean) if mean > 0 else 0.0
        remaining = self.until - time.time()
        await asyncio.sleep(max(0.0, min(delay, remaining)))
        return not self.over

    def audience(self) -> dict[str, Any]:
        return random_audience(self.rng, self.teams, self.roles, self.participants)


Behaviour = Callable[[Play], Coroutine[Any, Any, None]]


def random_audience(
    rng: random.Random, teams: Sequence[str], roles: Sequence[str], participants: Sequence[str]
) -> dict[str, Any]:
    """An `announcement.make` audience: everyone, one or two teams, a role, one person, or staff."""
    pick = rng.random()
    if pick < 0.3:
        return {"everyone": True}
    if pick < 0.55:
        return {"teams": [rng.choice(teams)]}
    if pick < 0.7 and len(teams) > 1:
        return {"teams": rng.sample(list(teams), 2)}
    if pick < 0.85:
        return {"roles": [rng.choice(roles)]}
    if pick < 0.95 and participants:
        return {"participants": [rng.choice(participants)]}
    return {}


async def team_chat(play: Play) -> None:
    """A participant: posts to the team channel now and then."""
    count = 0
    while await play.wait(play.message_every):
        count += 1
        await play.bot.command("message.post", text=f"{play.bot.member.name}: note {count}")


async def announce(play: Play) -> None:
    """A controller: announcements to random audiences."""
    count = 0
    while await play.wait(play.announce_every):
        count += 1
        await play.bot.command("announcement.make", audience=play.audience(), text=f"update {count}")


async def direct(play: Play) -> None:
    """The director: announcements like a controller, and the clock: a short pause now and then
    (about every 40 s), and a change of speed (about every 30 s)."""
    next_pause = time.time() + play.rng.expovariate(1 / 40)
    next_speed = time.time() + play.rng.expovariate(1 / 30)
    count = 0
    while await play.wait(play.announce_every):
        now = time.time()
        if now >= next_pause:
            if await play.bot.command("exercise.pause"):
                await asyncio.sleep(min(2.0, max(0.0, play.until - time.time())))
                await play.bot.command("exercise.resume")
            next_pause = time.time() + play.rng.expovariate(1 / 40)
        elif now >= next_speed:
            await play.bot.command("clock.speed", speed=play.rng.choice([1, 2, 5, 10, 30]))
            next_speed = now + play.rng.expovariate(1 / 30)
        else:
            count += 1
            await play.bot.command("announcement.make", audience=play.audience(), text=f"direction {count}")


async def watch(play: Play) -> None:
    """Mentors and observers: read everything (the bot's reader does), send nothing."""
    await asyncio.sleep(max(0.0, play.until - time.time()))


_REGISTERED: dict[str, Behaviour] = {}
_STAFF_DEFAULTS: dict[str, Behaviour] = {
    "director": direct,
    "controller": announce,
    "simcell": watch,
    "mentor": watch,
    "observer": watch,
    "evaluator": watch,
}


def register(role: str, behaviour: Behaviour) -> None:
    """Use `behaviour` for every member with this role (a scenario role or a staff role)."""
    _REGISTERED[role] = behaviour


def unregister(role: str) -> None:
    _REGISTERED.pop(role, None)


def behaviour_for(role: str) -> Behaviour:
    return _REGISTERED.get(role) or _STAFF_DEFAULTS.get(role) or team_chat


async def extra_load(
    actors: Sequence[Bot | LightBot],
    rate: float,
    until: float,
    rng: random.Random,
    tasks: asyncio.TaskGroup,
    audience: Callable[[], dict[str, Any]],
    max_in_flight: int = 400,
) -> None:
    """`--rate`: commands at `rate` per second (Poisson), each from a random actor; participants
    post team messages, control members make announcements. Sent without waiting for the reply,
    so the rate holds whatever the round trip; skipped (and counted) past `max_in_flight`."""
    if rate <= 0 or not actors:
        return
    in_flight: set[asyncio.Task[bool]] = set()
    due = time.time()
    count = 0
    while True:
        due += rng.expovariate(rate)
        if due >= until:
            break
        await asyncio.sleep(max(0.0, due - time.time()))
        bot = rng.choice(actors)
        if len(in_flight) >= max_in_flight:
            bot.measures.skipped += 1
            continue
        count += 1
        if bot.member.control:
            call = bot.command("announcement.make", audience=audience(), text=f"extra {count}")
        else:
            call = bot.command("message.post", text=f"extra {count}")
        task = tasks.create_task(call, name=f"extra:{count}")
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
