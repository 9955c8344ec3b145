"""`liaison scenario ...`: validate and show scenario files, export and import the MSEL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.scenario.errors import ScenarioError
from server.scenario.loader import load_scenario


def add_scenario_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scenario = commands.add_parser("scenario", help="validate and inspect scenario files")
    actions = scenario.add_subparsers(required=True, metavar="ACTION")
    validate = actions.add_parser("validate", help="check a scenario; exit code 0 when valid, 1 otherwise")
    validate.add_argument("path", type=Path, help="scenario folder (or its scenario.yaml)")
    validate.set_defaults(run=_validate)


def _validate(args: argparse.Namespace) -> int:
    try:
        scenario = load_scenario(args.path)
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) in {args.path}", file=sys.stderr)
        return 1
    print(f"{args.path}: valid scenario {scenario.id!r} ({len(scenario.countries)} countries)")
    return 0
