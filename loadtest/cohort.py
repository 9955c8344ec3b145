"""The simulated cohort: which scenario, and who is in the roster.

A scenario's teams and roles are read from its `scenario.yaml` (the same folder the server
loads by name). The roster is the scenario's own `roster.csv` for the flagship ("greenhouse",
about 200 people), a file given with `--roster`, or generated: N participants spread over the
teams and roles round-robin, plus control (a director, two controllers) and watchers (two
mentors, three observers). Scenario folders sent inline are bundled with their included files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from server.core.team_models import team_specs
from server.scenario.errors import ScenarioError
from server.scenario.loader import bundle_scenario, load_scenario
from server.scenario.reach import roles_in
from server.scenario.shipped import shipped_scenarios

SCENARIOS = shipped_scenarios()
FLAGSHIP = "greenhouse"
FALLBACK = "twin-ports"
STAFF = ("director", "controller", "controller", "mentor", "mentor", "observer", "observer", "observer")
CONTROL = frozenset({"director", "controller"})
STAFF_ROLES = frozenset({"director", "controller", "simcell", "mentor", "observer", "evaluator"})


@dataclass(frozen=True, slots=True)
class Scenario:
    """What the load test needs of a scenario: how to name it to the server, its teams and roles."""

    name: str
    reference: str | dict[str, str]
    """The `scenario` field of `POST /api/exercises`: a server-side name or `{"yaml": text}`."""
    teams: tuple[str, ...]
    roles: tuple[str, ...]
    roster_file: Path | None
    folder: Path | None = None
    """The scenario folder, so players can read its instruments and actions."""
    seats: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For a team that is an agency unit, the roles that work for its agency (a generated
    roster seats only those there); other teams take every role."""


@dataclass(frozen=True, slots=True)
class Member:
    """One roster row, and once created, its join code and participant id."""

    name: str
    team: str | None
    role: str
    code: str = ""
    participant: str = ""

    @property
    def staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def control(self) -> bool:
        return self.role in CONTROL

    def row(self) -> dict[str, Any]:
        return {"name": self.name, "team": self.team, "role": self.role}


def resolve_scenario(name: str) -> Scenario:
    """`auto` is the flagship when its folder and roster exist, else twin-ports; a name is a
    folder under scenarios/; a path is a scenario folder or file sent as YAML."""
    if name == "auto":
        name = FLAGSHIP if (SCENARIOS / FLAGSHIP / "roster.csv").exists() else FALLBACK
    candidate = Path(name)
    if candidate.exists() and (candidate.is_file() or (candidate / "scenario.yaml").exists()):
        file = candidate if candidate.is_file() else candidate / "scenario.yaml"
        text = file.read_text(encoding="utf-8")
        teams, roles = _teams_and_roles(text, file)
        teams, seats = _units(file, teams)
        roster = file.parent / "roster.csv"
        bundled = {"yaml": bundle_scenario(file.parent)}  # its included files merged in
        return Scenario(
            file.parent.name, bundled, teams, roles, roster if roster.exists() else None, file.parent, seats
        )
    file = SCENARIOS / name / "scenario.yaml"
    if not file.exists():
        known = ", ".join(sorted(p.name for p in SCENARIOS.iterdir() if (p / "scenario.yaml").exists()))
        raise ValueError(f"no scenario {name!r} (known: {known}, or a path to a scenario folder)")
    teams, roles = _teams_and_roles(file.read_text(encoding="utf-8"), file)
    teams, seats = _units(file, teams)
    roster = file.parent / "roster.csv"
    flagship_roster = roster if name == FLAGSHIP and roster.exists() else None
    return Scenario(name, name, teams, roles, flagship_roster, file.parent, seats)


def _units(file: Path, countries: tuple[str, ...]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The teams of the scenario (a country playing as agency units is several) and the roles
    of each unit; the countries as they are when the scenario does not load (the server says
    why)."""
    try:
        scenario = load_scenario(file)
    except ScenarioError:
        return countries, {}
    specs = team_specs(scenario)
    seats = {spec.id: tuple(role.id for role in roles_in(scenario, spec)) for spec in specs if spec.unit}
    return tuple(spec.id for spec in specs), seats


def _teams_and_roles(text: str, file: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ids of the countries (one team each) and roles, from the file and its `include`s."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{file}: a scenario is a map")
    for name in data.get("include") or []:
        included = yaml.safe_load((file.parent / str(name)).read_text(encoding="utf-8"))
        if isinstance(included, dict):
            data = {**included, **data}
    try:
        teams = tuple(str(country["id"]) for country in data["countries"])
        roles = tuple(str(role["id"]) for role in data["roles"])
    except (KeyError, TypeError) as error:
        raise ValueError(f"{file}: cannot read countries and roles ({error!r})") from None
    if not teams or not roles:
        raise ValueError(f"{file}: a scenario needs countries and roles")
    return teams, roles


def read_roster(path: Path) -> list[Member]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        rows: list[dict[str, Any]] = list(yaml.safe_load(text))
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    return [
        Member(
            str(row["name"]).strip(), (str(row.get("team") or "").strip() or None), str(row["role"]).strip()
        )
        for row in rows
    ]


def generate_roster(scenario: Scenario, participants: int, staff: tuple[str, ...] = STAFF) -> list[Member]:
    members = [Member(f"Staff {i + 1:03d} {role}", None, role) for i, role in enumerate(staff)]
    for i in range(participants):
        team = scenario.teams[i % len(scenario.teams)]
        roles = scenario.seats.get(team) or scenario.roles
        role = roles[(i // len(scenario.teams)) % len(roles)]
        members.append(Member(f"Bot {i + 1:04d} {team}", team, role))
    return members


def roster_for(scenario: Scenario, participants: int, roster: Path | None) -> list[Member]:
    """The roster file given, else the flagship's own, else a generated one."""
    file = roster or scenario.roster_file
    return read_roster(file) if file is not None else generate_roster(scenario, participants)


def probe_scenario(teams: int) -> Scenario:
    """A scenario with many small teams, for probes with thousands of connections: presence
    events go to a connection's team, so small teams keep the fan-out of a probe linear."""
    countries = [{"id": f"T{i:03d}", "name": f"Team {i:03d}", "route_role": "transit"} for i in range(teams)]
    data = {
        "id": "loadtest-probe",
        "title": "Load test probe",
        "clock": {"start": "D1 08:30", "morning": "08:30", "speed": 1},
        "countries": countries,
        "roles": [{"id": "analyst", "name": "Analyst"}],
    }
    text = yaml.safe_dump(data, sort_keys=False)
    return Scenario("loadtest-probe", {"yaml": text}, tuple(c["id"] for c in countries), ("analyst",), None)
