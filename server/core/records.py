"""What play leaves behind in an exercise's state: feed items, actions taken, artefacts released.

Plain immutable records, shared by the state (`exercise.py`), the rules that read them
(`injects.py`, `actions.py`, `sharing.py`) and the views; this module imports nothing else of
the core but audiences, so every one of them can use it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from server.core.audience import Audience


class FeedItem(NamedTuple):
    """A message or announcement, kept so a snapshot can show the latest and pages the older.

    A named tuple rather than a frozen dataclass, the only record here that is: a long exercise
    holds about 150,000 of them, and a restart builds them all from a snapshot's columns, at
    0.25 µs each against 0.9 µs for a frozen dataclass (docs/performance.md, "Restart after the
    last snapshot")."""

    author: str
    audience: Audience
    text: str
    channel: str
    seq: int = 0
    """The seq of the event that posted it (its place in the log)."""
    team: str | None = None
    """The team of a team, control or prompt message; the writing team of a direct message."""
    to_team: str | None = None
    """The receiving team of a direct message."""
    sim_time: float | None = None
    """When it was posted, in simulated time (None for messages of logs written before)."""


@dataclass(frozen=True, slots=True)
class Taken:
    """An action a participant took, for triggers and evaluation."""

    action: str
    participant: str
    team: str
    subject: str
    sim_time: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Release:
    """An artefact released during play (by an inject) to an audience."""

    artefact: str
    audience: Audience
    source: str
    sim_time: float


@dataclass(frozen=True, slots=True)
class ArtefactState:
    """What an inject made of an artefact (`server.core.effects`): degraded, destroyed, moved."""

    condition: str
    note: str
    location: str | None
    inject: str
    sim_time: float
