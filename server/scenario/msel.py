"""The master events list (MSEL) as a spreadsheet: CSV with times relative to STARTEX.

Trainers plan in spreadsheets, so the MSEL goes out as CSV and comes back in. A time is
written `D+1 H+2 M+30`: one day, two hours and thirty minutes after STARTEX. Columns:

    id, time, title, channel, from, to, trigger, body

`trigger` is for reading only (a summary of the inject's trigger in the scenario); an import
keeps each inject's trigger, releases, notes and the rest, and takes from the sheet its time,
title, channel, sender, recipients and text. Rows with a new id become new injects; injects
missing from the sheet are removed; the sheet's order becomes the scenario's.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from server.core.scenario import Delay, Inject, Scenario, Trigger, TriggerKind
from server.core.simtime import DAY, HOUR, MINUTE, format_sim_time
from server.scenario.errors import Problem, ScenarioError
from server.scenario.loader import format_audience, load_scenario, parse_audience, scenario_file

COLUMNS = ("id", "time", "title", "channel", "from", "to", "trigger", "body")
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


def export_msel(scenario: Scenario) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for inject in scenario.injects:
        writer.writerow(
            [
                inject.id,
                "" if inject.at is None else format_offset(inject.at - scenario.clock.start),
                inject.title,
                str(inject.channel),
                inject.sender,
                format_audience(inject.audience),
                describe_trigger(inject.trigger) if inject.trigger else "",
                inject.body,
            ]
        )
    return out.getvalue()


def import_msel(folder: Path, csv_text: str, out: Path, csv_name: str = "msel.csv") -> Scenario:
    """Write the scenario in `folder` with the MSEL of `csv_text` to `out`; the new scenario."""
    scenario = load_scenario(folder)
    rows = _rows(csv_text, csv_name)
    source = folder if folder.is_dir() else folder.parent
    with tempfile.TemporaryDirectory() as scratch:
        draft = Path(scratch) / source.name
        shutil.copytree(source, draft)
        file, data = _injects_file(draft)
        old: dict[str, dict[str, Any]] = {
            item["id"]: item for item in data.get("injects") or [] if isinstance(item, dict) and "id" in item
        }
        injects = {inject.id: inject for inject in scenario.injects}
        data["injects"] = [
            _merge(row, old.get(row["id"], {}), injects.get(row["id"]), scenario) for row in rows
        ]
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        file.write_text(text, encoding="utf-8")
        try:
            load_scenario(draft)  # nothing is written unless the result is valid
        except ScenarioError as error:
            raise ScenarioError(
                [replace(p, file=p.file.replace(str(draft), str(out))) for p in error.problems]
            ) from None
        written = out / file.relative_to(draft)
        if out.resolve() != source.resolve():
            shutil.copytree(source, out, dirs_exist_ok=True)
        written.write_text(text, encoding="utf-8")
    return load_scenario(out)


def _rows(csv_text: str, file: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(csv_text))
    missing = set(COLUMNS) - {"trigger"} - set(reader.fieldnames or [])
    if missing:
        raise ScenarioError([Problem(file, 1, "", f"missing columns: {', '.join(sorted(missing))}")])
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(reader):
        where = f"row {i + 1}"
        if not (row.get("id") or "").strip():
            problems.append(Problem(file, reader.line_num, f"{where}.id", "an inject needs an id"))
        offset: int | None = None
        if (row.get("time") or "").strip():
            try:
                offset = parse_offset(row["time"])
            except ValueError as error:
                problems.append(Problem(file, reader.line_num, f"{where}.time", str(error)))
        try:
            parse_audience(row.get("to") or "")
        except ValueError as error:
            problems.append(Problem(file, reader.line_num, f"{where}.to", str(error)))
        rows.append({**{k: (v or "").strip() for k, v in row.items() if k}, "offset": offset})
    if problems:
        raise ScenarioError(problems)
    return rows


def _injects_file(folder: Path) -> tuple[Path, dict[str, Any]]:
    main = scenario_file(folder)
    data = yaml.safe_load(main.read_text(encoding="utf-8"))
    for name in data.get("include") or []:
        included = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        if isinstance(included, dict) and "injects" in included:
            return folder / name, included
    return main, data


def _merge(
    row: dict[str, Any], raw: dict[str, Any], old: Inject | None, scenario: Scenario
) -> dict[str, Any]:
    merged: dict[str, Any] = {"id": row["id"], **{k: v for k, v in raw.items() if k != "id"}}
    merged.update(title=row["title"], channel=row["channel"], to=row["to"])
    merged["from"] = row["from"]
    if row["offset"] is None:
        merged.pop("at", None)
    else:
        merged["at"] = format_sim_time(scenario.clock.start + row["offset"])
    if old is None or old.body != row["body"]:
        merged.pop("body_file", None)
        merged["body"] = row["body"]
    return merged
