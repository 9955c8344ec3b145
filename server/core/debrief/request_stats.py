"""Request analytics: every cross-border request against its deadlines, and the figures per
instrument, per country pair, per requesting team and for the cohort.

Times are simulated (exercise time). The game deadline is the engine's: a request is overdue
when the engine warned it was (`request.deadline` with `overdue`). The legal deadline is read
from the instrument's text as players see it ("8 hours (urgent); 7 days"): the shortest
duration it names for an urgent request, the longest for another, counted from sending; a text
that names none ("none", "promptly") sets no legal limit.

An instrument may set several deadlines (acknowledge within two hours, answer by the next
morning): each stage is counted against its own (`StageRow`; `Summary.stages`), and a request
is game-overdue when any of its deadlines was. An answer a scripted stand-in gave for the
receiving team (`stand_in_for`) counts as an answer and is told apart (`stood_in`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from statistics import median

from server.core.debrief.played import Played
from server.core.effects import STAND_IN
from server.core.requests import RequestRun, met_at, stage_deadlines
from server.core.requests import RequestStatus as S

_ANSWERS = (S.ANSWERED, S.PARTIALLY_ANSWERED, S.REFUSED)
_UNITS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400}
_DURATION = re.compile(r"(\d+)\s*(?:working\s+)?(minute|hour|day|week|month)s?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StageRow:
    """One deadline of a request: its stage against its own game and legal deadline."""

    stage: str
    due_at: float
    met_at: float | None
    game_overdue: bool
    """Warned overdue, or met after its due time."""
    legal: str
    legal_limit: float | None
    legal_overdue: bool


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: str
    instrument: str
    source: str
    target: str
    agency: str
    simcell: bool
    urgent: bool
    spontaneous: bool
    status: str
    drafted: float
    sent: float | None
    acknowledged: float | None
    responded: float | None
    """The receiving side's first sign of life: an acknowledgement, a question, an answer or a
    refusal (what "time to acknowledge" measures)."""
    answered: float | None
    """When it was answered (fully or partly) or refused."""
    clarifications: int
    ground: str
    """The refusal ground, when refused."""
    withdrawn_draft: bool
    """Withdrawn before it was sent."""
    due_at: float | None
    due_stage: str
    game_overdue: bool
    legal: str
    legal_limit: float | None
    """Seconds after sending, read from `legal` (None: no limit named)."""
    legal_overdue: bool
    stages: tuple[StageRow, ...] = ()
    """Every deadline of the request, in the instrument's order."""
    stood_in: bool = False
    """Answered by a scripted stand-in for the receiving team (`stand_in_for`), not by the team."""

    @property
    def to_acknowledge(self) -> float | None:
        return _since(self.sent, self.responded)

    @property
    def to_answer(self) -> float | None:
        return _since(self.sent, self.answered)


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of a group of requests."""

    label: str
    drafted: int
    sent: int
    acknowledged: int
    answered: int
    refused: int
    open: int
    withdrawn_drafts: int
    clarification_rounds: int
    game_overdue: int
    legal_overdue: int
    median_to_acknowledge: float | None
    median_to_answer: float | None
    refusals: tuple[tuple[str, int], ...] = field(default=())
    """(ground, how many), most frequent first."""
    stages: tuple[tuple[str, int, int, int], ...] = field(default=())
    """Per deadline stage: (stage, requests with it, met in time, game-overdue), by stage."""
    stood_in: int = 0
    """Of the answered, how many a scripted stand-in answered for the receiving team."""


@dataclass(frozen=True, slots=True)
class RequestStats:
    rows: tuple[RequestRow, ...]
    cohort: Summary
    by_instrument: tuple[Summary, ...]
    by_pair: tuple[Summary, ...]
    """Labelled "WES → KAL" (countries)."""
    by_team: tuple[Summary, ...]
    """By requesting team."""

    def team(self, team: str) -> Summary:
        return summarise(team, [r for r in self.rows if r.source == team])

    def pair(self, source: str, target: str) -> Summary | None:
        return next((s for s in self.by_pair if s.label == f"{source} → {target}"), None)


def legal_limit(text: str, urgent: bool) -> float | None:
    """Seconds named by a legal deadline's text: the shortest if urgent, else the longest."""
    found = [int(n) * _UNITS[unit.lower()] for n, unit in _DURATION.findall(text)]
    if not found:
        return None
    return float(min(found) if urgent else max(found))


def request_stats(played: Played) -> RequestStats:
    rows = tuple(_row(played, r) for r in played.state.requests.values())
    country = played.country
    return RequestStats(
        rows=rows,
        cohort=summarise("cohort", rows),
        by_instrument=_grouped(rows, lambda r: r.instrument),
        by_pair=_grouped(
            [r for r in rows if r.sent is not None], lambda r: f"{country(r.source)} → {country(r.target)}"
        ),
        by_team=_grouped(rows, lambda r: r.source),
    )


def summarise(label: str, rows: Iterable[RequestRow]) -> Summary:
    rows = list(rows)
    sent = [r for r in rows if r.sent is not None]
    to_ack = [t for r in sent if (t := r.to_acknowledge) is not None]
    to_answer = [t for r in sent if (t := r.to_answer) is not None]
    grounds: dict[str, int] = {}
    for r in sent:
        if r.status == S.REFUSED:
            grounds[r.ground or "(none given)"] = grounds.get(r.ground or "(none given)", 0) + 1
    return Summary(
        label=label,
        drafted=len(rows),
        sent=len(sent),
        acknowledged=sum(1 for r in sent if r.acknowledged is not None),
        answered=sum(1 for r in sent if r.answered is not None and r.status != S.REFUSED),
        refused=sum(grounds.values()),
        open=sum(1 for r in sent if r.answered is None and r.status != S.WITHDRAWN),
        withdrawn_drafts=sum(1 for r in rows if r.withdrawn_draft),
        clarification_rounds=sum(r.clarifications for r in sent),
        game_overdue=sum(1 for r in sent if r.game_overdue),
        legal_overdue=sum(1 for r in sent if r.legal_overdue),
        median_to_acknowledge=median(to_ack) if to_ack else None,
        median_to_answer=median(to_answer) if to_answer else None,
        refusals=tuple(sorted(grounds.items(), key=lambda g: (-g[1], g[0]))),
        stages=_by_stage(sent),
        stood_in=sum(1 for r in sent if r.stood_in),
    )


def _by_stage(rows: Iterable[RequestRow]) -> tuple[tuple[str, int, int, int], ...]:
    counts: dict[str, list[int]] = {}
    for row in rows:
        for stage in row.stages:
            found = counts.setdefault(stage.stage, [0, 0, 0])
            found[0] += 1
            found[1] += stage.met_at is not None and not stage.game_overdue
            found[2] += stage.game_overdue
    return tuple((stage, *found) for stage, found in sorted(counts.items()))  # type: ignore[misc]


def _grouped(rows: Iterable[RequestRow], key: Callable[[RequestRow], str]) -> tuple[Summary, ...]:
    groups: dict[str, list[RequestRow]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return tuple(summarise(label, group) for label, group in sorted(groups.items()))


def _row(played: Played, request: RequestRun) -> RequestRow:
    sent = request.reached(S.SENT)
    answered = min((t for s in _ANSWERS if (t := request.reached(s)) is not None), default=None)
    limit = legal_limit(request.legal, request.urgent)
    end = answered if answered is not None else played.now
    stages = _stages(played, request, sent)
    return RequestRow(
        id=request.id,
        instrument=request.instrument,
        source=request.source_team,
        target=request.target_team,
        agency=request.target_agency,
        simcell=request.simcell,
        urgent=request.urgent,
        spontaneous=request.spontaneous,
        status=str(request.status),
        drafted=request.history[0].sim_time,
        sent=sent,
        acknowledged=request.reached(S.ACKNOWLEDGED),
        responded=min(
            (
                t
                for s in (S.ACKNOWLEDGED, S.CLARIFICATION_REQUESTED, *_ANSWERS)
                if (t := request.reached(s)) is not None
            ),
            default=None,
        ),
        answered=answered,
        clarifications=sum(1 for step in request.history if step.status is S.CLARIFICATION_REQUESTED),
        ground=request.ground if request.status is S.REFUSED else "",
        withdrawn_draft=request.status is S.WITHDRAWN and sent is None,
        due_at=request.due_at,
        due_stage=request.due_stage,
        game_overdue="overdue" in request.warned or any(s.game_overdue for s in stages),
        legal=request.legal,
        legal_limit=limit,
        legal_overdue=_past_legal_limit(request, sent, end, limit),
        stages=stages,
        stood_in=any(step.by == STAND_IN and step.status in _ANSWERS for step in request.history),
    )


def _past_legal_limit(request: RequestRun, sent: float | None, end: float, limit: float | None) -> bool:
    """Whether a sent request took longer than its legal limit (up to `end`: when its stage was
    met, or the end of play); a withdrawn request is never overdue."""
    return sent is not None and limit is not None and request.status is not S.WITHDRAWN and end - sent > limit


def _stages(played: Played, request: RequestRun, sent: float | None) -> tuple[StageRow, ...]:
    rows = []
    for due in stage_deadlines(request):
        met = met_at(request, due.stage)
        limit = legal_limit(due.legal, request.urgent)
        end = met if met is not None else played.now
        rows.append(
            StageRow(
                stage=due.stage,
                due_at=due.due_at,
                met_at=met,
                game_overdue="overdue" in due.warned or (met is not None and met > due.due_at),
                legal=due.legal,
                legal_limit=limit,
                legal_overdue=_past_legal_limit(request, sent, end, limit),
            )
        )
    return tuple(rows)


def _since(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else max(0.0, end - start)
