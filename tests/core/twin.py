"""Twin Ports with a fragment of YAML merged in, read by the real loader, and an exercise of it.

`twin(fragment)` reads scenarios/twin-ports/scenario.yaml, merges `fragment` into it (a list
item whose id the list already has replaces that item's keys; other items are added; a map is
updated) and parses the result with `parse_scenario`, so every test scenario is checked as a
trainer's file would be. `play(scenario)` starts an exercise of it at simulated speed 60 with
Norland's police and social worker and Sudria's police and prosecutor (nobody plays Norland's
prosecution: SimCell answers its MLA requests); `wall("D1 10:00")` is the wall time of a
simulated time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from server.core import commands as c
from server.core.decide import create
from server.core.events import Event, InjectReleased
from server.core.scenario import Scenario
from server.core.simtime import parse_sim_time
from server.scenario.loader import parse_scenario
from tests.core.transcript import NOW, Run

TWIN = Path(__file__).resolve().parents[2] / "scenarios" / "twin-ports" / "scenario.yaml"
START = "D1 08:30"
SPEED = 60.0
ROSTER = (
    c.RosterEntry("Dana", None, "director", "hash-dana"),  # P0001
    c.RosterEntry("Carl", None, "controller", "hash-carl"),  # P0002
    c.RosterEntry("Sim", None, "simcell", "hash-sim"),  # P0003
    c.RosterEntry("Nils", "NOR", "police", "hash-nils"),  # P0004
    c.RosterEntry("Ola", "NOR", "social_worker", "hash-ola"),  # P0005
    c.RosterEntry("Sara", "SUD", "police", "hash-sara"),  # P0006
    c.RosterEntry("Sofia", "SUD", "prosecutor", "hash-sofia"),  # P0007
    c.RosterEntry("Santi", "SUD", "social_worker", "hash-santi"),  # P0008
)


def twin_text(fragment: str) -> str:
    data: dict[str, Any] = yaml.safe_load(TWIN.read_text(encoding="utf-8"))
    for key, value in (yaml.safe_load(fragment) or {}).items():
        if isinstance(value, list) and isinstance(data.get(key), list):
            known = {item.get("id"): item for item in data[key] if isinstance(item, dict)}
            for item in value:
                if isinstance(item, dict) and item.get("id") in known:
                    known[item["id"]].update(item)
                else:
                    data[key].append(item)
        elif isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def twin(fragment: str = "") -> Scenario:
    return parse_scenario(twin_text(fragment), "twin.yaml")


def wall(sim: str) -> float:
    return NOW + 10 + (parse_sim_time(sim) - parse_sim_time(START)) / SPEED


def play(scenario: Scenario) -> Run:
    run = Run(create(scenario, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana, at=NOW + 5)
    run.do(c.SetClockSpeed(SPEED), dana)
    run.do(c.StartExercise(), dana, at=NOW + 10)
    return run


def advance(run: Run, sim: str) -> list[Event]:
    """What the scheduler does at simulated time `sim`."""
    return run.do(c.Advance(), c.SYSTEM, at=wall(sim))


def released(events: list[Event]) -> dict[str, InjectReleased]:
    return {e.inject: e for e in events if isinstance(e, InjectReleased)}
