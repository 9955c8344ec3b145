"""Operation Steppe Wind on a real server: the strong cohort's first day over the wire.

The third shipped scenario (a non-EU route, Qadira played as five agency units beside two
one-team countries) is created from its roster, started, and played step by step from its own
`playbook` (`loadtest.playbook.strong`, as tests/core/test_steppe_playthrough.py does through
the core): the director jumps the clock to each step, the participant of that unit or team
sends the command, a letter rogatory drafted by the police unit is co-signed by the
prosecution unit, SimCell answers the consulate. What fired, and who received it, is read back
from fresh welcomes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loadtest.playbook import strong
from server.scenario.loader import load_scenario
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire

FOLDER = Path(__file__).parents[2] / "scenarios" / "steppe-gulf"
DAY_ONE = "D1 17:30"


def roster() -> list[dict[str, Any]]:
    with (FOLDER / "roster.csv").open(newline="") as f:
        return [{"name": r["name"], "team": r["team"] or None, "role": r["role"]} for r in csv.DictReader(f)]


async def test_the_strong_cohorts_first_day_fires_what_it_should_for_the_units_that_should_see_it(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    scenario = load_scenario(FOLDER)
    server = start_server(redis_url)
    people = roster()
    created = server.create_exercise(roster=people, scenario="steppe-gulf")
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    simcell = await Wire.join(server.ws_url, code_of(created, "Sim Cell"))
    wires: dict[str, Wire] = {}

    async def wire_of(name: str) -> Wire:
        if name not in wires:
            wires[name] = await Wire.join(server.ws_url, code_of(created, name))
        return wires[name]

    refused = []
    steps = [s for s in strong(scenario) if s.at <= DAY_ONE]
    assert len(steps) >= 10
    for step in steps:
        await director.command("clock.jump", to=step.at)  # refused when the clock is there already
        person = next(p["name"] for p in people if (p["team"], p["role"]) == (step.team, step.role))
        player = await wire_of(person)
        reply = await player.command(step.command, **step.args)
        if not reply["ok"]:
            refused.append((step.expect, reply["error"]))
            continue
        if step.command != "request.draft":
            continue
        request = reply["result"]["request"]
        sent = await player.command("request.send", request=request)
        if not sent["ok"]:  # a letter rogatory: the prosecution unit co-signs the police unit's draft
            cosigner = await wire_of("Omar Al-Suwaidi")
            await cosigner.ok("request.validate", request=request)
            await player.ok("request.send", request=request)
        if step.args.get("agency") == "TAR.CONS":
            await simcell.ok("request.answer", request=request, as_proposed=True)
    assert refused == []
    await director.command("clock.jump", to="D1 18:00")
    for wire in [director, simcell, *wires.values()]:
        await wire.close()

    async def welcome(name: str) -> dict[str, Any]:
        wire = await Wire.join(server.ws_url, code_of(created, name))
        try:
            assert wire.welcome is not None
            snapshot: dict[str, Any] = wire.welcome["snapshot"]
            return snapshot
        finally:
            await wire.close()

    staff = await welcome("Dana Director")
    status = {item["id"]: item["status"] for item in staff["msel"]}
    for fired in ("S-01", "S-02", "S-03", "S-04", "S-05", "S-06", "S-09", "S-11"):
        assert status[fired] == "released", fired
    for withheld in ("S-07", "S-10", "S-12", "S-13", "S-08"):
        assert status[withheld] == "planned", withheld
    letters = [r for r in staff["requests"] if r["instrument"] == "MLA"]
    assert [(r["from"], r["to"], r["cosigners"], r["status"]) for r in letters] == [
        ("QAD-POL", "TAR", ["QAD-PP"], "sent")
    ]
    consulate = next(r for r in staff["requests"] if r["instrument"] == "CONSULAR_NOTIFICATION")
    assert consulate["simcell"] and consulate["status"] in ("answered", "acknowledged")

    # S-09 goes `to: QAD`: every one of Qadira's five units has it, no other team does
    for name, sees in (
        ("Mariam Al-Shamsi", True),  # QAD-SOC
        ("Hamad Al-Dhaheri", True),  # QAD-FIU
        ("Omar Al-Suwaidi", True),  # QAD-PP
        ("Emre Aydin", False),  # BOS
        ("Aziz Karimov", False),  # TAR
    ):
        seen = {item["id"] for item in (await welcome(name))["injects"]}
        assert ("S-09" in seen) is sees, name
    bosmira = {item["id"] for item in (await welcome("Emre Aydin"))["injects"]}
    assert {"S-05", "S-11"} <= bosmira  # the recruiter's flight, and his arrest by Bosmira's police
