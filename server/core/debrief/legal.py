"""Requests the scenario's legal rules flagged (`request.flagged`), for the evaluators' debrief."""

from __future__ import annotations

from dataclasses import dataclass

from server.core.debrief.played import Played
from server.core.events import RequestFlagged


@dataclass(frozen=True, slots=True)
class LegalFlag:
    request: str
    instrument: str
    team: str
    target: str
    rule: str
    ground: str
    sim: float


def legal_flags(played: Played) -> tuple[LegalFlag, ...]:
    """One row per rule that flagged a request, in the order they were sent."""
    found = []
    for entry in played.events:
        event = entry.event
        if not isinstance(event, RequestFlagged):
            continue
        request = played.state.requests.get(event.request)
        for rule, ground in zip(event.rules, event.grounds, strict=True):
            found.append(
                LegalFlag(
                    event.request,
                    request.instrument if request else "",
                    event.team,
                    request.target_team if request else "",
                    rule,
                    ground,
                    event.sim_time,
                )
            )
    return tuple(found)


def flags_per_rule(flags: tuple[LegalFlag, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.rule] = counts.get(flag.rule, 0) + 1
    return counts
