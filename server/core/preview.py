"""Control's read-only preview of a station: who may see a participant's station as they do.

A preview is a connection that sees the exercise as one participant of a team (the same
`Viewer`, so the same `audience` + `can_see` as that participant's own connection) and may send
nothing. Opening one is a fact in the log, `station.previewed`, which only staff see: who looked
at which team's station, and when (the event's time). The adapter
(`server.adapters.preview`) decides it before it attaches the connection.
"""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Viewer
from server.core.errors import InvalidArguments
from server.core.events import Event, StationPreviewed
from server.core.exercise import Exercise
from server.core.guards import known_participant, require_role
from server.core.roles import CONTROL


def decide_preview(state: Exercise, command: c.PreviewStation, actor: c.Actor) -> list[Event]:
    """Director and controllers preview any participant's station; staff have no station."""
    by = require_role(actor, CONTROL)
    seen = known_participant(state, command.participant)
    if seen.staff or seen.team is None:
        raise InvalidArguments(
            f"{seen.name} ({command.participant}) is staff: staff have no station to preview"
        )
    return [StationPreviewed(by=by.participant, participant=seen.id, team=seen.team)]


def previewed(state: Exercise, participant: str) -> Viewer:
    """The viewer a preview of `participant`'s station sees as: exactly theirs."""
    seen = state.participants[participant]
    return Viewer(seen.id, seen.team, seen.role, seen.staff)
