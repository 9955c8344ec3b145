"""The state of one exercise: what every rule reads, as immutable values.

State is the fold of the log (`state.py` applies events to it). Nothing here is copied whole
when one thing changes: mappings are `immutables.Map` (a hash array mapped trie: a change
shares all but a few nodes with the map before) or `Ordered` (the same, keeping the order), and
histories are persistent vectors (`vector.py`) or the `Feed`, so applying an event costs the same at seq
200,000 as at seq 20, and an old state stays valid (a welcome built from it, or the trial
states of group commit, are never disturbed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from immutables import Map

from server.core.clock import Clock
from server.core.evaluation_records import Evaluation
from server.core.events import Team
from server.core.facts import Facts
from server.core.feed import Feed
from server.core.injects import InjectRun
from server.core.ordered import Ordered
from server.core.records import ArtefactState, Release, Taken
from server.core.requests import RequestRun
from server.core.scenario import CharacterState, Scenario
from server.core.vector import Vector


class Status(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    team: str | None
    role: str
    staff: bool
    generation: int
    code_hash: str
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    title: str
    scenario: Scenario
    teams: Ordered[str, Team]
    status: Status
    clock: Clock
    participants: Ordered[str, Participant]
    connections: Map[str, frozenset[str]]
    """Open connection ids per participant; a participant with one or more is online."""
    connected_at: Map[str, int]
    """The seq of each participant's latest `connection.opened`."""
    feed: Feed
    created_at: float
    seq: int = 1
    """The seq of the last event applied (the log starts with `exercise.created` at 1)."""
    injects: Ordered[str, InjectRun] = field(default_factory=Ordered)
    """The MSEL as played, by inject id (`server.core.injects`)."""
    releases: Vector[Release] = field(default_factory=Vector)
    """Artefacts brought into case files during play, with who may see them."""
    requests: Ordered[str, RequestRun] = field(default_factory=Ordered)
    """Cross-border requests, by id (`server.core.requests`)."""
    pending: tuple[Release, ...] = ()
    """Artefacts an answer will release at their `sim_time` (SimCell templates' delays)."""
    actions: Vector[Taken] = field(default_factory=Vector)
    released: Vector[str] = field(default_factory=Vector)
    """Inject ids in the order they were released (the latest are what a welcome shows)."""
    joint_teams: frozenset[str] = frozenset()
    """Joint investigation teams formed (their agreements signed)."""
    characters: Ordered[str, CharacterState] = field(default_factory=Ordered)
    """The role-played characters' state now (trust, status ...), by character id."""
    facts: Facts = field(default_factory=Facts)
    """When requests first reached each status and actions were first taken, and the requests in
    flight: what triggers and deadlines look at (`server.core.facts`)."""
    evaluation: Evaluation = field(default_factory=Evaluation)
    """Observations, questionnaires and their answers, the improvement plan: staff only."""
    artefact_states: Map[str, ArtefactState] = field(default_factory=Map)
    """Artefacts an inject changed (degraded, destroyed, moved), by artefact id; the rest are intact."""
    jumps_done: frozenset[str] = frozenset()
    """Scheduled clock jumps made or skipped (`server.core.local_time`)."""

    def online(self, participant: str) -> bool:
        return bool(self.connections.get(participant))

    def delivered(self, run: InjectRun, recipients: Iterable[str]) -> frozenset[str]:
        """Who of `recipients` has a released inject in their station: online at its release,
        or connected since; nobody while it is not released."""
        if not run.released_seq:
            return frozenset()
        later = (p for p in recipients if self.connected_at.get(p, 0) > run.released_seq)
        return run.delivered | frozenset(later)

    def has_delivered(self, run: InjectRun, participant: str) -> bool:
        """Whether a recipient has a released inject in their station."""
        if not run.released_seq:
            return False
        return participant in run.delivered or self.connected_at.get(participant, 0) > run.released_seq


def teams_of(state: Exercise, to: str) -> list[str]:
    """One team, or every member team of a joint team."""
    jit = next((j for j in state.scenario.joint_teams if j.id == to), None)
    if jit is None:
        return [to]
    return sorted(t.id for t in state.teams.values() if t.country in jit.members)
