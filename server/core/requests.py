"""Cross-border requests: the instruments of the scenario, played between teams.

A participant drafts a request of an instrument to another country's team. The server
enforces what the law and the scenario say: the instrument must be available between the
two countries, the role must be able to issue it (or draft it and have it validated by a
role that may validate it: the co-signature of a prosecutor or judge), and the required
fields must be there and well-typed. Then:

    draft → (validated) → sent → acknowledged → clarification_requested ⇄ clarified
          → answered | partially_answered | refused (with a ground) | withdrawn

A request to a country nobody plays goes to SimCell, which answers it from the scenario's
response templates (`propose`). Game deadlines run in simulated time (`deadline`); legal
deadlines are shown beside them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from server.core.audience import Audience, Viewer
from server.core.calendar import receipt
from server.core.delays import after
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.matching import names_receiver, names_team
from server.core.scenario import (
    Anchor,
    Country,
    Field,
    FieldTest,
    Instrument,
    Outcome,
    OutcomeRule,
    Receipt,
    Response,
    ResponseOutcome,
    Scenario,
    Trigger,
    agency_choices,
)
from server.core.simtime import HOUR
from server.core.team_models import team_countries


class RequestStatus(StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    CLARIFICATION_REQUESTED = "clarification_requested"
    CLARIFIED = "clarified"
    ANSWERED = "answered"
    PARTIALLY_ANSWERED = "partially_answered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OUTBOX = frozenset({RequestStatus.DRAFT, RequestStatus.VALIDATED})
"""Not sent yet: only the requesting team (and staff) know of it."""
CLOSED = frozenset(
    {RequestStatus.ANSWERED, RequestStatus.PARTIALLY_ANSWERED, RequestStatus.REFUSED, RequestStatus.WITHDRAWN}
)
RECEIVED = frozenset(
    {
        RequestStatus.SENT,
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.CLARIFICATION_REQUESTED,
        RequestStatus.CLARIFIED,
    }
)
"""Open at the receiving end."""


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One filled-in field of a request form; exactly one of the values is set."""

    key: str
    text: str | None = None
    number: float | None = None
    flag: bool | None = None
    items: tuple[str, ...] | None = None

    @property
    def value(self) -> Any:
        for value in (self.text, self.number, self.flag, self.items):
            if value is not None:
                return list(value) if isinstance(value, tuple) else value
        return None


@dataclass(frozen=True, slots=True)
class Step:
    status: RequestStatus
    by: str
    sim_time: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class ScheduledAnswer:
    """An answer SimCell confirmed whose text arrives later, with what it releases."""

    by: str
    text: str
    partial: bool
    releases: tuple[str, ...]
    answer_at: float


@dataclass(frozen=True, slots=True)
class StageDue:
    """One game deadline of a sent request: the stage to reach by `due_at` (simulated time)."""

    stage: str
    due_at: float
    legal: str = ""
    soon_at: float | None = None
    """When it is due soon (None: `soon_time` of the span since sending)."""
    warned: tuple[str, ...] = ()
    """Warnings given for this deadline: "due_soon", "overdue"."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field as an amendment changed it (None: empty before, or emptied)."""

    key: str
    old: FieldValue | None
    new: FieldValue | None


@dataclass(frozen=True, slots=True)
class Amendment:
    """The requester changed a sent request after a clarification was asked."""

    by: str
    sim_time: float
    wall_time: float
    changes: tuple[FieldChange, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class ConsentGiven:
    """Consent to onward use, granted by one side of the request."""

    by: str
    side: str
    """`requester` or `receiver`."""
    uses: tuple[str, ...]
    sim_time: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class RequestRun:
    id: str
    instrument: str
    source_team: str
    author: str
    target_team: str
    target_agency: str
    fields: tuple[FieldValue, ...]
    urgent: bool
    spontaneous: bool
    simcell: bool
    """The target team is not played: SimCell answers."""
    status: RequestStatus = RequestStatus.DRAFT
    history: tuple[Step, ...] = ()
    validated_by: str | None = None
    due_at: float | None = None
    """Simulated time by which the next stage is due (the game deadline)."""
    due_stage: str = ""
    legal: str = ""
    """The legal deadline as players see it."""
    warned: tuple[str, ...] = ()
    """Deadline warnings already given: "due_soon", "overdue"."""
    answer: str = ""
    ground: str = ""
    attachments: tuple[str, ...] = ()
    cosigners: tuple[str, ...] = ()
    """Other units of the requesting country that may co-sign the draft (a prosecution unit
    validating the police unit's letter rogatory): they see the request from its draft on."""
    scheduled: ScheduledAnswer | None = None
    """SimCell's answer on its way (`answer_delayed`); the scheduler delivers it."""
    after_endex: bool = False
    """Acknowledged with "the answer arrives after ENDEX" (for the debrief)."""
    subject: str = ""
    """The subject line the requesting team gave it."""
    deadlines: tuple[StageDue, ...] = ()
    """Every game deadline that runs since it was sent, one per stage (`due_at` is the first)."""
    amendments: tuple[Amendment, ...] = ()
    """Changes to the sent request after a clarification, oldest first."""
    consents: tuple[ConsentGiven, ...] = ()
    """Consent to onward use granted on it, oldest first."""

    def consented(self, side: str, use: str) -> bool:
        """Whether `side` (requester or receiver) granted consent to `use` on this request."""
        return any(c.side == side and use in c.uses for c in self.consents)

    def field(self, key: str) -> FieldValue | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def sent(self) -> bool:
        return self.reached(RequestStatus.SENT) is not None

    def audience(self, sent: bool) -> Audience:
        """The requesting team always; the receiving team once it is sent (unless SimCell plays
        it); staff always. Only facts that never change decide it (`server.core.visibility`)."""
        if not sent or self.simcell:
            return Audience.of(teams=[self.source_team, *self.cosigners])
        return Audience.of(teams=[self.source_team, *self.cosigners, self.target_team])

    def reached(self, status: RequestStatus) -> float | None:
        """When the request first reached `status`, in simulated time."""
        return next((step.sim_time for step in self.history if step.status is status), None)


# -- forms -------------------------------------------------------------------------------------


def check_fields(
    instrument: Instrument,
    values: Mapping[str, Any],
    *,
    partial: bool = False,
    sides: Mapping[str, Country | None] | None = None,
) -> tuple[FieldValue, ...]:
    """The form's values, typed; InvalidArguments naming every field that is wrong.

    A draft may be `partial` (required fields still empty); a request is sent only complete.
    `sides` are the request's two countries (`source`, `target`): an `agency` field names an
    agency of the country on its side (an EIO is issued by an authority of the issuing State).
    """
    problems: list[str] = []
    typed: list[FieldValue] = []
    for key in values:
        if instrument.field(key) is None:
            known = ", ".join(f.key for f in instrument.fields)
            problems.append(f"field {key!r}: not a field of {instrument.id} (fields: {known})")
    for spec in instrument.fields:
        raw = values.get(spec.key)
        if raw is None or raw == "" or raw == []:
            if spec.required and not partial:
                problems.append(f"field {spec.key!r}: required")
            elif not partial and (why := required_because(spec, values)):
                problems.append(f"field {spec.key!r}: required {why}")
            continue
        value, problem = _typed(spec, raw, (sides or {}).get(spec.side))
        if value is None:
            problems.append(f"field {spec.key!r}: {problem}")
        else:
            typed.append(value)
    if problems:
        raise InvalidArguments("; ".join(problems))
    return tuple(typed)


def missing_fields(instrument: Instrument, fields: tuple[FieldValue, ...]) -> list[str]:
    present = {f.key for f in fields}
    return [spec.key for spec in instrument.fields if spec.required and spec.key not in present]


def missing_conditional(instrument: Instrument, fields: tuple[FieldValue, ...]) -> list[str]:
    """Problems with the fields a form needs because of another field's value ("field
    'urgency_reason': required because urgency is evidence_destruction")."""
    present = {f.key for f in fields}
    values = {f.key: f.value for f in fields}
    return [
        f"field {spec.key!r}: required {why}"
        for spec in instrument.fields
        if spec.key not in present and (why := required_because(spec, values))
    ]


def required_because(spec: Field, values: Mapping[str, Any]) -> str:
    """Why `spec` is required by its `required_if` given the form's `values` ("" if it is not)."""
    rule = spec.required_if
    if rule is None:
        return ""
    raw = values.get(rule.field)
    chosen = [raw] if not isinstance(raw, list | tuple) else list(raw)
    held = [_as_choice(v) for v in chosen if _as_choice(v) in rule.values]
    if not held:
        return ""
    return f"because {rule.field} is {held[0]}"


def _as_choice(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _typed(spec: Field, raw: Any, country: Country | None) -> tuple[FieldValue | None, str]:
    kind = spec.type
    if kind == "agency":
        choices = agency_choices(spec, country)
        if raw not in choices:
            side = "requesting" if spec.side == "source" else "receiving"
            return (
                None,
                f"an agency of the {side} country: one of {', '.join(choices) or 'none'} (got {raw!r})",
            )
        return FieldValue(spec.key, text=raw), ""
    if kind in ("text", "date"):
        if not isinstance(raw, str):
            return None, "expected a text"
        if len(raw.strip()) < spec.min_length:
            return None, f"at least {spec.min_length} characters (got {len(raw.strip())})"
        if len(raw) > MAX_FIELD:
            return None, f"at most {MAX_FIELD} characters"
        return FieldValue(spec.key, text=raw.strip()), ""
    if kind == "enum":
        if raw not in spec.choices:
            return None, f"one of {', '.join(spec.choices)} (got {raw!r})"
        return FieldValue(spec.key, text=raw), ""
    if kind == "bool":
        if not isinstance(raw, bool):
            return None, "expected true or false"
        return FieldValue(spec.key, flag=raw), ""
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            return None, "expected a number"
        return FieldValue(spec.key, number=float(raw)), ""
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        return None, "expected a list of texts"
    if kind == "multiselect" and (wrong := [item for item in raw if item not in spec.choices]):
        return None, f"not among the choices: {', '.join(wrong)}"
    return FieldValue(spec.key, items=tuple(raw)), ""


MAX_FIELD = 20_000


# -- who may do what ----------------------------------------------------------------------------


def may_issue(scenario: Scenario, viewer: Viewer, instrument: Instrument) -> bool:
    role = scenario.role(viewer.role)
    return role is not None and role.can("issue", instrument.id)


def may_draft(scenario: Scenario, viewer: Viewer, instrument: Instrument) -> bool:
    role = scenario.role(viewer.role)
    return role is not None and (role.can("issue", instrument.id) or role.can("draft", instrument.id))


def may_validate(scenario: Scenario, viewer: Viewer, instrument: Instrument) -> bool:
    role = scenario.role(viewer.role)
    return role is not None and role.can("validate", instrument.id)


def may_receive(scenario: Scenario, viewer: Viewer, instrument: Instrument) -> bool:
    """A receiving role: it may receive or answer the instrument, or works for its receiver. It
    sees such a request to its team, acknowledges it and asks about it."""
    role = scenario.role(viewer.role)
    if role is None:
        return False
    return (
        role.can("answer", instrument.id)
        or role.can("receive", instrument.id)
        or instrument.receiver in role.agency_types
    )


def may_answer(scenario: Scenario, viewer: Viewer, instrument: Instrument) -> bool:
    """An answering role: `answer:` the instrument, or it works for its receiver and names neither
    `receive:` nor `answer:` for it (a role with `receive:` alone receives but does not answer). It
    answers, refuses and grants consent on the receiving side."""
    role = scenario.role(viewer.role)
    if role is None:
        return False
    if role.can("answer", instrument.id):
        return True
    return not role.can("receive", instrument.id) and instrument.receiver in role.agency_types


NOT_ANSWERS = frozenset(
    {"draft", "validated", "sent", "acknowledged", "clarification_requested", "clarified"}
)
"""Lifecycle stages short of an answer, with `refused`, `withdrawn` and `closed` (the ends)."""


def is_answered(instrument: Instrument) -> bool:
    """Such a request is answered: its lifecycle has a stage that only an answer reaches (answered,
    signed, executed ...), not only acknowledged (spontaneous information)."""
    ends = {"refused", "withdrawn", "closed"}
    return any(stage not in NOT_ANSWERS and stage not in ends for stage in instrument.lifecycle)


def instrument_of(scenario: Scenario, instrument_id: str) -> Instrument:
    instrument = scenario.instrument(instrument_id)
    if instrument is None:
        known = ", ".join(i.id for i in scenario.instruments)
        raise NotFound(f"no instrument {instrument_id!r} in this scenario (instruments: {known})")
    return instrument


def require_request(requests: Mapping[str, RequestRun], request_id: str, viewer: Viewer) -> RequestRun:
    request = requests.get(request_id)
    if request is None or not (
        viewer.staff or viewer.team in (request.source_team, *request.cosigners, *_receivers(request))
    ):
        raise NotFound(f"no request {request_id!r} for you")
    return request


def _receivers(request: RequestRun) -> tuple[str, ...]:
    return () if not request.sent or request.simcell else (request.target_team,)


def amended_status(request: RequestRun) -> RequestStatus:
    """Where an amendment leaves the request: acknowledged if it was, else sent."""
    if request.reached(RequestStatus.ACKNOWLEDGED) is not None:
        return RequestStatus.ACKNOWLEDGED
    return RequestStatus.SENT


def require_status(request: RequestRun, doing: str, *allowed: RequestStatus) -> None:
    if request.status not in allowed:
        raise InvalidState(f"cannot {doing} request {request.id}: it is {request.status}")


def require_sender(scenario: Scenario, request: RequestRun, viewer: Viewer, doing: str) -> None:
    if viewer.staff or viewer.team != request.source_team:
        raise Forbidden(f"only the requesting team may {doing} request {request.id}")


def require_receiver(
    scenario: Scenario, request: RequestRun, viewer: Viewer, doing: str, *, answering: bool = True
) -> None:
    """The viewer acts for the receiving side: SimCell for a request nobody plays, else a member of
    the target team whose role answers the instrument (`answering`) or receives it."""
    instrument = instrument_of(scenario, request.instrument)
    if request.simcell:
        if viewer.role != "simcell" and not (viewer.staff and viewer.role in ("director", "controller")):
            raise Forbidden(f"SimCell answers request {request.id}: nobody plays {request.target_team}")
        return
    allowed = may_answer if answering else may_receive
    if viewer.team != request.target_team or not allowed(scenario, viewer, instrument):
        whose = f" of {viewer.team}" if viewer.team else ""
        what = (
            f"; it receives {instrument.id} but does not answer it"
            if (viewer.team == request.target_team and may_receive(scenario, viewer, instrument))
            else ""
        )
        raise Forbidden(f"the role {viewer.role!r}{whose} may not {doing} request {request.id}{what}")


# -- deadlines ----------------------------------------------------------------------------------


def deadline(scenario: Scenario, request: RequestRun, sim_now: float) -> tuple[float | None, str, str]:
    """The first game deadline that runs once the request is sent: (due at, stage, legal text)."""
    for due in deadlines(scenario, request, sim_now):
        return due.due_at, due.stage, due.legal
    return None, "", ""


FIRST_HOUR = HOUR
"""A `next_morning` game deadline falls due at the end of the morning's first office hour."""


def deadlines(scenario: Scenario, request: RequestRun, sim_now: float) -> tuple[StageDue, ...]:
    """Every game deadline that runs once the request is sent at `sim_now`, in the order of the
    instrument: those for every receiver and those for its kind (`played` or `simcell`).

    A deadline "by the next morning" is due at the end of the first office hour of that morning
    (the overnight jump lands on the morning: the receiving team gets its hour), and due soon
    when that morning begins, never overnight (`soon_time`)."""
    instrument = instrument_of(scenario, request.instrument)
    kind = "simcell" if request.simcell else "played"
    morning = scenario.clock.morning
    found = []
    for rule in instrument.deadlines:
        if rule.receiver not in ("", kind):
            continue
        delay = rule.urgent if request.urgent and rule.urgent is not None else rule.game
        due_at = after(sim_now, delay, morning)
        soon_at = None
        if delay.anchor is Anchor.NEXT_MORNING:
            soon_at, due_at = due_at, due_at + FIRST_HOUR
        # as floats, whole numbers too: what a snapshot gives back (its chunks then keep their names)
        soon = None if soon_at is None else float(soon_at)
        found.append(StageDue(rule.stage, float(due_at), rule.legal, soon))
    return tuple(found)


SOON = 0.2
"""A request is due soon when less than this share of its game deadline is left."""


RESPONDED = frozenset(
    {
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.CLARIFICATION_REQUESTED,
        RequestStatus.CLARIFIED,
        RequestStatus.ANSWERED,
        RequestStatus.PARTIALLY_ANSWERED,
        RequestStatus.REFUSED,
    }
)
"""The receiving side has replied: an acknowledgement deadline is met."""
REPLIED = frozenset({RequestStatus.ANSWERED, RequestStatus.PARTIALLY_ANSWERED, RequestStatus.REFUSED})
"""The receiving side has decided: a deadline of any later stage is met."""


def met_at(request: RequestRun, stage: str) -> float | None:
    """When the request met a deadline for `stage`, in simulated time (None: not yet).

    `sent` is met by sending; `acknowledged` by the receiver's first reply (an acknowledgement,
    a question, an answer or a refusal); `clarification_requested` by a question or a decision;
    every other stage (answered, recognised, executed ...: what the engine plays as the answer)
    by the answer, partial answer or refusal."""
    if stage == "sent":
        wanted: frozenset[RequestStatus] = frozenset({RequestStatus.SENT})
    elif stage == "acknowledged":
        wanted = RESPONDED
    elif stage == "clarification_requested":
        wanted = REPLIED | {RequestStatus.CLARIFICATION_REQUESTED}
    else:
        wanted = REPLIED
    return next((step.sim_time for step in request.history if step.status in wanted), None)


EARLY_STAGES = frozenset({"sent", "acknowledged", "clarification_requested"})
"""Stages met before the answer: their deadlines do not say when the answer is owed."""


def answer_due(request: RequestRun) -> float | None:
    """When the request's answer is owed, in simulated time: the latest deadline only an answer
    meets (answered, executed ...), else the first deadline (None: it has none)."""
    found = [due.due_at for due in stage_deadlines(request) if due.stage not in EARLY_STAGES]
    return max(found) if found else request.due_at


def stage_deadlines(request: RequestRun) -> tuple[StageDue, ...]:
    """The request's deadlines; one made of `due_at` for a request sent before there were several."""
    if request.deadlines or request.due_at is None:
        return request.deadlines
    return (StageDue(request.due_stage, request.due_at, request.legal, None, request.warned),)


def soon_time(request: RequestRun, due: StageDue) -> float:
    """When `due` becomes due soon: less than `SOON` of its span left (at least a minute before),
    or, for a deadline of the next morning, when that morning begins."""
    if due.soon_at is not None:
        return due.soon_at
    sent = request.reached(RequestStatus.SENT) or due.due_at
    return due.due_at - max(60.0, (due.due_at - sent) * SOON)


def stage_warnings_due(request: RequestRun, sim_now: float) -> list[tuple[StageDue, str]]:
    """Deadline warnings that have become due and were not given yet, per deadline. A deadline
    met stops warning; an overdue found with its due-soon still unsaid (a clock jump passed
    both) is said alone: "due soon" of what is already late would only confuse."""
    if request.status in CLOSED or request.status in OUTBOX:
        return []
    found: list[tuple[StageDue, str]] = []
    for due in stage_deadlines(request):
        if met_at(request, due.stage) is not None:
            continue
        if sim_now >= due.due_at:
            if "overdue" not in due.warned:
                found.append((due, "overdue"))
        elif sim_now >= soon_time(request, due) and "due_soon" not in due.warned:
            found.append((due, "due_soon"))
    return found


def warnings_due(request: RequestRun, sim_now: float) -> list[str]:
    """Deadline warnings that have become due and were not given yet (any deadline)."""
    return [warning for _, warning in stage_warnings_due(request, sim_now)]


def next_warning(request: RequestRun) -> float | None:
    """The simulated time of the request's next deadline warning, if any."""
    if request.status in CLOSED or request.status in OUTBOX:
        return None
    times = []
    for due in stage_deadlines(request):
        if met_at(request, due.stage) is not None or "overdue" in due.warned:
            continue
        times.append(due.due_at if "due_soon" in due.warned else min(soon_time(request, due), due.due_at))
    return min(times) if times else None


def deadline_state(request: RequestRun, due: StageDue, sim_now: float | None = None) -> dict[str, Any]:
    """A deadline as players see it: its stage, due time, and whether it is met (when; late if
    after its due time), overdue, due soon, running or stopped (the request was withdrawn).
    Without `sim_now` (a view has no clock reading) it is overdue once warned so."""
    met = met_at(request, due.stage)
    if met is not None:
        state = "met_late" if met > due.due_at else "met"
    elif request.status is RequestStatus.WITHDRAWN:
        state = "withdrawn"
    elif (sim_now is not None and sim_now >= due.due_at) or "overdue" in due.warned:
        state = "overdue"
    elif "due_soon" in due.warned:
        state = "due_soon"
    else:
        state = "running"
    return {
        "stage": due.stage,
        "due_at": due.due_at,
        "legal": due.legal,
        "state": state,
        "met_at": met,
        "warned": list(due.warned),
    }


def field_holds(test: FieldTest, value: FieldValue | None) -> bool:
    """Whether a filled-in field passes `test` (a field left empty passes none)."""
    if value is None or value.value in (None, "", []):
        return False
    if test.equals is not None and _text(value) != test.equals.strip().lower():
        return False
    if test.includes_any:
        chosen = set(value.items) if value.items is not None else {_text(value)}
        if not {choice.lower() for choice in test.includes_any} & {c.lower() for c in chosen}:
            return False
    if test.contains is not None and test.contains.lower() not in _text(value):
        return False
    return test.min_length is None or len(value.text or "") >= test.min_length


def _text(value: FieldValue) -> str:
    raw = value.value
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, list):
        return " ".join(str(item) for item in raw).lower()
    return str(raw).strip().lower()


# -- SimCell templates ----------------------------------------------------------------------------


def propose(
    scenario: Scenario, request: RequestRun, holds: Callable[[Trigger], bool] | None = None
) -> ResponseOutcome | None:
    """The first outcome of the first matching response template, for SimCell to confirm; an
    acknowledgement (or an answer after ENDEX) once given is passed over, so the same template
    then proposes the answer. `holds` tells whether a rule's `condition` holds now (without it,
    none does)."""
    instrument = instrument_of(scenario, request.instrument)
    countries = team_countries(scenario)
    for template in scenario.responses:
        if not _template_fits(template, request, countries):
            continue
        for outcome in template.outcomes:
            if _done(outcome, request):
                continue  # acknowledged already: the next rule that holds gives the answer
            if _rule_holds(scenario, outcome.when, instrument, request, holds):
                return outcome
    return None


def _done(outcome: ResponseOutcome, request: RequestRun) -> bool:
    if outcome.outcome is Outcome.ACKNOWLEDGED:
        return request.reached(RequestStatus.ACKNOWLEDGED) is not None
    return outcome.outcome is Outcome.AFTER_ENDEX and request.after_endex


def _template_fits(template: Response, request: RequestRun, countries: Mapping[str, str]) -> bool:
    """A template names its sides as triggers do: a country, a team or (receiving) an agency."""
    return (
        template.instrument == request.instrument
        and names_receiver(template.target, request.target_team, request.target_agency, countries)
        and names_team(template.source, request.source_team, countries)
    )


def _rule_holds(
    scenario: Scenario,
    rule: OutcomeRule,
    instrument: Instrument,
    request: RequestRun,
    holds: Callable[[Trigger], bool] | None = None,
) -> bool:
    if rule.condition is not None and (holds is None or not holds(rule.condition)):
        return False
    if rule.missing_required is not None and rule.missing_required != bool(
        missing_fields(instrument, request.fields)
    ):
        return False
    if rule.urgent is not None and rule.urgent != request.urgent:
        return False
    value = request.field(rule.field) if rule.field else None
    if rule.field and value is None:
        return False
    if rule.min_length is not None and value is not None and len(value.text or "") < rule.min_length:
        return False
    if rule.includes_any and value is not None and not rule.includes_any & set(value.items or (value.text,)):
        return False
    if rule.mentions_any:
        text = " ".join(str(f.value) for f in request.fields)
        if not any(mention in text for mention in rule.mentions_any):
            return False
    if not all(field_holds(test, request.field(test.field)) for test in rule.fields):
        return False
    if rule.received is not None and rule.received not in received(scenario, request):
        return False
    return not any(_rule_holds(scenario, other, instrument, request, holds) for other in rule.unless)


def received(scenario: Scenario, request: RequestRun) -> frozenset[Receipt]:
    """When the request reached the receiving country, in its calendar (`server.core.calendar`)."""
    sent = request.reached(RequestStatus.SENT)
    found = scenario.agency(request.target_agency)
    if found is None:  # no agency named: the receiving team's country
        country = team_countries(scenario).get(request.target_team, request.target_team)
        return receipt(scenario, scenario.country(country), 0.0 if sent is None else sent)
    return receipt(scenario, found[0], 0.0 if sent is None else sent, found[1])
