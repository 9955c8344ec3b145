"""Messages: a team's channel, the channel with control, announcements, direct messages between
teams, mentors' prompts and staff notes."""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Viewer
from server.core.errors import Forbidden, InvalidArguments
from server.core.events import (
    AnnouncementMade,
    ControlMessagePosted,
    DirectMessagePosted,
    Event,
    MentorPrompted,
    MessagePosted,
    NoteWritten,
)
from server.core.exercise import Exercise
from server.core.guards import known_team, require_not_ended, require_role, require_viewer, text_of
from server.core.matching import audience_named
from server.core.roles import CONTROL, StaffRole
from server.core.sharing import share

Message = c.PostMessage | c.PostToControl | c.WriteToTeam | c.WriteNote | c.PromptTeam | c.MakeAnnouncement


def decide_message(state: Exercise, command: Message, actor: c.Actor, now: float) -> list[Event]:
    match command:
        case c.PostMessage():
            viewer = require_viewer(actor)
            require_not_ended(state)
            if viewer.staff:
                raise Forbidden("staff write to teams with announcement.make")
            posted = MessagePosted(
                viewer.participant, viewer.team, text_of(command.text), state.clock.sim_at(now)
            )
            team = viewer.team or ""
            attached = _attached(
                state, viewer, command.attachments, team, state.clock.sim_at(now), within_team=True
            )
            return [posted, *attached]
        case c.PostToControl():
            require_not_ended(state)
            viewer = require_viewer(actor)
            if viewer.staff:
                require_role(actor, CONTROL | {StaffRole.SIMCELL})
                team = known_team(state, command.team)
            else:
                team = viewer.team or ""
            text = text_of(command.text)
            return [
                ControlMessagePosted(viewer.participant, team, text, viewer.staff, state.clock.sim_at(now))
            ]
        case c.WriteToTeam():
            require_not_ended(state)
            viewer = require_viewer(actor)
            if viewer.staff or viewer.team is None or command.to == viewer.team:
                raise Forbidden("direct messages go from one team to another")
            if not may_write(state, viewer.team, known_team(state, command.to)):
                raise Forbidden("this scenario has no informal channels: use an instrument")
            return [
                DirectMessagePosted(
                    viewer.participant,
                    viewer.team,
                    known_team(state, command.to),
                    text_of(command.text),
                    state.clock.sim_at(now),
                ),
                *_attached(state, viewer, command.attachments, command.to, state.clock.sim_at(now)),
            ]
        case c.WriteNote():
            viewer = require_viewer(actor)
            if not viewer.staff:
                raise Forbidden("notes are for mentors, observers and control")
            if command.team is not None:
                known_team(state, command.team)
            if command.about is not None and command.about < 1:
                raise InvalidArguments("about: the sequence number of an event")
            return [
                NoteWritten(
                    viewer.participant,
                    command.team,
                    command.about,
                    text_of(command.text),
                    state.clock.sim_at(now),
                )
            ]
        case c.PromptTeam():
            require_not_ended(state)
            viewer = require_role(actor, CONTROL | {StaffRole.MENTOR})
            return [
                MentorPrompted(
                    viewer.participant,
                    known_team(state, command.team),
                    text_of(command.text),
                    state.clock.sim_at(now),
                )
            ]
        case c.MakeAnnouncement():  # pragma: no branch (the last of the family)
            viewer = require_role(actor, CONTROL)
            require_not_ended(state)
            return [
                AnnouncementMade(
                    author=viewer.participant,
                    audience=audience_named(command.audience, _countries(state)),
                    text=text_of(command.text),
                    sim_time=state.clock.sim_at(now),
                )
            ]


def may_write(state: Exercise, team: str, to: str) -> bool:
    """Whether `team` may write to `to` directly: everywhere with `informal_channels`, and
    between units of one country with `unit_channels` (the default)."""
    scenario = state.scenario
    colleagues = state.teams[team].country == state.teams[to].country
    return scenario.informal_channels or (scenario.unit_channels and colleagues)


def _attached(
    state: Exercise,
    viewer: Viewer,
    items: tuple[str, ...],
    to: str,
    sim_now: float,
    *,
    within_team: bool = False,
) -> list[Event]:
    """The sharing that attaching case-file items to a message means, item by item."""
    events: list[Event] = []
    for item in dict.fromkeys(items):
        events.extend(share(state, viewer, item, to, "", sim_now, within_team=within_team))
    return events


def _countries(state: Exercise) -> dict[str, str]:
    return {team.id: team.country for team in state.teams.values()}
