"""Reconnection delays: exponential backoff with full jitter.

The ceiling doubles with every failed attempt, from `initial` up to `maximum`; the delay is drawn
uniformly between 0 and the ceiling ("full jitter"), so that hundreds of clients dropped together
do not come back together.
"""

from __future__ import annotations

import math
import random

_MAX_DOUBLINGS = 62
"""Doublings beyond this cannot matter and would overflow a float."""


def ceiling(attempt: int, *, initial: float, maximum: float) -> float:
    """The longest delay before reconnection attempt `attempt` (0 for the first)."""
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    if initial <= 0 or maximum < initial:
        raise ValueError("backoff needs 0 < initial <= maximum")
    return min(maximum, math.ldexp(initial, min(attempt, _MAX_DOUBLINGS)))


def delay(attempt: int, *, initial: float, maximum: float, rng: random.Random | None = None) -> float:
    """A delay drawn uniformly in [0, ceiling(attempt)]."""
    draw = (rng or _rng).random()
    return draw * ceiling(attempt, initial=initial, maximum=maximum)


_rng = random.Random()  # noqa: S311 (jitter, not cryptography)
