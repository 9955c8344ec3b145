"""Participants and SimCell who play the scenario in the load test, from the welcome's catalogue.

A participant reads what reaches them and acts on it as a responsive trainee would: everyone
acknowledges each inject released to them and clarifies their own requests when asked; the lead
of each team and role (its first member) makes a few of the requests its role may issue alone to
the other teams, and takes a few of its role's actions, spread over the run; the lead of the
first role that may answer an instrument acknowledges and answers each such request sent to the
team. SimCell answers the requests nobody plays as the scenario's templates propose. Team chat
goes on alongside. Every legal move comes from the catalogue in the welcome
(`loadtest.catalogue`): the bots need the SDK and the protocol only, not the server's model.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import Any

from .behaviours import Play, team_chat
from .bot import PLAY_KINDS
from .catalogue import Catalogue
from .lightbot import LightBot

REQUESTS_PER_LEAD = 3
ACTIONS_PER_LEAD = 2


def my_steps(catalogue: Catalogue, team: str | None, role: str) -> list[tuple[str, dict[str, Any]]]:
    """This team and role's scripted steps: a few requests (drafted, then sent) and actions."""
    steps: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for move in catalogue.requests_for(team, role):
        if move.to in seen and len(seen) < len(catalogue.team_country) - 1:
            continue  # spread the first requests over the other teams
        seen.add(move.to)
        steps.append(
            (
                "request.draft",
                {
                    "instrument": move.instrument,
                    "to": move.to,
                    "subject": f"{move.instrument} to {move.to}",
                    "fields": dict(move.fields),
                },
            )
        )
        if len(steps) >= REQUESTS_PER_LEAD:
            break
    steps += [
        ("action.take", {"action": action}) for action in catalogue.actions_for(role)[:ACTIONS_PER_LEAD]
    ]
    return steps


def _wants(play: Play, kinds: frozenset[str]) -> None:
    """Queue (and wake this player) only for these kinds: a light bot then decodes nothing else."""
    if isinstance(play.bot, LightBot):
        play.bot.play_kinds = kinds


LEAD_KINDS = PLAY_KINDS
"""A lead drafts requests (their clarifications), answers its team's (and sees teammates do)."""
MEMBER_KINDS = frozenset({"inject.released"})
"""Anyone else acknowledges the injects released to them, and drafts nothing."""
SIMCELL_KINDS = frozenset(
    {"request.drafted", "request.sent", "request.answered", "request.refused", "request.withdrawn"}
)


async def participant(play: Play) -> None:
    catalogue = play.catalogue
    if catalogue is None:
        _wants(play, frozenset())
        await team_chat(play)
        return
    _wants(play, LEAD_KINDS if play.lead else MEMBER_KINDS)
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(team_chat(play), name=f"{play.bot.member.name}:chat")
        tasks.create_task(_react(play, catalogue), name=f"{play.bot.member.name}:react")
        tasks.create_task(_script(play, catalogue), name=f"{play.bot.member.name}:script")


async def simcell(play: Play) -> None:
    """Answers what nobody plays, as proposed, a few seconds after it arrives."""
    _wants(play, SIMCELL_KINDS)
    simcell_requests: set[str] = set()
    closed: set[str] = set()
    while not play.over:
        for event in _take(play):
            data = event.data
            if event.kind == "request.drafted" and data.get("simcell"):
                simcell_requests.add(data["request"])
            elif event.kind in ("request.answered", "request.refused", "request.withdrawn"):
                closed.add(data["request"])
            elif event.kind == "request.sent" and data["request"] in simcell_requests:
                await play.wait(2.0)
                if data["request"] not in closed:
                    await play.bot.command("request.answer", request=data["request"], as_proposed=True)
        await _next(play)


async def _script(play: Play, catalogue: Catalogue) -> None:
    """This member's scripted steps, spread over the run."""
    member = play.bot.member
    steps = my_steps(catalogue, member.team, member.role)
    if not steps or not play.lead:  # the first member of each team and role acts for it
        return
    start = time.time()
    for index, (command, args) in enumerate(steps):
        due = start + (index + 1) * (play.until - start) / (len(steps) + 1)
        await asyncio.sleep(max(0.0, due - time.time()))
        if play.over:
            return
        if command == "request.draft":
            drafted = await play.bot.request("request.draft", **args)
            if drafted is not None:
                await play.bot.command("request.send", request=drafted["request"])
        else:
            await play.bot.command(command, **args)


async def _react(play: Play, catalogue: Catalogue) -> None:
    member = play.bot.member
    done: dict[str, set[str]] = {}  # request id -> what happened to it, as this bot saw it
    while not play.over:
        for event in _take(play):
            data = event.data
            if event.kind == "inject.released":
                await play.wait(3.0)
                await play.bot.command("inject.acknowledge", inject=data["inject"])
                continue
            request = data.get("request", "")
            seen = done.setdefault(request, set())
            seen.add(event.kind)
            if (
                event.kind == "request.clarification_requested"
                and data.get("by") != play.bot.participant
                and request in play.bot.drafted
            ):
                await play.bot.command("request.clarify", request=request, text="The details you asked for.")
            if event.kind != "request.sent" or data.get("target_team") != member.team:
                continue
            if not play.lead or catalogue.answering_role(str(data.get("instrument", ""))) != member.role:
                continue  # one answerer per team: the lead of the first role that may answer
            await _answer(play, request, seen)
        await _next(play)


CLOSING = frozenset({"request.answered", "request.refused", "request.withdrawn"})


async def _answer(play: Play, request: str, seen: set[str]) -> None:
    """Acknowledge, then answer, unless a teammate did it first (their events reach us too)."""
    await play.wait(4.0)
    if seen & (CLOSING | {"request.acknowledged"}):
        return
    if await play.bot.command("request.acknowledge", request=request):
        await play.wait(4.0)
        if not seen & CLOSING:
            await play.bot.command("request.answer", request=request, text="Executed: results attached.")


def _take(play: Play) -> list[Any]:
    play.bot.play_ready.clear()  # before taking: what arrives from now on sets it again
    queue: deque[Any] = play.bot.play_events
    taken = list(queue)
    queue.clear()
    return taken


async def _next(play: Play) -> None:
    """Until more events to react to arrive, or the run ends (no wake-up in between: 200 bots
    waking every second cost the generators more than a few thousand frames)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max(0.0, play.until - time.time())):
            await play.bot.play_ready.wait()
