"""Times in an MSEL sheet, as trainers write them, turned into seconds after STARTEX.

    D+1 H+2 M+30, D+1 H+2, H+3, D+0 M+90       after STARTEX (what `msel export` writes)
    +90 min, +1h30, +2 h, +1:30, T+45, +2 days  after STARTEX
    D2 09:00, Day 2 0900, D2T09:00              simulated time: day 2 of the exercise at 09:00
    09:00 (with a Day column, or day 1)          a time of day
    2026-05-05 09:00, an Excel date cell         a calendar date: D1 is `d1` (else the earliest date)
    46147.375                                    an Excel serial date (a CSV of a date column)
    an Excel time cell, a duration cell          a time of day, or a duration after STARTEX

Each parser returns seconds after STARTEX (never negative) or raises ValueError with a message
for the trainer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from server.core.simtime import DAY, HOUR, MINUTE

FIRST_SERIAL_DATE = 20_000
"""Excel serial numbers from here on are dates (20000 is 1954-10-03); below, they are not."""
EXPECTED = (
    "expected a time after STARTEX like 'D+1 H+2 M+30', got {value!r} "
    "(also: D2 09:00, +90 min, 09:00 with a day, a date, or an Excel date)"
)

_TOKENS = re.compile(r"^(?:[DHM]\s*\+\s*\d+(?:\s*,?\s*|$))+$", re.IGNORECASE)
_TOKEN = re.compile(r"([DHM])\s*\+\s*(\d+)", re.IGNORECASE)
_AFTER = re.compile(r"^(?:T\s*)?\+\s*(.+)$", re.IGNORECASE)
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m)?", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2})[:h.]?(\d{2})$")
_SIM = re.compile(r"^(?:D|DAY)\s*(\d+)[\s,T/-]*(\d{1,2})[:h.]?(\d{2})$", re.IGNORECASE)
_DAY = re.compile(r"^(?:D|DAY)?\s*(\d+)$", re.IGNORECASE)
_UNITS = {"d": DAY, "h": HOUR, "m": MINUTE}


def parse_when(value: Any, start: int, *, d1: dt.date | None = None, day: Any = "") -> int | None:
    """Seconds after STARTEX (`start`, simulated seconds) of one cell; None when it is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    sim = _simulated(value, d1, _day(day))
    if isinstance(sim, _Offset):
        return sim.seconds
    offset = sim - start
    if offset < 0:
        raise ValueError(f"{_shown(value)} is before STARTEX")
    return offset


def first_date(values: Iterable[Any]) -> dt.date | None:
    """The earliest calendar date among the cells: D1, when no date is given for it."""
    dates = [found for value in values if (found := _as_datetime(value)) is not None]
    return min(dates).date() if dates else None


class _Offset:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a time after STARTEX cannot be negative")
        self.seconds = round(seconds / MINUTE) * MINUTE


def _simulated(value: Any, d1: dt.date | None, day: int) -> int | _Offset:
    if isinstance(value, dt.timedelta):
        return _Offset(value.total_seconds())
    if isinstance(value, dt.time):
        return (day - 1) * DAY + value.hour * HOUR + value.minute * MINUTE
    if isinstance(value, bool):
        raise ValueError(EXPECTED.format(value=value))
    if isinstance(value, int | float) and 0 <= value < 1:  # an Excel time of day
        return (day - 1) * DAY + round(value * DAY / MINUTE) * MINUTE
    moment = _as_datetime(value)
    if moment is not None:
        if d1 is None:
            raise ValueError(f"{_shown(value)}: a calendar date needs the date of D1")
        return (moment.date() - d1).days * DAY + moment.hour * HOUR + moment.minute * MINUTE
    if not isinstance(value, str):
        raise ValueError(EXPECTED.format(value=value))
    text = value.strip()
    if _TOKENS.match(text):
        seen: dict[str, int] = {}
        for unit, amount in _TOKEN.findall(text):
            if unit.lower() in seen:
                raise ValueError(EXPECTED.format(value=value))
            seen[unit.lower()] = int(amount) * _UNITS[unit.lower()]
        return _Offset(sum(seen.values()))
    after = _AFTER.match(text)
    if after is not None:
        return _Offset(_duration(after.group(1), value))
    if match := _SIM.match(text):
        number, hours, minutes = (int(g) for g in match.groups())
        return (number - 1) * DAY + _time_of_day(hours, minutes, value)
    if match := _CLOCK.match(text):
        return (day - 1) * DAY + _time_of_day(int(match[1]), int(match[2]), value)
    raise ValueError(EXPECTED.format(value=value))


def _duration(text: str, value: Any) -> float:
    """`90 min`, `1h30`, `2 days 3 h`, `1:30`, `90` (minutes)."""
    clock = re.fullmatch(r"(\d+):(\d{2})", text.strip())
    if clock:
        return int(clock[1]) * HOUR + int(clock[2]) * MINUTE
    total, rest = 0.0, text.strip()
    while rest:
        match = _AMOUNT.match(rest)
        if match is None or not match.group(0):
            raise ValueError(EXPECTED.format(value=value))
        amount, unit = float(match[1]), (match[2] or "m").lower()  # `1h30`, `90`: minutes
        total += amount * _UNITS[unit[0]]
        rest = rest[match.end() :].lstrip(" ,")
    return total


def _time_of_day(hours: int, minutes: int, value: Any) -> int:
    if hours > 23 or minutes > 59:
        raise ValueError(f"{_shown(value)}: hours go to 23 and minutes to 59")
    return hours * HOUR + minutes * MINUTE


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= FIRST_SERIAL_DATE:
        return _from_serial(float(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None:
            return _from_serial(number) if number >= FIRST_SERIAL_DATE else None
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            try:
                return dt.datetime.fromisoformat(text.replace("/", "-"))
            except ValueError:
                return None
    return None


def _from_serial(number: float) -> dt.datetime:
    from openpyxl.utils.datetime import from_excel

    moment = from_excel(number)
    if not isinstance(moment, dt.datetime):
        raise ValueError(f"{number!r} is not an Excel date")
    return moment


def _day(value: Any) -> int:
    """The Day column: 2, "2", "D2", "Day 2"; empty: day 1."""
    if value is None or value == "":
        return 1
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        number = int(value)
    else:
        match = _DAY.match(str(value).strip())
        if match is None:
            raise ValueError(f"day: expected a day number like 2 or D2, got {value!r}")
        number = int(match[1])
    if number < 1:
        raise ValueError(f"day: days count from 1, got {value!r}")
    return number


def _shown(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else repr(value.strip())
