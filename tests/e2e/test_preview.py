"""Control's read-only preview of a station (issue 11, item 15), on a real instance: the preview
sees exactly what a real participant of that team sees (its welcome and its live events), can
send nothing, shows nobody online, and leaves an audit entry that staff see."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.log import read_log
from tests.e2e.servers import ServerProcess, code_of
from tests.e2e.wire import Wire


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


async def _preview(server: ServerProcess, token: str, participant: str) -> Wire:
    wire = await Wire.open(server.ws_url)
    await wire.send({"type": "hello", "v": 1, "token": token, "preview": participant})
    return wire


def _events(frames: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(f["seq"], f["kind"]) for f in frames if f["type"] == "event"]


async def test_a_preview_sees_what_the_participant_sees_and_nothing_more(server: ServerProcess) -> None:
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    await director.ok("inject.release", inject="T-02")  # to SUD's police and social workers only
    nora = await Wire.join(server.ws_url, code_of(created, "Nora Lind"))
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    await nora.ok("message.post", text="Norland's own line")
    await sara.ok("message.post", text="Sudria's own line")
    question = {"question": "Who runs SeaCrew Agency?"}
    drafted = await sara.ok(
        "request.draft", instrument="POLICE_MSG", to="NOR", subject="About the crew", fields=question
    )
    await sara.ok("request.send", request=drafted["result"]["request"])
    await sara.ok(
        "request.draft", instrument="POLICE_MSG", to="NOR", subject="About the crew", fields=question
    )  # Sudria's draft
    await director.ok("note.write", text="Norland is slow to start", team="NOR")

    assert director.welcome is not None
    preview = await _preview(server, director.welcome["token"], "P0006")  # Nils Berg, NOR police
    previewed = await preview.next("welcome")
    nils = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    assert nils.welcome is not None

    # The same identity and the same snapshot as Nils's own station, to the last field.
    assert (
        previewed["me"]
        == nils.welcome["me"]
        == {
            "participant": "P0006",
            "name": "Nils Berg",
            "team": "NOR",
            "role": "police",
            "staff": False,
        }
    )
    assert previewed["snapshot"] == nils.welcome["snapshot"]
    assert previewed["preview"] == {"by": "P0001", "name": "Dana Director", "role": "director"}
    assert "preview" not in nils.welcome
    text = str(previewed["snapshot"])
    assert "Norland's own line" in text
    assert "Sudria's own line" not in text and "Norland is slow" not in text and "T-02" not in text

    # Live: the same events as Nils, up to an announcement both see last.
    await nora.ok("message.post", text="Live for Norland")
    await sara.ok("message.post", text="Live for Sudria")
    await director.ok("note.write", text="Another staff note", team="NOR")
    await director.ok("inject.write", title="For Sudria", body="Not for Norland", audience={"teams": ["SUD"]})
    marker = await director.ok("announcement.make", audience={"everyone": True}, text="Lunch at noon")
    for wire in (preview, nils):
        while not any(f["type"] == "event" and f["seq"] == marker["seq"] for f in wire.frames):
            await wire.recv()
    after = previewed["seq"]
    nils_live = [e for e in _events(nils.frames) if e[0] > after]
    preview_live = [e for e in _events(preview.frames) if e[0] > after]
    assert preview_live == nils_live
    assert [kind for _, kind in preview_live].count("message.posted") == 1  # Nora's, not Sara's

    # The older events through `history` are Nils's too: the same page for both.
    pages = [await w.ok("history", of="events", before=marker["seq"], limit=50) for w in (preview, nils)]
    assert pages[0]["result"] == pages[1]["result"]

    await nils.close()
    await preview.close()


async def test_a_preview_sends_nothing_opens_no_presence_and_is_audited(server: ServerProcess) -> None:
    created = server.create_exercise()
    exercise = created["exercise"]
    controller = await Wire.join(server.ws_url, code_of(created, "Carl Controller"))
    await controller.ok("exercise.ready")
    await controller.ok("exercise.start")
    mentor = await Wire.join(server.ws_url, code_of(created, "Mona Mentor"))
    assert controller.welcome is not None
    preview = await _preview(server, controller.welcome["token"], "P0009")  # Sara Costa, SUD police
    await preview.next("welcome")

    replies = [
        await preview.command("message.post", text="sent from a preview"),
        await preview.command("message.control", text="to control", team="SUD"),
        await preview.command(
            "request.draft", instrument="POLICE_MSG", to="NOR", subject="x", fields={"question": "x" * 20}
        ),
        await preview.command("exercise.pause"),  # not even the controller's own commands
    ]
    for reply in replies:
        assert (reply["ok"], reply["error"]["code"]) == (False, "read_only"), reply
        assert "read-only preview" in reply["error"]["message"]

    # The audit entry: staff see it live (the mentor's timeline), the participant's team never.
    audit = await mentor.next("event")
    while audit["kind"] != "station.previewed":
        audit = await mentor.next("event")
    assert audit["data"] == {"by": "P0002", "participant": "P0009", "team": "SUD"}
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    await controller.ok("announcement.make", audience={"everyone": True}, text="marker")
    await sara.next("event")
    assert "station.previewed" not in [f["kind"] for f in sara.frames if f["type"] == "event"]

    log = await read_log(server.redis_url, exercise)
    kinds = [(item.event.kind, getattr(item.event, "participant", None)) for item in log]
    assert ("station.previewed", "P0009") in kinds
    assert not any(kind in ("message.posted", "message.control", "request.drafted") for kind, _ in kinds)
    # No presence for the preview: Sara's only connection.opened is her own, after the preview.
    opened = [i for i, (kind, who) in enumerate(kinds) if kind == "connection.opened" and who == "P0009"]
    assert len(opened) == 1 and opened[0] > kinds.index(("station.previewed", "P0009"))
    await preview.close()


@pytest.mark.parametrize(
    ("who", "target", "error"),
    [
        ("Mona Mentor", "P0006", "forbidden"),
        ("Sim Cell", "P0006", "forbidden"),
        ("Nils Berg", "P0007", "forbidden"),
        ("Dana Director", "P0004", "invalid_args"),
        ("Dana Director", "P9999", "not_found"),
    ],
)
async def test_a_preview_that_is_not_allowed_closes_with_4505(
    server: ServerProcess, who: str, target: str, error: str
) -> None:
    created = server.create_exercise()
    joined = await Wire.join(server.ws_url, code_of(created, who))
    assert joined.welcome is not None
    wire = await _preview(server, joined.welcome["token"], target)
    code, frames = await wire.closed()
    assert code == 4505
    assert [f.get("code") for f in frames if f["type"] == "error"] == [error]
    assert not [f for f in frames if f["type"] == "welcome"]


async def test_revoking_the_staff_member_ends_their_preview_and_not_the_participants(
    server: ServerProcess,
) -> None:
    created = server.create_exercise()
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    controller = await Wire.join(server.ws_url, code_of(created, "Carl Controller"))
    assert controller.welcome is not None
    preview = await _preview(server, controller.welcome["token"], "P0006")
    await preview.next("welcome")
    await director.ok("credential.revoke", participant="P0006")  # Nils's code: the preview goes on
    assert (await preview.command("history", of="events", before=10))["ok"]
    await director.ok("credential.revoke", participant="P0002")  # the controller's: it ends
    code, _ = await preview.closed()
    assert code == 4503
