"""The HTTP API for control: health and readiness; creating, listing, exporting, importing,
archiving and deleting exercises (docs/protocol.md).

Every `/api` route needs `Authorization: Bearer <admin token>`. Errors are JSON
`{"error": {"code", "message"}}` with a status that matches the code.
"""

from __future__ import annotations

import asyncio
import hmac
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.adapters import metrics, reports
from server.adapters.backups import Backups, ExerciseMissing
from server.adapters.exercise_file import ExerciseFile, ExerciseFileError
from server.adapters.exercises import EXERCISE_ID, ExerciseExists, create_exercise
from server.adapters.services import Services
from server.adapters.wire_errors import FAILURES, wire_error
from server.core.scenario import Scenario
from server.core.state import Status
from server.scenario.errors import ScenarioError
from server.scenario.loader import load_scenario, parse_scenario
from server.scenario.roster import RosterRow, parse_roster
from server.scenario.shipped import scenario_names

MAX_BODY = 2_000_000
MAX_IMPORT = 1_000_000_000
"""An exercise file of 200,000 events is about 100 MB."""


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _services(request: Request) -> Services:
    services: Services = request.state.services
    return services


def _authorised(request: Request, *others: str) -> bool:
    """The request carries the admin token (or one of `others` that is set) as a bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    expected = [t for t in (_services(request).admin_token, *others) if t]
    return any(hmac.compare_digest(token.strip().encode(), t.encode()) for t in expected)


def api(handler: Any) -> Any:
    """Wrap an /api handler: check the token, turn errors into JSON answers."""
    answering = _answering(handler)

    async def wrapped(request: Request) -> Response:
        if not _authorised(request):
            return _error(401, "unauthorized", "send Authorization: Bearer <admin token>")
        response: Response = await answering(request)
        return response

    return wrapped


def _answering(handler: Any) -> Any:
    """Wrap a handler: turn errors into JSON answers."""

    async def wrapped(request: Request) -> Response:
        try:
            response: Response = await handler(request)
            return response
        except ApiError as error:
            return _error(error.status, error.code, error.message)
        except ExerciseMissing as missing:  # the HTTP API's own: which exercise
            return _error(404, "not_found", f"no exercise {str(missing)!r}")
        except FAILURES as failure:
            known = wire_error(failure)
            assert known is not None
            return _error(known.status, known.code, known.message)

    return wrapped


async def healthz(request: Request) -> Response:
    services = _services(request)
    if await services.store.ping():
        return JSONResponse({"status": "ok", "instance": services.hubs.instance})
    return JSONResponse({"status": "unavailable", "instance": services.hubs.instance}, status_code=503)


async def readyz(request: Request) -> Response:
    """Ready for traffic: this instance accepts connections and Redis answers."""
    services = _services(request)
    instance = services.hubs.instance
    if not services.accepting:
        return JSONResponse({"status": "stopping", "instance": instance}, status_code=503)
    if not await services.store.ping():
        return JSONResponse({"status": "unavailable", "instance": instance}, status_code=503)
    return JSONResponse({"status": "ready", "instance": instance})


async def metrics_text(request: Request) -> Response:
    """Prometheus metrics; the metrics token (LIAISON_METRICS_TOKEN) or the admin token."""
    if not _authorised(request, _services(request).settings.metrics_token):
        return _error(401, "unauthorized", "send Authorization: Bearer <admin token>")
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


@api
async def list_exercises(request: Request) -> Response:
    store = _services(request).store
    found = []
    backups = Backups(store)
    for exercise in await store.exercises():
        hub = await _services(request).hubs.get(exercise)
        found.append(
            {
                "id": exercise,
                "title": hub.state.title,
                "status": str(hub.state.status),
                "seq": hub.seq,
                "archived": await backups.archived(exercise),
            }
        )
    return JSONResponse({"exercises": found})


@api
async def get_exercise(request: Request) -> Response:
    exercise = request.path_params["exercise"]
    services = _services(request)
    if exercise not in await services.store.exercises():
        raise ApiError(404, "not_found", f"no exercise {exercise!r}")
    hub = await services.hubs.get(exercise)
    state = hub.state
    return JSONResponse(
        {
            "id": exercise,
            "title": state.title,
            "status": str(state.status),
            "seq": hub.seq,
            "epoch": hub.epoch,
            "archived": await Backups(services.store).archived(exercise),
            "participants": len(state.participants),
            "online": sum(1 for p in state.participants if state.online(p)),
        }
    )


@api
async def post_exercise(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(400, "invalid_args", f"the body is larger than {MAX_BODY} bytes")
    try:
        data = await request.json()
    except ValueError:
        raise ApiError(400, "invalid_args", "the body must be JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_args", "the body must be a JSON object {scenario, roster, title?, id?}")
    services = _services(request)
    try:
        scenario = _scenario(data.get("scenario"), services.settings.scenarios)
        roster = _roster(data.get("roster"), scenario)
    except ScenarioError as error:
        raise ApiError(400, "invalid_args", str(error)) from None
    exercise_id, title = data.get("id"), data.get("title", "")
    if exercise_id is not None and (not isinstance(exercise_id, str) or not EXERCISE_ID.match(exercise_id)):
        raise ApiError(400, "invalid_args", "id: use 1 to 48 lowercase letters, digits and dashes")
    if not isinstance(title, str):
        raise ApiError(400, "invalid_args", "title: expected a string")
    credentials = await services.credentials()
    try:
        created = await create_exercise(
            services.store, credentials, scenario, roster, exercise_id=exercise_id, title=title
        )
    except ExerciseExists:
        raise ApiError(409, "conflict", f"an exercise {exercise_id!r} already exists") from None
    return JSONResponse(
        {
            "exercise": created.exercise,
            "epoch": created.epoch,
            "codes": [
                {
                    "participant": i.participant,
                    "name": i.name,
                    "team": i.team,
                    "role": i.role,
                    "code": i.code,
                }
                for i in created.codes
            ],
        },
        status_code=201,
    )


@api
async def export_exercise(request: Request) -> Response:
    exercise = request.path_params["exercise"]
    file = await Backups(_services(request).store).export(exercise)
    body = await asyncio.to_thread(file.to_json)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{exercise}-seq{file.seq}.liaison.json"'},
    )


async def exercise_report(request: Request) -> Response:
    """The debrief report (`?format=html|pdf|xlsx|zip|json`, `&team=`): to the admin token, or to a
    staff member's session token of this exercise (the console's Report button)."""
    refused = await _unless_staff(request, "read its report")
    if refused is not None:
        return refused
    response: Response = await _report(request)
    return response


async def _unless_staff(request: Request, doing: str) -> Response | None:
    """None when the request carries the admin token or a staff member's session token of this
    exercise; else the error to answer (401 without a token, 403 for anyone else's)."""
    if _authorised(request):
        return None
    exercise = request.path_params["exercise"]
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    try:
        allowed = await reports.staff_may_read(_services(request), exercise, token)
    except FAILURES as failure:
        known = wire_error(failure)
        assert known is not None
        return _error(known.status, known.code, known.message)
    if allowed is None:
        return _error(401, "unauthorized", "send Authorization: Bearer <admin token or staff session token>")
    if not allowed:
        return _error(403, "forbidden", f"only the staff of this exercise may {doing}")
    return None


@_answering
async def _report(request: Request) -> Response:
    exercise = request.path_params["exercise"]
    format, team = request.query_params.get("format", "html"), request.query_params.get("team") or None
    try:
        body, media_type, name = await reports.report(_services(request), exercise, format, team)
    except ValueError as error:
        raise ApiError(400, "invalid_args", str(error)) from None
    disposition = "inline" if format in ("html", "json") else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{name}"',
        "Content-Security-Policy": reports.REPORT_POLICY,
    }
    return Response(body, media_type=media_type, headers=headers)


async def exercise_replay(request: Request) -> Response:
    """Replay (`?viewer=V&seq=N|sim=D2 10:00|at=T`, docs/protocol.md "Replay"): to the report's
    readers (the admin token or a staff member's session token of this exercise)."""
    refused = await _unless_staff(request, "replay it")
    if refused is not None:
        return refused
    response: Response = await _replay(request)
    return response


@_answering
async def _replay(request: Request) -> Response:
    from server.adapters import replay  # the debrief's analysis: imported when first asked, not at start

    exercise = request.path_params["exercise"]
    built = await replay.replay_of(_services(request), exercise)
    query = dict(request.query_params)
    try:
        if not query.get("viewer"):
            return JSONResponse(replay.index(built, exercise))
        body = await asyncio.to_thread(replay.view, built, exercise, query)
    except ValueError as error:
        raise ApiError(400, "invalid_args", str(error)) from None
    return JSONResponse(body)


@api
async def import_exercise(request: Request) -> Response:
    """Restore an exercise file (`?force=true` replaces an exercise with the same id)."""
    body = await request.body()
    if len(body) > MAX_IMPORT:
        raise ApiError(400, "invalid_args", f"the file is larger than {MAX_IMPORT} bytes")
    try:
        file = await asyncio.to_thread(ExerciseFile.from_json, body)
    except ExerciseFileError as error:
        raise ApiError(400, "invalid_args", str(error)) from None
    force = request.query_params.get("force", "").lower() in ("1", "true", "yes")
    try:
        epoch = await Backups(_services(request).store).restore(file, force=force)
    except ExerciseExists:
        raise ApiError(
            409, "conflict", f"an exercise {file.exercise!r} exists; import with force to replace it"
        ) from None
    return JSONResponse(
        {"exercise": file.exercise, "epoch": epoch, "seq": file.seq, "events": len(file.events)},
        status_code=201,
    )


@api
async def delete_exercise(request: Request) -> Response:
    """Delete an exercise for good; `?confirm=<its id>` is required (export it first)."""
    exercise = request.path_params["exercise"]
    if request.query_params.get("confirm") != exercise:
        raise ApiError(400, "invalid_args", f"confirm: repeat the exercise id (?confirm={exercise})")
    await Backups(_services(request).store).delete(exercise)
    return JSONResponse({"deleted": exercise})


@api
async def archive_exercise(request: Request) -> Response:
    """Archive (read-only) or, with {"archived": false}, reopen an exercise."""
    exercise = request.path_params["exercise"]
    services = _services(request)
    try:
        data = await request.json() if await request.body() else {}
    except ValueError:
        raise ApiError(400, "invalid_args", "the body must be JSON") from None
    archived = data.get("archived", True) if isinstance(data, dict) else None
    if not isinstance(archived, bool):
        raise ApiError(400, "invalid_args", 'the body is {"archived": true} or {"archived": false}')
    backups = Backups(services.store)
    if not await backups.exists(exercise):
        raise ExerciseMissing(exercise)
    hub = await services.hubs.get(exercise)
    if archived and hub.state.status is Status.RUNNING:
        raise ApiError(409, "conflict", "the exercise is running: pause or end it before archiving")
    await backups.archive(exercise, archived)
    return JSONResponse({"exercise": exercise, "archived": archived})


def _scenario(value: Any, scenarios: Path) -> Scenario:
    if isinstance(value, str):
        folder = scenarios / value
        if "/" in value or value.startswith(".") or not folder.is_dir():
            known = ", ".join(scenario_names(scenarios))
            raise ApiError(400, "invalid_args", f"scenario: no scenario {value!r} (known: {known})")
        return load_scenario(folder)
    if isinstance(value, dict) and isinstance(value.get("yaml"), str):
        return parse_scenario(value["yaml"], "scenario.yaml")
    raise ApiError(400, "invalid_args", 'scenario: a scenario name or {"yaml": "..."}')


def _roster(value: Any, scenario: Scenario) -> list[RosterRow]:
    if isinstance(value, list):
        import yaml

        return parse_roster(yaml.safe_dump(value), "yaml", scenario, "roster")
    if isinstance(value, dict) and isinstance(value.get("csv"), str):
        return parse_roster(value["csv"], "csv", scenario, "roster.csv")
    if isinstance(value, dict) and isinstance(value.get("yaml"), str):
        return parse_roster(value["yaml"], "yaml", scenario, "roster.yaml")
    raise ApiError(
        400, "invalid_args", 'roster: a list of {name, team, role}, or {"csv": ...} / {"yaml": ...}'
    )


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics_text, methods=["GET"]),
    Route("/api/exercises", list_exercises, methods=["GET"]),
    Route("/api/exercises", post_exercise, methods=["POST"]),
    Route("/api/exercises/import", import_exercise, methods=["POST"]),
    Route("/api/exercises/{exercise}", get_exercise, methods=["GET"]),
    Route("/api/exercises/{exercise}", delete_exercise, methods=["DELETE"]),
    Route("/api/exercises/{exercise}/export", export_exercise, methods=["GET"]),
    Route("/api/exercises/{exercise}/archive", archive_exercise, methods=["POST"]),
    Route("/api/exercises/{exercise}/report", exercise_report, methods=["GET"]),
    Route("/api/exercises/{exercise}/replay", exercise_replay, methods=["GET"]),
]
