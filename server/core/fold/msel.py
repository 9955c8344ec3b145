"""The MSEL as played: injects released, held, skipped, re-timed, edited, opened, acknowledged."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from server.core.audience import Viewer, can_see
from server.core.events import (
    InjectAcknowledged,
    InjectEdited,
    InjectHeld,
    InjectHoldLifted,
    InjectOpened,
    InjectReleased,
    InjectRetimed,
    InjectSkipped,
)
from server.core.exercise import Exercise
from server.core.fold import Handler
from server.core.injects import InjectRun, InjectStatus
from server.core.records import Release


def _changed(state: Exercise, inject: str, **changes: Any) -> Exercise:
    run = replace(state.injects[inject], **changes)
    return replace(state, injects=state.injects.set(inject, run))


def _released(state: Exercise, event: InjectReleased) -> Exercise:
    run = state.injects.get(event.inject) or InjectRun(
        id=event.inject,
        title=event.title,
        body=event.body,
        channel=event.channel,
        sender=event.sender,
        audience=event.audience,
        at=event.sim_time,
        adhoc=True,
    )
    online = frozenset(
        p.id
        for p in state.participants.values()
        if not p.staff and state.online(p.id) and can_see(Viewer(p.id, p.team, p.role, False), event.audience)
    )
    run = replace(
        run,
        title=event.title,
        body=event.body,
        audience=event.audience,  # worked out at release (`server.core.conditions`)
        status=InjectStatus.RELEASED,
        released_at=event.sim_time,
        released_seq=state.seq + 1,
        delivered=online,
    )
    releases = state.releases.extend(
        Release(a, event.audience, event.inject, event.sim_time) for a in event.releases
    )
    return replace(
        state,
        injects=state.injects.set(event.inject, run),
        releases=releases,
        released=state.released.append(event.inject),
    )


def _held(state: Exercise, event: InjectHeld) -> Exercise:
    return _changed(state, event.inject, status=InjectStatus.HELD)


def _hold_lifted(state: Exercise, event: InjectHoldLifted) -> Exercise:
    return _changed(state, event.inject, status=InjectStatus.PLANNED)


def _skipped(state: Exercise, event: InjectSkipped) -> Exercise:
    return _changed(state, event.inject, status=InjectStatus.SKIPPED)


def _retimed(state: Exercise, event: InjectRetimed) -> Exercise:
    return _changed(state, event.inject, at=event.at)


def _edited(state: Exercise, event: InjectEdited) -> Exercise:
    return _changed(state, event.inject, title=event.title, body=event.body)


def _opened(state: Exercise, event: InjectOpened) -> Exercise:
    run = state.injects[event.inject]
    return _changed(state, event.inject, opened=run.opened | {event.participant})


def _acknowledged(state: Exercise, event: InjectAcknowledged) -> Exercise:
    run = state.injects[event.inject]
    return _changed(
        state,
        event.inject,
        opened=run.opened | {event.participant},
        acknowledged=run.acknowledged | {event.participant},
    )


HANDLERS: dict[type, Handler] = {
    InjectReleased: _released,
    InjectHeld: _held,
    InjectHoldLifted: _hold_lifted,
    InjectSkipped: _skipped,
    InjectRetimed: _retimed,
    InjectEdited: _edited,
    InjectOpened: _opened,
    InjectAcknowledged: _acknowledged,
}
