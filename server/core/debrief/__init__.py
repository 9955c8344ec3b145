"""The debrief: what an exercise's log says once it is played, for the hot wash and the report.

Pure functions of the log and the scenario, like the rest of the core: `played.play` folds the
log once (with `server.core.state.apply`, so it costs what a restart costs) and keeps what the
debrief looks at on the way; the analyses read that:

- `diffusion`: for every artefact, when each team first had it, by which channel, from whom,
  and how long after it entered the exercise; `key_question` answers a key fact's question;
- `request_stats`: requests per instrument, country pair and team, against their deadlines;
- `metrics`: the scenario's metrics computed per team, with their objectives and verdicts;
- `timeline`: the notable moments, in order;
- `legal`: the requests the scenario's legal rules flagged, per rule.

`analyse(entries)` runs them all (`Debrief`). Nothing here is a second source of truth: the same
log gives the same debrief.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.core.debrief.diffusion import Diffusion, diffusion
from server.core.debrief.legal import LegalFlag, legal_flags
from server.core.debrief.metrics import MetricReport, compute_metrics
from server.core.debrief.played import Entry, Played, play
from server.core.debrief.request_stats import RequestStats, request_stats
from server.core.debrief.timeline import Moment, timeline

__all__ = ["Debrief", "Entry", "analyse"]


@dataclass(frozen=True, slots=True)
class Debrief:
    played: Played
    diffusion: Diffusion
    requests: RequestStats
    metrics: tuple[MetricReport, ...]
    timeline: tuple[Moment, ...]
    legal_flags: tuple[LegalFlag, ...] = ()

    @property
    def teams(self) -> tuple[str, ...]:
        """The teams people played, in scenario order: each has a report of its own."""
        return self.played.teams

    @property
    def simcell_teams(self) -> tuple[str, ...]:
        """The teams nobody played (a country `played_by: simcell`, or nobody on the roster):
        SimCell answered for them; they have no report of their own."""
        return tuple(team for team in self.played.state.teams if team not in self.teams)

    def no_report(self, team: str) -> str | None:
        """Why `team` has no report of its own; None: it has one."""
        if team in self.teams:
            return None
        known = f"teams: {', '.join(self.teams)}"
        if team in self.played.state.teams:
            return f"team {team!r} was played by SimCell: it has no report of its own ({known})"
        return f"no team {team!r} ({known})"


def analyse(entries: Iterable[Entry]) -> Debrief:
    """Everything the debrief shows, from a whole log (oldest first, starting at seq 1)."""
    played = play(entries)
    spread = diffusion(played)
    return Debrief(
        played=played,
        diffusion=spread,
        requests=request_stats(played),
        metrics=compute_metrics(played, spread),
        timeline=timeline(played),
        legal_flags=legal_flags(played),
    )
