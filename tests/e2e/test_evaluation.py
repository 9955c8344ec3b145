"""Evaluation over the wire (issue 13): observations, answers and the improvement plan never reach
a participant, live, replayed, in a snapshot or in `history`; an anonymous answer names nobody,
not even in the record of applied commands in Redis."""

from __future__ import annotations

import json

import pytest
import redis

from tests.e2e.servers import ServerProcess, code_of, default_roster
from tests.e2e.wire import Wire

SECRET = "EVAL-ONLY-51c0"


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


def _raw(frames: list[dict[str, object]]) -> str:
    return json.dumps(frames)


async def test_evaluation_reaches_staff_only_and_an_anonymous_answer_names_nobody(
    server: ServerProcess,
) -> None:
    created = server.create_exercise(
        [*default_roster(), {"name": "Eva Evaluator", "team": None, "role": "evaluator"}]
    )
    exercise = created["exercise"]
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    eva = await Wire.join(server.ws_url, code_of(created, "Eva Evaluator"))
    nils = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    nils_id = nils.welcome["me"]["participant"]  # type: ignore[index]
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    start = nils.position()

    recorded = await eva.ok(
        "observation.record", team="NOR", objective="LO-ID", rating="S", text=f"{SECRET} obs"
    )
    assert recorded["result"] == {"observation": "O-1"}
    await eva.ok("observation.edit", observation="O-1", text=f"{SECRET} edited")
    await eva.ok("improvement.record", text=f"{SECRET} plan", owner="Academy", due="2027-03-31", team="NOR")
    refused = await nils.command("observation.record", team="NOR", objective="LO-ID", text="mine")
    assert refused["error"]["code"] == "forbidden"
    await director.ok("questionnaire.open", questionnaire="Q-DAY")
    await director.ok("questionnaire.open", questionnaire="Q-END")
    await sara.ok("feedback.give", questionnaire="Q-DAY", answers={"clarity": 2, "note": f"{SECRET} sara"})
    await nils.ok("feedback.give", questionnaire="Q-DAY", answers={"clarity": 4, "note": "nils named"})
    anonymous = await nils.command(
        "feedback.give",
        id="anon-1",
        questionnaire="Q-END",
        answers={"realism": 5, "change": f"{SECRET} anon"},
    )
    assert anonymous["ok"], anonymous
    again = await nils.command("feedback.give", id="anon-1", questionnaire="Q-END", answers={"realism": 5})
    assert again["result"] == {"duplicate": True}  # a retry is still recognised

    await nils.drain()
    replayed = await Wire.open(server.ws_url)
    await replayed.hello(code=code_of(created, "Nils Berg"), resume=start)
    await replayed.drain()
    fresh = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    page = await fresh.ok("history", of="events", before=fresh.welcome["seq"] + 1)  # type: ignore[index]
    for frames in (nils.frames, replayed.frames, fresh.frames, [page]):
        raw = _raw(frames)
        assert SECRET not in raw
        for kind in ("observation.", "improvement."):
            assert f'"kind": "{kind}' not in raw
    assert "nils named" in _raw(nils.frames)  # his own named answer reaches him
    assert set(fresh.welcome["snapshot"]["evaluation"]) == {"questionnaires"}  # type: ignore[index]
    await sara.drain()
    assert "nils named" not in _raw(sara.frames)

    staff = await Wire.join(server.ws_url, code_of(created, "Otto Observer"))
    shown = staff.welcome["snapshot"]["evaluation"]  # type: ignore[index]
    assert [o["text"] for o in shown["observations"]] == [f"{SECRET} edited"]
    assert shown["scorecards"][0]["objectives"][0]["counts"]["S"] == 1
    (anon,) = [r for r in shown["responses"] if r["questionnaire"] == "Q-END"]
    assert (anon["participant"], anon["team"]) == ("", None)
    day = next(r for r in shown["results"] if r["questionnaire"] == "Q-DAY")
    assert day["responses"] == 2 and day["teams"] == {"NOR": 1, "SUD": 1}

    # Nothing kept in Redis ties the anonymous answer to Nils: not the event, not the dedup record.
    client = redis.Redis.from_url(server.redis_url)
    applied = {key.decode() for key in client.hkeys(f"liaison:{{{exercise}}}:cmds")}
    assert f"{nils_id}/anon-1" not in applied
    assert any(key.startswith("anonymous/") for key in applied)
    entries = client.xrange(f"liaison:{{{exercise}}}:log")
    anonymous_entry = [e for _, e in entries if SECRET.encode() + b" anon" in b"".join(e.values())]
    assert len(anonymous_entry) == 1 and nils_id.encode() not in b"".join(anonymous_entry[0].values())
    for wire in (director, eva, nils, sara, replayed, fresh, staff):
        await wire.close()
