"""Replay against a recorded client (issue 13's acceptance item): a real server, an SDK client
logged in as Nils Berg (NOR police) that records every event it receives while others play,
cut off in the middle (a TCP proxy resets its connection; it reconnects and resumes); then, for
several seqs N, `GET /api/exercises/{id}/replay?viewer=participant:P&seq=N` equals what that
client had received up to N, field by field. And who may replay: staff, never participants."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx

from clients.sdk import Client, Event, Reset
from tests.e2e.proxy import FaultyProxy
from tests.e2e.servers import ADMIN_TOKEN, ServerProcess, code_of
from tests.e2e.wire import Wire


def _replay(server: ServerProcess, exercise: str, token: str | None, **params: Any) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    url = f"{server.url}/api/exercises/{exercise}/replay"
    return httpx.get(url, params=params, headers=headers, timeout=60)


async def _collect(client: Client, into: list[Event | Reset]) -> None:
    async for item in client.events():
        into.append(item)


async def _play(director: Wire, others: list[Wire], round: int) -> None:
    """A round of play: messages in both teams, announcements to NOR, to SUD and to
    prosecutors, a mentor's note (staff only)."""
    for i, wire in enumerate(others):
        for k in range(3):
            await wire.ok("message.post", text=f"round {round} from {i}: {k}")
    await director.ok("announcement.make", audience={"teams": ["NOR"]}, text=f"to NOR {round}")
    await director.ok("announcement.make", audience={"teams": ["SUD"]}, text=f"to SUD {round}")
    await director.ok("announcement.make", audience={"roles": ["prosecutor"]}, text=f"prosecutors {round}")
    await director.ok("note.write", team="NOR", text=f"staff only {round}")


async def test_replay_as_a_participant_equals_what_its_client_received_across_a_reconnect(
    server: ServerProcess,
) -> None:
    created = server.create_exercise(id="twin-replay")
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    others = [await Wire.join(server.ws_url, code_of(created, name)) for name in ("Nora Lind", "Sara Costa")]
    proxy = FaultyProxy(server.port).start()
    seen: list[Event | Reset] = []
    try:
        url = f"ws://127.0.0.1:{proxy.port}/ws"
        async with Client(
            url, code=code_of(created, "Nils Berg"), subprotocol="json", backoff_max=0.3
        ) as nils:
            collecting = asyncio.create_task(_collect(nils, seen))
            await nils.wait_until(lambda c: c.welcome is not None)
            await _play(director, others, 1)
            await director.ok("inject.release", inject="T-02")  # to SUD: not for Nils
            await _play(director, others, 2)
            assert proxy.cut() >= 1  # Nils is cut off in the middle of the play ...
            await _play(director, others, 3)  # ... while the others go on
            await nils.wait_until(lambda c: c.reconnects >= 1)
            await _play(director, others, 4)
            last = _replay(server, "twin-replay", ADMIN_TOKEN).json()["last"]
            async with asyncio.timeout(15):
                while nils.position is None or nils.position[1] < last:
                    await asyncio.sleep(0.05)
            collecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await collecting
            assert nils.reconnects >= 1 and nils.resets == 0 and nils.anomalies == []
            participant = nils.welcome.me.participant if nils.welcome else ""
    finally:
        proxy.stop()
    resets = [item for item in seen if isinstance(item, Reset)]
    assert len(resets) == 1  # the first welcome only: the reconnect resumed exactly
    base = resets[0].seq
    got = [item for item in seen if isinstance(item, Event) and item.seq <= last]
    assert len(got) > 16 and got[-1].seq <= last
    kinds = {e.kind for e in got}
    assert {"message.posted", "announcement.made"} <= kinds and "note.written" not in kinds

    viewer = f"participant:{participant}"
    for n in sorted({base + 1, (base + last) // 2, got[len(got) // 3].seq, got[-2].seq, last}):
        answer = _replay(server, "twin-replay", ADMIN_TOKEN, viewer=viewer, seq=n, after=base, limit=5000)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["seq"] == n and body["viewer"]["key"] == viewer and body["more"] is False
        replayed = body["events"]
        received = [e for e in got if e.seq <= n]
        assert [e["seq"] for e in replayed] == [e.seq for e in received], f"at seq {n}"
        for mine, theirs in zip(replayed, received, strict=True):
            assert mine["type"] == "event"
            assert (mine["seq"], mine["at"], mine["kind"]) == (theirs.seq, theirs.at, theirs.kind)
            assert mine["data"] == theirs.data, f"seq {theirs.seq}"
        texts = [item["text"] for item in body["screen"]["feed"]]
        assert all("SUD" not in text or "prosecutors" in text for text in texts)
    # the moment before a message arrived does not show it, the moment after does
    message = next(e for e in got if e.kind == "message.posted" and e.seq > base)
    before = _replay(server, "twin-replay", ADMIN_TOKEN, viewer=viewer, seq=message.seq - 1).json()
    after = _replay(server, "twin-replay", ADMIN_TOKEN, viewer=viewer, seq=message.seq).json()
    assert message.data["text"] not in [i["text"] for i in before["screen"]["feed"]]
    assert message.data["text"] in [i["text"] for i in after["screen"]["feed"]]
    for wire in [director, *others]:
        await wire.close()


async def test_staff_may_replay_and_participants_may_not(server: ServerProcess) -> None:
    created = server.create_exercise(id="twin-replay-access")
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    police = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    await police.ok("message.post", text="we are on it")
    assert director.welcome is not None and police.welcome is not None
    staff, participant = director.welcome["token"], police.welcome["token"]

    index = _replay(server, "twin-replay-access", staff)  # the console's session token
    assert index.status_code == 200
    body = index.json()
    keys = [v["key"] for v in body["viewpoints"]]
    assert keys[0] == "control" and "team:NOR" in keys and "role:NOR/police" in keys
    assert body["last"] >= 3 and body["ticks"][-1]["seq"] == body["last"]

    refused = _replay(server, "twin-replay-access", participant, viewer="team:NOR")
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "forbidden",
        "message": "only the staff of this exercise may replay it",
    }
    assert _replay(server, "twin-replay-access", None).status_code == 401

    wrong = _replay(server, "twin-replay-access", ADMIN_TOKEN, viewer="team:XX")
    assert wrong.status_code == 400 and "no team 'XX'" in wrong.json()["error"]["message"]
    late = _replay(server, "twin-replay-access", ADMIN_TOKEN, viewer="control", seq=10_000)
    assert late.status_code == 400 and "seq: expected 1 to" in late.json()["error"]["message"]
    both = _replay(server, "twin-replay-access", ADMIN_TOKEN, viewer="control", seq=2, sim="D1 09:00")
    assert both.status_code == 400 and "not seq and sim" in both.json()["error"]["message"]
    by_sim = _replay(server, "twin-replay-access", ADMIN_TOKEN, viewer="control", sim="D1 00:00")
    assert by_sim.status_code == 200 and by_sim.json()["seq"] >= 1
    by_seconds = _replay(server, "twin-replay-access", ADMIN_TOKEN, viewer="control", sim="1e9")
    assert by_seconds.status_code == 200 and by_seconds.json()["seq"] == body["last"]  # seconds: the end
    missing = _replay(server, "nope", ADMIN_TOKEN)
    assert missing.status_code == 404

    # the log grows: the replay kept is brought up to date
    await director.ok("exercise.start")
    await director.ok("inject.release", inject="T-02")  # to SUD's police and social worker only
    sud = _replay(server, "twin-replay-access", staff, viewer="team:SUD").json()
    nor = _replay(server, "twin-replay-access", staff, viewer="team:NOR").json()
    assert "T-02" in [e["data"].get("inject") for e in sud["events"]]  # a team is all its members
    assert "T-02" in [i["id"] for i in sud["screen"]["injects"]]
    assert "T-02" not in [e["data"].get("inject") for e in nor["events"]]
    await police.ok("message.post", text="one more")
    grown = _replay(server, "twin-replay-access", staff, viewer="team:NOR")
    assert grown.json()["last"] == sud["last"] + 1 > body["last"]
    assert grown.json()["events"][-1]["data"]["text"] == "one more"
    await director.close()
    await police.close()
