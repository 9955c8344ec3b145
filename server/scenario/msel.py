"""The master events list (MSEL) as a spreadsheet: CSV or XLSX, times relative to STARTEX.

Trainers plan in spreadsheets, so the MSEL goes out as CSV or XLSX and comes back in. Export
writes a time as `D+1 H+2 M+30`: one day, two hours and thirty minutes after STARTEX. Columns:

    id, time, title, channel, from, to, trigger, body, expected_actions, objectives

`trigger` is for reading only (a summary of the inject's trigger in the scenario); an import
keeps each inject's trigger, releases, notes and the rest, and takes from the sheet its time,
title, channel, sender, recipients and text (and its expected actions and objectives when the
sheet has those columns). Rows with a new id become new injects; injects missing from the sheet
are removed; the sheet's order becomes the scenario's.

An import reads the sheets trainers make too: headers by the names they use (`COLUMN_NAMES`:
DTG or "D+H" for the time, inject for the title, sender, recipient, description ...), times as
they write them (`server.scenario.sheet_time`), CSV with `;` and a byte-order mark. A dry run
(`MselPlan.changes`) says what the import would change before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from server.core.scenario import Delay, Inject, Scenario, Trigger, TriggerKind
from server.core.simtime import DAY, HOUR, MINUTE, format_sim_time
from server.scenario import yaml_text
from server.scenario.errors import Problem, ScenarioError
from server.scenario.loader import format_audience, load_scenario, parse_audience, scenario_file
from server.scenario.sheet_time import first_date, parse_when
from server.scenario.sheets import Table, cell, columns, parse_csv_text, text, write_csv, write_xlsx

COLUMNS = (
    "id", "time", "title", "channel", "from", "to", "trigger", "body", "expected_actions", "objectives",
)  # fmt: skip
REQUIRED = ("id", "time", "title", "channel", "from", "to", "body")
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("inject id", "inject no", "inject no.", "inject number", "inject #", "no", "no.", "nr", "#",
           "ref", "reference", "serial", "serial no", "number"),
    "time": ("dtg", "d+h", "d h", "when", "sim time", "simulated time", "exercise time", "date time",
             "date/time", "datetime", "scheduled", "scheduled time", "planned time", "time (sim)",
             "timing", "at", "h hour", "t+"),
    "day": ("exercise day", "ex day", "ex. day"),
    "title": ("inject", "inject title", "subject", "event", "heading", "summary", "name"),
    "channel": ("method", "means", "medium", "delivery", "delivery method", "mode", "via"),
    "from": ("sender", "originator", "source", "sent by", "from (sender)"),
    "to": ("recipient", "recipients", "addressee", "addressees", "audience", "player", "players",
           "target", "target audience", "to (recipient)"),
    "body": ("description", "text", "content", "details", "message", "inject text", "narrative"),
    "expected_actions": ("expected action", "expected actions", "expected response",
                         "expected player action", "expected player actions", "expected outcome"),
    "objectives": ("objective", "learning objective", "learning objectives", "lo", "los"),
    "trigger": ("triggers", "condition"),
}  # fmt: skip
_OFFSET = re.compile(r"^D\+(\d+)\s+H\+(\d+)\s+M\+(\d+)$")


def format_offset(seconds: int) -> str:
    days, rest = divmod(seconds, DAY)
    return f"D+{days} H+{rest // HOUR} M+{rest % HOUR // MINUTE}"


def parse_offset(text: str) -> int:
    match = _OFFSET.match(text.strip())
    if match is None:
        raise ValueError(f"expected a time after STARTEX like 'D+1 H+2 M+30', got {text!r}")
    days, hours, minutes = (int(g) for g in match.groups())
    if hours > 23 or minutes > 59:
        raise ValueError(f"hours go to 23 and minutes to 59, got {text!r}")
    return days * DAY + hours * HOUR + minutes * MINUTE


def describe_delay(delay: Delay | None) -> str:
    if delay is None:
        return ""
    if delay.anchor is not None:
        return f" then {delay.anchor}"
    return f" +{format_offset(delay.seconds)}"


def describe_trigger(trigger: Trigger | None) -> str:
    """A one-line summary of a trigger, for tables and the CSV."""
    if trigger is None:
        return "time"
    delay = describe_delay(trigger.delay)
    match trigger.kind:
        case TriggerKind.TIME:
            return f"at {format_sim_time(trigger.at or 0)}{delay}"
        case TriggerKind.REQUEST:
            route = f"{trigger.source or '*'}→{trigger.target or '*'}"
            return f"{trigger.instrument} {route} {trigger.state}{delay}"
        case TriggerKind.ACTION:
            return f"action {trigger.action}{' by ' + trigger.team if trigger.team else ''}{delay}"
        case TriggerKind.INJECT:
            return f"after {trigger.inject}{delay}"
        case TriggerKind.DEADLINE_MISSED:
            unless = f" unless {describe_trigger(trigger.of[0])}" if trigger.of else ""
            return f"missed by {format_sim_time(trigger.at or 0)}{unless}{delay}"
        case TriggerKind.NOT:
            return f"not ({describe_trigger(trigger.of[0]) if trigger.of else ''})"
        case TriggerKind.MANUAL:
            return "manual"
    joined = f" {'and' if trigger.kind is TriggerKind.ALL_OF else 'or'} ".join(
        f"({describe_trigger(part)})" for part in trigger.of
    )
    return f"{joined}{delay}"


def msel_rows(scenario: Scenario) -> list[list[str]]:
    """The MSEL as rows of `COLUMNS`, every cell a text (so a sheet comes back exactly)."""
    return [
        [
            inject.id,
            "" if inject.at is None else format_offset(inject.at - scenario.clock.start),
            inject.title,
            str(inject.channel),
            inject.sender,
            format_audience(inject.audience),
            describe_trigger(inject.trigger) if inject.trigger else "",
            inject.body,
            ", ".join(inject.expected_actions),
            ", ".join(sorted(inject.objectives)),
        ]
        for inject in scenario.injects
    ]


def export_msel(scenario: Scenario) -> str:
    return write_csv(COLUMNS, msel_rows(scenario))


def export_msel_xlsx(scenario: Scenario, path: Path) -> None:
    write_xlsx(path, "MSEL", COLUMNS, msel_rows(scenario))


@dataclass(frozen=True, slots=True)
class MselPlan:
    scenario: Scenario
    """The scenario as the import makes it (already checked)."""
    changes: list[str]
    """What changes, one line each, in the sheet's order: `+ id`, `- id`, `~ id: field ...`."""


def import_msel(folder: Path, csv_text: str, out: Path, csv_name: str = "msel.csv") -> Scenario:
    """Write the scenario in `folder` with the MSEL of `csv_text` to `out`; the new scenario."""
    return import_msel_table(folder, parse_csv_text(csv_text), out, csv_name).scenario


def import_msel_table(
    folder: Path,
    table: Table,
    out: Path,
    file: str = "msel",
    *,
    d1: dt.date | None = None,
    dry_run: bool = False,
) -> MselPlan:
    """Write the scenario in `folder` with the MSEL of `table` to `out` (not with `dry_run`).

    `d1` is the calendar date of D1 for cells that hold dates (default: the earliest date)."""
    scenario = load_scenario(folder)
    rows = _rows(table, file, scenario, d1)
    source = folder if folder.is_dir() else folder.parent
    with tempfile.TemporaryDirectory() as scratch:
        draft = Path(scratch) / source.name
        shutil.copytree(source, draft)
        path, data = _injects_file(draft)
        old: dict[str, dict[str, Any]] = {
            item["id"]: item for item in data.get("injects") or [] if isinstance(item, dict) and "id" in item
        }
        injects = {inject.id: inject for inject in scenario.injects}
        data["injects"] = [
            _merge(row, old.get(row["id"], {}), injects.get(row["id"]), scenario) for row in rows
        ]
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(text, encoding="utf-8")
        try:
            planned = load_scenario(draft)  # nothing is written unless the result is valid
        except ScenarioError as error:
            raise ScenarioError(
                [replace(p, file=p.file.replace(str(draft), str(out))) for p in error.problems]
            ) from None
        plan = MselPlan(planned, msel_changes(scenario, planned))
        if dry_run:
            return plan
        written = out / path.relative_to(draft)
        if out.resolve() != source.resolve():
            shutil.copytree(source, out, dirs_exist_ok=True)
        written.write_text(text, encoding="utf-8")
    return MselPlan(load_scenario(out), plan.changes)


def msel_changes(before: Scenario, after: Scenario) -> list[str]:
    """What an import changes in the MSEL, one line per inject added, removed or changed."""
    old = {inject.id: inject for inject in before.injects}
    new = {inject.id: inject for inject in after.injects}
    lines: list[str] = []
    for inject in after.injects:
        was = old.get(inject.id)
        if was is None:
            lines.append(f"+ {inject.id} {inject.title!r} at {_when(after, inject)}")
            continue
        fields = []
        for label, a, b in (
            ("time", _when(before, was), _when(after, inject)),
            ("title", was.title, inject.title),
            ("channel", str(was.channel), str(inject.channel)),
            ("from", was.sender, inject.sender),
            ("to", format_audience(was.audience), format_audience(inject.audience)),
            ("expected actions", ", ".join(was.expected_actions), ", ".join(inject.expected_actions)),
            ("objectives", ", ".join(sorted(was.objectives)), ", ".join(sorted(inject.objectives))),
        ):
            if a != b:
                fields.append(f"{label} {a!r} → {b!r}")
        if was.body != inject.body:
            fields.append(f"body ({len(was.body)} → {len(inject.body)} characters)")
        if fields:
            lines.append(f"~ {inject.id}: " + "; ".join(fields))
    lines += [f"- {inject.id} {inject.title!r}" for inject in before.injects if inject.id not in new]
    if not lines and [i.id for i in before.injects] != [i.id for i in after.injects]:
        lines.append("the order of the injects changes")
    return lines


def _when(scenario: Scenario, inject: Inject) -> str:
    return "no time" if inject.at is None else format_offset(inject.at - scenario.clock.start)


def _rows(table: Table, file: str, scenario: Scenario, d1: dt.date | None) -> list[dict[str, Any]]:
    found = columns(table.header, COLUMN_NAMES)
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        known = ", ".join(repr(h) for h in table.header)
        raise ScenarioError(
            [Problem(file, 1, "", f"missing columns: {', '.join(sorted(missing))} (the header has {known})")]
        )
    start = scenario.clock.start
    if d1 is None:
        d1 = first_date(cell(cells, found["time"]) for _, cells in table.rows)
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for i, (line, cells) in enumerate(table.rows):
        where = f"row {i + 1}"
        row: dict[str, Any] = {
            column: text(cell(cells, index))
            for column, index in found.items()
            if column not in ("time", "day")
        }
        if not row["id"]:
            problems.append(Problem(file, line, f"{where}.id", "an inject needs an id"))
        try:
            row["offset"] = parse_when(
                cell(cells, found["time"]), start, d1=d1, day=cell(cells, found.get("day"))
            )
        except ValueError as error:
            row["offset"] = None
            problems.append(Problem(file, line, f"{where}.time", str(error)))
        try:
            parse_audience(row["to"])
        except ValueError as error:
            problems.append(Problem(file, line, f"{where}.to", str(error)))
        rows.append(row)
    if problems:
        raise ScenarioError(problems)
    return rows


def _names(value: str) -> list[str]:
    return [name.strip() for name in re.split(r"[,;\n]", value) if name.strip()]


def _injects_file(folder: Path) -> tuple[Path, dict[str, Any]]:
    main = scenario_file(folder)
    data = yaml_text.load(main.read_text(encoding="utf-8"))
    for name in data.get("include") or []:
        included = yaml_text.load((folder / name).read_text(encoding="utf-8"))
        if isinstance(included, dict) and "injects" in included:
            return folder / name, included
    return main, data


def _merge(
    row: dict[str, Any], raw: dict[str, Any], old: Inject | None, scenario: Scenario
) -> dict[str, Any]:
    merged: dict[str, Any] = {"id": row["id"], **{k: v for k, v in raw.items() if k != "id"}}
    merged.update(title=row["title"], channel=row["channel"].lower(), to=row["to"])
    merged["from"] = row["from"]
    for column in ("expected_actions", "objectives"):
        if column in row:  # a sheet without the column keeps what the scenario says
            merged.pop(column, None)
            if names := _names(row[column]):
                merged[column] = names
    if row["offset"] is None:
        merged.pop("at", None)
    else:
        merged["at"] = format_sim_time(scenario.clock.start + row["offset"])
    if old is None or old.body != row["body"]:
        merged.pop("body_file", None)
        merged["body"] = row["body"]
    return merged
