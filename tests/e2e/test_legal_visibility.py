"""A legal rule's flag on a request reaches staff only, live, replayed and in snapshots; a send
refused by rule is an error to the sender and nothing reaches the other team (issue 12, item 6)."""

from __future__ import annotations

import json

import pytest

from tests.core.test_legal import FACTS, FRAGMENT
from tests.core.twin import twin_text
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.test_visibility import _raw
from tests.e2e.wire import Wire


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


async def test_a_legal_flag_reaches_staff_only_and_a_refusal_by_rule_reaches_nobody(
    server: ServerProcess,
) -> None:
    created = server.create_exercise(scenario={"yaml": twin_text(FRAGMENT)})
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    mentor = await Wire.join(server.ws_url, code_of(created, "Mona Mentor"))
    sofia = await Wire.join(server.ws_url, code_of(created, "Sofia Reyes"))
    nora = await Wire.join(server.ws_url, code_of(created, "Nora Lind"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    fields = {"facts": FACTS, "measures": ["search"]}
    await sofia.ok(
        "request.draft", instrument="MLA", to="NOR", subject="Search of SeaCrew", fields=fields, send=True
    )
    refused = await sofia.command(
        "request.draft",
        instrument="MLA",
        to="NOR",
        subject="Bank records of SeaCrew",
        fields={"facts": FACTS, "measures": ["bank_records"]},
        send=True,
    )
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"
    assert "refused by legal rule 'bank_secrecy_treaty'" in refused["error"]["message"]
    await mentor.drain()
    assert "request.flagged" in _raw(mentor) and "no_dual_criminality_search" in _raw(mentor)
    fresh = await Wire.join(server.ws_url, code_of(created, "Sofia Reyes"))
    replayed = await Wire.open(server.ws_url)
    await replayed.hello(
        code=code_of(created, "Nora Lind"), resume={"epoch": nora.welcome["epoch"], "seq": 0}
    )  # type: ignore[index]
    for wire in (sofia, nora, fresh, replayed):
        await wire.drain()
        raw = _raw(wire)
        assert "Search of SeaCrew" in raw  # both teams see the request itself
        assert "Bank records of SeaCrew" not in raw
        # the rules are public (the composer shows them): the flag on this request is not
        events = json.dumps([f for f in wire.frames if f["type"] != "welcome"])
        assert "request.flagged" not in events and "dual criminality" not in events, events
        welcome = wire.welcome or {}
        assert "flag" not in json.dumps(welcome.get("snapshot", {}).get("requests", []))
    for wire in (director, mentor, sofia, nora, fresh, replayed):
        await wire.close()
