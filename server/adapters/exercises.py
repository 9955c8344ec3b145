"""Creating exercises: a scenario and a roster become a new log with join codes.

Used by the HTTP API, the CLI (through the API) and the demo set-up. The join codes are
returned once and only their hashes are kept.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from server.adapters.credentials import Credentials
from server.adapters.store import Store
from server.core import commands as c
from server.core.decide import create
from server.core.events import ParticipantAdded
from server.core.scenario import Scenario
from server.scenario.roster import RosterRow

EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


class ExerciseExists(Exception):
    """An exercise with that id already exists."""


@dataclass(frozen=True, slots=True)
class IssuedCode:
    participant: str
    name: str
    team: str | None
    role: str
    code: str


@dataclass(frozen=True, slots=True)
class CreatedExercise:
    exercise: str
    epoch: str
    codes: list[IssuedCode]


async def create_exercise(
    store: Store,
    credentials: Credentials,
    scenario: Scenario,
    roster: Sequence[RosterRow],
    *,
    exercise_id: str | None = None,
    title: str = "",
) -> CreatedExercise:
    exercise = exercise_id or f"{scenario.id.lower()}-{secrets.token_hex(3)}"
    if not EXERCISE_ID.match(exercise):
        raise ValueError(f"exercise id {exercise!r}: use 1 to 48 lowercase letters, digits and dashes")
    minted = [credentials.mint() for _ in roster]
    entries = [
        c.RosterEntry(row.name, row.team, row.role, new.hash) for row, new in zip(roster, minted, strict=True)
    ]
    events = create(scenario, exercise, title, entries, time.time())
    added = [event for event in events if isinstance(event, ParticipantAdded)]
    await store.register_codes(
        exercise, {new.hash: event.participant for new, event in zip(minted, added, strict=True)}
    )
    result = await store.create(exercise, events, now=time.time())
    if result.outcome != "ok":
        raise ExerciseExists(exercise)
    meta = await store.meta(exercise)
    assert meta is not None
    codes = [
        IssuedCode(event.participant, event.name, event.team, event.role, new.code)
        for new, event in zip(minted, added, strict=True)
    ]
    return CreatedExercise(exercise, meta.epoch, codes)
