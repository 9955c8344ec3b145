"""`liaison scenario ...`: validate and show scenario files, export and import the MSEL."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from server.core.roles import STAFF_ROLES
from server.core.scenario import Scenario, TeamModel
from server.core.simtime import format_sim_time
from server.core.team_models import model_of
from server.scenario.errors import Problem, ScenarioError
from server.scenario.legal_show import country_lines, legal_lines
from server.scenario.loader import format_audience, load_scenario
from server.scenario.msel import (
    describe_delay,
    describe_trigger,
    export_msel,
    export_msel_xlsx,
    import_msel_table,
)
from server.scenario.sheets import is_xlsx, read_table


def add_scenario_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scenario = commands.add_parser("scenario", help="validate and inspect scenario files")
    actions = scenario.add_subparsers(required=True, metavar="ACTION")
    validate = actions.add_parser("validate", help="check a scenario; exit code 0 when valid, 1 otherwise")
    validate.add_argument("path", type=Path, help="scenario folder (or its scenario.yaml)")
    validate.set_defaults(run=_validate)
    show = actions.add_parser("show", help="countries, teams, roles, the instrument matrix and the MSEL")
    show.add_argument("path", type=Path, help="scenario folder (or its scenario.yaml)")
    show.set_defaults(run=_show)
    msel = actions.add_parser("msel", help="the master events list as CSV or XLSX").add_subparsers(
        required=True, metavar="ACTION"
    )
    export = msel.add_parser("export", help="write the MSEL as CSV or XLSX (times relative to STARTEX)")
    export.add_argument("path", type=Path, help="scenario folder")
    export.add_argument(
        "--out",
        type=Path,
        help="file to write: .xlsx for a workbook, else CSV (default: CSV on standard output)",
    )
    export.set_defaults(run=_export)
    imported = msel.add_parser("import", help="replace the MSEL of a scenario with a sheet (CSV or XLSX)")
    imported.add_argument("path", type=Path, help="scenario folder")
    imported.add_argument("sheet", type=Path, help="the sheet: .xlsx, or CSV (, or ; separated)")
    imported.add_argument("--out", type=Path, help="folder to write the scenario to (default: in place)")
    imported.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    imported.add_argument(
        "--d1", type=date.fromisoformat, help="calendar date of D1, for date cells (default: the earliest)"
    )
    imported.set_defaults(run=_import)


def _problems(error: ScenarioError, path: Path) -> int:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    print(f"{len(error.problems)} problem(s) in {path}", file=sys.stderr)
    return 1


def _validate(args: argparse.Namespace) -> int:
    warnings: list[Problem] = []
    try:
        scenario = load_scenario(args.path, warnings)
    except ScenarioError as error:
        return _problems(error, args.path)
    finally:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{args.path}: valid scenario {scenario.id!r} ({len(scenario.countries)} countries, "
        f"{len(scenario.roles)} roles, {len(scenario.instruments)} instruments, "
        f"{len(scenario.injects)} injects)"
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        scenario = load_scenario(args.path)
    except ScenarioError as error:
        return _problems(error, args.path)
    print("\n".join(render(scenario)))
    return 0


def _export(args: argparse.Namespace) -> int:
    try:
        scenario = load_scenario(args.path)
    except ScenarioError as error:
        return _problems(error, args.path)
    if args.out is None:
        sys.stdout.write(export_msel(scenario))
        return 0
    if is_xlsx(args.out):
        export_msel_xlsx(scenario, args.out)
    else:
        args.out.write_text(export_msel(scenario), encoding="utf-8")
    print(f"wrote {len(scenario.injects)} injects to {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    out = args.out or args.path
    try:
        table = read_table(args.sheet)
        plan = import_msel_table(args.path, table, out, str(args.sheet), d1=args.d1, dry_run=args.dry_run)
    except OSError as error:
        print(f"cannot read {args.sheet}: {error.strerror}", file=sys.stderr)
        return 1
    except ScenarioError as error:
        return _problems(error, args.sheet)
    except ValueError as error:  # not a workbook
        print(f"cannot read {args.sheet}: {error}", file=sys.stderr)
        return 1
    for line in plan.changes:
        print(line)
    scenario = plan.scenario
    if args.dry_run:
        print(f"dry run: {len(plan.changes)} change(s); nothing written ({len(scenario.injects)} injects)")
    else:
        print(f"wrote {out}: valid scenario {scenario.id!r} with {len(scenario.injects)} injects")
    return 0


def render(scenario: Scenario) -> list[str]:
    """`liaison scenario show`: the scenario as a trainer reads it."""
    clock = scenario.clock
    end = f", ENDEX {format_sim_time(clock.end)}" if clock.end is not None else ""
    lines = [
        f"{scenario.title} ({scenario.id})",
        f"team model: {_team_models(scenario)}; STARTEX {format_sim_time(clock.start)}{end}; "
        f"next morning at {format_sim_time(clock.morning)[3:]}; speed {clock.speed:g}",
        "",
        "COUNTRIES",
    ]
    for country in scenario.countries:
        legal = country.legal_profile
        lines.append(
            f"  {country.id:<5} {country.name:<12} {country.route_role:<12} "
            f"blocs: {', '.join(sorted(country.blocs)) or '-'}; "
            f"EIO: {'yes' if country.eio_participant else 'no'}"
            + ("; played by SimCell" if country.played_by_simcell else "")
        )
        if stated := legal.entries():  # only what the scenario says of the law
            lines.append("        law: " + "; ".join(f"{key}: {value}" for key, value in stated.items()))
        if country.agencies:
            lines.append(f"        agencies: {', '.join(a.id for a in country.agencies)}")
        lines += country_lines(country)
    lines += ["", "TEAMS AND ROLES"]
    for country in scenario.countries:
        if model_of(scenario, country.id) is TeamModel.AGENCY_UNITS:
            units = [unit for unit in scenario.units if unit.country == country.id]
            lines += [f"  {unit.id:<12} {unit.name} ({unit.country}, {unit.agency})" for unit in units]
        else:
            seats = ", ".join(f"{s.role} {s.count}" for s in country.composition)
            total = sum(s.count for s in country.composition)
            lines.append(
                f"  team {country.id:<5} {country.name}" + (f": {total} seats ({seats})" if seats else "")
            )
    for role in scenario.roles:
        lines.append(f"  role {role.id:<18} {role.name}")
        if role.capabilities:
            lines.append(f"       {' '.join(sorted(role.capabilities))}")
    settings = {s.role: s for s in scenario.staff}
    for staff_role in sorted(STAFF_ROLES):
        setting = settings.get(staff_role)
        plays = f"; plays {', '.join(sorted(setting.plays))}" if setting and setting.plays else ""
        lines.append(
            f"  staff {staff_role:<17} {setting.name if setting and setting.name else '(built in)'}{plays}"
        )
    if scenario.instruments:
        lines += ["", "INSTRUMENT MATRIX (from → to: available instruments)"]
        for source, target, names in scenario.matrix():
            if source == target and not names:
                continue  # no domestic instrument in this country
            domestic = " (domestic)" if source == target else ""
            lines.append(f"  {source:>5} → {target:<5} {', '.join(names) or '-'}{domestic}")
    lines += legal_lines(scenario)
    lines += ["", f"MSEL ({len(scenario.injects)} injects, simulated time)"]
    lines.append(f"  {'time':<9} {'id':<7} {'channel':<13} {'to':<32} {'title':<48} trigger")
    ordered = sorted(scenario.injects, key=lambda i: (i.at is None, i.at or 0))
    for inject in ordered:
        when = format_sim_time(inject.at) if inject.at is not None else "-"
        to = format_audience(inject.audience)
        lines.append(
            f"  {when:<9} {inject.id:<7} {inject.channel:<13} {_cut(to, 32):<32} "
            f"{_cut(inject.title, 48):<48} "
            f"{describe_trigger(inject.trigger)}{describe_delay(inject.delay)}"
        )
    return lines


def _team_models(scenario: Scenario) -> str:
    """The scenario's team model, and the countries that play otherwise."""
    others = [c.id for c in scenario.countries if model_of(scenario, c.id) is not scenario.team_model]
    other = next(m for m in TeamModel if m is not scenario.team_model)
    return f"{scenario.team_model}" + (f" ({', '.join(others)}: {other})" if others else "")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
