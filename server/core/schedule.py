"""What simulated time makes due: the scheduler's rules.

The server asks `next_wake` when to look again and, when that time has come, submits the
SYSTEM command `Advance`; `advance` then says what is due: inject releases (one after the
other, as a release may trigger the next) with their audiences worked out at release and their
effects on the case, deadline warnings of requests, SimCell answers that arrive later, and
artefacts an answer releases after a delay. Whatever instance submits it, compare-and-append
makes each of these happen once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from server.core.characters import reactions_to
from server.core.effects import as_released, effects_of, world_of
from server.core.events import ArtefactReleased, Event, InjectReleased, RequestAnswered, RequestDeadlineWarned
from server.core.injects import InjectRun, due, due_time
from server.core.local_time import jumps_due, next_jump_time
from server.core.requests import next_warning, stage_warnings_due
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


def outlook(state: Exercise, now: float) -> Outlook:
    """`is_due` and `next_wake` at once: each planned inject's due time is worked out once (the
    server asks both after every event; separately they walk the MSEL three times)."""
    sim_now = state.clock.sim_at(now)
    injects = _msel(state)
    morning, facts, world = state.scenario.clock.morning, state.facts, world_of(state)
    inject_due, later = False, None
    for run in injects.values():
        t = due_time(run, injects, sim_now, morning, facts, world)
        if t is None:
            continue
        if t <= sim_now:
            inject_due = True
        elif later is None or t < later:
            later = t
    times = [
        later,
        *(next_warning(request) for request in state.facts.in_flight.values()),
        *(r.scheduled.answer_at for r in state.facts.in_flight.values() if r.scheduled is not None),
        *(pending.sim_time for pending in state.pending),
        next_jump_time(state, now),
    ]
    found = [t for t in times if t is not None]
    wake = min(found) if found else None
    return Outlook(inject_due or (wake is not None and wake <= sim_now), wake)


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
