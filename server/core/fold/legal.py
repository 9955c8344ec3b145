"""Legal flags on requests: for evaluators and the debrief, the exercise does not change."""

from __future__ import annotations

from server.core.events import RequestFlagged
from server.core.exercise import Exercise
from server.core.fold import Handler


def _unchanged(state: Exercise, event: RequestFlagged) -> Exercise:
    return state  # the log keeps it (`server.core.debrief`)


HANDLERS: dict[type, Handler] = {RequestFlagged: _unchanged}
