"""The rules of a request's life: who may draft, validate, send, acknowledge, clarify, answer,
refuse and withdraw it, and when (`server.core.requests` holds the request itself)."""

from __future__ import annotations

from dataclasses import replace

from server.core import commands as c
from server.core.audience import Viewer
from server.core.delays import after
from server.core.effects import holds_now
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import (
    AnswerDeferred,
    AnswerScheduled,
    ClarificationRequested,
    Event,
    JointTeamFormed,
    RequestAcknowledged,
    RequestAnswered,
    RequestClarified,
    RequestDrafted,
    RequestRefused,
    RequestSent,
    RequestUpdated,
    RequestValidated,
    RequestWithdrawn,
)
from server.core.legal import on_send
from server.core.matching import names_receiver
from server.core.request_changes import amend, grant_consent
from server.core.requests import (
    CLOSED,
    OUTBOX,
    RECEIVED,
    RequestRun,
    RequestStatus,
    check_fields,
    deadline,
    deadlines,
    instrument_of,
    is_answered,
    may_answer,
    may_draft,
    may_issue,
    may_receive,
    may_validate,
    missing_conditional,
    missing_fields,
    propose,
    require_receiver,
    require_request,
    require_sender,
    require_status,
)
from server.core.scenario import Country, Instrument, Outcome, Scenario, TeamModel
from server.core.signatures import signature
from server.core.simtime import format_sim_time
from server.core.state import Exercise, apply
from server.core.team_models import cosigners, model_of, team_countries

MAX_TEXT = 20_000
MAX_SUBJECT = 200
"""A request's subject line, in characters."""


def subject_of(text: str) -> str:
    """A subject line as kept: stripped, one line, at most `MAX_SUBJECT` characters."""
    subject = " ".join(text.split())
    if len(subject) > MAX_SUBJECT:
        raise InvalidArguments(f"subject: at most {MAX_SUBJECT} characters (got {len(subject)})")
    return subject


def decide_request(state: Exercise, command: c.Command, actor: c.Actor, now: float) -> list[Event]:
    if isinstance(command, c.DraftRequest) and command.send:
        return on_send(state, _draft_and_send(state, command, actor, now))
    return on_send(state, [_signed(state, event) for event in _decide(state, command, actor, now)])


def _draft_and_send(state: Exercise, command: c.DraftRequest, actor: c.Actor, now: float) -> list[Event]:
    """Draft and send in one command: both or neither, so a send refused (a required field
    empty, say) leaves no draft behind."""
    drafted = _draft(state, command, _viewer(actor), state.clock.sim_at(now))
    after_draft = apply(state, drafted)
    sent = _send(after_draft, after_draft.requests[drafted.request], _viewer(actor), state.clock.sim_at(now))
    return [drafted, _signed(after_draft, sent)]


def _signed(state: Exercise, event: Event) -> Event:
    """The event with its signatures: who acted, as the other country may know them."""
    if isinstance(event, RequestDrafted | AnswerScheduled):
        return event  # signed as it is drafted (not in the state yet), or when the answer comes
    by = getattr(event, "by", None)
    if by is None:
        return event  # a joint team formed
    request = state.requests[getattr(event, "request", "")]
    signed = signature(state, request, by)
    changes = {"by_name": signed.name, "by_agency": signed.agency}
    if isinstance(event, RequestSent):
        author = signature(state, request, request.author)
        changes |= {"author_name": author.name, "author_agency": author.agency}
    return replace(event, **changes)


def _decide(state: Exercise, command: c.Command, actor: c.Actor, now: float) -> list[Event]:
    viewer = _viewer(actor)
    sim_now = state.clock.sim_at(now)
    scenario = state.scenario
    match command:
        case c.DraftRequest():
            return [_draft(state, command, viewer, sim_now)]
        case c.UpdateRequest():
            request = require_request(state.requests, command.request, viewer)
            require_sender(scenario, request, viewer, "change")
            require_status(request, "change", *OUTBOX)
            fields = check_fields(
                instrument_of(scenario, request.instrument),
                command.fields,
                partial=True,
                sides=_sides(state, request.source_team, request.target_team),
            )
            urgent = request.urgent if command.urgent is None else command.urgent
            subject = None if command.subject is None else subject_of(command.subject)
            return [RequestUpdated(request.id, viewer.participant, fields, urgent, sim_now, subject=subject)]
        case c.ValidateRequest():
            request = require_request(state.requests, command.request, viewer)
            if viewer.staff or viewer.team not in (request.source_team, *request.cosigners):
                raise Forbidden(f"only the requesting team or a unit co-signing it may validate {request.id}")
            require_status(request, "validate", RequestStatus.DRAFT)
            if not may_validate(scenario, viewer, instrument_of(scenario, request.instrument)):
                raise Forbidden(f"the role {viewer.role!r} may not validate a {request.instrument}")
            return [RequestValidated(request.id, viewer.participant, sim_now)]
        case c.SendRequest():
            request = require_request(state.requests, command.request, viewer)
            return [_send(state, request, viewer, sim_now)]
        case c.AcknowledgeRequest():
            request = require_request(state.requests, command.request, viewer)
            require_receiver(scenario, request, viewer, "acknowledge", answering=False)
            require_status(request, "acknowledge", RequestStatus.SENT)
            return [RequestAcknowledged(request.id, viewer.participant, sim_now)]
        case c.AskClarification():
            request = require_request(state.requests, command.request, viewer)
            require_receiver(scenario, request, viewer, "ask about", answering=False)
            require_status(request, "ask about", *RECEIVED)
            return [ClarificationRequested(request.id, viewer.participant, _text(command.text), sim_now)]
        case c.ClarifyRequest():
            request = require_request(state.requests, command.request, viewer)
            require_sender(scenario, request, viewer, "clarify")
            require_status(request, "clarify", RequestStatus.CLARIFICATION_REQUESTED)
            return [RequestClarified(request.id, viewer.participant, _text(command.text), sim_now)]
        case c.AmendRequest():
            request = require_request(state.requests, command.request, viewer)
            return [amend(state, request, command, viewer, sim_now, now)]
        case c.GrantConsent():
            request = require_request(state.requests, command.request, viewer)
            return [grant_consent(state, request, command, viewer, sim_now)]
        case c.AnswerRequest():
            request = require_request(state.requests, command.request, viewer)
            require_receiver(scenario, request, viewer, "answer")
            require_status(request, "answer", *RECEIVED)
            if request.scheduled is not None:
                raise InvalidState(
                    f"request {request.id} is answered already: the answer arrives at "
                    f"{format_sim_time(request.scheduled.answer_at)}"
                )
            if command.as_proposed:
                return [_as_proposed(state, request, viewer, sim_now)]
            text = _text(command.text)
            found = discovered(scenario, request)  # what an answer to such a request brings in
            answered = RequestAnswered(
                request.id, viewer.participant, text, command.partial, found, sim_now, sim_now
            )
            return [answered, *_joint_teams_formed(state, answered)]
        case c.RefuseRequest():
            request = require_request(state.requests, command.request, viewer)
            require_receiver(scenario, request, viewer, "refuse")
            require_status(request, "refuse", *RECEIVED)
            grounds = instrument_of(scenario, request.instrument).refusal_grounds
            if grounds and command.ground not in grounds:
                raise InvalidArguments(f"ground {command.ground!r}: one of {', '.join(grounds)}")
            if not command.ground.strip():
                raise InvalidArguments("a refusal needs a ground")
            return [
                RequestRefused(request.id, viewer.participant, command.ground, command.text.strip(), sim_now)
            ]
        case c.WithdrawRequest():
            request = require_request(state.requests, command.request, viewer)
            require_sender(scenario, request, viewer, "withdraw")
            if request.status in CLOSED:
                raise InvalidState(f"cannot withdraw request {request.id}: it is {request.status}")
            return [RequestWithdrawn(request.id, viewer.participant, sim_now, request.sent)]
    raise AssertionError(f"not a request command: {type(command).__name__}")


def _played(state: Exercise, team: str, instrument: Instrument) -> bool:
    """Someone in `team` answers such a request (or, for an instrument that is only acknowledged,
    receives it); else nobody is there to answer (a country or agency nobody plays): SimCell does."""
    members = [
        Viewer(p.id, p.team, p.role, False)
        for p in state.participants.values()
        if not p.staff and p.team == team and not p.revoked
    ]
    if any(may_answer(state.scenario, m, instrument) for m in members):
        return True
    return not is_answered(instrument) and any(may_receive(state.scenario, m, instrument) for m in members)


def _draft(state: Exercise, command: c.DraftRequest, viewer: Viewer, sim_now: float) -> RequestDrafted:
    scenario = state.scenario
    instrument = instrument_of(scenario, command.instrument)
    if viewer.staff or viewer.team is None:
        raise Forbidden("requests are drafted by a team's participants")
    if not may_draft(scenario, viewer, instrument):
        raise Forbidden(f"the role {viewer.role!r} may not draft or issue a {instrument.id}")
    target = state.teams.get(command.to)
    source = state.teams[viewer.team]
    if target is None:
        raise NotFound(
            f"no other team {command.to!r} (teams: {', '.join(t for t in state.teams if t != source.id)})"
        )
    if target.id == source.id and (
        instrument.cross_border or model_of(scenario, source.country) is TeamModel.AGENCY_UNITS
    ):  # a unit is one agency: a referral goes to another unit; a one-team country refers inside
        raise NotFound(
            f"no other team {command.to!r}: a {instrument.id} goes to another team"
            + ("" if instrument.cross_border else " (a domestic instrument goes to another unit)")
        )
    if not scenario.available(instrument.id, source.country, target.country):
        domestic = "" if instrument.cross_border else f" ({instrument.id} is domestic: within one country)"
        raise Forbidden(
            f"{instrument.id} is not available from {source.country} to {target.country}{domestic}"
        )
    agency = command.agency or _receiving_agency(state, target.country, instrument.receiver)
    found = scenario.agency(agency) if agency else None
    if command.agency and (found is None or found[0].id != target.country):
        raise NotFound(f"no agency {command.agency!r} in {target.country}")
    sides = _sides(state, source.id, target.id)
    # Drafted to be sent at once, the form must be complete: every problem is named together.
    fields = check_fields(instrument, command.fields, partial=not command.send, sides=sides)
    receiver = scenario.agency(agency)
    simcell_agency = receiver is not None and receiver[1].played_by_simcell
    played = not simcell_agency and _played(state, target.id, instrument)
    drafted = RequestRun(
        id=f"R-{len(state.requests) + 1}",
        instrument=instrument.id,
        source_team=source.id,
        author=viewer.participant,
        target_team=target.id,
        target_agency=agency,
        fields=fields,
        urgent=command.urgent,
        spontaneous=command.spontaneous,
        simcell=not played,
        cosigners=()
        if may_issue(scenario, viewer, instrument)
        else cosigners(scenario, source.id, instrument),
    )
    author = signature(state, drafted, viewer.participant)
    return RequestDrafted(
        request=drafted.id,
        instrument=drafted.instrument,
        source_team=drafted.source_team,
        author=drafted.author,
        target_team=drafted.target_team,
        target_agency=drafted.target_agency,
        fields=drafted.fields,
        urgent=drafted.urgent,
        spontaneous=drafted.spontaneous,
        simcell=drafted.simcell,
        sim_time=sim_now,
        author_name=author.name,
        author_agency=author.agency,
        cosigners=drafted.cosigners,
        subject=subject_of(command.subject),
    )


def _sides(state: Exercise, source: str, target: str) -> dict[str, Country | None]:
    """The countries of a request's two teams, for its `agency` fields."""
    return {
        side: state.scenario.country(state.teams[team].country)
        for side, team in (("source", source), ("target", target))
    }


def _receiving_agency(state: Exercise, country: str, agency_type: str) -> str:
    found = state.scenario.country(country)
    return next((a.id for a in (found.agencies if found else ()) if a.type == agency_type), "")


def _send(state: Exercise, request: RequestRun, viewer: Viewer, sim_now: float) -> RequestSent:
    scenario = state.scenario
    instrument = instrument_of(scenario, request.instrument)
    require_sender(scenario, request, viewer, "send")
    require_status(request, "send", *OUTBOX)
    if not may_issue(scenario, viewer, instrument):
        if not may_draft(scenario, viewer, instrument):
            raise Forbidden(f"the role {viewer.role!r} may not send a {instrument.id}")
        if request.status is not RequestStatus.VALIDATED:
            raise InvalidState(
                f"a {instrument.id} drafted by {viewer.role} must be validated before it is sent"
            )
    missing = [f"field {key!r}: required" for key in missing_fields(instrument, request.fields)]
    missing += missing_conditional(instrument, request.fields)  # required because of another field
    if missing:
        raise InvalidArguments("; ".join(missing))
    due_at, stage, legal = (None, "", "") if request.spontaneous else deadline(scenario, request, sim_now)
    return RequestSent(
        request.id,
        viewer.participant,
        sim_now,
        due_at,
        stage,
        legal,
        instrument=request.instrument,
        source_team=request.source_team,
        author=request.author,
        target_team=request.target_team,
        target_agency=request.target_agency,
        fields=request.fields,
        urgent=request.urgent,
        spontaneous=request.spontaneous,
        subject=request.subject,
        deadlines=() if request.spontaneous else deadlines(scenario, request, sim_now),
    )


def _as_proposed(state: Exercise, request: RequestRun, viewer: Viewer, sim_now: float) -> Event:
    proposal = propose(state.scenario, request, holds_now(state, sim_now))
    if proposal is None:
        raise InvalidState(f"no response template fits request {request.id}: answer it by hand")
    text = proposal.text or "(answered by SimCell)"
    if proposal.outcome is Outcome.ACKNOWLEDGED:
        require_status(request, "acknowledge", RequestStatus.SENT)
        return RequestAcknowledged(request.id, viewer.participant, sim_now)
    if proposal.outcome is Outcome.AFTER_ENDEX:
        return AnswerDeferred(request.id, viewer.participant, text, sim_now)
    if proposal.outcome is Outcome.CLARIFICATION:
        return ClarificationRequested(request.id, viewer.participant, text, sim_now)
    if proposal.outcome is Outcome.REFUSED:
        grounds = instrument_of(state.scenario, request.instrument).refusal_grounds
        return RequestRefused(
            request.id, viewer.participant, grounds[0] if grounds else "refused", text, sim_now
        )
    release_at = after(sim_now, proposal.delay, state.scenario.clock.morning)
    partial = proposal.outcome is Outcome.PARTIAL
    if proposal.answer_delayed and release_at > sim_now:  # the text comes with what it releases
        return AnswerScheduled(
            request.id, viewer.participant, text, partial, proposal.releases, release_at, sim_now
        )
    return RequestAnswered(
        request.id, viewer.participant, text, partial, proposal.releases, release_at, sim_now
    )


def discovered(scenario: Scenario, request: RequestRun) -> tuple[str, ...]:
    """Artefacts the scenario says an answer to this request discovers (`discovery`); its
    `target` names a country, a team or an agency (`server.core.matching`)."""
    countries = team_countries(scenario)
    return tuple(
        artefact.id
        for artefact in scenario.artefacts
        if any(
            d.instrument == request.instrument
            and names_receiver(d.target, request.target_team, request.target_agency, countries)
            for d in artefact.discovery
        )
    )


def _joint_teams_formed(state: Exercise, answered: RequestAnswered) -> list[JointTeamFormed]:
    """A joint team forms once answered requests of its `formed_by` instrument connect all members."""
    if answered.partial:
        return []
    after_answer = apply(state, answered)
    formed = []
    for jit in state.scenario.joint_teams:
        if jit.id in state.joint_teams or jit.formed_by is None:
            continue
        signed = [
            r
            for r in after_answer.requests.values()
            if r.instrument == jit.formed_by and r.status is RequestStatus.ANSWERED
        ]
        countries = {after_answer.teams[t].country for r in signed for t in (r.source_team, r.target_team)}
        if jit.members <= countries:
            teams = tuple(sorted(t.id for t in state.teams.values() if t.country in jit.members))
            formed.append(JointTeamFormed(jit.id, teams, answered.sim_time))
    return formed


def _viewer(actor: c.Actor) -> Viewer:
    if not isinstance(actor, Viewer):
        raise Forbidden("requests are made by people")
    return actor


def _text(text: str) -> str:
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_TEXT:
        raise InvalidArguments(f"a text needs 1 to {MAX_TEXT} characters, got {len(stripped)}")
    return stripped
