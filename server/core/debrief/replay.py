"""Replay: what any viewer had at any moment of an exercise, rebuilt from its log.

Staff pick a moment (a seq, a simulated time or a wall time) and a viewpoint (control, a team,
a role in a team, or one participant) and get exactly what that viewpoint had then:

- `received(viewer, seq)`: the events the hub would have sent it up to that seq, decided by the
  same rules as live play (`server.core.visibility.audience`, computed on the state with the
  event applied as the hub does, and `server.core.audience.can_see`);
- `screen(viewer, seq)`: what its screen showed: the welcome snapshot of the state at that seq
  (`server.core.view.snapshot`, with the same bounds as a live welcome: the latest messages of
  each thread and so on, the events list has the rest) and the request map as it was
  (`request_map`: the countries as nodes, the requests between them with instrument and status).
  The snapshot is used as it is, bounds included: it is what a station showed; older items are in
  the events received.
- `received_as(viewpoint, seq)` and `screen_as(viewpoint, seq)` take a `Viewpoint` (`viewpoints`
  lists an exercise's): the same for control, a role or a participant; for a team, everything any
  of its members had (the union of their events, their roles' snapshots merged).

The log is folded once (`Replay.build`), keeping the state every `every` events: the state is
persistent with structural sharing, so a checkpoint costs only what changed since the one
before. `state_at(seq)` is the nearest checkpoint at or before it plus a fold of at most
`every - 1` events, so moving the slider costs the same at any age. `extend` folds new events
from the last state kept (a live exercise's log grows), never from scratch.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from server.core.audience import Audience, Viewer, can_see
from server.core.debrief.played import Entry, _sim_of
from server.core.events import ExerciseCreated
from server.core.exercise import Exercise
from server.core.state import apply, initial
from server.core.view import snapshot
from server.core.visibility import audience

EVERY = 500
"""Events between two checkpoints by default: at most `EVERY - 1` are folded per slider move."""

CONTROL = "control"


@dataclass(frozen=True, slots=True)
class Viewpoint:
    """Who the replay looks through: `control`, `team:T`, `role:T/R` or `participant:P`.

    A team is all of its members: it has what any of them had (`roles`: a viewer per role played
    in the team, `members`: its participants, for what went to one of them), so an inject to the
    team's police is in the team's replay. The others are the one `viewer`."""

    key: str
    label: str
    viewer: Viewer
    roles: tuple[Viewer, ...] = ()
    members: frozenset[str] = frozenset()

    def sees(self, audience: Audience) -> bool:
        if not self.roles:
            return can_see(self.viewer, audience)
        return any(can_see(v, audience) for v in self.roles) or bool(audience.participants & self.members)


class Replay:
    """A log folded once, with the state kept every `every` events and each event's audience."""

    def __init__(self, created: Entry, every: int = EVERY) -> None:
        if not isinstance(created.event, ExerciseCreated) or created.seq != 1:
            raise ValueError("a log starts with exercise.created at seq 1")
        if every < 1:
            raise ValueError(f"every: expected at least 1 event between checkpoints, got {every}")
        self.every = every
        self.entries: list[Entry] = [created]
        self.audiences: list[Audience] = [Audience.staff_only()]
        self.sims: list[float] = [float(created.event.clock.sim_anchor)]
        self._latest_sim: list[float] = [self.sims[0]]
        """The latest simulated time reached at each seq (a clock jumped back does not count)."""
        self._latest_at: list[float] = [created.at]
        self._audiences: dict[Audience, Audience] = {}
        self.state = initial(created.event)
        """The state after the last event."""
        self.checkpoints: list[Exercise] = [self.state]
        """`checkpoints[i]` is the state after seq `max(1, i * every)`."""
        if every == 1:
            self.checkpoints.append(self.state)  # the state after seq 1 is also the first's

    @classmethod
    def build(cls, entries: Iterable[Entry], every: int = EVERY) -> Replay:
        log = iter(entries)
        first = next(log, None)
        if first is None:
            raise ValueError("a log starts with exercise.created: this one is empty")
        replay = cls(first, every)
        replay.extend(log)
        return replay

    @property
    def last(self) -> int:
        return len(self.entries)

    def extend(self, entries: Iterable[Entry]) -> None:
        """Fold the events after the last one (seqs must follow on: `last + 1`, ...)."""
        state = self.state
        for entry in entries:
            if entry.seq != len(self.entries) + 1:
                raise ValueError(f"seq {entry.seq} does not follow {len(self.entries)}: the log has a hole")
            sim = _sim_of(state, entry.event, entry.at)
            state = apply(state, entry.event)
            self.entries.append(entry)
            heard = audience(state, entry.event)
            self.audiences.append(self._audiences.setdefault(heard, heard))  # one object per audience
            self.sims.append(sim)
            self._latest_sim.append(max(self._latest_sim[-1], sim))
            self._latest_at.append(max(self._latest_at[-1], entry.at))
            if entry.seq % self.every == 0:
                self.checkpoints.append(state)
        self.state = state

    def _seq(self, seq: int) -> int:
        if not 1 <= seq <= self.last:
            raise ValueError(f"seq: expected 1 to {self.last}, got {seq}")
        return seq

    def state_at(self, seq: int) -> Exercise:
        """The state after `seq`: the nearest checkpoint at or before it, and the events since."""
        self._seq(seq)
        index = seq // self.every
        state = self.checkpoints[index]
        for entry in self.entries[max(1, index * self.every) : seq]:
            state = apply(state, entry.event)
        return state

    def seq_at_sim(self, sim: float) -> int:
        """The last seq at which the exercise's simulated time had not passed `sim` (1 at least)."""
        return max(1, bisect.bisect_right(self._latest_sim, sim))

    def seq_at_wall(self, at: float) -> int:
        """The last seq appended at or before wall time `at` (Unix seconds; 1 at least)."""
        return max(1, bisect.bisect_right(self._latest_at, at))

    def received(self, viewer: Viewer, seq: int, after: int = 0) -> Iterator[Entry]:
        """The events in `(after, seq]` the hub sent to `viewer`, oldest first."""
        self._seq(seq)
        for index in range(max(after, 0), seq):
            if can_see(viewer, self.audiences[index]):
                yield self.entries[index]

    def received_as(self, seen: Viewpoint, seq: int, after: int = 0) -> Iterator[Entry]:
        """The events in `(after, seq]` the viewpoint had: for a team, any of its members."""
        self._seq(seq)
        for index in range(max(after, 0), seq):
            if seen.sees(self.audiences[index]):
                yield self.entries[index]

    def screen_as(self, seen: Viewpoint, seq: int) -> dict[str, Any]:
        """The viewpoint's screen after `seq`; for a team, its roles' screens merged (every
        message, inject, request and case-file item any of them showed, once)."""
        if not seen.roles:
            return self.screen(seen.viewer, seq)
        state = self.state_at(seq)
        screens = [snapshot(state, viewer) for viewer in seen.roles]
        shown = _merged(screens)
        shown["map"] = _map(state, seen.sees)
        return shown

    def screen(self, viewer: Viewer, seq: int) -> dict[str, Any]:
        """What `viewer`'s screen showed after `seq`: its welcome snapshot and the request map."""
        state = self.state_at(seq)
        shown = snapshot(state, viewer)
        shown["map"] = request_map(state, viewer)
        return shown

    def ticks(self, most: int = 200) -> list[dict[str, Any]]:
        """At most `most` evenly spread moments (seq, wall time, simulated time) for a slider."""
        step = max(1, -(-self.last // most))
        seqs = [*range(1, self.last + 1, step)]
        if seqs[-1] != self.last:
            seqs.append(self.last)
        return [{"seq": s, "at": self.entries[s - 1].at, "sim_time": self._latest_sim[s - 1]} for s in seqs]

    def sim_at(self, seq: int) -> float:
        """The simulated time reached at `seq`."""
        return self._latest_sim[self._seq(seq) - 1]


def viewpoints(state: Exercise) -> list[Viewpoint]:
    """Every viewpoint of an exercise: control, each team, each role played in a team, each
    participant (staff members see what control sees)."""
    found = [viewpoint(state, CONTROL)]
    roles = {role.id: role.name for role in state.scenario.roles}
    members = [p for p in state.participants.values() if not p.staff and p.team is not None]
    for team in state.teams.values():
        found.append(_team(state, team.id))
        played = sorted({p.role for p in members if p.team == team.id})
        found.extend(
            Viewpoint(
                f"role:{team.id}/{role}",
                f"{team.name}: {roles.get(role, role)}",
                Viewer(f"role:{team.id}/{role}", team.id, role, False),
            )
            for role in played
        )
    found.extend(
        Viewpoint(
            f"participant:{p.id}", f"{p.name} ({p.team}, {roles.get(p.role, p.role)})", _viewer(p.id, state)
        )
        for p in state.participants.values()
    )
    return found


def _viewer(participant: str, state: Exercise) -> Viewer:
    member = state.participants[participant]
    return Viewer(member.id, member.team, member.role, member.staff)


def viewpoint(state: Exercise, key: str) -> Viewpoint:
    """The viewpoint a key names (`viewpoints`); ValueError saying what is wrong otherwise."""
    kind, _, name = key.partition(":")
    if key == CONTROL:
        return Viewpoint(CONTROL, "Control (staff)", Viewer(CONTROL, None, CONTROL, True))
    if kind == "team" and name in state.teams:
        return _team(state, name)
    if kind == "role":
        team_id, _, role = name.partition("/")
        if team_id in state.teams and any(r.id == role for r in state.scenario.roles):
            return Viewpoint(key, f"{state.teams[team_id].name}: {role}", Viewer(key, team_id, role, False))
        raise ValueError(
            f"viewer: {key!r} names no team/role of this exercise (teams: {', '.join(state.teams)})"
        )
    if kind == "participant" and name in state.participants:
        member = state.participants[name]
        return Viewpoint(key, member.name, _viewer(name, state))
    if kind == "team":
        raise ValueError(f"viewer: no team {name!r} (teams: {', '.join(state.teams)})")
    if kind == "participant":
        raise ValueError(f"viewer: no participant {name!r} in this exercise")
    raise ValueError(f"viewer: expected control, team:T, role:T/R or participant:P, got {key!r}")


def _team(state: Exercise, team_id: str) -> Viewpoint:
    """A team as all of its members (see `Viewpoint`)."""
    team = state.teams[team_id]
    key = f"team:{team.id}"
    members = [p for p in state.participants.values() if not p.staff and p.team == team.id]
    played = sorted({p.role for p in members})
    viewer = Viewer(key, team.id, "", False)
    roles = tuple(Viewer(f"role:{team.id}/{role}", team.id, role, False) for role in played) or (viewer,)
    return Viewpoint(key, f"Team {team.name}", viewer, roles, frozenset(p.id for p in members))


_MERGED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "feed": lambda item: item["seq"],
    "injects": lambda run: run["id"],
    "requests": lambda request: request["id"],
    "case_file": lambda artefact: artefact["id"],
    "actions": lambda taken: (taken["sim_time"], taken["participant"], taken["action"], taken["subject"]),
}
_ORDER: dict[str, Callable[[dict[str, Any]], Any]] = {
    "feed": lambda item: item["seq"],
    "injects": lambda run: (run["released_at"] or 0.0, run["id"]),
    "requests": lambda request: int(str(request["id"]).rpartition("-")[2]),
    "actions": lambda taken: taken["sim_time"],
}


def _merged(screens: list[dict[str, Any]]) -> dict[str, Any]:
    """Several viewers' snapshots of one state as one: each list the union of theirs, by key."""
    shown = dict(screens[0])
    for name, key in _MERGED.items():
        items: dict[Any, dict[str, Any]] = {}
        for screen in screens:
            for item in screen[name]:
                items.setdefault(key(item), item)
        merged = list(items.values())
        if name in _ORDER:
            merged.sort(key=_ORDER[name])
        shown[name] = merged
    shown["older"] = {
        name: any(screen["older"].get(name, False) for screen in screens) for name in screens[0]["older"]
    }
    return shown


def request_map(state: Exercise, viewer: Viewer) -> dict[str, Any]:
    """The countries as nodes (with the teams playing them) and every request the viewer may
    see as an arrow from the requesting country to the requested one, with its status."""
    return _map(state, lambda audience: can_see(viewer, audience))


def _map(state: Exercise, sees: Callable[[Audience], bool]) -> dict[str, Any]:
    country_of = {team.id: team.country for team in state.teams.values()}
    teams: dict[str, list[str]] = {}
    for team in state.teams.values():
        teams.setdefault(team.country, []).append(team.id)
    nodes = [
        {"id": country.id, "name": country.name, "teams": teams.get(country.id, [])}
        for country in state.scenario.countries
    ]
    arrows = [
        {
            "id": request.id,
            "instrument": request.instrument,
            "from": country_of.get(request.source_team, request.source_team),
            "to": country_of.get(request.target_team, request.target_team),
            "from_team": request.source_team,
            "to_team": request.target_team,
            "status": str(request.status),
            "subject": request.subject,
            "urgent": request.urgent,
        }
        for request in state.requests.values()
        if sees(request.audience(sent=request.sent))
    ]
    return {"countries": nodes, "requests": arrows}
