"""Messages and announcements: each one joins the feed, under its thread (`server.core.feed`)."""

from __future__ import annotations

from dataclasses import replace

from server.core.audience import Audience
from server.core.events import (
    AnnouncementMade,
    ControlMessagePosted,
    DirectMessagePosted,
    MentorPrompted,
    MessagePosted,
)
from server.core.exercise import Exercise
from server.core.fold import Handler
from server.core.records import FeedItem


def _posted(state: Exercise, item: FeedItem) -> Exercise:
    return replace(state, feed=state.feed.add(item))


def _team(state: Exercise, event: MessagePosted) -> Exercise:
    return _posted(
        state,
        FeedItem(
            event.author,
            Audience.team(event.team),
            event.text,
            "team",
            state.seq + 1,
            event.team,
            sim_time=event.sim_time,
        ),
    )


def _announcement(state: Exercise, event: AnnouncementMade) -> Exercise:
    item = FeedItem(
        event.author, event.audience, event.text, "announcement", state.seq + 1, sim_time=event.sim_time
    )
    return _posted(state, item)


def _direct(state: Exercise, event: DirectMessagePosted) -> Exercise:
    audience = Audience.of(teams=[event.from_team, event.to_team])
    item = FeedItem(
        event.author,
        audience,
        event.text,
        "direct",
        state.seq + 1,
        event.from_team,
        event.to_team,
        event.sim_time,
    )
    return _posted(state, item)


def _control(state: Exercise, event: ControlMessagePosted) -> Exercise:
    item = FeedItem(
        event.author,
        Audience.team(event.team),
        event.text,
        "control",
        state.seq + 1,
        event.team,
        sim_time=event.sim_time,
    )
    return _posted(state, item)


def _prompt(state: Exercise, event: MentorPrompted) -> Exercise:
    item = FeedItem(
        event.author,
        Audience.team(event.team),
        event.text,
        "prompt",
        state.seq + 1,
        event.team,
        sim_time=event.sim_time,
    )
    return _posted(state, item)


HANDLERS: dict[type, Handler] = {
    MessagePosted: _team,
    AnnouncementMade: _announcement,
    DirectMessagePosted: _direct,
    ControlMessagePosted: _control,
    MentorPrompted: _prompt,
}
