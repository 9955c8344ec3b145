"""Changes to a request after it was sent: amendments after a clarification was asked, and
consent to onward use of what one side passed on it (`server.core.request_flow` decides the
rest of a request's life).

An amendment changes fields of the sent form, validated as a form to send is
(`check_fields`), with a note; it answers the receiving side's question, so the clarification
loop closes: the request is back to `acknowledged` (or `sent`, if it never was). Every
amendment is kept with the old and new value of each field it changed. An amendment is a new
decision of the issuing authority: for an instrument some roles only draft (a prosecutor
validates the police officer's EIO), only a role that may issue or validate it amends it, and
it counts as the co-signature of the amended text.

Consent is granted by the side the instrument's `consent.granted_by` names (`requester`: for
what the form and its attachments tell; `receiver`: for what the answer releases), for the uses
it allows (`evidence`, `onward`); once the side that passed an item granted `onward` use, the
receiving team passing it on is not flagged (`server.core.sharing`).
"""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Viewer
from server.core.errors import Forbidden, InvalidArguments, InvalidState
from server.core.events import ConsentGranted, RequestAmended
from server.core.exercise import Exercise
from server.core.requests import (
    FieldChange,
    FieldValue,
    RequestRun,
    RequestStatus,
    check_fields,
    instrument_of,
    may_issue,
    may_validate,
    require_receiver,
)

MAX_NOTE = 20_000


def amend(
    state: Exercise, request: RequestRun, command: c.AmendRequest, viewer: Viewer, sim_now: float, now: float
) -> RequestAmended:
    scenario = state.scenario
    instrument = instrument_of(scenario, request.instrument)
    if viewer.staff or viewer.team not in (request.source_team, *request.cosigners):
        raise Forbidden(f"only the requesting team may amend request {request.id}")
    if request.status is not RequestStatus.CLARIFICATION_REQUESTED:
        raise InvalidState(
            f"cannot amend request {request.id}: it is {request.status}; a request is amended when the "
            "receiving side has asked for clarification (a draft is edited instead)"
        )
    if not (may_issue(scenario, viewer, instrument) or may_validate(scenario, viewer, instrument)):
        raise Forbidden(
            f"the role {viewer.role!r} may not amend a {instrument.id}: an amendment is signed as the "
            "request was, by a role that may issue or validate it"
        )
    if not command.fields:
        raise InvalidArguments("an amendment names the fields it changes (args.fields)")
    values = {f.key: f.value for f in request.fields}
    for key, value in command.fields.items():
        values[key] = value
    teams = state.teams
    sides = {
        side: scenario.country(teams[team].country)
        for side, team in (("source", request.source_team), ("target", request.target_team))
    }
    fields = check_fields(instrument, values, sides=sides)  # as complete as a form to send
    changes = _changes(request, fields)
    if not changes:
        raise InvalidArguments(f"the amendment changes no field of request {request.id}")
    note = command.note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidArguments(f"note: at most {MAX_NOTE} characters (got {len(note)})")
    return RequestAmended(request.id, viewer.participant, changes, fields, note, sim_now, now)


def _changes(request: RequestRun, fields: tuple[FieldValue, ...]) -> tuple[FieldChange, ...]:
    after = {f.key: f for f in fields}
    before = {f.key: f for f in request.fields}
    keys = [*before, *(k for k in after if k not in before)]
    return tuple(
        FieldChange(key, before.get(key), after.get(key)) for key in keys if before.get(key) != after.get(key)
    )


def consent_side(state: Exercise, request: RequestRun, viewer: Viewer) -> str:
    """The side of the request `viewer` grants consent for: requester (a member of the requesting
    team) or receiver (one who may answer it: SimCell for a country nobody plays)."""
    if not viewer.staff and viewer.team == request.source_team:
        return "requester"
    require_receiver(state.scenario, request, viewer, "grant consent on")
    return "receiver"


def grant_consent(
    state: Exercise, request: RequestRun, command: c.GrantConsent, viewer: Viewer, sim_now: float
) -> ConsentGranted:
    instrument = instrument_of(state.scenario, request.instrument)
    consent = instrument.consent
    if consent is None:
        raise InvalidState(f"a {instrument.id} asks no consent to onward use in this scenario")
    side = consent_side(state, request, viewer)
    if consent.granted_by not in (side, "both"):
        raise Forbidden(f"on a {instrument.id}, consent to onward use is granted by the {consent.granted_by}")
    if side == "receiver" and not request.sent:
        raise InvalidState(f"request {request.id} is not sent yet")
    if request.status is RequestStatus.WITHDRAWN:
        raise InvalidState(f"request {request.id} is withdrawn")
    uses = tuple(dict.fromkeys(command.uses)) or consent.uses
    wrong = [use for use in uses if use not in consent.uses]
    if wrong:
        raise InvalidArguments(
            f"uses: {', '.join(wrong)} not among what a {instrument.id} may consent to "
            f"({', '.join(consent.uses)})"
        )
    new = tuple(use for use in uses if not request.consented(side, use))
    if not new:
        raise InvalidState(f"the {side} granted consent to {', '.join(uses)} on request {request.id} already")
    note = command.note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidArguments(f"note: at most {MAX_NOTE} characters (got {len(note)})")
    return ConsentGranted(request.id, viewer.participant, side, new, note, sim_now, sent=request.sent)
