"""How each family of events changes an exercise: one module per family, each with its table.

`server.core.state.apply` looks the event's type up in the union of the tables. A handler takes
the state before and the event, and returns the state after; it trusts the event (`decide`
checked it before it was written) and never walks the exercise's history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.core.exercise import Exercise

Handler = Callable[[Exercise, Any], Exercise]
"""`(state, event) -> state`, for the event types of its table."""
