"""The debrief report over HTTP: who may read it, and the log read into the debrief.

`GET /api/exercises/{exercise}/report` (docs/protocol.md, "Reports") answers to the admin
token or to the session token of a staff member of that exercise (the console's Report
button), never to a participant's. The log is read from Redis up to its current seq and
analysed in a worker thread, so the instance goes on serving while a long log is folded.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from server.adapters.backups import ExerciseMissing
from server.adapters.services import Services
from server.core.debrief import Debrief, Entry, analyse
from server.core.debrief.diffusion import key_question
from server.report.write import FORMATS, file_name, render, zip_reports

FORMAT_NAMES = (*FORMATS, "zip", "json")
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
"""A report is a document, not a page of the app: no script at all, its own inline style."""


async def staff_may_read(services: Services, exercise: str, token: str) -> bool | None:
    """Whether `token` is a staff member's session token of `exercise`: None when it is no
    valid session token at all, False when it is someone else's (a participant, another
    exercise, a replaced join code)."""
    credentials = await services.credentials()
    claims = credentials.verify(token, time.time())
    if claims is None:
        return None
    if claims.exercise != exercise or exercise not in await services.store.exercises():
        return False
    hub = await services.hubs.get(exercise)
    member = hub.state.participants.get(claims.participant)
    return (
        member is not None and member.staff and not member.revoked and member.generation == claims.generation
    )


async def debrief_of(services: Services, exercise: str) -> Debrief:
    meta = await services.store.meta(exercise)
    if meta is None:
        raise ExerciseMissing(exercise)
    stored = await services.store.read(exercise, 0, meta.seq)
    entries = [Entry(e.seq, e.at, e.event) for e in stored]
    return await asyncio.to_thread(analyse, entries)


async def report(services: Services, exercise: str, format: str, team: str | None) -> tuple[bytes, str, str]:
    """(body, media type, file name); ValueError for an unknown format or team."""
    if format not in FORMAT_NAMES:
        raise ValueError(f"format: expected one of {', '.join(FORMAT_NAMES)}, got {format!r}")
    debrief = await debrief_of(services, exercise)
    if team is not None and (why := debrief.no_report(team)) is not None:
        raise ValueError(f"team: {why}, in {exercise}")
    if format == "json":
        body = json.dumps(summary(debrief, team), separators=(",", ":")).encode()
        return body, "application/json", file_name(exercise, "json", team)
    if format == "zip":
        archive = await asyncio.to_thread(zip_reports, debrief)
        return archive, "application/zip", f"{exercise}-reports.zip"
    rendered = await asyncio.to_thread(render, debrief, format, team)
    return rendered, FORMATS[format][0], file_name(exercise, format, team)


def summary(debrief: Debrief, team: str | None = None) -> dict[str, Any]:
    """The metrics now, the request figures and the key questions' answers, as JSON data."""
    requests = debrief.requests.cohort if team is None else debrief.requests.team(team)
    return {
        "exercise": debrief.played.state.id,
        "seq": debrief.played.state.seq,
        "sim_time": debrief.played.now,
        "metrics": [
            {
                "id": m.metric.id,
                "name": m.metric.name,
                "kind": str(m.metric.kind),
                "objectives": list(m.objectives),
                "target": m.target,
                "results": [
                    {"team": r.team, "value": r.value, "text": r.text, "met": r.met}
                    for r in m.results
                    if team is None or r.team == team
                ],
            }
            for m in debrief.metrics
        ],
        "requests": {
            "sent": requests.sent,
            "answered": requests.answered,
            "refused": requests.refused,
            "open": requests.open,
            "overdue_game": requests.game_overdue,
            "stood_in": requests.stood_in,
            "overdue_legal": requests.legal_overdue,
            "median_to_answer": requests.median_to_answer,
        },
        "key_questions": [
            {"artefact": a.artefact, "team": a.team, "question": a.question, "answer": a.text}
            for s in debrief.diffusion.key
            for a in [key_question(debrief.played, debrief.diffusion, s.artefact.id, team)]
        ],
    }
