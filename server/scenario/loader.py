"""Read a scenario folder (`scenario.yaml` and friends) into `server.core.scenario.Scenario`.

Format (see docs/scenarios.md):

    id: twin-ports
    title: "..."
    clock: {start: "D1 08:30", morning: "08:30", speed: 1}
    countries:
      - {id: NOR, name: Norland, route_role: origin}
    roles:
      - {id: police, name: Police investigator}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from server.core.roles import STAFF_ROLES
from server.core.scenario import ClockSpec, Country, Role, RouteRole, Scenario
from server.core.simtime import HOUR, MINUTE, parse_sim_time
from server.scenario.errors import Problem, ScenarioError

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})$")


def scenario_file(path: Path) -> Path:
    return path / "scenario.yaml" if path.is_dir() else path


def load_scenario(path: Path) -> Scenario:
    file = scenario_file(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError([Problem(str(file), None, "", f"cannot read: {error.strerror}")]) from None
    return parse_scenario(text, str(file))


def parse_scenario(text: str, file: str = "scenario.yaml") -> Scenario:
    reader = _Reader(file, text)
    scenario = reader.scenario()
    if reader.problems:
        raise ScenarioError(reader.problems)
    assert scenario is not None
    return scenario


class _Reader:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            self._index(node, "")
            self.data: Any = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            self.problems.append(
                Problem(file, line, "", f"not valid YAML: {getattr(error, 'problem', error)}")
            )
            self.data = None

    def _index(self, node: Any, path: str) -> None:
        if node is None:
            return
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self._index(value, f"{path}.{key.value}" if path else str(key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(item, f"{path}[{i}]")

    def problem(self, path: str, message: str) -> None:
        """Record a problem at `path`, on the line of the nearest part of the path that exists."""
        nearest = path
        while nearest not in self.lines and nearest:
            nearest = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", nearest)
        line = self.lines.get(nearest)
        self.problems.append(Problem(self.file, line, path, message))

    def scenario(self) -> Scenario | None:
        if self.problems:
            return None
        if not isinstance(self.data, dict):
            self.problem("", "a scenario is a map with id, title, clock, countries and roles")
            return None
        data = self.data
        scenario_id = self.identifier(data.get("id"), "id")
        title = self.text(data.get("title"), "title")
        clock = self.clock(data.get("clock", {}))
        countries = [
            self.country(item, f"countries[{i}]") for i, item in enumerate(self.items(data, "countries"))
        ]
        roles = [self.role(item, f"roles[{i}]") for i, item in enumerate(self.items(data, "roles"))]
        self.unique([c.id for c in countries if c], "countries", "country")
        self.unique([r.id for r in roles if r], "roles", "role")
        if self.problems:
            return None
        return Scenario(
            id=scenario_id,
            title=title,
            countries=tuple(c for c in countries if c),
            roles=tuple(r for r in roles if r),
            clock=clock,
        )

    def items(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.problem(key, f"expected a non-empty list of {key}")
            return []
        return value

    def identifier(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(path, f"expected an id (a letter, then letters, digits, _ . -), got {value!r}")
            return ""
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, "expected a non-empty text")
            return ""
        return value.strip()

    def clock(self, value: Any) -> ClockSpec:
        if not isinstance(value, dict):
            self.problem("clock", "expected a map {start, morning, speed}")
            return ClockSpec(0, 0)
        start, morning, speed = 8 * HOUR + 30 * MINUTE, 8 * HOUR + 30 * MINUTE, 1.0
        try:
            start = parse_sim_time(str(value.get("start", "D1 08:30")))
        except ValueError as error:
            self.problem("clock.start", str(error))
        match = _TIME_OF_DAY.match(str(value.get("morning", "08:30")))
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            self.problem(
                "clock.morning",
                f"expected a time of day like '08:30', got {value.get('morning')!r}",
            )
        else:
            morning = int(match[1]) * HOUR + int(match[2]) * MINUTE
        raw_speed = value.get("speed", 1)
        if isinstance(raw_speed, bool) or not isinstance(raw_speed, int | float) or not 0 < raw_speed <= 120:
            self.problem("clock.speed", f"expected a number above 0 and at most 120, got {raw_speed!r}")
        else:
            speed = float(raw_speed)
        return ClockSpec(start=start, morning=morning, speed=speed)

    def country(self, value: Any, path: str) -> Country | None:
        if not isinstance(value, dict):
            self.problem(path, "expected a map {id, name, route_role}")
            return None
        country_id = self.identifier(value.get("id"), f"{path}.id")
        name = self.text(value.get("name"), f"{path}.name")
        try:
            route_role = RouteRole(str(value.get("route_role")))
        except ValueError:
            choices = ", ".join(RouteRole)
            self.problem(f"{path}.route_role", f"expected one of {choices}, got {value.get('route_role')!r}")
            return None
        return Country(country_id, name, route_role) if country_id and name else None

    def role(self, value: Any, path: str) -> Role | None:
        if not isinstance(value, dict):
            self.problem(path, "expected a map {id, name}")
            return None
        role_id = self.identifier(value.get("id"), f"{path}.id")
        if role_id in STAFF_ROLES:
            self.problem(
                f"{path}.id",
                f"{role_id!r} is a built-in staff role; participant roles need other ids",
            )
        name = self.text(value.get("name"), f"{path}.name")
        return Role(role_id, name) if role_id and name else None

    def unique(self, ids: list[str], path: str, what: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(ids):
            if item in seen:
                self.problem(f"{path}[{i}].id", f"duplicate {what} id {item!r}")
            seen.add(item)
