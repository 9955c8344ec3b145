"""The flagship on a real server: Operation Greenhouse with its 200-person roster starts, and every
participant's welcome snapshot holds exactly their own starting knowledge (DOMAIN §6.3)."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire
from tests.scenario.test_scenarios import STARTING, expected_case_file

ROSTER = Path(__file__).parents[2] / "scenarios" / "greenhouse" / "roster.csv"
ALL_STARTING = set().union(*STARTING.values())
STAFF = {"director", "controller", "simcell", "mentor", "observer", "evaluator"}


def roster() -> list[dict[str, Any]]:
    with ROSTER.open(newline="") as f:
        return [{"name": r["name"], "team": r["team"] or None, "role": r["role"]} for r in csv.DictReader(f)]


async def test_the_flagship_starts_and_everyone_sees_their_own_starting_knowledge(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_url)
    people = roster()
    assert sum(p["role"] not in STAFF for p in people) == 200
    created = server.create_exercise(roster=people, scenario="greenhouse")

    director = await Wire.join(server.ws_url, code_of(created, "Ruth Adler"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")

    limit = asyncio.Semaphore(25)

    async def case_file(person: dict[str, Any]) -> tuple[dict[str, Any], set[str], str]:
        async with limit:
            wire = await Wire.join(server.ws_url, code_of(created, person["name"]))
            try:
                assert wire.welcome is not None
                snapshot = wire.welcome["snapshot"]
                return person, {item["id"] for item in snapshot["case_file"]}, snapshot["exercise"]["status"]
            finally:
                await wire.close()

    seen = await asyncio.gather(*(case_file(person) for person in people))
    await director.close()

    for person, ids, status in seen:
        assert status == "running"
        if person["role"] in STAFF:
            assert ids >= ALL_STARTING, person  # staff see every case file
        else:
            assert ids == expected_case_file(person["team"], person["role"]), person
