"""Knowledge diffusion: who knew what, from when, by which channel, from whom.

For every artefact of the scenario and every team: the first time the team had it in its case
file (at STARTEX, by an inject, a request's answer, SimCell, a share, a discovery or a joint
team), and the lag since the artefact first entered the exercise (reached any team). A key
fact (`key: true` in the scenario, with its `question`) is answered in one sentence by
`key_question`.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.debrief.played import Channel, Played
from server.core.scenario import Artefact, RouteRole
from server.core.simtime import format_sim_time


@dataclass(frozen=True, slots=True)
class Arrival:
    artefact: str
    team: str
    sim: float
    seq: int
    channel: Channel
    source: str
    """Who brought it: the inject's sender, the answering team or agency, the sharing team."""
    via: str
    """The inject, request or action it came through ("" at STARTEX or for a direct share)."""
    lag: float
    """Simulated seconds since the artefact first entered the exercise (0 for the first team)."""


@dataclass(frozen=True, slots=True)
class Spread:
    """One artefact's path through the teams."""

    artefact: Artefact
    entered: float | None
    """When it first reached any team (None: never played)."""
    arrivals: tuple[Arrival, ...]
    """The first arrival in each team that had it, earliest first."""

    def of(self, team: str) -> Arrival | None:
        return next((a for a in self.arrivals if a.team == team), None)


@dataclass(frozen=True, slots=True)
class Diffusion:
    spreads: tuple[Spread, ...]
    """Every artefact, in scenario order."""
    teams: tuple[str, ...]

    def spread(self, artefact: str) -> Spread | None:
        return next((s for s in self.spreads if s.artefact.id == artefact), None)

    @property
    def key(self) -> tuple[Spread, ...]:
        return tuple(s for s in self.spreads if s.artefact.key)

    def first(self, artefact: str, team: str) -> Arrival | None:
        spread = self.spread(artefact)
        return None if spread is None else spread.of(team)


def diffusion(played: Played) -> Diffusion:
    firsts: dict[str, dict[str, Arrival]] = {}
    entered: dict[str, float] = {}
    for reach in played.reaches:
        got = firsts.setdefault(reach.artefact, {})
        began = entered.setdefault(reach.artefact, reach.sim)
        for team in reach.teams:
            if team not in got:
                got[team] = Arrival(
                    reach.artefact, team, reach.sim, reach.seq, reach.channel, reach.source, reach.via,
                    max(0.0, reach.sim - began),
                )  # fmt: skip
    spreads = tuple(
        Spread(
            artefact,
            entered.get(artefact.id),
            tuple(sorted(firsts.get(artefact.id, {}).values(), key=lambda a: (a.sim, a.seq, a.team))),
        )
        for artefact in played.state.scenario.artefacts
    )
    return Diffusion(spreads, tuple(played.state.teams))


@dataclass(frozen=True, slots=True)
class Answer:
    artefact: str
    team: str
    question: str
    arrival: Arrival | None
    text: str


def key_question(played: Played, spread: Diffusion, artefact: str, team: str | None = None) -> Answer:
    """When did `team` (default: the one the key fact asks about, else the destination
    country's team) first have `artefact`, how,
    and how long after it entered the exercise: one sentence for the debrief."""
    found = spread.spread(artefact)
    if found is None:
        raise KeyError(f"no artefact {artefact!r} in this scenario")
    who = team or found.artefact.about or _destination(played)
    name = played.state.teams[who].name if who in played.state.teams else who
    question = found.artefact.question or f"When did {name} learn {found.artefact.title!r}?"
    arrival = found.of(who)
    if arrival is None:
        never = (
            "nobody had it"
            if found.entered is None
            else "it entered the exercise at " + format_sim_time(found.entered)
        )
        return Answer(artefact, who, question, None, f"{name} never had it ({never}).")
    how = describe(arrival)
    after = (
        "the first to have it"
        if arrival.lag == 0
        else f"{duration(arrival.lag)} after it entered the exercise"
    )
    return Answer(
        artefact, who, question, arrival, f"{name}: {format_sim_time(arrival.sim)}, {how}, {after}."
    )


def describe(arrival: Arrival) -> str:
    """'by request answer from KAL (R-0007)', 'at STARTEX'."""
    if arrival.channel is Channel.START:
        return "at STARTEX"
    via = f" ({arrival.via})" if arrival.via else ""
    return f"by {arrival.channel} from {arrival.source}{via}"


def duration(seconds: float) -> str:
    """'3d 2h 05m', '45m'."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {mins:02d}m"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def _destination(played: Played) -> str:
    scenario = played.state.scenario
    for team in played.state.teams.values():
        country = scenario.country(team.country)
        if country is not None and country.route_role is RouteRole.DESTINATION:
            return team.id
    return next(iter(played.state.teams))
