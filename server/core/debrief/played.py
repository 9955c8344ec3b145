"""One fold of the log that keeps what the debrief needs on the way.

The state at the end answers most questions (requests with their histories, actions taken,
releases); what it does not keep is *when* some things happened and to whom: injects released
with the teams they reached, acknowledgements, the simulated time of every event (events that
carry none get the clock's reading at their append time), and every way an artefact reached a
team (`Reach`). Folding is `server.core.state.apply`, so it costs what loading an exercise costs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from server.core.audience import Audience, Viewer
from server.core.casefile import may_see
from server.core.events import (
    ArtefactReleased,
    ArtefactShared,
    ClockJumped,
    ClockSpeedChanged,
    Event,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
    InjectAcknowledged,
    InjectReleased,
    JointTeamFormed,
)
from server.core.exercise import Exercise, teams_of
from server.core.state import apply, initial


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of the log with its place and its append time (Unix seconds)."""

    seq: int
    at: float
    event: Event


class Channel(StrEnum):
    """How an artefact reached a team."""

    START = "start"
    """In its case file from STARTEX (the artefact's visibility)."""
    INJECT = "inject"
    ANSWER = "request answer"
    SIMCELL = "SimCell"
    """A request's answer given by SimCell for an agency nobody plays."""
    SHARE = "share"
    DISCOVERY = "discovery"
    """An action the team took (a search, a seizure)."""
    JOINT_TEAM = "joint team"


@dataclass(frozen=True, slots=True)
class Reach:
    """An artefact reaching some teams: at `sim`, by `channel`, from `source`, through `via`
    (an inject, a request, an action, or "")."""

    artefact: str
    teams: tuple[str, ...]
    sim: float
    seq: int
    channel: Channel
    source: str
    via: str


@dataclass(frozen=True, slots=True)
class Release:
    """An inject released, with the teams it reached (none: staff only)."""

    inject: str
    title: str
    sim: float
    seq: int
    teams: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Ack:
    inject: str
    participant: str
    team: str | None
    sim: float


@dataclass(frozen=True, slots=True)
class Played:
    state: Exercise
    """The state after the whole log."""
    started: float | None
    """Simulated time at STARTEX (None: never started)."""
    now: float
    """Simulated time at the last event (the end of the exercise, or now during play)."""
    sims: tuple[tuple[int, float, float], ...]
    """(seq, append time, simulated time) of every notable event, in order (`NOTABLE`)."""
    events: tuple[Entry, ...]
    """The notable events themselves, in the same order."""
    releases: tuple[Release, ...]
    acks: tuple[Ack, ...]
    reaches: tuple[Reach, ...]
    counted: dict[str, int] = field(default_factory=dict)
    """How many events of each kind the log holds."""

    @property
    def start(self) -> float:
        """STARTEX in simulated time (the scenario's planned start if it never started)."""
        return float(self.state.scenario.clock.start) if self.started is None else self.started

    def country(self, team: str) -> str:
        found = self.state.teams.get(team)
        return found.country if found else team

    @property
    def teams(self) -> tuple[str, ...]:
        """The teams people played (someone of the roster is in them), in scenario order; the
        others were SimCell's (a country `played_by: simcell`, or nobody on the roster)."""
        players = {p.team for p in self.state.participants.values() if not p.staff}
        return tuple(team for team in self.state.teams if team in players)


NOTABLE: frozenset[str] = frozenset(
    kind
    for kind in (
        "exercise.started", "exercise.paused", "exercise.resumed", "exercise.ended", "clock.jumped",
        "inject.released", "inject.skipped", "inject.acknowledged",
        "request.sent", "request.acknowledged", "request.clarification_requested", "request.clarified",
        "request.answered", "request.refused", "request.withdrawn", "request.deadline",
        "artefact.released", "artefact.shared", "artefact.flagged", "action.taken", "action.flagged",
        "jit.formed", "character.changed", "request.flagged", "clock.jump_skipped",
    )
)  # fmt: skip
"""The events the timeline and the analyses look at (presence and chat are only counted)."""

_CLOCK_EVENTS = (
    ExerciseStarted,
    ExercisePaused,
    ExerciseResumed,
    ExerciseEnded,
    ClockSpeedChanged,
    ClockJumped,
)


def play(entries: Iterable[Entry]) -> Played:
    """Fold a whole log (oldest first, from `exercise.created`) and keep what the debrief needs."""
    log = iter(entries)
    first = next(log, None)
    if first is None or not isinstance(first.event, ExerciseCreated):
        raise ValueError("a log starts with exercise.created")
    state = initial(first.event)
    started: float | None = None
    now = float(state.clock.sim_anchor)
    sims: list[tuple[int, float, float]] = []
    notable: list[Entry] = []
    releases: list[Release] = []
    acks: list[Ack] = []
    reaches: list[Reach] = []
    counted: dict[str, int] = {first.event.kind: 1}
    audiences: dict[Audience, tuple[str, ...]] = {}

    def reached(audience: Audience) -> tuple[str, ...]:
        found = audiences.get(audience)
        if found is None:
            found = audiences[audience] = _teams_in(state, audience)
        return found

    for entry in log:
        event = entry.event
        kind = event.kind
        counted[kind] = counted.get(kind, 0) + 1
        sim = _sim_of(state, event, entry.at)
        if isinstance(event, ArtefactReleased | ArtefactShared):
            reaches.append(_reach(state, entry))
        state = apply(state, event)
        now = max(now, sim)
        if kind not in NOTABLE:
            continue
        sims.append((entry.seq, entry.at, sim))
        notable.append(entry)
        if isinstance(event, ExerciseStarted) and started is None:
            started = sim
        elif isinstance(event, InjectReleased):
            teams = reached(event.audience)
            releases.append(Release(event.inject, event.title, sim, entry.seq, teams, event.reason))
            reaches.extend(
                Reach(a, teams, sim, entry.seq, Channel.INJECT, event.sender, event.inject)
                for a in event.releases
            )
        elif isinstance(event, InjectAcknowledged):
            member = state.participants.get(event.participant)
            acks.append(Ack(event.inject, event.participant, member.team if member else None, sim))
        elif isinstance(event, JointTeamFormed):
            scoped = [a.id for a in state.scenario.artefacts if a.visibility.joint_team == event.joint_team]
            reaches.extend(
                Reach(a, tuple(event.teams), sim, entry.seq, Channel.JOINT_TEAM, event.joint_team, "")
                for a in scoped
            )
    start = float(state.scenario.clock.start) if started is None else started
    reaches[:0] = _starting(state, start)
    return Played(
        state=state,
        started=started,
        now=now,
        sims=tuple(sims),
        events=tuple(notable),
        releases=tuple(releases),
        acks=tuple(acks),
        reaches=tuple(reaches),
        counted=counted,
    )


def _sim_of(state: Exercise, event: Event, at: float) -> float:
    """The simulated time an event happened at: its own, or the clock's at its append time."""
    own = getattr(event, "sim_time", None)
    if isinstance(own, int | float):
        return float(own)
    if isinstance(event, _CLOCK_EVENTS):
        return float(event.clock.sim_anchor)
    return float(state.clock.sim_at(at))


def _teams_in(state: Exercise, audience: Audience) -> tuple[str, ...]:
    """The teams at least one member of which is in `audience`."""
    if audience.everyone:
        return tuple(state.teams)
    found = {t for t in audience.teams if t in state.teams}
    found |= {pair.partition("/")[0] for pair in audience.team_roles}
    for participant in audience.participants:
        member = state.participants.get(participant)
        if member is not None and member.team is not None:
            found.add(member.team)
    if audience.roles:
        found |= {p.team for p in state.participants.values() if p.team and p.role in audience.roles}
    return tuple(t for t in state.teams if t in found)


def _reach(state: Exercise, entry: Entry) -> Reach:
    """How an artefact released (after an answer's delay, by an action) or shared reached teams;
    read before the event is applied."""
    event = entry.event
    if isinstance(event, ArtefactShared):
        teams = tuple(teams_of(state, event.to_team))
        return Reach(
            event.artefact, teams, event.sim_time, entry.seq, Channel.SHARE, event.from_team, event.request
        )
    assert isinstance(event, ArtefactReleased)
    teams = _teams_in(state, event.audience)
    source = event.source
    if source.startswith("action:"):
        return Reach(
            event.artefact, teams, event.sim_time, entry.seq, Channel.DISCOVERY, ",".join(teams), source[7:]
        )
    request = state.requests.get(source)
    if request is not None:
        channel = Channel.SIMCELL if request.simcell else Channel.ANSWER
        by = request.target_agency if request.simcell else request.target_team
        return Reach(event.artefact, teams, event.sim_time, entry.seq, channel, by, request.id)
    return Reach(event.artefact, teams, event.sim_time, entry.seq, Channel.INJECT, source, "")  # by control


def _starting(state: Exercise, start: float) -> list[Reach]:
    """What each team had in its case file at STARTEX: an artefact is a team's when at least one
    of the scenario's roles in that team may see it."""
    scenario = state.scenario
    found: list[Reach] = []
    for artefact in scenario.artefacts:
        teams = tuple(
            team
            for team in state.teams
            if any(
                may_see(scenario, state.teams, Viewer("", team, role.id, False), artefact)
                for role in scenario.roles
            )
        )
        if teams:
            found.append(Reach(artefact.id, teams, start, 0, Channel.START, artefact.owner, ""))
    return found
