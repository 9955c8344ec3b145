"""What injects change in the case (artefacts degraded, destroyed, moved) and SimCell's answers
that arrive later or after ENDEX."""

from __future__ import annotations

from dataclasses import replace

from server.core.events import AnswerDeferred, AnswerScheduled, ArtefactChanged
from server.core.exercise import Exercise
from server.core.fold import Handler
from server.core.records import ArtefactState
from server.core.requests import RequestStatus, ScheduledAnswer, Step
from server.core.watch import watch_of


def _artefact(state: Exercise, event: ArtefactChanged) -> Exercise:
    now = ArtefactState(event.condition, event.note, event.location, event.inject, event.sim_time)
    return replace(state, artefact_states=state.artefact_states.set(event.artefact, now))


def _scheduled(state: Exercise, event: AnswerScheduled) -> Exercise:
    request = state.requests[event.request]
    on_its_way = ScheduledAnswer(event.by, event.text, event.partial, event.releases, event.answer_at)
    changed = replace(request, scheduled=on_its_way)
    return replace(
        state, requests=state.requests.set(request.id, changed), facts=state.facts.request_now(changed)
    )


def _deferred(state: Exercise, event: AnswerDeferred) -> Exercise:
    """Acknowledged (when it was only sent) with the text, and marked as answered after ENDEX."""
    request = state.requests[event.request]
    history = request.history
    status = request.status
    if status is RequestStatus.SENT:
        status = RequestStatus.ACKNOWLEDGED
    history = (*history, Step(status, event.by, event.sim_time, event.text))
    changed = replace(request, status=status, history=history, after_endex=True)
    facts = state.facts.request_moved(changed, status, event.sim_time, watch_of(state.scenario))
    facts = facts.request_now(changed)
    return replace(state, requests=state.requests.set(request.id, changed), facts=facts)


HANDLERS: dict[type, Handler] = {
    ArtefactChanged: _artefact,
    AnswerScheduled: _scheduled,
    AnswerDeferred: _deferred,
}
