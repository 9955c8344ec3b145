"""What a report says, as a list of sections that every format renders alike.

A `Section` has a title, a short note, a table (a header row and rows of plain values) and
charts; `sheet` names its XLSX sheet. `sections(debrief, team)` builds the report of the whole
exercise (`team=None`) or of one team (only what concerns it). The evaluation's sections
(observations, feedback, improvements) come from `server.report.evaluation_sections`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from server.core.debrief import Debrief
from server.core.debrief.diffusion import describe, duration, key_question
from server.core.debrief.legal import flags_per_rule
from server.core.debrief.metrics import COHORT
from server.core.debrief.played import Channel
from server.core.debrief.request_stats import RequestRow, Summary
from server.core.simtime import format_sim_time
from server.report import charts
from server.report import evaluation_sections as evaluation
from server.report.charts import Chart, Mark

Cell = str | int | float | None

TABLE_ROWS = 300
"""Rows of a long table shown in the HTML and the PDF (the workbook has them all)."""

CHANNELS = tuple(Channel)


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    table: Table
    charts: tuple[Chart, ...] = ()
    note: str = ""
    sheet: str | None = None
    """The workbook sheet it fills (None: HTML and PDF only)."""
    lines: tuple[str, ...] = field(default=())
    """Sentences shown above the table (the key questions' answers)."""


def sections(debrief: Debrief, team: str | None = None) -> list[Section]:
    return [
        _key_questions(debrief, team),
        _objectives(debrief, team),
        _timeline(debrief, team),
        _requests(debrief, team),
        _flows(debrief, team),
        _diffusion(debrief, team),
        _legal(debrief, team),
        *_evaluation(debrief, team),
    ]


LEGAL_HEADER = ("time", "request", "instrument", "from", "to", "rule", "ground")


def _legal(debrief: Debrief, team: str | None) -> Section:
    """The requests the scenario's legal rules flagged for the evaluators (`legal_rules` with
    `effect: flag`); refused ones never left their team and are not here."""
    flags = tuple(f for f in debrief.legal_flags if team is None or team in (f.team, f.target))
    counts = flags_per_rule(flags)
    return Section(
        "Legal flags",
        Table(
            LEGAL_HEADER,
            tuple((_time(f.sim), f.request, f.instrument, f.team, f.target, f.rule, f.ground) for f in flags),
        ),
        note="Requests sent against a rule of the scenario that flags rather than refuses.",
        sheet="legal_flags",
        lines=tuple(f"{rule}: {count} request{'s' if count != 1 else ''}" for rule, count in counts.items()),
    )


def _evaluation(debrief: Debrief, team: str | None) -> list[Section]:
    state = debrief.played.state
    return [
        Section(
            "Observations",
            Table(evaluation.OBSERVATION_HEADER, evaluation.observation_rows(state, team)),
            note="Evaluators' observations against the objectives, as they were last edited.",
            sheet="observations",
        ),
        Section(
            "Participant feedback",
            Table(evaluation.FEEDBACK_HEADER, evaluation.feedback_rows(state, team)),
            note="Answers to the questionnaires (anonymous ones name nobody).",
            sheet="feedback",
            lines=evaluation.feedback_summary(state) if team is None else (),
        ),
        Section(
            "Improvement plan",
            Table(evaluation.IMPROVEMENT_HEADER, evaluation.improvement_rows(state, team)),
            note="Recommendations, owners, due dates.",
            sheet="improvements",
        ),
    ]


def title(debrief: Debrief, team: str | None) -> str:
    state = debrief.played.state
    name = state.title or state.scenario.title
    return f"{name}: debrief" + (f" of {state.teams[team].name}" if team else "")


def facts(debrief: Debrief, team: str | None) -> list[tuple[str, str]]:
    """The report's heading: what was played, when, how much."""
    played = debrief.played
    state = played.state
    sent = debrief.requests.cohort if team is None else debrief.requests.team(team)
    return [
        ("exercise", state.id),
        ("scenario", f"{state.scenario.title} ({state.scenario.id})"),
        ("status", str(state.status)),
        ("played", f"{format_sim_time(played.start)} to {format_sim_time(played.now)}"),
        ("events", f"{state.seq:,}"),
        ("teams", ", ".join(f"{state.teams[t].name} ({t})" for t in debrief.teams if team in (None, t))),
        *(
            [("played by SimCell", ", ".join(f"{state.teams[t].name} ({t})" for t in debrief.simcell_teams))]
            if team is None and debrief.simcell_teams
            else []
        ),
        ("participants", str(_players(debrief, team))),
        ("requests sent", str(sent.sent)),
        ("injects released", str(sum(1 for r in played.releases if team is None or team in r.teams))),
    ]  # fmt: skip


def _players(debrief: Debrief, team: str | None) -> int:
    members = debrief.played.state.participants.values()
    return sum(1 for p in members if not p.staff and team in (None, p.team))


def _key_questions(debrief: Debrief, team: str | None) -> Section:
    rows, lines = [], []
    for spread in debrief.diffusion.key:
        answer = key_question(debrief.played, debrief.diffusion, spread.artefact.id, team)
        lines.append(f"{answer.question} {answer.text}")
        arrival = answer.arrival
        rows.append((
            spread.artefact.id, answer.question, answer.team,
            None if arrival is None else format_sim_time(arrival.sim),
            None if arrival is None else str(arrival.channel), answer.text,
        ))  # fmt: skip
    return Section(
        "Key questions",
        Table(("artefact", "question", "team", "first had", "channel", "answer"), tuple(rows)),
        note="The key facts of the course (the scenario marks them): when the team in question learned them.",
        lines=tuple(lines),
    )


def _objectives(debrief: Debrief, team: str | None) -> Section:
    rows: list[tuple[Cell, ...]] = []
    grid = []
    for report in debrief.metrics:
        results = [r for r in report.results if team is None or r.team == team]
        grid.append((f"{report.metric.id} {report.metric.name}", [(r.team, r.met) for r in results]))
        for r in results:
            rows.append((
                ", ".join(report.objectives), report.metric.id, report.metric.name, str(report.metric.kind),
                report.target, r.team, r.value, r.text, _verdict(r.met),
            ))  # fmt: skip
    teams = [*debrief.teams, COHORT] if team is None else [team]
    chart = charts.bars("Objectives: metrics met per team", [g for g in grid if g[1]], teams)
    return Section(
        "Objectives",
        Table(
            ("objectives", "metric", "name", "kind", "target", "team", "value", "result", "verdict"),
            tuple(rows),
        ),
        (chart,),
        note="Computed from the log: the scenario's metrics, per team they are about, and for the cohort.",
        sheet="metrics",
    )


def _timeline(debrief: Debrief, team: str | None) -> Section:
    moments = [m for m in debrief.timeline if team is None or team in m.teams]
    kinds = ("inject", "request", "action", "artefact")
    marks = [
        Mark(t, m.sim, f"{format_sim_time(m.sim)} {m.text}", _kind_index(m.kind, kinds))
        for m in moments
        if m.kind != "request.deadline"
        for t in m.teams
    ]
    names = list(debrief.teams) if team is None else [team]
    chart = charts.lanes("Timeline", names, marks, debrief.played.start, debrief.played.now, legend=kinds)
    rows = tuple(
        (m.seq, format_sim_time(m.sim), _wall(m.at), m.kind, ", ".join(m.teams), m.text) for m in moments
    )
    return Section(
        "Timeline",
        Table(("seq", "time", "wall time (UTC)", "kind", "teams", "what"), rows),
        (chart,),
        note="Injects, requests, actions and case-file items in the order of the log.",
        sheet="timeline",
    )


def _requests(debrief: Debrief, team: str | None) -> Section:
    rows = tuple(_request_row(r) for r in debrief.requests.rows if team in (None, r.source, r.target))
    return Section(
        "Requests",
        Table(
            (
                "id",
                "instrument",
                "from",
                "to",
                "agency",
                "SimCell",
                "urgent",
                "status",
                "drafted",
                "sent",
                "first response",
                "answered",
                "to respond (min)",
                "to answer (min)",
                "clarifications",
                "refusal ground",
                "withdrawn draft",
                "game deadline",
                "stage due",
                "overdue (game)",
                "legal deadline",
                "overdue (legal)",
                "each stage",
                "answered by a stand-in",
            ),
            rows,
        ),
        note="Every request with its times (exercise time) against the game and legal deadlines; "
        "each stage: every deadline of the request against its own due time; answered by a "
        "stand-in: the scenario's scripted answer for a team that had not answered by the deadline.",
        sheet="requests",
    )


def _flows(debrief: Debrief, team: str | None) -> Section:
    stats = debrief.requests
    played = debrief.played
    groups: list[tuple[str, Sequence[Summary]]] = [
        ("country pair", stats.by_pair), ("instrument", stats.by_instrument), ("team", stats.by_team),
        ("cohort", (stats.cohort,)),
    ]  # fmt: skip
    rows: list[tuple[Cell, ...]] = []
    for group, summaries in groups:
        for s in summaries:
            if team is None or _concerns(s.label, group, team, played.country(team)):
                rows.append(_summary_row(group, s))
    countries = [c.id for c in played.state.scenario.countries]
    counts = [
        (left, right, s.sent)
        for s in stats.by_pair
        for left, _, right in [s.label.partition(" → ")]
        if team is None or played.country(team) in (left, right)
    ]
    chart = charts.flows("Request flows between countries (requests sent)", countries, counts)
    return Section(
        "Request flows",
        Table(
            (
                "by",
                "group",
                "drafted",
                "sent",
                "acknowledged",
                "answered",
                "refused",
                "open",
                "withdrawn drafts",
                "clarification rounds",
                "overdue (game)",
                "overdue (legal)",
                "median to respond (min)",
                "median to answer (min)",
                "refusal grounds",
                "answered by a stand-in",
            ),
            tuple(rows),
        ),
        (chart,),
        note="Per country pair, instrument and requesting team, and for the cohort; answered by a "
        "stand-in: of the answered, those the scenario's scripted answer gave for the receiving team.",
        sheet="request_flows",
    )


def _diffusion(debrief: Debrief, team: str | None) -> Section:
    rows: list[tuple[Cell, ...]] = []
    for spread in debrief.diffusion.spreads:
        for arrival in spread.arrivals:
            if team in (None, arrival.team):
                rows.append((
                    spread.artefact.id, spread.artefact.title, "yes" if spread.artefact.key else "",
                    arrival.team, format_sim_time(arrival.sim), str(arrival.channel), arrival.source,
                    arrival.via, _minutes(arrival.lag), describe(arrival),
                ))  # fmt: skip
    figures = tuple(
        charts.lanes(
            f"{spread.artefact.id}: {spread.artefact.title}",
            list(debrief.teams) if team is None else [team],
            [
                Mark(
                    a.team,
                    a.sim,
                    f"{a.team} {format_sim_time(a.sim)} {describe(a)}",
                    CHANNELS.index(a.channel),
                )
                for a in spread.arrivals
            ],
            debrief.played.start,
            debrief.played.now,
            legend=[str(c) for c in CHANNELS],
        )
        for spread in debrief.diffusion.key
    )
    return Section(
        "Knowledge diffusion",
        Table(
            ("artefact", "title", "key", "team", "first had", "channel", "from", "via", "lag (min)", "how"),
            tuple(rows),
        ),
        figures,
        note="When each team first had each case-file item, how, and how long after it entered the exercise.",
        sheet="diffusion",
    )


def _request_row(r: RequestRow) -> tuple[Cell, ...]:
    return (
        r.id, r.instrument, r.source, r.target, r.agency, _yes(r.simcell), _yes(r.urgent), r.status,
        format_sim_time(r.drafted), _time(r.sent), _time(r.responded), _time(r.answered),
        _minutes(r.to_acknowledge), _minutes(r.to_answer), r.clarifications, r.ground,
        _yes(r.withdrawn_draft),
        _time(r.due_at), r.due_stage, _yes(r.game_overdue), r.legal, _yes(r.legal_overdue),
        _stages(r), _yes(r.stood_in),
    )  # fmt: skip


def _stages(r: RequestRow) -> str:
    """ "acknowledged due D1 18:00, met D1 17:50; answered due D2 09:30, overdue"."""
    return "; ".join(
        f"{s.stage} due {format_sim_time(s.due_at)}, "
        + (f"met {format_sim_time(s.met_at)}" if s.met_at is not None else "not met")
        + (" (overdue)" if s.game_overdue else "")
        for s in r.stages
    )


def _summary_row(group: str, s: Summary) -> tuple[Cell, ...]:
    return (
        group, s.label, s.drafted, s.sent, s.acknowledged, s.answered, s.refused, s.open, s.withdrawn_drafts,
        s.clarification_rounds, s.game_overdue, s.legal_overdue, _minutes(s.median_to_acknowledge),
        _minutes(s.median_to_answer), "; ".join(f"{g} ({n})" for g, n in s.refusals), s.stood_in,
    )  # fmt: skip


def _concerns(label: str, group: str, team: str, country: str) -> bool:
    if group == "country pair":
        return country in label.split(" → ")
    return group == "team" and label == team


def _kind_index(kind: str, kinds: Sequence[str]) -> int:
    family = kind.partition(".")[0]
    return list(kinds).index(family) if family in kinds else len(kinds)


def _verdict(met: bool | None) -> str:
    return "no target" if met is None else "met" if met else "not met"


def _yes(value: bool) -> str:
    return "yes" if value else ""


def _time(sim: float | None) -> str | None:
    return None if sim is None else format_sim_time(sim)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _wall(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S")


def shown(value: Cell) -> str:
    """A cell as text in the HTML and the PDF."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


__all__ = ["Section", "Table", "duration", "facts", "sections", "shown", "title"]
