"""Read a roster (CSV or YAML: name, team, role) and check it against the scenario.

CSV has a header row `name,team,role`; YAML is a list of maps with those keys. Staff
(director, controller, simcell, mentor, observer) may leave the team empty. Every problem
is reported at once, with its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from server.core.roles import STAFF_ROLES, is_staff_role
from server.core.scenario import Scenario, TeamModel
from server.scenario.errors import Problem, ScenarioError


@dataclass(frozen=True, slots=True)
class RosterRow:
    name: str
    team: str | None
    role: str


def load_roster(path: Path, scenario: Scenario) -> list[RosterRow]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {error.strerror}")]) from None
    kind = "yaml" if path.suffix in (".yaml", ".yml") else "csv"
    return parse_roster(text, kind, scenario, str(path))


def parse_roster(text: str, kind: str, scenario: Scenario, file: str = "roster") -> list[RosterRow]:
    raw = _rows_from_csv(text, file) if kind == "csv" else _rows_from_yaml(text, file)
    problems: list[Problem] = []
    rows: list[RosterRow] = []
    teams = (
        {unit.id for unit in scenario.units}
        if scenario.team_model is TeamModel.AGENCY_UNITS
        else {country.id for country in scenario.countries}
    )
    roles = {role.id for role in scenario.roles}
    for line, path, row in raw:
        if not isinstance(row, dict):
            problems.append(Problem(file, line, path, "expected name, team and role"))
            continue
        name = str(row.get("name") or "").strip()
        team = str(row.get("team") or "").strip() or None
        role = str(row.get("role") or "").strip()
        if not name:
            problems.append(Problem(file, line, f"{path}.name", "a name is required"))
        if role not in roles and not is_staff_role(role):
            known = ", ".join(sorted(roles | STAFF_ROLES))
            problems.append(Problem(file, line, f"{path}.role", f"unknown role {role!r} (roles: {known})"))
        if team is None and role in roles:
            problems.append(Problem(file, line, f"{path}.team", f"participant {name!r} needs a team"))
        if team is not None and team not in teams:
            known = ", ".join(sorted(teams))
            problems.append(Problem(file, line, f"{path}.team", f"unknown team {team!r} (teams: {known})"))
        rows.append(RosterRow(name, team, role))
    if not raw:
        problems.append(Problem(file, None, "", "the roster is empty"))
    if problems:
        raise ScenarioError(problems)
    return rows


def _rows_from_csv(text: str, file: str) -> list[tuple[int | None, str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "team", "role"} - set(reader.fieldnames or [])
    if missing:
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    "",
                    f"the header needs the columns name,team,role (missing: {', '.join(sorted(missing))})",
                )
            ]
        )
    return [(reader.line_num, f"row {i + 1}", row) for i, row in enumerate(reader)]


def _rows_from_yaml(text: str, file: str) -> list[tuple[int | None, str, Any]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(file, None, "", f"not valid YAML: {error}")]) from None
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ScenarioError([Problem(file, 1, "", "a YAML roster is a list of {name, team, role}")])
    return [
        (item.start_mark.line + 1, f"[{i}]", row)
        for i, (item, row) in enumerate(zip(node.value, data, strict=True))
    ]
