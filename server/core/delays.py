"""Delays in simulated time: a duration, or an anchor such as "the next morning"."""

from __future__ import annotations

from server.core.scenario import Anchor, Delay
from server.core.simtime import HOUR, next_morning


def after(time: float, delay: Delay | None, morning: int) -> float:
    """`time` moved on by `delay`; `morning` is the scenario's time of day for "next morning"."""
    if delay is None:
        return time
    if delay.anchor is Anchor.NEXT_MORNING:
        return next_morning(time, morning)
    if delay.anchor is Anchor.NEXT_MIDDAY:
        return next_morning(time, 12 * HOUR)
    if delay.anchor is Anchor.NEXT_AFTERNOON:
        return next_morning(time, 14 * HOUR)
    return time + delay.seconds
