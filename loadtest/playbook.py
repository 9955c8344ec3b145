"""Scripted teams: what a strong and a passive cohort do in an exercise, as protocol commands.

A playbook is a list of `Step`s: at a simulated time, a participant of a team and role sends a
command (wire name and args, exactly as in docs/protocol.md). The steps drive the core
play-through tests (`tests/core/test_playthrough.py`, through `decide` with a fake clock). The
load test's bots do not use them: they pick their moves from the welcome's catalogue
(`loadtest.catalogue`, `loadtest.players`), so that they need no more than the protocol.

`strong` makes the requests a good cohort makes (the scenario's `requests`: for the flagship,
the 16 of DOMAIN.md §6.5) at the times the scenario's `playbook` gives and takes the actions
it lists (docs/scenarios.md, "`playbook`"), so any scenario carries its own strong cohort;
`passive` asks and decides nothing. A runner sends each `request.draft` right after drafting it
(`request.send` by the author; when the reply says it must be validated first, a teammate whose
role may validate does `request.validate`, then the author sends). `respond` is the receiving
side: which answers a team (or SimCell) gives to what has arrived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.core.scenario import Country, ExpectedRequest, Instrument, PlaybookStep, Scenario, agency_choices
from server.core.simtime import format_sim_time
from server.core.team_models import team_specs
from server.scenario.reach import roles_in

SOON = 30 * 60
"""A responsive team answers a request within 30 simulated minutes."""


@dataclass(frozen=True, slots=True)
class Step:
    at: str
    """Simulated time, "D1 10:45"."""
    team: str
    role: str
    command: str
    args: Mapping[str, Any] = field(default_factory=dict)
    expect: str = ""
    """What the step is for (shown in test failures and load-test logs)."""


DEFAULT_AT = 4 * 3600
"""An expected request the scenario's `playbook` does not time is made 4 hours after STARTEX."""


def strong(scenario: Scenario) -> list[Step]:
    """The steps of a strong cohort, in time order (the receiving side is `respond`).

    Every request the scenario expects (`requests`) is drafted, at the time its `playbook`
    step gives (else `DEFAULT_AT` after STARTEX), by its role in the team of its country where
    that role plays, to the receiving country's team (or its unit of the instrument's receiving
    agency type); the playbook's action steps are taken by the team and role they name.
    """
    timed = {step.request: step for step in scenario.playbook if step.request}
    steps = []
    for expected in scenario.requests:
        step = timed.get(expected.id)
        at = format_sim_time(step.at) if step else format_sim_time(scenario.clock.start + DEFAULT_AT)
        steps.append(
            Step(
                at,
                (step.team if step and step.team else "") or drafting_team(scenario, expected),
                expected.role,
                "request.draft",
                _draft_args(scenario, expected, step),
                expect=f"{expected.id}: {expected.title}",
            )
        )
    steps += [
        Step(
            format_sim_time(step.at),
            step.team,
            step.role,
            "action.take",
            {"action": step.action, "subject": step.subject},
            expect=f"{step.action} {step.subject}".strip(),
        )
        for step in scenario.playbook
        if step.action
    ]
    return sorted(steps, key=lambda step: _minutes(step.at))


def drafting_team(scenario: Scenario, expected: ExpectedRequest) -> str:
    """The team of `expected`'s country where its role plays (the country's one team, or the
    first of its units the role works for)."""
    teams = [spec for spec in team_specs(scenario) if spec.country == expected.source]
    role = scenario.role(expected.role)
    playing = [spec for spec in teams if role is not None and role in roles_in(scenario, spec)]
    return (playing or teams)[0].id if (playing or teams) else expected.source


def receiving_team(scenario: Scenario, expected: ExpectedRequest) -> str:
    """The team `expected` goes to: the receiving country's one team, or its unit whose agency
    is of the instrument's receiving type (for a domestic request: not the drafting unit)."""
    teams = [spec for spec in team_specs(scenario) if spec.country == expected.target]
    instrument = scenario.instrument(expected.instrument)
    drafting = drafting_team(scenario, expected)
    fitting = [
        spec
        for spec in teams
        if spec.id != drafting
        and spec.unit is not None
        and instrument is not None
        and (found := scenario.agency(spec.unit.agency)) is not None
        and found[1].type == instrument.receiver
    ]
    others = [spec for spec in teams if spec.id != drafting or spec.unit is None]
    chosen = fitting or others
    return chosen[0].id if chosen else expected.target


def passive(scenario: Scenario) -> list[Step]:
    """A passive cohort asks nothing and decides nothing: the scenario's consequences follow."""
    return []


def fill_form(
    instrument: Instrument, content: str, sides: Mapping[str, Country | None] | None = None
) -> dict[str, Any]:
    """A complete, well-typed form for `instrument`, its texts built from `content`; `sides`
    are the request's countries (`source`, `target`), whose agencies `agency` fields name."""
    form: dict[str, Any] = {}
    for spec in instrument.fields:
        if spec.type in ("text", "date"):
            text = content
            while len(text) < spec.min_length:
                text += " " + content
            form[spec.key] = text
        elif spec.type == "agency":
            choices = agency_choices(spec, (sides or {}).get(spec.side))
            form[spec.key] = choices[0] if choices else "the competent authority"
        elif spec.type in ("enum",):
            form[spec.key] = spec.choices[0]
        elif spec.type == "multiselect":
            form[spec.key] = list(spec.choices[:2])
        elif spec.type == "entities":
            form[spec.key] = ["P-ELENA", "P-VIKTOR", "C-KALSTAFF"]
        elif spec.type == "bool":
            form[spec.key] = True
        elif spec.type == "number":
            form[spec.key] = 1
    return form


def _draft_args(
    scenario: Scenario, expected: ExpectedRequest, step: PlaybookStep | None = None
) -> dict[str, Any]:
    instrument = scenario.instrument(expected.instrument)
    sides = {"source": scenario.country(expected.source), "target": scenario.country(expected.target)}
    fields = fill_form(instrument, expected.content or expected.title, sides) if instrument else {}
    args: dict[str, Any] = {
        "instrument": expected.instrument,
        "to": (step.to if step and step.to else "") or receiving_team(scenario, expected),
        "subject": expected.title,
        "fields": fields,
        "urgent": expected.urgent,
        "spontaneous": expected.instrument.startswith("SPONTANEOUS"),
    }
    if step is not None and step.agency:
        args["agency"] = step.agency
    return args


def _minutes(at: str) -> int:
    day, clock = at.split()
    hours, minutes = clock.split(":")
    return (int(day[1:]) - 1) * 1440 + int(hours) * 60 + int(minutes)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the receiving side does with one request now."""

    team: str | None
    """The team that acts, or None for SimCell."""
    command: str
    args: Mapping[str, Any]


def respond(requests: Iterable[Mapping[str, Any]], sim_now: float) -> list[Reply]:
    """Answers due from receiving teams and SimCell, given requests as snapshots show them.

    A request sent SOON ago or more is acknowledged and answered by the receiving team, or,
    when nobody plays the receiver, answered by SimCell as the scenario's template proposes.
    A clarification asked of the requesting team is given at once. A request whose answer is
    on its way (`answer_scheduled_at`) or comes after ENDEX is left alone.
    """
    replies: list[Reply] = []
    for request in requests:
        status, sent_at = request["status"], _sent_at(request)
        if request.get("answer_scheduled_at") is not None or request.get("answer_after_endex"):
            continue  # SimCell answered already: the text arrives later, or after ENDEX
        if status == "clarification_requested":
            replies.append(
                Reply(
                    request["from"],
                    "request.clarify",
                    {"request": request["id"], "text": "Here are the details you asked for."},
                )
            )
        elif (
            status in ("sent", "acknowledged", "clarified")
            and sent_at is not None
            and sim_now - sent_at >= SOON
        ):
            if request["simcell"]:
                replies.append(Reply(None, "request.answer", {"request": request["id"], "as_proposed": True}))
            elif not request["spontaneous"]:
                replies.append(
                    Reply(
                        request["to"],
                        "request.answer",
                        {"request": request["id"], "text": "Executed: results attached."},
                    )
                )
            elif status == "sent":
                replies.append(Reply(request["to"], "request.acknowledge", {"request": request["id"]}))
    return replies


def _sent_at(request: Mapping[str, Any]) -> float | None:
    return next((step["sim_time"] for step in request["history"] if step["status"] == "sent"), None)
