"""Cross-border requests: drafted, validated, sent, acknowledged, clarified, answered, refused."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from server.core.audience import Audience
from server.core.events import (
    ClarificationRequested,
    ConsentGranted,
    RequestAcknowledged,
    RequestAmended,
    RequestAnswered,
    RequestClarified,
    RequestDeadlineWarned,
    RequestDrafted,
    RequestRefused,
    RequestSent,
    RequestUpdated,
    RequestValidated,
    RequestWithdrawn,
)
from server.core.exercise import Exercise
from server.core.fold import Handler
from server.core.records import Release
from server.core.requests import (
    Amendment,
    ConsentGiven,
    RequestRun,
    RequestStatus,
    StageDue,
    Step,
    amended_status,
)
from server.core.watch import watch_of


def _step(
    state: Exercise,
    request_id: str,
    status: RequestStatus,
    by: str,
    sim_time: float,
    note: str = "",
    step: RequestStatus | None = None,
    **changes: Any,
) -> Exercise:
    """A request moves to `status`: its history grows by one step (of `step`, when what was done
    is not the status it comes to: an amendment answers a clarification, then the request is
    back to acknowledged)."""
    request = state.requests[request_id]
    history = (*request.history, Step(step or status, by, sim_time, note))
    moved = replace(request, status=status, history=history, **changes)
    facts = state.facts.request_moved(moved, status, sim_time, watch_of(state.scenario)).request_now(moved)
    return replace(state, requests=state.requests.set(request_id, moved), facts=facts)


def _drafted(state: Exercise, event: RequestDrafted) -> Exercise:
    request = RequestRun(
        id=event.request,
        instrument=event.instrument,
        source_team=event.source_team,
        author=event.author,
        target_team=event.target_team,
        target_agency=event.target_agency,
        fields=event.fields,
        urgent=event.urgent,
        spontaneous=event.spontaneous,
        simcell=event.simcell,
        history=(Step(RequestStatus.DRAFT, event.author, event.sim_time),),
        cosigners=event.cosigners,
        subject=event.subject,
    )
    facts = state.facts.request_moved(request, RequestStatus.DRAFT, event.sim_time, watch_of(state.scenario))
    return replace(state, requests=state.requests.set(request.id, request), facts=facts)


def _updated(state: Exercise, event: RequestUpdated) -> Exercise:
    return _step(
        state,
        event.request,
        RequestStatus.DRAFT,
        event.by,
        event.sim_time,
        fields=event.fields,
        urgent=event.urgent,
        validated_by=None,
        subject=state.requests[event.request].subject if event.subject is None else event.subject,
    )


def _validated(state: Exercise, event: RequestValidated) -> Exercise:
    return _step(
        state, event.request, RequestStatus.VALIDATED, event.by, event.sim_time, validated_by=event.by
    )


def _sent(state: Exercise, event: RequestSent) -> Exercise:
    return _step(
        state,
        event.request,
        RequestStatus.SENT,
        event.by,
        event.sim_time,
        due_at=event.due_at,
        due_stage=event.due_stage,
        legal=event.legal,
        deadlines=event.deadlines
        or (() if event.due_at is None else (StageDue(event.due_stage, event.due_at, event.legal),)),
    )


def _acknowledged(state: Exercise, event: RequestAcknowledged) -> Exercise:
    return _step(state, event.request, RequestStatus.ACKNOWLEDGED, event.by, event.sim_time)


def _clarification(state: Exercise, event: ClarificationRequested) -> Exercise:
    return _step(
        state, event.request, RequestStatus.CLARIFICATION_REQUESTED, event.by, event.sim_time, note=event.text
    )


def _clarified(state: Exercise, event: RequestClarified) -> Exercise:
    return _step(state, event.request, RequestStatus.CLARIFIED, event.by, event.sim_time, note=event.text)


def _answered(state: Exercise, event: RequestAnswered) -> Exercise:
    status = RequestStatus.PARTIALLY_ANSWERED if event.partial else RequestStatus.ANSWERED
    answered = _step(
        state, event.request, status, event.by, event.sim_time, answer=event.text, scheduled=None
    )
    request = answered.requests[event.request]
    teams = {request.source_team}
    if not request.simcell and request.target_team in state.teams:
        teams.add(request.target_team)  # a played team holds what it gave (the bank records it sent)
    holders = Audience.of(teams=teams)
    later = tuple(Release(a, holders, event.request, event.release_at) for a in event.releases)
    return replace(answered, pending=(*answered.pending, *later))


def _refused(state: Exercise, event: RequestRefused) -> Exercise:
    return _step(
        state,
        event.request,
        RequestStatus.REFUSED,
        event.by,
        event.sim_time,
        note=event.text,
        ground=event.ground,
    )


def _withdrawn(state: Exercise, event: RequestWithdrawn) -> Exercise:
    return _step(state, event.request, RequestStatus.WITHDRAWN, event.by, event.sim_time)


def _warned(state: Exercise, event: RequestDeadlineWarned) -> Exercise:
    request = state.requests[event.request]
    stage = event.stage or request.due_stage
    first = stage == request.due_stage  # `warned` is the first deadline's, as before there were more
    deadlines = tuple(
        replace(due, warned=(*due.warned, event.warning)) if due.stage == stage else due
        for due in request.deadlines
    )
    warned = replace(
        request, warned=(*request.warned, event.warning) if first else request.warned, deadlines=deadlines
    )
    facts = state.facts.request_now(warned)
    return replace(state, requests=state.requests.set(request.id, warned), facts=facts)


def _amended(state: Exercise, event: RequestAmended) -> Exercise:
    request = state.requests[event.request]
    amendment = Amendment(event.by, event.sim_time, event.wall_time, event.changes, event.note)
    return _step(
        state,
        event.request,
        amended_status(request),
        event.by,
        event.sim_time,
        note=event.note or "(amended)",
        step=RequestStatus.CLARIFIED,  # the requester answered by amending; it acknowledged nothing
        fields=event.fields,
        amendments=(*request.amendments, amendment),
    )


def _consented(state: Exercise, event: ConsentGranted) -> Exercise:
    request = state.requests[event.request]
    given = ConsentGiven(event.by, event.side, event.uses, event.sim_time, event.note)
    moved = replace(request, consents=(*request.consents, given))
    return replace(
        state, requests=state.requests.set(request.id, moved), facts=state.facts.request_now(moved)
    )


HANDLERS: dict[type, Handler] = {
    RequestDrafted: _drafted,
    RequestUpdated: _updated,
    RequestValidated: _validated,
    RequestSent: _sent,
    RequestAcknowledged: _acknowledged,
    ClarificationRequested: _clarification,
    RequestClarified: _clarified,
    RequestAnswered: _answered,
    RequestRefused: _refused,
    RequestWithdrawn: _withdrawn,
    RequestDeadlineWarned: _warned,
    RequestAmended: _amended,
    ConsentGranted: _consented,
}
