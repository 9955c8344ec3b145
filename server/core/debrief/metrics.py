"""Objectives that compute: the scenario's metrics worked out per team from the log.

Each metric (`server.core.scenario.Metric`, declared in the scenario's objectives file) gives a
value per team it is about (and for the cohort: any team), a text for people and a verdict
against its target: met, not met, or None where it has no target. Counts and shares must reach
the target; times and fired injects (a bad branch) must not exceed it; `before` and
`request_by` are met when they hold. What a team "did" depends on the happening: the requests it
sent, the actions it took, the injects that reached it, the artefacts in its case file.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.debrief.diffusion import Diffusion, duration
from server.core.debrief.played import Played
from server.core.requests import RequestRun
from server.core.requests import RequestStatus as S
from server.core.scenario import Happening, HappeningKind, Metric, MetricKind
from server.core.simtime import format_sim_time

COHORT = "cohort"
"""The team name of a metric's result for the whole cohort."""

_COUNTS = frozenset({MetricKind.REQUEST_COUNT, MetricKind.ACTION_COUNT, MetricKind.ARTEFACT_RELEASED})
_TIMES = frozenset({MetricKind.TIME_TO_REQUEST, MetricKind.TIME_TO_ACTION, MetricKind.SPAN})
_YES_NO = frozenset(
    {MetricKind.BEFORE, MetricKind.REQUEST_BY, MetricKind.INJECT_FIRED, MetricKind.ARTEFACT_RELEASED}
)


@dataclass(frozen=True, slots=True)
class Result:
    team: str
    """A team id, or `COHORT`."""
    value: float | None
    """A count, seconds, a share (0..1), or 1/0 for yes/no; None: it never happened."""
    text: str
    met: bool | None


@dataclass(frozen=True, slots=True)
class MetricReport:
    metric: Metric
    objectives: tuple[str, ...]
    """The learning objectives it measures."""
    target: str
    """The target as people read it ("at least 1", "within 2h 00m", "by D2 12:00")."""
    results: tuple[Result, ...]
    """Per team it is about, then the cohort."""

    def of(self, team: str) -> Result:
        return next(r for r in self.results if r.team == team)


def compute_metrics(played: Played, spread: Diffusion) -> tuple[MetricReport, ...]:
    scenario = played.state.scenario
    looks = _Looks(played, spread)
    reports = []
    for metric in scenario.metrics:
        teams = [t for t in (metric.teams or played.teams) if t in played.state.teams]
        results = tuple(looks.result(metric, (team,), team) for team in teams)
        cohort = looks.result(metric, played.teams, COHORT)
        objectives = tuple(o.id for o in scenario.objectives if metric.id in o.metrics)
        reports.append(MetricReport(metric, objectives, target_text(metric), (*results, cohort)))
    return tuple(reports)


def target_text(metric: Metric) -> str:
    parts = []
    target = metric.target
    if metric.kind is MetricKind.INJECT_FIRED:
        parts.append("must not fire" if not target else f"at most {target:g}")
    elif metric.kind in (MetricKind.BEFORE, MetricKind.REQUEST_BY):
        parts.append("yes")
    elif target is not None and metric.kind in _TIMES:
        parts.append(f"within {duration(target)}")
    elif target is not None and metric.kind is MetricKind.INJECTS_ACKNOWLEDGED:
        parts.append(f"at least {target:.0%}")
    elif target is not None:
        parts.append(f"at least {target:g}")
    if metric.by is not None:
        parts.append(f"by {format_sim_time(metric.by)}")
    return " ".join(parts) or "no target"


class _Looks:
    """What a metric looks at, per set of teams."""

    def __init__(self, played: Played, spread: Diffusion) -> None:
        self.played = played
        self.spread = spread
        self.start = played.start

    def result(self, metric: Metric, teams: tuple[str, ...], label: str) -> Result:
        kind = metric.kind
        times = self._times(metric, teams)
        if kind is MetricKind.BEFORE:
            assert metric.then is not None
            first = min(self.times(metric.of[0], teams), default=None)
            then = min(self.times(metric.then, teams), default=None)
            holds = first is not None and (then is None or first < then)
            return Result(label, float(holds), "yes" if holds else "no", holds)
        if kind is MetricKind.SPAN:
            firsts = [min(self.times(h, teams), default=None) for h in metric.of]
            if any(f is None for f in firsts):
                return Result(
                    label, None, f"{sum(f is not None for f in firsts)} of {len(firsts)} done", False
                )
            known = [f for f in firsts if f is not None]
            value = max(known) - min(known)
            return Result(label, value, duration(value), _at_most(value, metric.target))
        if kind is MetricKind.INJECTS_ACKNOWLEDGED:
            return self._acknowledged(metric, teams, label)
        if kind is MetricKind.REQUEST_BY:
            assert metric.by is not None
            first = min(times, default=None)
            holds = first is not None and first <= metric.by
            when = "never" if first is None else format_sim_time(first)
            return Result(label, float(holds), f"{'yes' if holds else 'no'} ({when})", holds)
        if metric.by is not None:
            times = [t for t in times if t <= metric.by]
        if kind in _TIMES:
            first = min(times, default=None)
            if first is None:
                return Result(label, None, "never", False if metric.target is not None or metric.by else None)
            value = first - self.start
            met = _at_most(value, metric.target)
            if metric.by is not None:
                met = met is not False
            return Result(label, value, f"{duration(value)} ({format_sim_time(first)})", met)
        count = float(len(times) if kind is not MetricKind.ARTEFACT_RELEASED else min(1, len(times)))
        if kind is MetricKind.INJECT_FIRED:
            fired = count > 0
            return Result(
                label, float(fired), "fired" if fired else "not fired", fired <= (metric.target or 0)
            )
        text = ("yes" if count else "no") if kind in _YES_NO else f"{count:g}"
        target = metric.target if metric.target is not None else (1.0 if metric.by is not None else None)
        return Result(label, count, text, None if target is None else count >= target)

    def _times(self, metric: Metric, teams: tuple[str, ...]) -> list[float]:
        """Every time the metric's own happening happened (the flat fields of older scenarios)."""
        match metric.kind:
            case MetricKind.REQUEST_COUNT | MetricKind.TIME_TO_REQUEST | MetricKind.REQUEST_BY:
                return self.times(
                    Happening(HappeningKind.REQUEST, metric.instrument or "", metric.to, metric.state), teams
                )
            case MetricKind.ACTION_COUNT | MetricKind.TIME_TO_ACTION:
                return self.times(Happening(HappeningKind.ACTION, metric.action or ""), teams)
            case MetricKind.INJECT_FIRED:
                return self.times(Happening(HappeningKind.INJECT, metric.inject or ""), teams)
            case MetricKind.ARTEFACT_RELEASED:
                return self.times(Happening(HappeningKind.ARTEFACT, metric.artefact or ""), teams)
        return []

    def times(self, happening: Happening, teams: tuple[str, ...]) -> list[float]:
        """When `happening` happened for any of `teams`, earliest first."""
        state = self.played.state
        match happening.kind:
            case HappeningKind.REQUEST:
                found = [
                    t
                    for r in state.requests.values()
                    if r.instrument == happening.id
                    and r.source_team in teams
                    and (happening.to is None or happening.to in (r.target_team, r.target_agency))
                    and (t := _reached(r, happening.state)) is not None
                ]
            case HappeningKind.ACTION:
                found = [a.sim_time for a in state.actions if a.action == happening.id and a.team in teams]
            case HappeningKind.INJECT:
                found = [
                    r.sim
                    for r in self.played.releases
                    if r.inject == happening.id and set(r.teams) & set(teams)
                ]
            case _:  # an artefact in the team's case file
                spread = self.spread.spread(happening.id)
                found = [a.sim for a in (spread.arrivals if spread else ()) if a.team in teams]
        return sorted(found)

    def _acknowledged(self, metric: Metric, teams: tuple[str, ...], label: str) -> Result:
        wanted = {h.id for h in metric.of if h.kind is HappeningKind.INJECT}
        within = float(metric.within or 0)
        released = [
            r
            for r in self.played.releases
            if set(r.teams) & set(teams) and (not wanted or r.inject in wanted)
        ]
        acked: dict[str, float] = {}
        for ack in self.played.acks:
            if ack.team in teams:
                acked.setdefault(ack.inject, ack.sim)
        if not released:
            return Result(label, None, "no injects", None)
        done = sum(1 for r in released if r.inject in acked and acked[r.inject] - r.sim <= within)
        share = done / len(released)
        met = None if metric.target is None else share >= metric.target
        return Result(label, share, f"{share:.0%} ({done} of {len(released)})", met)


def _reached(request: RequestRun, state: str) -> float | None:
    if state == S.ANSWERED:
        times = [t for s in (S.ANSWERED, S.PARTIALLY_ANSWERED) if (t := request.reached(s)) is not None]
        return min(times, default=None)
    return request.reached(S(state))


def _at_most(value: float, target: float | None) -> bool | None:
    return None if target is None else value <= target
