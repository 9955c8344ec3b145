"""Read a scenario folder into `server.core.scenario.Scenario`, or say everything that is wrong.

The format is described for trainers in docs/scenarios.md. Reading happens in two passes: the
section readers (`server.scenario.world`, `server.scenario.play`) check the shape of every
section and record each reference they meet (an instrument named by a trigger, a role named by a
capability); `server.scenario.checks` then resolves the references and runs the cross-checks
(cycles, injects that can never fire, availability of instruments, roles able to do what is
expected of them). All problems are reported at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from server.core.scenario import Scenario, TeamModel
from server.scenario import yaml_text
from server.scenario.checks import check
from server.scenario.errors import Problem, ScenarioError
from server.scenario.evaluation import EvaluationReader
from server.scenario.fields import format_audience, parse_audience
from server.scenario.play import PlayReader
from server.scenario.source import Source, suggestion
from server.scenario.world import WorldReader

__all__ = [
    "bundle_scenario",
    "format_audience",
    "load_scenario",
    "parse_audience",
    "parse_scenario",
    "scenario_file",
]


def scenario_file(path: Path) -> Path:
    return path / "scenario.yaml" if path.is_dir() else path


def load_scenario(path: Path, warnings: list[Problem] | None = None) -> Scenario:
    """The scenario in `path`; what is allowed but looks wrong is added to `warnings`."""
    file = scenario_file(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError([Problem(str(file), None, "", f"cannot read: {error.strerror}")]) from None
    return parse_scenario(text, str(file), file.parent, warnings)


def bundle_scenario(path: Path) -> str:
    """The scenario in `path` as one self-contained YAML text, for the HTTP API's inline form:
    included sections merged in, `*_file` texts put in place. Unreadable parts are left as they
    are, for `parse_scenario` to report."""
    file = scenario_file(path)
    data = yaml_text.load(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        return file.read_text(encoding="utf-8")
    for name in data.pop("include", None) or []:
        try:
            included = yaml_text.load((file.parent / str(name)).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            included = None
        if isinstance(included, dict):
            data.update({k: v for k, v in included.items() if k not in data})
    return yaml.safe_dump(_inline(data, file.parent), sort_keys=False, allow_unicode=True, width=100)


def _inline(value: Any, folder: Path) -> Any:
    if isinstance(value, list):
        return [_inline(item, folder) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[Any, Any] = {}
    for key, item in value.items():
        name = str(key)
        if name.endswith("_file") and isinstance(item, str) and name[:-5] not in value:
            try:
                out[name[:-5]] = (folder / item).read_text(encoding="utf-8").strip()
                continue
            except OSError:
                pass
        out[key] = _inline(item, folder)
    return out


_SECTIONS = frozenset({"id", "title", "clock", "countries", "roles"})
"""Sections a scenario needs: when a file is broken, one of them may be in it."""


def parse_scenario(
    text: str,
    file: str = "scenario.yaml",
    folder: Path | None = None,
    warnings: list[Problem] | None = None,
) -> Scenario:
    """Parse a scenario; `folder` is where included and Markdown files are (none: inline only);
    warnings (allowed, but probably a mistake) are added to `warnings` when given."""
    reader = Reader(Source(file, text, folder))
    scenario = reader.scenario()
    source = reader.source
    if source.broken:  # one root cause: leave out what depends on the file(s) not read
        missing = {path for path in _SECTIONS if path not in source.data}
        source.problems = [p for p in source.problems if p.path not in missing]
        errors = "YAML errors above are" if len(source.broken) > 1 else "YAML error above is"
        source.warn("", f"the cross-checks (references, triggers, availability) run once the {errors} fixed")
    elif scenario is not None:
        check(reader, scenario)
    if warnings is not None:
        warnings.extend(reader.source.warnings)
    if reader.source.problems or scenario is None:
        raise ScenarioError(reader.source.problems)
    return scenario


class Reader(WorldReader, PlayReader, EvaluationReader):
    """Builds the whole model, section by section."""

    def scenario(self) -> Scenario | None:
        data = self.source.data
        if not data:
            if not self.source.problems:
                self.problem("", "a scenario is a map with id, title, clock, countries and roles")
            return None
        keys = {
            "id", "title", "description", "description_file", "include", "clock", "team_model", "units",
            "countries", "pair_overrides", "roles", "staff", "actions", "instruments", "entities",
            "artefacts", "joint_teams", "characters", "injects", "responses", "requests", "branches",
            "objectives", "metrics", "informal_channels", "share_names", "unit_channels",
            "rating_scale", "questionnaires", "playbook", "legal_rules",
        }  # fmt: skip
        for key in data:
            if key not in keys:
                self.problem(str(key), f"unknown section {key!r}{suggestion(key, keys)}")
        scenario = Scenario(
            id=self.identifier(data.get("id"), "id"),
            title=self.text(data.get("title"), "title"),
            description=self.long_text(data, "description", "", required=False)
            if "description_file" in data
            else self.text(data.get("description"), "description", required=False),
            clock=self.clock(data.get("clock", {})),
            team_model=self.enum(data.get("team_model"), "team_model", TeamModel, TeamModel.COUNTRY_TEAMS),
            informal_channels=self.boolean(data.get("informal_channels"), "informal_channels", False),
            share_names=self.boolean(data.get("share_names"), "share_names", True),
            unit_channels=self.boolean(data.get("unit_channels"), "unit_channels", True),
            countries=tuple(self.items(data, "countries", self.country, required=True)),
            units=(
                *self.items(data, "units", self.unit),
                *(
                    unit
                    for i, country in enumerate(
                        data.get("countries") or [] if isinstance(data.get("countries"), list) else []
                    )
                    for unit in self.country_units(country, f"countries[{i}]")
                ),
            ),
            pair_overrides=tuple(self.items(data, "pair_overrides", self.override)),
            roles=tuple(self.items(data, "roles", self.role, required=True)),
            staff=tuple(self.items(data, "staff", self.staff)),
            actions=tuple(self.items(data, "actions", self.action)),
            instruments=tuple(self.items(data, "instruments", self.instrument)),
            entities=tuple(self.items(data, "entities", self.entity)),
            artefacts=tuple(self.items(data, "artefacts", self.artefact)),
            joint_teams=tuple(self.items(data, "joint_teams", self.joint_team)),
            characters=tuple(self.items(data, "characters", self.character)),
            injects=tuple(self.items(data, "injects", self.inject)),
            responses=tuple(self.items(data, "responses", self.response)),
            requests=tuple(self.items(data, "requests", self.request)),
            branches=tuple(self.items(data, "branches", self.branch)),
            objectives=tuple(self.items(data, "objectives", self.objective)),
            metrics=tuple(self.items(data, "metrics", self.metric)),
            rating_scale=self.rating_scale(data),
            questionnaires=tuple(self.items(data, "questionnaires", self.questionnaire)),
            playbook=tuple(self.items(data, "playbook", self.playbook_step)),
            legal_rules=tuple(self.items(data, "legal_rules", self.legal_rule)),
        )
        return scenario
