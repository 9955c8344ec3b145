"""The reading of single values in a scenario file (ids, texts, times, durations, enums ...),
each problem recorded at its path; the base of the section readers."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from server.core.scenario import Anchor, Delay, InjectAudience, Recipient
from server.core.simtime import DAY, HOUR, MINUTE, parse_sim_time
from server.scenario.source import Source, suggestion
from server.scenario.yaml_text import dash_hint, split_hint

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

_YES_NO = {"yes": True, "no": False, "on": True, "off": False, "y": True, "n": False}
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


class FieldReader:
    """Reads values out of a scenario's data; remembers where each part of the model came from."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.refs: list[tuple[str, str, str]] = []
        """(path, kind, id) of every reference, resolved by `checks`."""
        self.paths: dict[int, str] = {}
        """Path of each model object by `id()`, for the cross-checks."""

    def problem(self, path: str, message: str) -> None:
        self.source.problem(path, message)

    def reported(self, path: str) -> bool:
        """Whether a problem was already reported at `path` (so a follow-up is not)."""
        return any(problem.path == path for problem in self.source.problems)

    def warn(self, path: str, message: str) -> None:
        self.source.warn(path, message)

    def at(self, obj: T, path: str) -> T:
        self.paths[id(obj)] = path
        return obj

    def ref(self, path: str, kind: str, value: str | None) -> None:
        if value:
            self.refs.append((path, kind, value))

    def map(self, value: Any, path: str, keys: set[str], required: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"expected a map with {', '.join(sorted(required or keys))}{dash_hint(value)}")
            return None
        for key in value:
            if key not in keys:
                hint = dash_hint(key) or split_hint(key) or suggestion(key, keys)
                self.problem(f"{path}.{key}", f"unknown key {key!r}{hint}")
        for key in sorted(required - value.keys()):
            self.problem(f"{path}.{key}", f"missing {key!r}")
        return value

    def seq(self, data: dict[str, Any], key: str, path: str, required: bool = False) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(path, f"expected a non-empty list of {key}")
            return []
        if not isinstance(value, list) or (required and not value):
            self.problem(path, f"expected a{' non-empty' if required else ''} list")
            return []
        return value

    def items(
        self, data: dict[str, Any], key: str, build: Callable[[Any, str], T | None], required: bool = False
    ) -> list[T]:
        found = self.seq(data, key, key, required)
        built = [build(item, f"{key}[{i}]") for i, item in enumerate(found)]
        return [item for item in built if item is not None]

    def items_at(
        self, data: dict[str, Any], key: str, path: str, build: Callable[[Any, str], T | None]
    ) -> list[T]:
        built = [
            build(item, f"{path}.{key}[{i}]") for i, item in enumerate(self.seq(data, key, f"{path}.{key}"))
        ]
        return [item for item in built if item is not None]

    def identifier(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(path, f"expected an id (a letter, then letters, digits, _ . -), got {value!r}")
            return ""
        return value

    def text(self, value: Any, path: str, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            self.problem(path, "expected a non-empty text")
            return ""
        return str(value).strip()

    def long_text(self, data: dict[str, Any], key: str, path: str, required: bool = True) -> str:
        """`key: text` inline, or `key_file: name.md` beside the scenario."""
        if f"{key}_file" in data:
            if key in data:
                self.problem(f"{path}.{key}", f"give {key!r} or {key + '_file'!r}, not both")
            name = data[f"{key}_file"]
            if not isinstance(name, str):
                self.problem(f"{path}.{key}_file", "expected a file name")
                return ""
            found = self.source.read_text(name, f"{path}.{key}_file")
            if found is not None and not found:
                self.problem(f"{path}.{key}_file", f"{name!r} is empty")
            return found or ""
        return self.text(data.get(key), f"{path}.{key}", required)

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str | int) and str(v) for v in value):
            self.problem(path, "expected a list of names")
            return ()
        return tuple(str(v) for v in value)

    def refs_of(self, value: Any, path: str, kind: str) -> tuple[str, ...]:
        names = self.strings(value, path)
        for i, name in enumerate(names):
            self.ref(f"{path}[{i}]", kind, name)
        return names

    def enum(self, value: Any, path: str, cls: type[E], default: E | None = None) -> E:
        if value is None and default is not None:
            return default
        try:
            return cls(str(value))
        except ValueError:
            choices = [str(c) for c in cls]
            self.problem(
                path, f"expected one of {', '.join(choices)}, got {value!r}{suggestion(value, choices)}"
            )
            return default if default is not None else next(iter(cls))

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, str) and value.lower() in _YES_NO:
            return _YES_NO[value.lower()]  # YAML 1.1's booleans, where a boolean is expected
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, got {value!r}")
            return default
        return value

    def integer(self, value: Any, path: str, default: int, low: int = 0, high: int = 10**9) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(path, f"expected a whole number from {low} to {high}, got {value!r}")
            return default
        return value

    def sim_time(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        try:
            return parse_sim_time(str(value))
        except ValueError as error:
            self.problem(path, str(error))
            return None

    def delay(self, value: Any, path: str) -> Delay | None:
        if value is None:
            return None
        text = str(value)
        if text in {a.value for a in Anchor}:
            return Delay(anchor=Anchor(text))
        match = _DURATION.match(text)
        if match is None or text in ("P", "PT"):
            anchors = ", ".join(a.value for a in Anchor)
            self.problem(
                path, f"expected a duration like PT30M, PT2H, P1D or one of {anchors}, got {value!r}"
            )
            return None
        days, hours, minutes = (int(g or 0) for g in match.groups())
        return Delay(seconds=days * DAY + hours * HOUR + minutes * MINUTE)


def parse_audience(text: str) -> InjectAudience:
    """`all`, `staff`, or recipients `WES: police, prosecutor; KAL; *: mentor` (`*`: every team)."""
    text = text.strip()
    if text == "all":
        return InjectAudience(everyone=True)
    if text == "staff":
        return InjectAudience()
    recipients = []
    for part in text.split(";"):
        team, _, roles = part.partition(":")
        if not team.strip():
            raise ValueError(f"expected all, staff or 'TEAM: role, role; TEAM', got {text!r}")
        names = frozenset(r.strip() for r in roles.split(",") if r.strip())
        recipients.append(Recipient(None if team.strip() == "*" else team.strip(), names))
    return InjectAudience(recipients=tuple(recipients))


def format_audience(audience: InjectAudience) -> str:
    if audience.everyone:
        return "all"
    if not audience.recipients:
        return "staff"
    parts = []
    for recipient in audience.recipients:
        team = recipient.team or "*"
        parts.append(f"{team}: {', '.join(sorted(recipient.roles))}" if recipient.roles else team)
    return "; ".join(parts)
