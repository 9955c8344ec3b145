"""What an inject's release changes in the case: an artefact degraded, destroyed or moved, a
character's trust, status, safety or location, and the request a stand-in answers.

A tip-off that lets the suspects wipe a laptop, a missed deadline after which a victim is
moved on: the scenario lists the inject's `effects`, and its release writes them as facts
(`artefact.changed`, seen by the teams holding the artefact then; `character.changed`, staff).
The case file shows an artefact's new state beside it (`server.core.view`). A scripted stand-in
for a team's answer (`stand_in_for`) answers the request it stood in for (`request.answered`,
by `STAND_IN`, signed by the receiving agency), so that request is not answered twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from server.core.audience import Audience
from server.core.characters import TRUST
from server.core.conditions import World, holders, release_audience
from server.core.events import ArtefactChanged, CharacterChanged, Event, InjectReleased, RequestAnswered
from server.core.injects import earliest, scoped_time, stand_in_time
from server.core.scenario import ArtefactCondition, Trigger
from server.core.state import Exercise

STAND_IN = "scenario"
"""Who answered a request a stand-in answered (`by`): the scenario's script, not a participant."""


def effects_of(state: Exercise, inject_id: str, sim_time: float) -> list[Event]:
    """The events of a scenario inject's effects, as the state is at its release."""
    inject = next((i for i in state.scenario.injects if i.id == inject_id), None)
    if inject is None:
        return []  # an ad-hoc inject has none
    changes: list[Event] = _stood_in(state, inject_id, sim_time)
    for effect in inject.effects:
        if effect.artefact is not None:
            teams = holders(state.scenario, state.releases, effect.artefact, list(state.teams))
            changes.append(
                ArtefactChanged(
                    artefact=effect.artefact,
                    condition=str(effect.condition or ArtefactCondition.DEGRADED),
                    note=effect.note,
                    location=effect.location,
                    inject=inject.id,
                    audience=Audience.of(teams=teams),
                    sim_time=sim_time,
                )
            )
        if effect.character is not None:
            now = state.characters[effect.character]
            changes.append(
                CharacterChanged(
                    character=effect.character,
                    trust=min(max(now.trust + effect.trust, TRUST.start), TRUST.stop - 1),
                    status=effect.status or now.status,
                    note=effect.note or f"changed by {inject.id}",
                    by="scenario",
                    safety=effect.safety,
                    location=effect.location,
                )
            )
    return changes


def _stood_in(state: Exercise, inject_id: str, sim_time: float) -> list[Event]:
    """A stand-in's answer to the request it stood in for, if that is still open."""
    run = state.injects[inject_id]
    if run.stand_in_for is None or run.trigger is None:
        return []
    request = state.requests.get(stand_in_time(run, state.facts, state.scenario.clock.morning).answers)
    if request is None:
        return []
    answer = RequestAnswered(request.id, STAND_IN, run.body, False, (), sim_time, sim_time)
    return [replace(answer, by_agency=request.target_agency)]


def world_of(state: Exercise) -> World:
    """What conditions read of the state besides its facts."""
    return World(state.characters, tuple(state.teams))


def as_released(state: Exercise, release: InjectReleased, sim_now: float) -> InjectReleased:
    """A scenario inject's release with its audience worked out now: narrowed to the team a
    scoped trigger holds for, or to the teams `to_teams` names (`server.core.conditions`)."""
    run = state.injects.get(release.inject)
    if run is None or run.adhoc:
        return release
    team = None
    if run.scope and run.trigger is not None:
        morning = state.scenario.clock.morning
        team = scoped_time(run, state.injects, sim_now, morning, state.facts, world_of(state))[1]
    audience = release_audience(
        state.scenario, state.facts, state.releases, run.id, release.audience, team, state.teams
    )
    return release if audience == release.audience else replace(release, audience=audience)


def holds_now(state: Exercise, sim_now: float) -> Callable[[Trigger], bool]:
    """Whether a condition of the trigger language holds at `sim_now` (for SimCell's rules)."""
    world = world_of(state)
    morning = state.scenario.clock.morning

    def holds(condition: Trigger) -> bool:
        since = earliest(condition, state.injects, sim_now, morning, state.facts, None, world)
        return since is not None and since <= sim_now

    return holds
