"""Access control at the edges of a real instance: the endpoint answers the core's refusals with
the documented codes, a credential reaches one exercise only, and the HTTP API for control is
behind the admin token while `/healthz` says nothing more than "ok" (tests/core/test_access_matrix.py
holds the whole matrix of commands, roles and targets)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.e2e.log import read_log
from tests.e2e.servers import ADMIN_TOKEN, ServerProcess, code_of, default_roster
from tests.e2e.wire import Wire


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


async def _written(server: ServerProcess, exercise: str) -> list[str]:
    log = await read_log(server.redis_url, exercise)
    return [item.event.kind for item in log if not item.event.kind.startswith("connection.")]


async def test_refusals_reach_the_client_as_forbidden_or_not_found_and_write_nothing(
    server: ServerProcess,
) -> None:
    created = server.create_exercise()
    exercise = created["exercise"]
    director = await Wire.join(server.ws_url, code_of(created, "Dana Director"))
    await director.ok("exercise.ready")
    await director.ok("exercise.start")
    await director.ok("inject.release", inject="T-02")  # to SUD's police and social worker
    observer = await Wire.join(server.ws_url, code_of(created, "Otto Observer"))
    nils = await Wire.join(server.ws_url, code_of(created, "Nils Berg"))
    sara = await Wire.join(server.ws_url, code_of(created, "Sara Costa"))
    drafted = await sara.ok(
        "request.draft",
        instrument="POLICE_MSG",
        to="NOR",
        subject="SeaCrew Agency",
        fields={"question": "Who runs SeaCrew Agency?"},
    )
    their_draft = drafted["result"]["request"]
    before = await _written(server, exercise)

    pause = await observer.command("exercise.pause")
    controller = await Wire.join(server.ws_url, code_of(created, "Carl Controller"))
    end = await controller.command("exercise.end")
    peek = await nils.command("inject.open", inject="T-02")
    send = await nils.command("request.send", request=their_draft)
    share = await nils.command("artefact.share", artefact="A-NOR-AD", to="SUD", request=their_draft)
    system = await nils.command("connection.open", participant="P0006", connection="x:1")

    assert (pause["ok"], pause["error"]["code"]) == (False, "forbidden")
    assert (end["ok"], end["error"]["code"]) == (False, "forbidden")
    for reply in (peek, send, share):
        assert (reply["ok"], reply["error"]["code"]) == (False, "not_found"), reply
        assert "SeaCrew" not in reply["error"]["message"] and "deckhand" not in reply["error"]["message"]
    assert system["error"]["code"] == "unknown_command"  # the server's own commands have no wire name
    assert await _written(server, exercise) == before
    for wire in (director, controller, observer, nils, sara):
        await wire.close()


async def test_a_credential_reaches_its_own_exercise_only(server: ServerProcess) -> None:
    small = server.create_exercise()
    big = server.create_exercise(
        roster=[*default_roster(), {"name": "Extra One", "team": "SUD", "role": "police"}]
    )
    extra = next(c["participant"] for c in big["codes"] if c["name"] == "Extra One")
    assert extra not in {c["participant"] for c in small["codes"]}
    in_big = await Wire.join(server.ws_url, code_of(big, "Extra One"))
    controller = await Wire.join(server.ws_url, code_of(small, "Carl Controller"))

    revoke = await controller.command("credential.revoke", participant=extra)
    assert revoke["error"]["code"] == "not_found"
    assert (await in_big.command("message.post", text="still here"))["ok"]

    # A session token names its exercise and is signed: changing the exercise breaks it.
    token: str = controller.welcome["token"]  # type: ignore[index]
    body, _, signature = token.partition(".")
    claims: list[Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims[0] = big["exercise"]
    forged = (
        base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
    )
    wire = await Wire.open(server.ws_url)
    await wire.send({"type": "hello", "v": 1, "token": f"{forged}.{signature}"})
    code, frames = await wire.closed()
    assert code == 4501 and frames[-1]["code"] == "bad_credential"
    for open_wire in (in_big, controller):
        await open_wire.close()


API = [("GET", "/api/exercises"), ("POST", "/api/exercises"), ("GET", "/api/exercises/{id}")]
WRONG = [
    None,
    "",
    "Bearer",
    "Bearer wrong-token",
    f"Bearer {ADMIN_TOKEN}x",
    f"Bearer {ADMIN_TOKEN[:-1]}",
    f"Basic {ADMIN_TOKEN}",
    f"Token {ADMIN_TOKEN}",
    ADMIN_TOKEN,
]


@pytest.mark.parametrize(("method", "path"), API)
def test_the_control_api_refuses_without_the_admin_token(
    server: ServerProcess, method: str, path: str
) -> None:
    exercise = server.create_exercise()["exercise"]
    body = {"scenario": "twin-ports", "roster": default_roster()}
    with httpx.Client(base_url=server.url, timeout=10) as http:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        before = {e["id"] for e in http.get("/api/exercises", headers=admin).json()["exercises"]}
        for header in WRONG:
            headers = {} if header is None else {"Authorization": header}
            response = http.request(method, path.format(id=exercise), json=body, headers=headers)
            assert response.status_code == 401, (header, response.text)
            assert response.json() == {
                "error": {"code": "unauthorized", "message": "send Authorization: Bearer <admin token>"}
            }
            assert exercise not in response.text
        after = {e["id"] for e in http.get("/api/exercises", headers=admin).json()["exercises"]}
        assert after == before  # nothing was created
        allowed = http.request(method, path.format(id=exercise), json=body, headers=admin)
        assert allowed.status_code in (200, 201)


def test_healthz_says_ok_and_the_instance_and_nothing_else(server: ServerProcess) -> None:
    created = server.create_exercise()
    response = httpx.get(server.url + "/healthz", timeout=10)
    assert response.status_code == 200
    assert set(response.json()) == {"status", "instance"}
    assert response.json()["status"] == "ok"
    text = response.text + json.dumps(dict(response.headers))
    for secret in (created["exercise"], ADMIN_TOKEN, code_of(created, "Nils Berg"), "redis", "twin-ports"):
        assert secret not in text
    assert response.headers["x-content-type-options"] == "nosniff"
    for unknown in ("/api", "/api/", "/api/exercises/x/y", "/admin", "/.env", "/metrics"):
        leaked = httpx.get(server.url + unknown, timeout=10)
        assert leaked.status_code in (401, 404), (unknown, leaked.status_code)
        assert created["exercise"] not in leaked.text
