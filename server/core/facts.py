"""Facts: when things first happened, and which requests are in flight, for the scheduler.

A trigger such as "when an EIO from WES to KAL is sent" or "when KAL takes the action
`place_child`" holds from the first time that happened. Looking that up by walking every
request and every action taken, for every planned inject, after every event, costs more the
longer the exercise runs (a quarter of the server's time at 30,000 events, measured). `Facts`
keeps the answers instead, updated by `apply` as requests move and actions are taken: the first
simulated time at which each combination of (instrument, from, to) reached each status, and
each (action, team) was taken, with `None` standing for "any". Requests sent and not closed
(`in_flight`) are the only ones deadlines and stand-ins look at.

Every fact about a team is also kept under its country (`countries`, team → country, set at
creation), so "from WES" holds for any team of WES whatever its team model
(`server.core.matching`), and a prerequisite counts when another unit of the same country did it.

The conditions of a scenario (`server.core.conditions`) need a few more answers, kept the same
way: the time of the n-th taking of an action (per team, per subject: "three searches done",
up to `MAX_COUNT`), the first taking more than a span after the first ("the first and the last
search more than 60 minutes apart", for the spans the scenario uses), and the first time a
request passing one of the scenario's request tests reached each status ("an MLA asking for a
search was refused"). `Watch` says which spans and tests the scenario has; every key's value is
a simulated time, so a snapshot carries them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

from immutables import Map

from server.core.records import Taken
from server.core.request_tests import request_matches
from server.core.requests import CLOSED, OUTBOX, RequestRun, RequestStatus
from server.core.scenario import Trigger

Key = tuple[str | None, ...]
MAX_COUNT = 50
"""The highest count a condition may wait for ("50 searches done"); takings after it are not counted."""


@dataclass(frozen=True, slots=True)
class Watch:
    """What the scenario's conditions ask the facts to index (`server.core.watch.watch_of`)."""

    counted: frozenset[str] = frozenset()
    """Actions whose takings are counted (a condition names their subject, a count or a span):
    only these cost index entries per taking."""
    spans: frozenset[tuple[str, int]] = frozenset()
    """(action, seconds) of the `apart` conditions."""
    requests: tuple[tuple[str, Trigger], ...] = ()
    """(key, request trigger) of the request conditions that test fields, answers or grounds."""


NO_WATCH = Watch()


@dataclass(frozen=True, slots=True)
class Facts:
    firsts: Map[Key, float] = field(default_factory=Map)
    """("request", instrument, from, to, status) / ("simcell", ...) / ("played", ...) / ("action",
    action, team) / ("nth", action, team, subject, n) / ("apart", action, team, subject, seconds)
    / ("watch", test, team, status) → the first simulated time it happened; `None` in a key
    matches anything; "simcell" and "played" keep the requests to an agency nobody plays and to
    a team people play apart. ("taken", action, team, subject) → how many times (at most `MAX_COUNT`)."""
    in_flight: Map[str, RequestRun] = field(default_factory=Map)
    """Requests sent and not closed, by id, as they are now."""
    countries: Map[str, str] = field(default_factory=Map)
    """Team → its country: facts about a team are kept under both."""

    @classmethod
    def of(
        cls,
        requests: Mapping[str, RequestRun] | None = None,
        actions: Iterable[Taken] = (),
        *,
        countries: Mapping[str, str] | None = None,
        watch: Watch = NO_WATCH,
    ) -> Facts:
        """The facts of requests and actions as they are, worked out from scratch: what `apply`
        keeps up to date event by event (tests/core/test_snapshots.py checks they agree)."""
        facts = cls(countries=Map(countries or {}))
        for request in (requests or {}).values():
            for step in request.history:
                facts = facts.request_moved(request, step.status, step.sim_time, watch)
            facts = facts.request_now(request)
        for taken in actions:
            facts = facts.action_taken(taken, watch)
        return facts

    def request_reached(
        self, instrument: str | None, source: str | None, target: str | None, status: RequestStatus
    ) -> float | None:
        return self.firsts.get(("request", instrument, source, target, str(status)))

    def simcell_reached(
        self, instrument: str | None, source: str | None, target: str | None, status: RequestStatus
    ) -> float | None:
        """The same, of requests to an agency nobody plays (SimCell answers them)."""
        return self.firsts.get(("simcell", instrument, source, target, str(status)))

    def played_reached(
        self, instrument: str | None, source: str | None, target: str | None, status: RequestStatus
    ) -> float | None:
        """The same, of requests to a team people play (its team answers them)."""
        return self.firsts.get(("played", instrument, source, target, str(status)))

    def action_first_taken(self, action: str | None, team: str | None) -> float | None:
        return self.firsts.get(("action", action, team))

    def request_moved(
        self, request: RequestRun, status: RequestStatus, sim_time: float, watch: Watch = NO_WATCH
    ) -> Facts:
        """`request` reached `status` at `sim_time` (call `request_now` with its new run too)."""
        kinds = ("request", "simcell") if request.simcell else ("request", "played")
        teams = {request.source_team, self.country(request.source_team), None}
        keys: list[Key] = [
            (*key, str(status))
            for key in product(
                kinds,
                (request.instrument, None),
                teams,
                {request.target_team, request.target_agency, self.country(request.target_team), None},
            )
        ]
        for name, leaf in watch.requests:
            if request_matches(leaf, request, self.countries):
                keys += [("watch", name, team, str(status)) for team in teams]
        return self._with(_first(self.firsts, keys, sim_time))

    def country(self, team: str) -> str:
        """The country of `team` (the team itself when unknown)."""
        return self.countries.get(team, team)

    def _with(self, firsts: Map[Key, float]) -> Facts:
        return self if firsts is self.firsts else Facts(firsts, self.in_flight, self.countries)

    def watched_reached(self, name: str, team: str | None, status: RequestStatus) -> float | None:
        """When a request passing the watched test `name` (of `team`, None: any) first reached `status`."""
        return self.firsts.get(("watch", name, team, str(status)))

    def nth_taken(self, action: str, team: str | None, subject: str | None, n: int) -> float | None:
        """When `action` was taken the `n`-th time (by `team`, about `subject`; None: any)."""
        return self.firsts.get(("nth", action, team, subject, str(n)))

    def taken_apart(self, action: str, team: str | None, subject: str | None, seconds: int) -> float | None:
        """When `action` was first taken more than `seconds` after its first taking."""
        return self.firsts.get(("apart", action, team, subject, str(seconds)))

    def request_now(self, request: RequestRun) -> Facts:
        """`request` as it is now: in flight (sent, not closed) or not."""
        if request.status not in CLOSED and request.status not in OUTBOX:
            return Facts(self.firsts, self.in_flight.set(request.id, request), self.countries)
        if request.id in self.in_flight:
            return Facts(self.firsts, self.in_flight.delete(request.id), self.countries)
        return self

    def action_done(self, action: str, team: str, subject: str) -> bool:
        """Whether `team` (a team or a country: any of its teams) took `action` before: about
        `subject`, or about nothing in particular (with no subject: about anything)."""
        if not subject:
            return ("action", action, team) in self.firsts
        return any(("subject", action, team, about) in self.firsts for about in ("", subject))

    def action_taken(self, taken: Taken, watch: Watch = NO_WATCH) -> Facts:
        teams = {taken.team, self.country(taken.team)}
        keys: list[Key] = [
            ("action", action, team) for action in (taken.action, None) for team in (*teams, None)
        ]
        keys += [("subject", taken.action, team, taken.subject) for team in teams]
        if taken.action not in watch.counted:
            return self._with(_first(self.firsts, keys, taken.sim_time))
        counters = list(product((*teams, None), (taken.subject, None)))
        for team, subject in counters:
            counted = ("taken", taken.action, team, subject)
            count = int(self.firsts.get(counted, 0)) + 1
            if count <= MAX_COUNT:
                keys.append(("nth", taken.action, team, subject, str(count)))
            first = self.firsts.get(("nth", taken.action, team, subject, "1"), taken.sim_time)
            keys += [
                ("apart", taken.action, team, subject, str(seconds))
                for action, seconds in watch.spans
                if action == taken.action and taken.sim_time - first > seconds
            ]
        firsts = _first(self.firsts, keys, taken.sim_time)
        counts = firsts.mutate()
        for team, subject in counters:
            counted = ("taken", taken.action, team, subject)
            counts[counted] = min(float(MAX_COUNT), counts.get(counted, 0.0) + 1)
        return Facts(counts.finish(), self.in_flight, self.countries)


NO_FACTS = Facts()
"""Nothing has happened yet."""


def _first(firsts: Map[Key, float], keys: Iterable[Key], sim_time: float) -> Map[Key, float]:
    """`firsts` with `sim_time` for the keys that had none or a later one (during play simulated
    time never goes back, so only new keys change; `Facts.of` may meet them in any order)."""
    earlier = [key for key in keys if firsts.get(key, sim_time + 1) > sim_time]
    if not earlier:
        return firsts
    changed = firsts.mutate()
    for key in earlier:
        changed[key] = sim_time
    return changed.finish()
