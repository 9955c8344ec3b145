"""Group commit: the commands waiting on a hub are decided in order and appended together.

A hub has one writer at a time. While it waits on Redis, new commands queue up; the next round
takes all of them (up to `MAX_BATCH`), decides each against the state that the ones before it
leave, and appends the events of all with one call of the append script. One round trip and one
fsync then serve many commands, and each command keeps its own key, so a retried command is
still applied once. A refused command refuses only itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from server.core import commands as c
from server.core.decide import decide
from server.core.events import Event
from server.core.state import Exercise, apply

MAX_BATCH = 64
"""Commands appended with one call of the append script at most."""


@dataclass(slots=True)
class Executed:
    """What a command came to: its events and the seq of its last one (None if it wrote none)."""

    events: list[Event]
    seq: int | None
    duplicate: bool = False


@dataclass(slots=True)
class Pending:
    """A command waiting for the writer, and the future its caller awaits."""

    command: c.Command
    actor: c.Actor
    key: str
    """`<participant>/<client command id>`, or "" for commands that are not retried."""
    outcome: asyncio.Future[Executed]

    def settle(self, result: Executed | BaseException) -> None:
        if self.outcome.done():  # the caller gave up waiting (its connection closed)
            return
        if isinstance(result, BaseException):
            self.outcome.set_exception(result)
        else:
            self.outcome.set_result(result)


def take_batch(queue: Sequence[Pending]) -> tuple[list[Pending], list[Pending]]:
    """The next batch from the queue, and what stays queued: at most `MAX_BATCH` commands, and a
    command whose key is already in the batch waits for the next one (it will be a duplicate)."""
    batch: list[Pending] = []
    rest: list[Pending] = []
    taken: set[str] = set()
    for pending in queue:
        if len(batch) < MAX_BATCH and not (pending.key and pending.key in taken):
            batch.append(pending)
            taken.add(pending.key)
        else:
            rest.append(pending)
    return batch, rest


Decision = list[Event] | Exception
"""A command's events, or why it was refused (a DomainError; any other exception is a bug)."""


def decide_in_order(state: Exercise, batch: Sequence[Pending], now: float) -> list[Decision]:
    """Decide each command against the state the commands before it leave."""
    decisions: list[Decision] = []
    for position, pending in enumerate(batch):
        try:
            events = decide(state, pending.command, pending.actor, now)
        except Exception as refused:  # refuses this command only; its caller sees why
            decisions.append(refused)
            continue
        decisions.append(events)
        if position + 1 < len(batch):
            for event in events:
                state = apply(state, event)
    return decisions


def settle_written(batch: Sequence[Pending], decisions: Sequence[Decision], first_seq: int) -> None:
    """Tell each caller what its command came to, once the batch's events are in the log from
    `first_seq` on, in the order of the batch."""
    seq = first_seq - 1
    for pending, decision in zip(batch, decisions, strict=True):
        if isinstance(decision, Exception):
            pending.settle(decision)
        elif not decision:
            pending.settle(Executed([], None))
        else:
            seq += len(decision)
            pending.settle(Executed(decision, seq))
