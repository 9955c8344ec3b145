"""Simulated time: seconds since 00:00 of exercise day 1, written "D1 08:30".

Scenarios and trainers speak in exercise days ("D2 09:30"), not calendar dates, so the
simulated clock is a plain number of seconds with a day/hour/minute reading.
"""

from __future__ import annotations

import re

DAY = 86_400
HOUR = 3_600
MINUTE = 60

_SIM_TIME = re.compile(r"^\s*D(\d+)\s*[T ]\s*(\d{1,2}):(\d{2})\s*$")


def parse_sim_time(text: str) -> int:
    """Parse "D1 08:30" or "D1T08:30" into seconds since D1 00:00."""
    match = _SIM_TIME.match(text)
    if match is None:
        raise ValueError(f"not a simulated time like 'D1 08:30': {text!r}")
    day, hour, minute = (int(group) for group in match.groups())
    if day < 1 or hour > 23 or minute > 59:
        raise ValueError(
            f"simulated time out of range: {text!r} (days from D1, hours 00 to 23, minutes 00 to 59)"
        )
    return (day - 1) * DAY + hour * HOUR + minute * MINUTE


def format_sim_time(seconds: float) -> str:
    """Format seconds since D1 00:00 as "D1 08:30" (minutes rounded down)."""
    whole = int(seconds)
    day, rest = divmod(whole, DAY)
    return f"D{day + 1} {rest // HOUR:02d}:{rest % HOUR // MINUTE:02d}"


def next_morning(seconds: float, morning: int) -> int:
    """The first time of day `morning` (seconds after midnight) strictly after `seconds`."""
    day_start = int(seconds) // DAY * DAY
    candidate = day_start + morning
    return candidate if candidate > seconds else candidate + DAY
