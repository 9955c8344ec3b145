"""The typed model of a scenario: the template an exercise is created from.

`server/scenario/` reads it from files and checks it; the core reads it while the exercise
runs. Every value is immutable and made of plain types, frozensets, tuples and nested frozen
dataclasses, so `exercise.created` can carry the whole scenario (`server.core.events`).
Times are simulated seconds since D1 00:00 (`server.core.simtime`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from server.core.evaluation_model import Questionnaire, RatingLevel


class RouteRole(StrEnum):
    ORIGIN = "origin"
    TRANSIT = "transit"
    DESTINATION = "destination"


class TeamModel(StrEnum):
    COUNTRY_TEAMS = "country_teams"
    """One team per country (team id = country id), agency roles inside it (Model B)."""
    AGENCY_UNITS = "agency_units"
    """One team per unit (an agency of a country), as in Model A."""


class Scope(StrEnum):
    """Who sees an artefact at the start (`server.core.casefile`)."""

    ROLE = "role"
    AGENCY = "agency"
    TEAM = "team"
    JOINT_TEAM = "joint_team"
    PUBLIC = "public"
    STAFF = "staff"


class EvidentialStatus(StrEnum):
    INTELLIGENCE = "intelligence"
    EVIDENCE = "evidence"
    CONSENT_NEEDED = "intelligence_consent_required"


class Channel(StrEnum):
    DOCUMENT = "document"
    CALL = "call"
    EMAIL = "email"
    SCENE = "scene"
    WALK_IN = "walk_in"
    MEDIA = "media"
    MEETING = "meeting"
    AUTO = "auto"
    MENTOR_PROMPT = "mentor_prompt"


class Anchor(StrEnum):
    """Game deadlines that land on a time of day rather than after a duration."""

    NEXT_MORNING = "next_morning"
    NEXT_MIDDAY = "next_midday"
    NEXT_AFTERNOON = "next_afternoon"


class TriggerKind(StrEnum):
    TIME = "time"
    REQUEST = "request"
    ACTION = "action"
    INJECT = "inject"
    DEADLINE_MISSED = "deadline_missed"
    ALL_OF = "all_of"
    ANY_OF = "any_of"
    NOT = "not"
    MANUAL = "manual"
    NOT_BEFORE = "not_before"
    CHARACTER = "character"


class Outcome(StrEnum):
    CLARIFICATION = "clarification_requested"
    PARTIAL = "executed_partial"
    EXECUTED = "executed"
    REFUSED = "refused"
    ACKNOWLEDGED = "acknowledged"
    """Receipt acknowledged with the text; the answer is still to come (SimCell writes it)."""
    AFTER_ENDEX = "answer_after_endex"
    """Acknowledged: the answer arrives after ENDEX (recorded on the request for the debrief)."""


class MetricKind(StrEnum):
    REQUEST_COUNT = "request_count"
    TIME_TO_REQUEST = "time_to_request"
    ACTION_COUNT = "action_count"
    TIME_TO_ACTION = "time_to_action"
    INJECT_FIRED = "inject_fired"
    ARTEFACT_RELEASED = "artefact_released"
    BEFORE = "before"
    """Whether the first of `of` happened before the first of `then` (or `then` never did)."""
    SPAN = "span"
    """The time between the first and the last of the `of` happenings (each at its first)."""
    INJECTS_ACKNOWLEDGED = "injects_acknowledged"
    """The share of the injects released to a team that it acknowledged within `within`."""
    REQUEST_BY = "request_by"
    """Whether a request of `instrument` (to `to`) reached `state` by the time `by`."""


class HappeningKind(StrEnum):
    """What a metric looks for in the log (`server.core.debrief.metrics`)."""

    REQUEST = "request"
    ACTION = "action"
    INJECT = "inject"
    ARTEFACT = "artefact"


@dataclass(frozen=True, slots=True)
class LegalProfile:
    thb_offence: str = ""
    reflection_period_days: int = 30
    child_age: int = 18
    extradites_nationals: bool = True
    labour_inspector_criminal_powers: bool = False
    fiu_type: str = "administrative"
    nrm_authority: str = ""
    formal_identification_days: int | None = None
    mla_central_authority: str = ""
    notes: str = ""
    other: tuple[tuple[str, str], ...] = ()
    """Entries of the country's own law beyond those above (`other:` in the file, such as a
    non-punishment clause), by name, their values as written (true/false, a number, a text)."""
    unstated: frozenset[str] = frozenset()
    """The entries above that the scenario left out: no fact of the country's law, so neither shown
    to players nor matched by a legal rule (their defaults are only the dataclass's)."""

    def entries(self) -> dict[str, Any]:
        """What the scenario says of the country's law: the entries it wrote, and its `other` ones."""
        stated = {f: getattr(self, f) for f in PROFILE_ENTRIES if f not in self.unstated}
        return {**stated, **dict(self.other)}


PROFILE_ENTRIES = (
    "thb_offence",
    "reflection_period_days",
    "child_age",
    "extradites_nationals",
    "labour_inspector_criminal_powers",
    "fiu_type",
    "nrm_authority",
    "formal_identification_days",
    "mla_central_authority",
    "notes",
)
"""The named entries of a legal profile, in the order the docs list them."""


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    type: str
    channels: frozenset[str] = frozenset()
    played_by_simcell: bool = False
    calendar: OfficeCalendar | None = None
    """This agency's own working time, over its country's (`server.core.calendar`); None: the country's."""
    time_offset: int | None = None
    """Its own local time minus exercise time, when it is not where its country is (an embassy
    abroad keeps its host's clock); None: its country's."""


@dataclass(frozen=True, slots=True)
class Seat:
    """How many people of a role a team has, for a full cohort."""

    role: str
    count: int


@dataclass(frozen=True, slots=True)
class Country:
    id: str
    name: str
    route_role: RouteRole
    blocs: frozenset[str] = frozenset()
    treaties: frozenset[str] = frozenset()
    eio_participant: bool = False
    language: str = ""
    legal_profile: LegalProfile = LegalProfile()
    agencies: tuple[Agency, ...] = ()
    composition: tuple[Seat, ...] = ()
    team_model: TeamModel | None = None
    """How this country plays (`server.core.team_models`); None: the exercise's `team_model`."""
    calendar: OfficeCalendar | None = None
    """When this country's offices work (SimCell rules on the time of receipt); None: always."""
    time_offset: int = 0
    """Local time minus exercise time, in seconds (`time_offset: "+02:00"`): what its clocks show."""
    played_by_simcell: bool = False
    """`played_by: simcell`: nobody plays this country; SimCell answers every request to it (each
    of its agencies is SimCell's), the roster places nobody in its team, and the debrief gives
    it no report of its own."""


@dataclass(frozen=True, slots=True)
class OfficeCalendar:
    """A country's working time, in exercise time (`server.core.calendar`)."""

    opens: int = 8 * 3600
    """Seconds after midnight."""
    closes: int = 17 * 3600
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    """Weekdays the offices are open, 0 for Monday."""
    holidays: frozenset[int] = frozenset()
    """Simulated days that are public holidays there: 1 for D1, 2 for D2 ..."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A team in the `agency_units` model: one agency of one country."""

    id: str
    name: str
    country: str
    agency: str


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    name: str
    description: str = ""
    needs: frozenset[str] = frozenset()
    """Actions that must be done first (a guardian appointed before a child interview)."""


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str
    agency_types: frozenset[str] = frozenset()
    capabilities: frozenset[str] = frozenset()
    """`issue:EIO`, `draft:EIO` (sent after a `validate:EIO` co-signature), `validate:EIO`,
    `receive:EIO`, `answer:EIO`, `act:refer_nrm`."""

    def can(self, verb: str, what: str) -> bool:
        return f"{verb}:{what}" in self.capabilities


@dataclass(frozen=True, slots=True)
class StaffSetting:
    """Extra settings for a built-in staff role (`server.core.roles`); it cannot redefine it."""

    role: str
    name: str = ""
    plays: frozenset[str] = frozenset()
    """Agencies and outside bodies this staff role plays (SimCell: banks, Europol ...)."""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ClockSpec:
    start: int
    """Simulated time at STARTEX, seconds since D1 00:00."""
    morning: int
    """Time of day a "next morning" jump lands on, seconds after midnight."""
    speed: float = 1.0
    end: int | None = None
    """Simulated time of ENDEX, when known."""
    d1_weekday: int = 0
    """The weekday of D1, 0 for Monday to 6 for Sunday (`server.core.calendar`)."""
    jumps: tuple[ScheduledJump, ...] = ()
    """Clock jumps the scheduler makes on its own (an overnight), in the order of their `at`."""


@dataclass(frozen=True, slots=True)
class ScheduledJump:
    """At simulated time `at` the clock jumps to `to` (`server.core.local_time`)."""

    id: str
    at: int
    to: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Delay:
    """A duration in simulated seconds, or an anchor such as "next morning"."""

    seconds: int = 0
    anchor: Anchor | None = None


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    type: str
    """text, bool, number, date, enum, multiselect, entities, agency."""
    label: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()
    min_length: int = 0
    side: str = "source"
    """An `agency` field names an agency of this side of the request: `source`, the requesting
    country (the issuing authority), or `target`, the receiving one (the executing authority)."""
    agency_types: frozenset[str] = frozenset()
    """An `agency` field offers only agencies of these types (none: every agency of that side)."""
    required_if: RequiredIf | None = None
    """Required only while another field of the form has one of some values (`required` is then
    false): the reason for urgency, once urgency is `evidence_destruction`."""


@dataclass(frozen=True, slots=True)
class RequiredIf:
    """A field is required when field `field` holds one of `values` (a multiselect: includes one)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Deadline:
    stage: str
    """The lifecycle state that must be reached (acknowledged, recognised, executed ...)."""
    legal: str
    """The legal limit as players see it ("7 days", "8 hours")."""
    game: Delay
    """What the exercise schedules, in simulated time."""
    urgent: Delay | None = None
    receiver: str = ""
    """Whom the deadline binds: "" every receiver, "played" a played team, "simcell" SimCell
    answering for a country or agency nobody plays (`DEADLINE_RECEIVERS`)."""


DEADLINE_RECEIVERS = ("played", "simcell")


@dataclass(frozen=True, slots=True)
class Consent:
    """Consent to onward use of what a request carries: which side may grant it and for what."""

    granted_by: str = "receiver"
    """`requester` (for what the request's form and attachments tell) or `receiver` (for what
    the answer releases) or `both`."""
    uses: tuple[str, ...] = ("evidence", "onward")
    """What may be consented to: `evidence` (used as evidence in proceedings), `onward` (passed
    on to a third country or agency)."""


CONSENT_SIDES = ("requester", "receiver", "both")
CONSENT_USES = ("evidence", "onward")


DEFAULT_LIFECYCLE = ("draft", "sent", "acknowledged", "answered", "refused", "closed")


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    name: str
    legal_basis: str
    channel: str
    issuer: str
    """Agency type that issues it."""
    receiver: str
    """Agency type that receives it in the other country."""
    requires_blocs: frozenset[str] = frozenset()
    """Available between two countries that are both members of all these blocs."""
    requires_eio: bool = False
    cross_border: bool = True
    requires_treaties: frozenset[str] = frozenset()
    """Available between two countries that have both ratified all these treaties (`treaties`)."""
    fields: tuple[Field, ...] = ()
    lifecycle: tuple[str, ...] = DEFAULT_LIFECYCLE
    refusal_grounds: tuple[str, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    output: EvidentialStatus = EvidentialStatus.EVIDENCE
    consent: Consent | None = None
    """Consent to onward use may be granted on such a request (none: it is not asked for)."""

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


class LegalEffect(StrEnum):
    REFUSE = "refuse"
    """The send is refused by rule: nothing leaves, the sender is told the rule and the country."""
    FLAG = "flag"
    """The request goes through; a staff-only `request.flagged` is recorded for the evaluators."""


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """`when.fields`: a request field holds one of these values (`$source`, `$target`: the
    country id of that side of the request)."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LegalRule:
    """A rule of law the engine applies when a request is sent (`server.core.legal`): it holds
    when every part of its `when` holds (an empty part holds always)."""

    id: str
    effect: LegalEffect
    ground: str
    instruments: frozenset[str] = frozenset()
    """Empty: every instrument."""
    source_countries: frozenset[str] = frozenset()
    target_countries: frozenset[str] = frozenset()
    fields: tuple[FieldMatch, ...] = ()
    missing_treaties: frozenset[str] = frozenset()
    """Holds when one of the two countries has not ratified one of these treaties."""
    target_profile: tuple[tuple[str, str], ...] = ()
    """Holds when the target country's `legal_profile` has these values (`extradites_nationals: false`)."""


SIDES = ("source", "target")
"""The two sides of a request, for the `side` of an `agency` field."""


def agency_choices(spec: Field, country: Country | None) -> tuple[str, ...]:
    """The agencies an `agency` field may name, of the country on its side of the request."""
    return tuple(
        agency.id
        for agency in (country.agencies if country else ())
        if not spec.agency_types or agency.type in spec.agency_types
    )


@dataclass(frozen=True, slots=True)
class PairOverride:
    source: str
    target: str
    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    both_ways: bool = True


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    kind: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Visibility:
    scope: Scope
    team: str | None = None
    role: str | None = None
    agency: str | None = None
    joint_team: str | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    """How an artefact reaches players besides an inject: a request answer or an action."""

    instrument: str | None = None
    target: str | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class Artefact:
    id: str
    title: str
    kind: str
    owner: str
    visibility: Visibility
    evidential_status: EvidentialStatus
    handling: str
    content: str
    mentions: frozenset[str] = frozenset()
    discovery: tuple[Discovery, ...] = ()
    key: bool = False
    """A key fact of the course: the debrief follows how it travelled (`server.core.debrief`)."""
    question: str = ""
    """The debrief question it answers ("When did Kalmaria learn who the recruiter was?")."""
    about: str | None = None
    """The team the question is about (None: the destination country's)."""


@dataclass(frozen=True, slots=True)
class JointTeam:
    id: str
    name: str
    members: frozenset[str]
    """Member countries."""
    formed_by: str | None = None
    """The instrument whose answered requests, connecting every member, sign the agreement
    (`JIT_AGREEMENT`); None: the joint team exists from the start."""


@dataclass(frozen=True, slots=True)
class CharacterState:
    trust: int = 3
    safety: str = "unknown"
    status: str = "unidentified"
    location: str = ""


@dataclass(frozen=True, slots=True)
class Disclosure:
    id: str
    text: str
    condition: str


@dataclass(frozen=True, slots=True)
class Reaction:
    on: str
    effect: str
    trust: int = 0
    status: str | None = None
    releases: str | None = None
    """An inject the controller releases when this happens."""


@dataclass(frozen=True, slots=True)
class Character:
    id: str
    name: str
    played_by: str
    public_facts: tuple[str, ...]
    state: CharacterState
    disclosures: tuple[Disclosure, ...] = ()
    reactions: tuple[Reaction, ...] = ()
    entity: str | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    team: str | None
    """A team id, or None for every team."""
    roles: frozenset[str] = frozenset()
    """Participant or staff roles; empty for the whole team."""


@dataclass(frozen=True, slots=True)
class InjectAudience:
    everyone: bool = False
    recipients: tuple[Recipient, ...] = ()
    """Empty, and not everyone: staff only."""


@dataclass(frozen=True, slots=True)
class Trigger:
    kind: TriggerKind
    at: int | None = None
    instrument: str | None = None
    source: str | None = None
    target: str | None = None
    state: str | None = None
    action: str | None = None
    team: str | None = None
    inject: str | None = None
    of: tuple[Trigger, ...] = ()
    delay: Delay | None = None
    subject: str | None = None
    """An action trigger: the action's subject (what it was about)."""
    count: int = 1
    """An action trigger: holds once this many such actions were taken."""
    apart: int | None = None
    """An action trigger: holds once one such action is taken more than this many seconds after
    the first (the first and the last of them that far apart)."""
    test: RequestTest | None = None
    """A request trigger: what the request's fields, answer or refusal must say."""
    character: CharacterTest | None = None


@dataclass(frozen=True, slots=True)
class FieldTest:
    """What one field of a request form must hold; every given test must pass."""

    field: str
    equals: str | None = None
    """The value as text (an enum's choice, `true`/`false`, a number)."""
    includes_any: frozenset[str] = frozenset()
    """A multiselect or entities field: one of these chosen (an enum or text: equal to one)."""
    contains: str | None = None
    """A text field: contains this, ignoring case."""
    min_length: int | None = None


@dataclass(frozen=True, slots=True)
class RequestTest:
    """What a request trigger looks at besides instrument, teams and state."""

    fields: tuple[FieldTest, ...] = ()
    answer_contains: str | None = None
    """The answer (or a refusal's text) contains this, ignoring case."""
    ground: str | None = None
    """The refusal ground."""
    urgent: bool | None = None


@dataclass(frozen=True, slots=True)
class CharacterTest:
    """A character's state now; every given test must hold."""

    character: str
    trust_below: int | None = None
    trust_at_least: int | None = None
    status: str | None = None
    safety: str | None = None
    location: str | None = None


class Recipients(StrEnum):
    """Audiences computed when an inject is released (`Inject.to_teams`)."""

    HOLDING = "holding"
    """The teams holding an artefact."""
    REQUESTED = "requested"
    """The teams that sent a request (a request trigger says which)."""
    REFUSED = "refused"
    """The teams a request was refused to."""


@dataclass(frozen=True, slots=True)
class TeamsAtRelease:
    kind: Recipients
    artefact: str | None = None
    request: Trigger | None = None
    """For `requested` and `refused`: which requests (instrument, from, to, state)."""


class ArtefactCondition(StrEnum):
    INTACT = "intact"
    DEGRADED = "degraded"
    DESTROYED = "destroyed"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class Effect:
    """What an inject's release changes in the case: an artefact's or a character's state."""

    artefact: str | None = None
    condition: ArtefactCondition | None = None
    character: str | None = None
    trust: int = 0
    """Added to the character's trust (kept within 0..10)."""
    status: str | None = None
    safety: str | None = None
    location: str | None = None
    """Where the artefact or the character is now."""
    note: str = ""
    """What the holders read beside the artefact (the laptop was wiped ...)."""


@dataclass(frozen=True, slots=True)
class Inject:
    id: str
    title: str
    body: str
    channel: Channel
    sender: str
    audience: InjectAudience
    at: int | None = None
    """Planned simulated time; the MSEL sorts by it."""
    trigger: Trigger | None = None
    """None: released at `at`."""
    delay: Delay | None = None
    releases: tuple[str, ...] = ()
    notes: str = ""
    """For staff only."""
    roleplay: str = ""
    """The brief for role-players and controllers: what to play, say or read out, and how it
    depends on what the team does. Staff only: never part of the released inject."""
    stand_in_for: str | None = None
    """The team whose answer this inject scripts (the SPOC's reply to a request): when someone
    plays that team, it fires only if the team has not answered by the request's game deadline
    (`server.core.injects.stand_in_time`); its trigger is the request."""
    expected_actions: tuple[str, ...] = ()
    objectives: frozenset[str] = frozenset()
    characters: frozenset[str] = frozenset()
    scope: bool = False
    """`scope: team`: the trigger must hold for one team on its own (every part by that team),
    and the inject goes to that team only (`server.core.conditions`)."""
    to_teams: TeamsAtRelease | None = None
    """The teams it goes to, computed at release (the roles of `audience`'s `*` entry)."""
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """When a SimCell outcome applies; every given condition must hold, none: always."""

    missing_required: bool | None = None
    urgent: bool | None = None
    field: str | None = None
    includes_any: frozenset[str] = frozenset()
    min_length: int | None = None
    mentions_any: frozenset[str] = frozenset()
    fields: tuple[FieldTest, ...] = ()
    received: Receipt | None = None
    """When the request reached the receiving country (its `calendar`)."""
    unless: tuple[OutcomeRule, ...] = ()
    """`not`: none of these may hold."""
    condition: Trigger | None = None
    """A condition of the trigger language on the play so far (an action taken, a character's
    state ...): it must hold when SimCell answers."""


class Receipt(StrEnum):
    """The time a request is received, in the receiving country's calendar."""

    OFFICE_HOURS = "office_hours"
    OUT_OF_HOURS = "out_of_hours"
    """Outside office hours, on a weekend or on a holiday."""
    WEEKEND = "weekend"
    HOLIDAY = "holiday"


@dataclass(frozen=True, slots=True)
class ResponseOutcome:
    when: OutcomeRule
    outcome: Outcome
    text: str
    delay: Delay | None = None
    releases: tuple[str, ...] = ()
    answer_delayed: bool = False
    """The answer's text arrives after `delay` too, with what it releases (not at once)."""


@dataclass(frozen=True, slots=True)
class Response:
    """A SimCell answer template for requests to an agency nobody plays."""

    id: str
    instrument: str
    target: str
    outcomes: tuple[ResponseOutcome, ...]
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ExpectedRequest:
    """A request a strong team makes, and what it unlocks."""

    id: str
    title: str
    source: str
    role: str
    instrument: str
    target: str
    content: str
    when: str
    urgent: bool = False
    unlocks: tuple[str, ...] = ()
    """Injects this request makes possible."""
    releases: tuple[str, ...] = ()
    """Artefacts it brings in."""


@dataclass(frozen=True, slots=True)
class PlaybookStep:
    """One move of a strong cohort's script (`playbook:`, docs/scenarios.md): at a time of play,
    a request the scenario expects (`request`: its id under `requests`) or an action taken by a
    member of `role` in `team`. The scripted play-through tests and rehearsals play it
    (`loadtest.playbook.strong`); the exercise itself never does."""

    at: int
    """Simulated seconds from D1 00:00."""
    request: str = ""
    action: str = ""
    team: str = ""
    """The team that acts: for a request, which of its country's teams drafts it (default:
    the first where its role plays)."""
    role: str = ""
    subject: str = ""
    """An action's subject (what a player types in the action's subject box)."""
    to: str = ""
    """For a request, the team it goes to (default: the receiving country's team, or its unit
    of the instrument's receiving agency type)."""
    agency: str = ""
    """For a request, the agency it is addressed to (one SimCell plays, say)."""


@dataclass(frozen=True, slots=True)
class Branch:
    id: str
    title: str
    description: str
    entered_by: str
    """The inject that starts the branch."""
    affects: tuple[str, ...] = ()
    objectives: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Happening:
    """One thing a metric looks for in the log: a request of an instrument (to a team, having
    reached a state), an action taken, an inject released, an artefact in a team's case file."""

    kind: HappeningKind
    id: str
    to: str | None = None
    state: str = "sent"


@dataclass(frozen=True, slots=True)
class Metric:
    """A measure the engine computes from the log for each team (`server.core.debrief.metrics`);
    `target` is the least count or share, the most time (seconds) or fired injects."""

    id: str
    name: str
    kind: MetricKind
    instrument: str | None = None
    action: str | None = None
    inject: str | None = None
    artefact: str | None = None
    target: float | None = None
    description: str = ""
    to: str | None = None
    """The receiving team of the requests counted (none: any)."""
    state: str = "sent"
    """The state the requests counted reached (sent, acknowledged, answered, refused ...)."""
    of: tuple[Happening, ...] = ()
    then: Happening | None = None
    by: int | None = None
    """A time of play (simulated seconds) by which it must have happened."""
    within: int | None = None
    """Simulated seconds (injects acknowledged within)."""
    teams: tuple[str, ...] = ()
    """The teams it is about (none: every team)."""


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    title: str
    description: str
    rubric: tuple[str, ...]
    """The mentor's scale, level 0 first."""
    metrics: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    countries: tuple[Country, ...]
    roles: tuple[Role, ...]
    """Participant roles; staff roles are built in (`server.core.roles`)."""
    clock: ClockSpec
    description: str = ""
    team_model: TeamModel = TeamModel.COUNTRY_TEAMS
    informal_channels: bool = False
    """Whether teams may write to each other directly, outside the instruments (a phone call
    between colleagues who know each other)."""
    unit_channels: bool = True
    """Whether the units of one country may write to each other directly (`message.direct`) even
    without `informal_channels`: colleagues of one country's agencies call each other."""
    share_names: bool = True
    """Whether a request tells the other country the names of those who act on it, beside their
    agency (`server.core.signatures`); False: the agency alone."""
    units: tuple[Unit, ...] = ()
    staff: tuple[StaffSetting, ...] = ()
    actions: tuple[Action, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    pair_overrides: tuple[PairOverride, ...] = ()
    entities: tuple[Entity, ...] = ()
    artefacts: tuple[Artefact, ...] = ()
    joint_teams: tuple[JointTeam, ...] = ()
    characters: tuple[Character, ...] = ()
    injects: tuple[Inject, ...] = ()
    responses: tuple[Response, ...] = ()
    requests: tuple[ExpectedRequest, ...] = ()
    branches: tuple[Branch, ...] = ()
    objectives: tuple[Objective, ...] = ()
    metrics: tuple[Metric, ...] = ()
    rating_scale: tuple[RatingLevel, ...] = ()
    """The evaluators' scale, best first; empty: HSEEP's P/S/M/U (`server.core.evaluation_model`)."""
    questionnaires: tuple[Questionnaire, ...] = ()
    playbook: tuple[PlaybookStep, ...] = ()
    """What a strong cohort does, in the scenario's order (for scripted play, not the exercise)."""
    legal_rules: tuple[LegalRule, ...] = ()
    """Legal bars and concerns the engine applies to requests sent (`server.core.legal`)."""

    def country(self, country_id: str) -> Country | None:
        return next((c for c in self.countries if c.id == country_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def instrument(self, instrument_id: str) -> Instrument | None:
        return next((i for i in self.instruments if i.id == instrument_id), None)

    def agency(self, agency_id: str) -> tuple[Country, Agency] | None:
        """The agency with this id and its country."""
        return next(((c, a) for c in self.countries for a in c.agencies if a.id == agency_id), None)

    def available(self, instrument_id: str, source: str, target: str) -> bool:
        """Whether `source` may use the instrument towards `target` (two country ids).

        A domestic instrument (`cross_border: false`: a referral to the prosecutor, a report to
        the FIU) is available inside one country (`source == target`, between its units or inside
        its one team) and across a border only where a pair override allows it; a cross-border
        one only between two countries: overrides, then blocs."""
        instrument, a, b = self.instrument(instrument_id), self.country(source), self.country(target)
        if instrument is None or a is None or b is None:
            return False
        if source == target:
            return not instrument.cross_border
        for override in self.pair_overrides:
            forward = (override.source, override.target) == (source, target)
            backward = override.both_ways and (override.target, override.source) == (source, target)
            if forward or backward:
                if instrument_id in override.deny:
                    return False
                if instrument_id in override.allow:
                    return True
        if not instrument.cross_border:
            return False
        blocs_ok = instrument.requires_blocs <= a.blocs and instrument.requires_blocs <= b.blocs
        treaties_ok = (
            instrument.requires_treaties <= a.treaties and instrument.requires_treaties <= b.treaties
        )
        return (
            blocs_ok
            and treaties_ok
            and (not instrument.requires_eio or (a.eio_participant and b.eio_participant))
        )

    def matrix(self) -> list[tuple[str, str, list[str]]]:
        """For every ordered pair of countries, the instruments available from one to the other;
        then, for every country, its domestic instruments (between its own agencies)."""
        return [
            (a.id, b.id, [i.id for i in self.instruments if self.available(i.id, a.id, b.id)])
            for a in self.countries
            for b in self.countries
            if a.id != b.id
        ] + [
            (a.id, a.id, [i.id for i in self.instruments if self.available(i.id, a.id, a.id)])
            for a in self.countries
        ]


def scripted_releases(scenario: Scenario) -> frozenset[str]:
    """The artefacts that an inject or a SimCell answer template of `scenario` releases."""
    found = {name for inject in scenario.injects for name in inject.releases}
    found |= {name for r in scenario.responses for o in r.outcomes for name in o.releases}
    return frozenset(found)
