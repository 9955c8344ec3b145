"""Visibility is decided on the server: a participant never receives a byte of another team's
private material, in live delivery, replay, snapshot or presence (DESIGN.md guarantee 2)."""

from __future__ import annotations

import json

import msgpack
import pytest

from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire

SECRET = "SUD-ONLY-7f3a"


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


def _raw(wire: Wire) -> str:
    return json.dumps(wire.frames)


async def test_a_team_never_sees_another_teams_private_events_live_replayed_or_in_snapshots(
    server: ServerProcess,
) -> None:
    created = server.create_exercise()
    sud_ids = {c["participant"] for c in created["codes"] if c["team"] == "SUD"}
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    nor = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    sud = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    sud_mate = await Wire.join(server.ws_url, code_of(created, "Sofia Reyes"))

    await sud.ok("message.post", text=f"{SECRET} live message")
    await director.ok("announcement.make", audience={"teams": ["SUD"]}, text=f"{SECRET} to SUD")
    await director.ok("announcement.make", audience={"roles": ["prosecutor"]}, text="to prosecutors")
    await director.ok("announcement.make", audience={}, text=f"{SECRET} staff only")
    await director.ok("announcement.make", audience={"teams": ["NOR"]}, text="to NOR")
    await nor.drain()
    position = nor.position()
    await nor.close()
    await sud_mate.close()  # presence of SUD changes while NOR is away
    await sud.ok("message.post", text=f"{SECRET} while NOR was away")
    await director.ok("announcement.make", audience={"everyone": True}, text="to everyone")

    replayed = await Wire.open(server.ws_url, binary=False)
    welcome = await replayed.hello(code=code_of(created, "Nils Berg"), resume=position)
    assert welcome["mode"] == "resume"
    await replayed.drain()
    fresh = await Wire.open(server.ws_url)
    await fresh.hello(code=code_of(created, "Nils Berg"))
    await fresh.drain()

    for seen in (nor, replayed, fresh):
        raw = _raw(seen)
        assert SECRET not in raw
        assert not any(participant in raw for participant in sud_ids), "SUD presence or roster leaked"
        assert "code_hash" not in raw
    snapshot = fresh.welcome["snapshot"]  # type: ignore[index]
    assert {p["team"] for p in snapshot["participants"]} == {"NOR"}
    assert [item["text"] for item in snapshot["feed"]] == ["to NOR", "to everyone"]
    assert "to NOR" in _raw(nor) and "to everyone" in _raw(replayed)
    assert "to prosecutors" not in _raw(nor)  # Nils is police

    # the SUD team and staff did get them
    await sud.drain()
    assert f"{SECRET} to SUD" in _raw(sud)
    await director.drain()
    assert f"{SECRET} staff only" in _raw(director)
    for wire in (director, sud, replayed, fresh):
        await wire.close()


async def test_evaluators_flags_reach_staff_only_live_replayed_and_in_snapshots(
    server: ServerProcess,
) -> None:
    # Issue 11, item 5: a team saw the flags on its own actions live, though not in its snapshot.
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    mentor = await Wire.join(server.ws_url, code_of(created, "Mona Mentor"))
    ola = await Wire.join(server.ws_url, code_of(created, "Ola Strand"))
    nils = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    await ola.ok("action.take", action="arrange_shelter", subject="Erik")  # before the NRM referral
    flag = "arrange_shelter before refer_nrm"
    await mentor.drain()
    assert flag in _raw(mentor)
    replayed = await Wire.open(server.ws_url)
    await replayed.hello(
        code=code_of(created, "Nils Berg"), resume={"epoch": nils.welcome["epoch"], "seq": 0}
    )  # type: ignore[index]
    await replayed.drain()
    fresh = await Wire.join(server.ws_url, code_of(created, "Ola Strand"))
    await fresh.drain()
    for wire in (ola, nils, replayed, fresh):
        await wire.drain()
        raw = _raw(wire)
        assert "arrange_shelter" in raw  # the team sees the action itself
        assert flag not in raw and "action.flagged" not in raw, raw
    staff = await Wire.join(server.ws_url, code_of(created, "Otto Observer"))
    assert staff.welcome["snapshot"]["actions"][0]["flags"] == [flag]  # type: ignore[index]
    for wire in (director, mentor, ola, nils, replayed, fresh, staff):
        await wire.close()


async def test_a_role_players_brief_reaches_staff_only(server: ServerProcess) -> None:
    # Issue 11, item 4: role-player directions were part of the inject text trainees receive.
    created = server.create_exercise()
    brief = "ROLEPLAY-ONLY-4c1e"  # in T-02's `roleplay` in twin-ports
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))  # T-02 goes to SUD police
    await director.ok("exercise.ready")
    await director.ok("inject.release", inject="T-02")
    await sara.drain()
    assert "Kittiwake" in _raw(sara)  # the inject itself arrived
    fresh = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    staff = await Wire.join(server.ws_url, code_of(created, "Sim Cell"))
    for wire in (sara, fresh):
        await wire.drain()
        assert brief not in _raw(wire)
    (row,) = [r for r in staff.welcome["snapshot"]["msel"] if r["id"] == "T-02"]  # type: ignore[index]
    assert brief in row["roleplay"]
    for wire in (director, sara, fresh, staff):
        await wire.close()


async def test_staff_see_everything_and_a_snapshot_equals_the_replayed_history(server: ServerProcess) -> None:
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    nor = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    await nor.ok("message.post", text="hello NOR")
    await director.ok("announcement.make", audience={"teams": ["NOR"]}, text="control to NOR")
    late = await Wire.join(server.ws_url, code_of(created, "Nora Lind"))
    feed = late.welcome["snapshot"]["feed"]  # type: ignore[index]
    assert [(i["channel"], i["text"]) for i in feed] == [
        ("team", "hello NOR"),
        ("announcement", "control to NOR"),
    ]
    observer = await Wire.join(server.ws_url, code_of(created, "Otto Observer"))
    assert len(observer.welcome["snapshot"]["participants"]) == len(created["codes"])  # type: ignore[index]
    for wire in (director, nor, late, observer):
        await wire.close()


def test_msgpack_and_json_carry_the_same_frames() -> None:
    frame = {"type": "event", "seq": 3, "at": 1.5, "kind": "message.posted", "data": {"text": "ü ✓"}}
    assert msgpack.unpackb(msgpack.packb(frame)) == json.loads(json.dumps(frame))
