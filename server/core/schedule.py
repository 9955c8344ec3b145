"""What simulated time makes due: the scheduler's rules.

The server asks `next_wake` when to look again and, when that time has come, submits the
SYSTEM command `Advance`; `advance` then says what is due: inject releases (one after the
other, as a release may trigger the next) with their audiences worked out at release and their
effects on the case, deadline warnings of requests, SimCell answers that arrive later, and
artefacts an answer releases after a delay. Whatever instance submits it, compare-and-append
makes each of these happen once.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from server.core.characters import reactions_to
from server.core.conditions import World
from server.core.effects import as_released, effects_of, world_of
from server.core.events import ArtefactReleased, Event, InjectReleased, RequestAnswered, RequestDeadlineWarned
from server.core.facts import Facts
from server.core.injects import InjectRun, InjectStatus, due, due_time, earliest
from server.core.local_time import jumps_due, next_jump_time
from server.core.requests import next_warning, stage_warnings_due
from server.core.scenario import Trigger, TriggerKind
from server.core.signatures import signature
from server.core.state import Exercise, apply


def advance(state: Exercise, now: float) -> list[Event]:
    sim_now = state.clock.sim_at(now)
    morning = state.scenario.clock.morning
    events: list[Event] = []
    while found := due(_msel(state), sim_now, morning, state.facts, world_of(state)):  # a release may
        run = state.injects[found[0]]  # make another inject due; each releases a planned one, so it ends
        planned = due_time(run, _msel(state), sim_now, morning, state.facts, world_of(state))
        release = InjectReleased(
            inject=run.id,
            title=run.title,
            body=run.body,
            channel=run.channel,
            sender=run.sender,
            audience=run.audience,
            releases=run.releases,
            sim_time=sim_now if planned is None else planned,
            reason="trigger" if run.trigger is not None else "time",
        )
        release = as_released(state, release, sim_now)
        state = apply(state, release)
        events.append(release)
        for changed in [*reactions_to(state, run.id), *effects_of(state, run.id, release.sim_time)]:
            state = apply(state, changed)
            events.append(changed)
    for request in list(state.facts.in_flight.values()):
        for stage_due, warning in stage_warnings_due(request, sim_now):
            events.append(
                RequestDeadlineWarned(request.id, warning, stage_due.due_at, sim_now, stage_due.stage)
            )
        answer = request.scheduled
        if answer is not None and answer.answer_at <= sim_now:  # what it releases comes with it
            at, signed = answer.answer_at, signature(state, request, answer.by)
            answered = RequestAnswered(
                request.id, answer.by, answer.text, answer.partial, answer.releases, at, at
            )
            answered = replace(answered, by_name=signed.name, by_agency=signed.agency)
            state = apply(state, answered)
            events.append(answered)
    for pending in state.pending:
        if pending.sim_time <= sim_now:
            events.append(
                ArtefactReleased(pending.artefact, pending.audience, pending.source, pending.sim_time)
            )
    if not events:  # a scheduled jump once what was due before it is out (the next advance goes on)
        events.extend(jumps_due(state, now))
    return events


@dataclass(frozen=True, slots=True)
class Outlook:
    """What the scheduler needs to know at one instant, worked out in one walk of the MSEL."""

    due: bool
    """Whether `advance` would do something now (`is_due`)."""
    wake: float | None
    """The simulated time of the next thing due, if any (`next_wake`)."""


@dataclass(slots=True)
class OutlookMemo:
    """What `outlook` worked out last that does not depend on the time of the look, and for
    which parts of the state (by identity: the state is immutable, so an unchanged part is the
    same object). The server keeps one per exercise; most events (messages, presence, notes)
    change none of these parts, so most looks reuse it instead of walking the MSEL again."""

    parts: tuple[object, ...] = ()
    injects: object = None
    """The state's injects when this was worked out, and what of them a due time reads
    (`_msel_signature`): an acknowledgement changes the injects but not the signature."""
    signature: tuple[object, ...] = ()
    inject_times: tuple[float, ...] = ()
    """The due times, sorted, of the planned injects whose due time does not move with the clock."""
    clocked: tuple[str, ...] = ()
    """The planned injects whose due time does (a `not` condition holds until its part happens)."""
    flips: dict[str, tuple[float, ...] | None] = field(default_factory=dict)
    """For each of those, when a `not` condition in it may stop holding (the times its parts
    happen; None: one `not` within another, not worked out)."""
    clocked_due: dict[str, tuple[float, float, float | None]] = field(default_factory=dict)
    """For each of those, its due time as last looked at, and from and until what simulated time
    it stays so (the next flip)."""
    requests_wake: float | None = None
    """The earliest deadline warning or scheduled answer of the requests in flight."""


def outlook(state: Exercise, now: float, memo: OutlookMemo | None = None) -> Outlook:
    """`is_due` and `next_wake` at once: each planned inject's due time is worked out once (the
    server asks both after every batch of events; separately they walk the MSEL three times).
    With a `memo`, what the last look found is reused for the parts of the state that did not
    change since (`tests/core/test_schedule_outlook.py`: the same answers with and without)."""
    sim_now = state.clock.sim_at(now)
    parts = (state.scenario, state.facts, state.characters, state.teams)
    if (
        memo is None
        or len(memo.parts) != len(parts)
        or any(a is not b for a, b in zip(memo.parts, parts, strict=True))
        or not _same_msel(memo, state)
    ):
        memo = _remember(memo or OutlookMemo(), parts, state, sim_now)
    times = memo.inject_times
    inject_due = bool(times) and times[0] <= sim_now
    later = times[index] if (index := bisect_right(times, sim_now)) < len(times) else None
    for inject in memo.clocked:
        t = _clocked_due(memo, inject, state, sim_now)
        if t is None:
            continue
        if t <= sim_now:
            inject_due = True
        elif later is None or t < later:
            later = t
    found = [
        t
        for t in (later, memo.requests_wake, *(p.sim_time for p in state.pending), next_jump_time(state, now))
        if t is not None
    ]
    wake = min(found) if found else None
    return Outlook(inject_due or (wake is not None and wake <= sim_now), wake)


def _remember(memo: OutlookMemo, parts: tuple[object, ...], state: Exercise, sim_now: float) -> OutlookMemo:
    """Work out afresh what `OutlookMemo` keeps, for these parts of the state."""
    injects = _msel(state)
    morning, facts, world = state.scenario.clock.morning, state.facts, world_of(state)
    times: list[float] = []
    clocked: list[str] = []
    memo.flips, memo.clocked_due = {}, {}
    for inject, run in injects.items():
        if run.status is not InjectStatus.PLANNED:
            continue
        if run.trigger is not None and _reads_the_clock(run.trigger):
            clocked.append(inject)
            memo.flips[inject] = _flips(run.trigger, injects, morning, facts, world)
        elif (t := due_time(run, injects, sim_now, morning, facts, world)) is not None:
            times.append(t)
    requests = [
        *(next_warning(request) for request in facts.in_flight.values()),
        *(r.scheduled.answer_at for r in facts.in_flight.values() if r.scheduled is not None),
    ]
    memo.parts = parts
    memo.injects, memo.signature = state.injects, _msel_signature(state)
    memo.inject_times = tuple(sorted(times))
    memo.clocked = tuple(clocked)
    memo.requests_wake = min((t for t in requests if t is not None), default=None)
    return memo


def _msel_signature(state: Exercise) -> tuple[object, ...]:
    """What a due time reads of the scenario's injects: each planned one (itself: by identity,
    as control may edit it) and when each other one was released (for `inject` conditions)."""
    return tuple(
        run if run.status is InjectStatus.PLANNED else (run.status, run.released_at)
        for run in _msel(state).values()
    )


def _same_msel(memo: OutlookMemo, state: Exercise) -> bool:
    """Whether the injects read the same as when `memo` was worked out (and remember them if so)."""
    if memo.injects is state.injects:
        return True
    signature = _msel_signature(state)
    if len(signature) != len(memo.signature) or any(
        a is not b and (type(a) is not tuple or a != b)
        for a, b in zip(signature, memo.signature, strict=True)
    ):
        return False
    memo.injects = state.injects
    return True


def _clocked_due(memo: OutlookMemo, inject: str, state: Exercise, sim_now: float) -> float | None:
    """The due time of a planned inject with a `not` condition: as last worked out while no
    condition in it can have flipped since, else afresh."""
    known = memo.clocked_due.get(inject)
    if known is not None and known[0] <= sim_now < known[1]:
        return known[2]
    injects = _msel(state)
    due = due_time(
        injects[inject], injects, sim_now, state.scenario.clock.morning, state.facts, world_of(state)
    )
    flips = memo.flips.get(inject)
    if flips is not None:
        until = next((t for t in flips if t > sim_now), math.inf)
        memo.clocked_due[inject] = (sim_now, until, due)
    return due


def _flips(
    trigger: Trigger, injects: Mapping[str, InjectRun], morning: int, facts: Facts, world: World
) -> tuple[float, ...] | None:
    """When the `not` conditions in `trigger` may flip, for any team: `not X` holds while X has
    not happened by the time of the look, so only the times at which X happens (for the whole
    exercise or for a team) can change it. None when a `not` holds another (its part then
    depends on the time of the look itself)."""
    times: list[float] = []
    for team in (None, *world.teams):
        if not _not_parts(trigger, injects, morning, facts, world, team, times):
            return None
    return tuple(sorted(set(times)))


def _not_parts(
    trigger: Trigger,
    injects: Mapping[str, InjectRun],
    morning: int,
    facts: Facts,
    world: World,
    team: str | None,
    times: list[float],
) -> bool:
    if trigger.kind is not TriggerKind.NOT:
        return all(_not_parts(child, injects, morning, facts, world, team, times) for child in trigger.of)
    for part in trigger.of[:1]:
        if _reads_the_clock(part):
            return False
        if (t := earliest(part, injects, 0.0, morning, facts, team, world)) is not None:
            times.append(t)
    return True


def _reads_the_clock(trigger: Trigger) -> bool:
    """Whether `earliest` reads the time of the look for this trigger (only `not` does)."""
    return trigger.kind is TriggerKind.NOT or any(_reads_the_clock(child) for child in trigger.of)


def next_wake(state: Exercise, now: float) -> float | None:
    """The simulated time of the next thing due, if any; `advance` is due when it has passed."""
    return outlook(state, now).wake


def is_due(state: Exercise, now: float) -> bool:
    """Whether `advance` would do something now."""
    return outlook(state, now).due


def _msel(state: Exercise) -> dict[str, InjectRun]:
    """The scenario's injects as played: the only ones that can be planned (ad-hoc injects are
    released as they are written), so the scheduler never walks the ad-hoc ones of a long course."""
    return {inject.id: state.injects[inject.id] for inject in state.scenario.injects}
