"""Play through real instances: the scheduler releases timed injects exactly once, at the right
simulated time, with two instances, a paused clock and jumps; requests flow between teams."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from server.core.events import InjectReleased
from server.core.simtime import parse_sim_time
from tests.e2e.log import assert_contiguous, read_log
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire


async def _released(redis_url: str, exercise: str) -> list[InjectReleased]:
    return [
        item.event for item in await read_log(redis_url, exercise) if isinstance(item.event, InjectReleased)
    ]


async def _until_released(redis_url: str, exercise: str, inject: str, within: float = 10.0) -> InjectReleased:
    async with asyncio.timeout(within):
        while True:
            for event in await _released(redis_url, exercise):
                if event.inject == inject:
                    return event
            await asyncio.sleep(0.05)


async def test_timed_injects_are_released_once_at_their_time_by_two_instances_across_a_pause(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    a, b = start_server(redis_url, "a"), start_server(redis_url, "b")
    created = a.create_exercise()
    exercise = created["exercise"]
    director = await Wire.join(a.ws_url, code_of(created, "Dana Director"))
    controller = await Wire.join(b.ws_url, code_of(created, "Carl Controller"))  # b has a hub too
    sud = await Wire.join(b.ws_url, code_of(created, "Sara Costa"))
    nor = await Wire.join(a.ws_url, code_of(created, "Nils Berg"))
    await director.ok("clock.speed", speed=120)
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    startex = await _until_released(redis_url, exercise, "T-01")
    assert startex.sim_time == parse_sim_time("D1 08:30")

    await controller.ok("exercise.pause")
    await controller.ok("clock.jump", to="D1 08:59")  # 09:00 is 30 simulated s = 0.25 s away at 120x
    await asyncio.sleep(1.0)  # paused: nothing may come out, however long we wait
    assert [e.inject for e in await _released(redis_url, exercise)] == ["T-01"]
    await director.ok("exercise.resume")
    harbour = await _until_released(redis_url, exercise, "T-02")
    assert harbour.sim_time == parse_sim_time("D1 09:00")

    await director.ok("clock.jump", to="D1 10:59")  # T-04 comes 2 h after T-02
    crew_list = await _until_released(redis_url, exercise, "T-04")
    assert crew_list.sim_time == parse_sim_time("D1 11:00")
    assert crew_list.releases == ("A-SUD-CREWLIST",)
    await asyncio.sleep(0.5)  # both schedulers had every chance to release twice

    log = await read_log(redis_url, exercise)
    assert_contiguous(log)
    released = [e.inject for e in await _released(redis_url, exercise)]
    assert sorted(released) == ["T-01", "T-02", "T-04"]  # each once; T-05 is due at 12:00 only

    # the harbour call reached SUD's police, not NOR; the crew list joined SUD police's case file
    sud_frames = await sud.drain(0.3)
    nor_frames = await nor.drain(0.3)
    assert {"T-02", "T-04"} <= {
        f["data"]["inject"] for f in sud.frames + sud_frames if f.get("kind") == "inject.released"
    }
    assert {f["data"]["inject"] for f in nor.frames + nor_frames if f.get("kind") == "inject.released"} == {
        "T-01"
    }
    again = await Wire.join(b.ws_url, code_of(created, "Sara Costa"))
    snapshot: dict[str, Any] = again.welcome["snapshot"]  # type: ignore[index]
    assert "A-SUD-CREWLIST" in {a["id"] for a in snapshot["case_file"]}
    assert [i["id"] for i in snapshot["injects"]] == ["T-01", "T-02", "T-04"]
    for wire in (director, controller, sud, nor, again):
        await wire.close()


async def test_a_request_between_played_teams_and_the_inject_it_triggers(
    redis_url: str, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(redis_url, "a")
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    nils = await Wire.join(server.ws_url, code_of(created, "Nils Berg"), binary=False)
    await director.ok("clock.speed", speed=120)
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    drafted = await sara.ok(
        "request.draft",
        instrument="POLICE_MSG",
        to="NOR",
        subject="SeaCrew Agency",
        fields={"question": "What do you know about SeaCrew Agency, phone +NOR-555-0147?"},
    )
    request = drafted["result"]["request"]
    mla = (await sara.ok("request.draft", instrument="MLA", to="NOR", subject="Bank records", fields={}))[
        "result"
    ]["request"]
    unsigned = await sara.command("request.send", request=mla)
    assert unsigned["error"]["code"] == "invalid_state"  # police draft an MLA; a prosecutor validates it
    assert "validated" in unsigned["error"]["message"]
    await sara.ok("request.send", request=request)
    await nils.ok("request.acknowledge", request=request)
    await nils.ok("request.answer", request=request, text="SeaCrew: registered 2019, owner Torvald H.")
    await director.ok("clock.jump", to="D1 09:05")  # T-03 comes 30 minutes after the request was sent
    triggered = await _until_released(redis_url, created["exercise"], "T-03", within=15)
    assert triggered.reason == "trigger"
    for wire in (director, sara, nils):
        await wire.close()
