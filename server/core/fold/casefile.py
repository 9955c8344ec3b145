"""Case files during play: artefacts released and shared, joint teams formed, actions, characters."""

from __future__ import annotations

from dataclasses import replace

from server.core.audience import Audience
from server.core.events import (
    ActionFlagged,
    ActionTaken,
    ArtefactReleased,
    ArtefactShared,
    CharacterChanged,
    JointTeamFormed,
    NoteWritten,
    SharingFlagged,
)
from server.core.exercise import Exercise, teams_of
from server.core.fold import Handler
from server.core.records import Release, Taken
from server.core.scenario import scripted_releases
from server.core.watch import watch_of


def _released(state: Exercise, event: ArtefactReleased) -> Exercise:
    released = Release(event.artefact, event.audience, event.source, event.sim_time)
    pending = tuple(p for p in state.pending if (p.artefact, p.source) != (event.artefact, event.source))
    return replace(state, releases=state.releases.append(released), pending=pending)


def _joint_team(state: Exercise, event: JointTeamFormed) -> Exercise:
    """The joint team's own items reach its members as it is formed; an item scoped to it that an
    inject or a SimCell answer releases reaches them when that happens (the action day's results
    are not in the case file the day the agreement is signed)."""
    members = Audience.of(teams=event.teams)
    later = scripted_releases(state.scenario)
    scoped = [
        Release(a.id, members, f"jit:{event.joint_team}", event.sim_time)
        for a in state.scenario.artefacts
        if a.visibility.joint_team == event.joint_team and a.id not in later
    ]
    return replace(
        state, joint_teams=state.joint_teams | {event.joint_team}, releases=state.releases.extend(scoped)
    )


def _shared(state: Exercise, event: ArtefactShared) -> Exercise:
    shared = Release(
        event.artefact,
        Audience.of(teams=teams_of(state, event.to_team)),
        f"{event.from_team}:{event.request or 'direct'}",
        event.sim_time,
    )
    return replace(state, releases=state.releases.append(shared))


def _unchanged(state: Exercise, event: NoteWritten | SharingFlagged) -> Exercise:
    return state  # for evaluators and the debrief: the log keeps it, the exercise does not change


def _action(state: Exercise, event: ActionTaken) -> Exercise:
    taken = Taken(event.action, event.participant, event.team, event.subject, event.sim_time, event.flags)
    return replace(
        state,
        actions=state.actions.append(taken),
        facts=state.facts.action_taken(taken, watch_of(state.scenario)),
    )


def _flagged(state: Exercise, event: ActionFlagged) -> Exercise:
    """The flags of the action just taken (`server.core.actions`)."""
    last = state.actions[-1]
    return replace(state, actions=state.actions.set(len(state.actions) - 1, replace(last, flags=event.flags)))


def _character(state: Exercise, event: CharacterChanged) -> Exercise:
    was = state.characters[event.character]
    now = replace(
        was,
        trust=event.trust,
        status=event.status,
        safety=was.safety if event.safety is None else event.safety,
        location=was.location if event.location is None else event.location,
    )
    return replace(state, characters=state.characters.set(event.character, now))


HANDLERS: dict[type, Handler] = {
    ArtefactReleased: _released,
    JointTeamFormed: _joint_team,
    ArtefactShared: _shared,
    NoteWritten: _unchanged,
    SharingFlagged: _unchanged,
    ActionTaken: _action,
    ActionFlagged: _flagged,
    CharacterChanged: _character,
}
