"""The `liaison` command.

    liaison serve [--demo] [--host H] [--port P]     run an instance (embedded Redis unless LIAISON_REDIS_URL)
    liaison exercise create --scenario S --roster R  create an exercise through a running server's API
    liaison exercise list                            list the exercises of a running server
    liaison exercise export ID --out FILE            one file with the exercise's whole log and meta
    liaison exercise import FILE [--force]           restore it exactly (a new epoch: clients resync)
    liaison exercise archive ID [--undo]             make it read-only (or writable again)
    liaison exercise delete ID [--yes]               delete it for good (asks for its id first)
    liaison report ID --out DIR [--file EXPORT]      the debrief reports: HTML, PDF, XLSX, per team

`exercise` and `report` commands talk to the HTTP API (`--server`, default http://127.0.0.1:8080, or
the port in LIAISON_PORT) with the admin token from `--token`, `LIAISON_ADMIN_TOKEN` or the file the
server keeps in its data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import structlog
import uvicorn

from loadtest.cli import add_loadtest_command
from server.adapters.event_loop import event_loop_factory
from server.adapters.exercise_file import ExerciseFile, ExerciseFileError
from server.adapters.frames import hard_limit
from server.adapters.graceful_stop import GracefulStop
from server.adapters.read_ahead import ReadAhead
from server.adapters.redis_server import EmbeddedRedis
from server.adapters.store import decode_event
from server.app import create_app
from server.core.debrief import Entry, analyse
from server.logs import configure_logging
from server.report.write import write_reports
from server.scenario.cli import add_scenario_commands
from server.scenario.errors import ScenarioError
from server.scenario.loader import bundle_scenario
from server.scenario.roster import read_roster_rows
from server.scenario.sheets import is_xlsx, write_csv, write_xlsx
from server.scenario.shipped import shipped_scenarios
from server.settings import Settings, SettingsError

DEMO_ID = "demo"
DEMO_SCENARIO = "twin-ports"

log = structlog.get_logger("liaison.cli")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except SettingsError as error:
        print(f"liaison: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liaison", description="Liaison exercise server")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run a Liaison instance")
    serve.add_argument(
        "--demo", action="store_true", help="create the demo exercise and print its join codes"
    )
    serve.add_argument("--host", help="address to listen on (LIAISON_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (LIAISON_PORT)")
    serve.set_defaults(run=_serve)

    exercise = commands.add_parser("exercise", help="create and list exercises on a running server")
    exercise_commands = exercise.add_subparsers(required=True, metavar="ACTION")
    create = exercise_commands.add_parser("create", help="create an exercise from a scenario and a roster")
    create.add_argument(
        "--scenario", required=True, help="a scenario name on the server, or a scenario folder/file"
    )
    create.add_argument(
        "--roster", required=True, type=Path, help="roster file: CSV, XLSX or YAML (name, team, role)"
    )
    create.add_argument("--id", help="exercise id (default: generated)")
    create.add_argument("--title", default="", help="title (default: the scenario's)")
    create.add_argument("--codes-out", type=Path, help="write the join codes to this file (CSV, or .xlsx)")
    _server_options(create)
    create.set_defaults(run=_create)
    listing = exercise_commands.add_parser("list", help="list exercises")
    _server_options(listing)
    listing.set_defaults(run=_list)
    export = exercise_commands.add_parser("export", help="write an exercise's whole log and meta to a file")
    export.add_argument("exercise", help="exercise id")
    export.add_argument("--out", required=True, type=Path, help="file to write (JSON, versioned)")
    _server_options(export)
    export.set_defaults(run=_export)
    restore = exercise_commands.add_parser("import", help="restore an exercise from an exported file")
    restore.add_argument("file", type=Path, help="a file written by `liaison exercise export`")
    restore.add_argument("--force", action="store_true", help="replace an exercise with the same id")
    _server_options(restore)
    restore.set_defaults(run=_import)
    archive = exercise_commands.add_parser("archive", help="make an exercise read-only (kept, not played)")
    archive.add_argument("exercise", help="exercise id")
    archive.add_argument("--undo", action="store_true", help="make it writable again")
    _server_options(archive)
    archive.set_defaults(run=_archive)
    delete = exercise_commands.add_parser("delete", help="delete an exercise and its log for good")
    delete.add_argument("exercise", help="exercise id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _server_options(delete)
    delete.set_defaults(run=_delete)

    report = commands.add_parser("report", help="write the debrief reports of an exercise (docs/debrief.md)")
    report.add_argument("exercise", help="exercise id")
    report.add_argument("--out", required=True, type=Path, help="folder to write the reports to")
    report.add_argument("--file", type=Path, help="read the log from this exported file, not from the server")
    _server_options(report)
    report.set_defaults(run=_report)

    add_scenario_commands(commands)
    add_loadtest_command(commands)
    return parser


def _server_options(parser: argparse.ArgumentParser) -> None:
    port = os.environ.get("LIAISON_PORT", "").strip() or "8080"  # the server's own setting
    parser.add_argument(
        "--server", default=f"http://127.0.0.1:{port}", help=f"server URL (default: http://127.0.0.1:{port})"
    )
    parser.add_argument("--token", help="admin token (default: LIAISON_ADMIN_TOKEN or DATA_DIR/admin-token)")


# -- serve ------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.demo:
        overrides["demo"] = True
    settings = replace(settings, **overrides).with_instance_id()
    configure_logging(settings)
    with asyncio.Runner(loop_factory=event_loop_factory(settings.event_loop)) as runner:
        runner.run(_run_server(settings))
    return 0


async def _run_server(settings: Settings) -> None:
    log.info("server.event_loop", loop=type(asyncio.get_running_loop()).__module__)
    settings = replace(settings, admin_token=settings.admin_token or _admin_token(settings.data_dir))
    if settings.redis_url:
        await _run_uvicorn(settings)
        return
    async with EmbeddedRedis.from_settings(settings) as redis:
        log.info("redis.embedded", url=redis.url, data=str(settings.data_dir))
        await _run_uvicorn(replace(settings, redis_url=redis.url))


class _Server(uvicorn.Server):
    """uvicorn's server, whose shutdown first stops Liaison's sessions gracefully: clients are
    told `shutting_down` (4000) after their command in flight, instead of a bare 1012."""

    def __init__(self, config: uvicorn.Config, graceful: GracefulStop) -> None:
        super().__init__(config)
        self._graceful = graceful

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # no new connections while the sessions stop
        await self._graceful.stop()
        await super().shutdown(sockets)


async def _run_uvicorn(settings: Settings) -> None:
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws=ReadAhead,  # uvicorn's websockets-sansio, reading a few messages ahead
        ws_max_size=hard_limit(settings.max_frame_bytes),  # frames.receive answers the ones between
        ws_per_message_deflate=settings.ws_compression,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=5,
        # Forwarded addresses (X-Forwarded-For) are believed only from the trusted proxies.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
    )
    server = _Server(config, app.state.graceful_stop)
    async with asyncio.TaskGroup() as tasks:
        serving = tasks.create_task(server.serve(), name="uvicorn")
        while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn offers no event
            await asyncio.sleep(0.05)
        if server.started:
            port = server.servers[0].sockets[0].getsockname()[1]
            base = f"http://{settings.host}:{port}"
            codes = await asyncio.to_thread(_demo_codes, settings, base) if settings.demo else None
            _banner(settings, base, codes)


def _admin_token(data_dir: Path) -> str:
    """The admin token kept in the data folder, created on first start."""
    path = data_dir / "admin-token"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.write_text(token + "\n")
    path.chmod(0o600)
    return token


def _demo_codes(settings: Settings, base: str) -> list[dict[str, Any]]:
    """Create the demo exercise once; its codes are kept in the data folder for later starts."""
    saved = settings.data_dir / "demo-codes.json"
    scenario, roster = _demo_scenario(settings)
    status, answer = _call(
        base,
        settings.admin_token,
        "POST",
        "/api/exercises",
        {"id": DEMO_ID, "scenario": scenario, "roster": {"csv": roster}},
    )
    if status == 201:
        saved.parent.mkdir(parents=True, exist_ok=True)  # absent when the admin token is set
        saved.write_text(json.dumps(answer["codes"], indent=1))
        saved.chmod(0o600)
        codes: list[dict[str, Any]] = answer["codes"]
        return codes
    if status == 409 and saved.exists():
        kept: list[dict[str, Any]] = json.loads(saved.read_text())
        return kept
    log.error("demo.failed", status=status, answer=answer)
    return []


def _demo_scenario(settings: Settings) -> tuple[Any, str]:
    """The demo's scenario and roster: twin-ports in LIAISON_SCENARIOS_DIR when that folder has
    one, else the shipped copy (sent inline, so the API finds it whatever the folder holds)."""
    folder = settings.scenarios / DEMO_SCENARIO
    shipped = shipped_scenarios() / DEMO_SCENARIO
    roster = folder / "roster.csv" if (folder / "roster.csv").is_file() else shipped / "roster.csv"
    if (folder / "scenario.yaml").is_file():
        return DEMO_SCENARIO, roster.read_text(encoding="utf-8")
    return {"yaml": bundle_scenario(shipped)}, roster.read_text(encoding="utf-8")


def _banner(settings: Settings, base: str, codes: list[dict[str, Any]] | None) -> None:
    ws = base.replace("http://", "ws://") + "/ws"
    lines = [
        "",
        f"Liaison is running: open {base}/ in a browser and enter a join code.",
        f"  WebSocket endpoint for the SDK: {ws}  (subprotocol liaison.v1.json or liaison.v1.msgpack)",
        f"  Admin token for the HTTP API: in {settings.data_dir / 'admin-token'}",
    ]
    if codes:
        lines.append(f"  Demo exercise '{DEMO_ID}': join codes (a link opens the right page directly)")
        for code in codes:
            team = code["team"] or "staff"
            link = f"{base}/#code={code['code']}"
            lines.append(f"    {code['code']}  {code['name']:<18} {team:<6} {code['role']:<14} {link}")
    lines.append("Stop with Ctrl+C.")
    print("\n".join(lines), flush=True)


# -- exercise ---------------------------------------------------------------------------


def _token(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token)
    if os.environ.get("LIAISON_ADMIN_TOKEN"):
        return os.environ["LIAISON_ADMIN_TOKEN"]
    path = Settings.from_env().data_dir / "admin-token"
    if path.exists():
        return path.read_text().strip()
    raise SystemExit(
        f"liaison: no admin token: pass --token, set LIAISON_ADMIN_TOKEN or run from where {path} is"
    )


def _create(args: argparse.Namespace) -> int:
    scenario: Any = args.scenario
    candidate = Path(args.scenario)
    if candidate.exists():  # a local folder: sent inline, its included files merged in
        scenario = {"yaml": bundle_scenario(candidate)}
    try:
        roster: Any
        if is_xlsx(args.roster):
            roster = read_roster_rows(args.roster)  # sent as a list of {name, team, role}
        else:
            kind = "yaml" if args.roster.suffix in (".yaml", ".yml") else "csv"
            roster = {kind: args.roster.read_bytes().decode("utf-8-sig")}
    except OSError as error:
        print(f"liaison: cannot read roster {args.roster}: {error.strerror}", file=sys.stderr)
        return 1
    except (ValueError, ScenarioError) as error:
        print(f"liaison: cannot read roster {args.roster}: {error}", file=sys.stderr)
        return 1
    body: dict[str, Any] = {"scenario": scenario, "roster": roster, "title": args.title}
    if args.id:
        body["id"] = args.id
    status, answer = _call(args.server, _token(args), "POST", "/api/exercises", body)
    if status != 201:
        print(f"liaison: {answer.get('error', {}).get('message', answer)}", file=sys.stderr)
        return 1
    print(f"created exercise {answer['exercise']} with {len(answer['codes'])} join codes")
    header = ("participant", "name", "team", "role", "code")
    rows = [[c["participant"], c["name"], c["team"] or "", c["role"], c["code"]] for c in answer["codes"]]
    if args.codes_out and is_xlsx(args.codes_out):
        write_xlsx(args.codes_out, "Join codes", header, rows)
    elif args.codes_out:
        args.codes_out.write_text(write_csv(header, rows), encoding="utf-8")
    else:
        sys.stdout.write(write_csv(header, rows))
        return 0
    args.codes_out.chmod(0o600)
    print(f"join codes written to {args.codes_out}")
    return 0


def _list(args: argparse.Namespace) -> int:
    status, answer = _call(args.server, _token(args), "GET", "/api/exercises", None)
    if status != 200:
        print(f"liaison: {answer.get('error', {}).get('message', answer)}", file=sys.stderr)
        return 1
    for exercise in answer["exercises"]:
        shown = "archived" if exercise.get("archived") else exercise["status"]
        print(f"{exercise['id']:<24} {shown:<8} seq {exercise['seq']:<6} {exercise['title']}")
    return 0


def _failed(answer: Any) -> int:
    message = answer.get("error", {}).get("message", answer) if isinstance(answer, dict) else answer
    print(f"liaison: {message}", file=sys.stderr)
    return 1


def _export(args: argparse.Namespace) -> int:
    path = f"/api/exercises/{urllib.parse.quote(args.exercise)}/export"
    status, body = _request(args.server, _token(args), "GET", path, None, timeout=600)
    if status != 200:
        return _failed(json.loads(body or b"{}"))
    args.out.write_bytes(body)
    args.out.chmod(0o600)  # the log holds the whole exercise, join-code hashes included
    events = len(json.loads(body)["events"])
    print(f"exported exercise {args.exercise} ({events} events) to {args.out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    """Read the whole log (through the export endpoint, or from an exported file), analyse it
    once and write every report, saying how far it got on a long log."""
    if args.file is not None:
        try:
            data = args.file.read_bytes()
        except OSError as error:
            print(f"liaison: cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 1
    else:
        print(f"reading the log of {args.exercise} from {args.server}...", file=sys.stderr)
        path = f"/api/exercises/{urllib.parse.quote(args.exercise)}/export"
        status, data = _request(args.server, _token(args), "GET", path, None, timeout=600)
        if status != 200:
            return _failed(json.loads(data or b"{}"))
    try:
        file = ExerciseFile.from_json(data)
    except ExerciseFileError as error:
        print(f"liaison: {args.file or args.server}: {error}", file=sys.stderr)
        return 1
    if file.exercise != args.exercise:
        print(
            f"liaison: {args.file} holds exercise {file.exercise!r}, not {args.exercise!r}", file=sys.stderr
        )
        return 1
    total = len(file.events)
    started = time.monotonic()

    def entries() -> Iterator[Entry]:
        step = max(10_000, total // 10)
        for i, entry in enumerate(file.events, 1):
            yield Entry(entry.seq, float(entry.at), decode_event(entry.payload))
            if i % step == 0 or i == total:
                print(f"analysed {i:,} of {total:,} events", file=sys.stderr)

    debrief = analyse(entries())
    written = write_reports(debrief, args.out, lambda line: print(line, file=sys.stderr))
    seconds = time.monotonic() - started
    print(
        f"wrote {len(written)} reports of {args.exercise} ({total:,} events) to {args.out} in {seconds:.1f} s"
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"liaison: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 1
    path = "/api/exercises/import" + ("?force=true" if args.force else "")
    status, body = _request(args.server, _token(args), "POST", path, data, timeout=600)
    answer = json.loads(body or b"{}")
    if status != 201:
        return _failed(answer)
    print(
        f"imported exercise {answer['exercise']}: {answer['events']} events, seq {answer['seq']}, new epoch"
    )
    return 0


def _archive(args: argparse.Namespace) -> int:
    path = f"/api/exercises/{urllib.parse.quote(args.exercise)}/archive"
    status, answer = _call(args.server, _token(args), "POST", path, {"archived": not args.undo})
    if status != 200:
        return _failed(answer)
    print(f"exercise {args.exercise} {'archived (read-only)' if answer['archived'] else 'reopened'}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    if not args.yes:
        try:
            typed = input(f"Delete exercise {args.exercise!r} and its whole log for good? Type its id: ")
        except EOFError:
            typed = ""
        if typed.strip() != args.exercise:
            print("liaison: not deleted", file=sys.stderr)
            return 1
    path = f"/api/exercises/{urllib.parse.quote(args.exercise)}?confirm={urllib.parse.quote(args.exercise)}"
    status, answer = _call(args.server, _token(args), "DELETE", path, None)
    if status != 200:
        return _failed(answer)
    print(f"deleted exercise {args.exercise}")
    return 0


def _call(base: str, token: str, method: str, path: str, body: Any) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    status, answer = _request(base, token, method, path, data)
    return status, json.loads(answer or b"{}")


def _request(
    base: str, token: str, method: str, path: str, data: bytes | None, timeout: float = 30
) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own server
        base.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer: bytes = response.read()
            return response.status, answer
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except urllib.error.URLError as error:
        raise SystemExit(f"liaison: cannot reach {base}: {error.reason}") from None
