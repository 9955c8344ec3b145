"""Participants and SimCell who play the scenario in the load test, as `loadtest.playbook` says.

A participant reads what reaches them and acts on it as a responsive trainee would: everyone
acknowledges each inject released to them and clarifies their own requests when asked; the lead
of each team and role (its first member) makes that role's steps of the strong cohort
(`playbook.strong`), spread over the run, and the lead of the first role that may answer an
instrument acknowledges and answers each such request sent to the team. SimCell answers the
requests nobody plays as the scenario's templates propose. Team chat goes on alongside.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from functools import cache
from pathlib import Path
from typing import Any

from loadtest.playbook import Step, strong
from server.core.audience import Viewer
from server.core.requests import may_answer, may_issue
from server.core.scenario import Scenario
from server.scenario.loader import load_scenario

from .behaviours import Play, team_chat


@cache
def scenario_at(folder: str) -> Scenario:
    return load_scenario(Path(folder))


def my_steps(scenario: Scenario, team: str | None, role: str) -> list[Step]:
    """The strong cohort's steps of this team and role that the role can do alone (issue, act)."""
    viewer = Viewer("bot", team, role, False)
    mine = []
    for step in strong(scenario):
        if (step.team, step.role) != (team, role):
            continue
        instrument = scenario.instrument(str(step.args.get("instrument", "")))
        if step.command == "request.draft" and (
            instrument is None or not may_issue(scenario, viewer, instrument)
        ):
            continue  # needs a co-signature: left to the play-through tests
        mine.append(step)
    return mine


async def participant(play: Play) -> None:
    scenario = play.scenario
    if scenario is None:
        await team_chat(play)
        return
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(team_chat(play), name=f"{play.bot.member.name}:chat")
        tasks.create_task(_react(play, scenario), name=f"{play.bot.member.name}:react")
        tasks.create_task(_script(play, scenario), name=f"{play.bot.member.name}:script")


async def simcell(play: Play) -> None:
    """Answers what nobody plays, as proposed, a few seconds after it arrives."""
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
        await asyncio.sleep(0.2)


async def _script(play: Play, scenario: Scenario) -> None:
    """This member's share of the strong cohort's steps, spread over the run."""
    member = play.bot.member
    steps = my_steps(scenario, member.team, member.role)
    if not steps or not play.lead:  # the first member of each team and role acts for it
        return
    start = time.time()
    for index, step in enumerate(steps):
        due = start + (index + 1) * (play.until - start) / (len(steps) + 1)
        await asyncio.sleep(max(0.0, due - time.time()))
        if play.over:
            return
        if step.command == "request.draft":
            drafted = await play.bot.request("request.draft", **dict(step.args))
            if drafted is not None:
                await play.bot.command("request.send", request=drafted["request"])
        else:
            await play.bot.command(step.command, **dict(step.args))


async def _react(play: Play, scenario: Scenario) -> None:
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
            if event.kind == "request.clarification_requested" and data.get("by") != play.bot.participant:
                mine = play.bot.drafted
                if request in mine:
                    await play.bot.command(
                        "request.clarify", request=request, text="The details you asked for."
                    )
            if event.kind != "request.sent" or data.get("target_team") != member.team:
                continue
            instrument = scenario.instrument(data.get("instrument", ""))
            if (
                instrument is None
                or not play.lead
                or _answering_role(scenario, member.team, instrument.id) != member.role
            ):
                continue  # one answerer per team: the lead of the first role that may answer
            await _answer(play, request, seen)
        await asyncio.sleep(0.2)


def _answering_role(scenario: Scenario, team: str | None, instrument_id: str) -> str | None:
    instrument = scenario.instrument(instrument_id)
    if instrument is None:
        return None
    return next(
        (r.id for r in scenario.roles if may_answer(scenario, Viewer("bot", team, r.id, False), instrument)),
        None,
    )


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
    queue: deque[Any] = play.bot.play_events
    taken = list(queue)
    queue.clear()
    return taken
