"""Scripted teams: what a strong and a passive cohort do in an exercise, as protocol commands.

A playbook is a list of `Step`s: at a simulated time, a participant of a team and role sends a
command (wire name and args, exactly as in docs/protocol.md). The steps drive the core
play-through tests (`tests/core/test_playthrough.py`, through `decide` with a fake clock). The
load test's bots do not use them: they pick their moves from the welcome's catalogue
(`loadtest.catalogue`, `loadtest.players`), so that they need no more than the protocol.

`strong` makes the requests a good cohort makes (the scenario's `requests`: for the flagship,
the 16 of DOMAIN.md §6.5) at sensible times and takes the actions that protect the victims;
`passive` asks and decides nothing. A runner sends each `request.draft` right after drafting it
(`request.send` by the author; when the reply says it must be validated first, a teammate whose
role may validate does `request.validate`, then the author sends). `respond` is the receiving
side: which answers a team (or SimCell) gives to what has arrived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.core.scenario import Country, ExpectedRequest, Instrument, Scenario, agency_choices

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


# When a strong cohort makes each expected request of the flagship (DOMAIN.md §6.5), by id.
FLAGSHIP_TIMES: dict[str, str] = {
    "R3": "D1 09:45",
    "R1": "D1 11:00",
    "R2": "D1 11:15",
    "R5": "D1 13:30",
    "R4": "D1 15:00",
    "R6": "D1 15:30",
    "R7": "D1 16:00",
    "R8": "D2 09:30",
    "R11": "D2 10:00",
    "R9": "D2 11:30",
    "R13": "D2 12:00",
    "R16": "D2 12:30",
    "R10": "D2 14:30",
    "R14": "D2 15:30",
    "R12": "D2 18:00",
    "R15": "D3 11:30",
}

# The actions that protect the victims and the assets in the flagship, in time.
FLAGSHIP_ACTIONS: list[tuple[str, str, str, str, str]] = [
    ("D1 10:40", "WES", "social_worker", "refer_nrm", "CH-ION"),
    ("D1 10:45", "WES", "social_worker", "arrange_shelter", "CH-ION"),
    ("D1 14:15", "KAL", "child_protection", "appoint_guardian", "CH-DARIA"),
    ("D1 14:20", "KAL", "child_protection", "child_placement", "CH-DARIA"),
    ("D2 16:30", "KAL", "fiu_analyst", "postpone_transaction", "C-KALSTAFF"),
]


def strong(scenario: Scenario) -> list[Step]:
    """The steps of a strong cohort, in time order (the receiving side is `respond`)."""
    steps = [
        Step(
            FLAGSHIP_TIMES.get(expected.id, "D1 12:00"),
            expected.source,
            expected.role,
            "request.draft",
            _draft_args(scenario, expected),
            expect=f"{expected.id}: {expected.title}",
        )
        for expected in scenario.requests
    ]
    steps += [
        Step(
            at,
            team,
            role,
            "action.take",
            {"action": action, "subject": subject},
            expect=f"{action} {subject}",
        )
        for at, team, role, action, subject in FLAGSHIP_ACTIONS
        if any(a.id == action for a in scenario.actions)
    ]
    return sorted(steps, key=lambda step: _minutes(step.at))


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


def _draft_args(scenario: Scenario, expected: ExpectedRequest) -> dict[str, Any]:
    instrument = scenario.instrument(expected.instrument)
    sides = {"source": scenario.country(expected.source), "target": scenario.country(expected.target)}
    fields = fill_form(instrument, expected.content or expected.title, sides) if instrument else {}
    return {
        "instrument": expected.instrument,
        "to": expected.target,
        "subject": expected.title,
        "fields": fields,
        "urgent": expected.urgent,
        "spontaneous": expected.instrument.startswith("SPONTANEOUS"),
    }


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
    A clarification asked of the requesting team is given at once.
    """
    replies: list[Reply] = []
    for request in requests:
        status, sent_at = request["status"], _sent_at(request)
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
