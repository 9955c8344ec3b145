"""Read a roster (CSV, XLSX or YAML: name, team, role) and check it against the scenario.

CSV and XLSX have a header row `name,team,role` (also by the names trainers use: participant,
country, function ...; CSV with `,` or `;` and perhaps a byte-order mark, as Excel writes it);
YAML is a list of maps with those keys. Staff (director, controller, simcell, mentor, observer)
may leave the team empty. Every problem is reported at once, with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from server.core.roles import STAFF_ROLES, is_staff_role
from server.core.scenario import Scenario
from server.core.team_models import team_specs
from server.scenario import yaml_text
from server.scenario.errors import Problem, ScenarioError
from server.scenario.sheets import Table, cell, columns, is_xlsx, parse_csv_text, read_xlsx, text
from server.scenario.source import suggestion


@dataclass(frozen=True, slots=True)
class RosterRow:
    name: str
    team: str | None
    role: str


COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "name": ("participant", "participant name", "full name", "trainee", "person"),
    "team": ("country", "unit", "team (country)", "country team", "delegation"),
    "role": ("function", "position", "profile", "agency role"),
}


def load_roster(path: Path, scenario: Scenario) -> list[RosterRow]:
    try:
        if is_xlsx(path):
            table = read_xlsx(path)
        else:
            content = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {error.strerror}")]) from None
    except ValueError as error:  # not a workbook, not UTF-8
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {error}")]) from None
    if is_xlsx(path):
        return _check(rows_from_table(table, str(path)), scenario, str(path))
    kind = "yaml" if path.suffix in (".yaml", ".yml") else "csv"
    return parse_roster(content, kind, scenario, str(path))


def read_roster_rows(path: Path) -> list[dict[str, str | None]]:
    """A roster file as rows {name, team, role}, unchecked (for sending it to a server)."""
    if is_xlsx(path):
        raw = rows_from_table(read_xlsx(path), str(path))
    elif path.suffix in (".yaml", ".yml"):
        raw = _rows_from_yaml(path.read_text(encoding="utf-8"), str(path))
    else:
        raw = _rows_from_csv(path.read_bytes().decode("utf-8-sig"), str(path))
    return [
        {key: (str(row.get(key) or "").strip() or None) for key in ("name", "team", "role")}
        for _, _, row in raw
        if isinstance(row, dict)
    ]


def parse_roster(text: str, kind: str, scenario: Scenario, file: str = "roster") -> list[RosterRow]:
    raw = _rows_from_csv(text, file) if kind == "csv" else _rows_from_yaml(text, file)
    return _check(raw, scenario, file)


def _check(raw: list[tuple[int | None, str, Any]], scenario: Scenario, file: str) -> list[RosterRow]:
    problems: list[Problem] = []
    rows: list[RosterRow] = []
    teams = {spec.id for spec in team_specs(scenario)}
    simcell = {spec.id for spec in team_specs(scenario) if _played_by_simcell(scenario, spec.country)}
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
            hint = suggestion(role, sorted(roles | STAFF_ROLES))
            problems.append(
                Problem(file, line, f"{path}.role", f"unknown role {role!r}{hint} (roles: {known})")
            )
        if team is None and role in roles:
            problems.append(Problem(file, line, f"{path}.team", f"participant {name!r} needs a team"))
        if team is not None and team not in teams:
            known = ", ".join(sorted(teams))
            hint = suggestion(team, sorted(teams))
            problems.append(
                Problem(file, line, f"{path}.team", f"unknown team {team!r}{hint} (teams: {known})")
            )
        if team in simcell:
            problems.append(
                Problem(
                    file,
                    line,
                    f"{path}.team",
                    f"nobody plays in team {team!r}: its country is played by SimCell",
                )
            )
        rows.append(RosterRow(name, team, role))
    if not raw:
        problems.append(Problem(file, None, "", "the roster is empty"))
    if problems:
        raise ScenarioError(problems)
    return rows


def _played_by_simcell(scenario: Scenario, country: str) -> bool:
    found = scenario.country(country)
    return found is not None and found.played_by_simcell


def _rows_from_csv(text: str, file: str) -> list[tuple[int | None, str, Any]]:
    return rows_from_table(parse_csv_text(text), file)


def rows_from_table(table: Table, file: str) -> list[tuple[int | None, str, Any]]:
    found = columns(table.header, COLUMN_NAMES)
    missing = {"name", "team", "role"} - set(found)
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
    return [
        (line, f"row {i + 1}", {key: text(cell(cells, index)) for key, index in found.items()})
        for i, (line, cells) in enumerate(table.rows)
    ]


def _rows_from_yaml(text: str, file: str) -> list[tuple[int | None, str, Any]]:
    try:
        node = yaml_text.compose(text)
        data = yaml_text.load(text)
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(file, None, "", f"not valid YAML: {error}")]) from None
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ScenarioError([Problem(file, 1, "", "a YAML roster is a list of {name, team, role}")])
    return [
        (item.start_mark.line + 1, f"[{i}]", row)
        for i, (item, row) in enumerate(zip(node.value, data, strict=True))
    ]
