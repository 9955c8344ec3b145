"""Random play: requests and injects under random commands by random actors, with time passing.

Invariants after every step:
- a request only ever moves along the lifecycle (no illegal transition is accepted);
- no event reaches a participant outside it: a request's events only its two teams (the
  receiving one only once sent, and never when SimCell plays it), an inject only its recipients;
- an inject is released at most once, never before it was due, never while held or skipped;
- a refused command writes nothing;
- every step of a request is shown signed (name, agency) as its event signed it.
"""

from __future__ import annotations

import dataclasses

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from server.core import commands as c
from server.core.audience import Viewer, can_see
from server.core.decide import create
from server.core.errors import DomainError
from server.core.events import Event, InjectReleased, RequestDrafted
from server.core.injects import InjectStatus
from server.core.requests import RequestStatus as S
from server.core.state import Exercise, Status
from server.core.view import snapshot
from server.core.visibility import audience
from tests.core.test_injects import INJECTS
from tests.core.test_requests import GOOD_EIO, REQUEST_SCENARIO
from tests.core.transcript import NOW, ROSTER, Run

SCENARIO = dataclasses.replace(REQUEST_SCENARIO, injects=(*REQUEST_SCENARIO.injects, *INJECTS))

LEGAL: dict[S, set[S]] = {
    S.DRAFT: {S.DRAFT, S.VALIDATED, S.SENT, S.WITHDRAWN},
    S.VALIDATED: {S.DRAFT, S.SENT, S.WITHDRAWN},
    S.SENT: {
        S.ACKNOWLEDGED,
        S.CLARIFICATION_REQUESTED,
        S.ANSWERED,
        S.PARTIALLY_ANSWERED,
        S.REFUSED,
        S.WITHDRAWN,
    },
    S.ACKNOWLEDGED: {S.CLARIFICATION_REQUESTED, S.ANSWERED, S.PARTIALLY_ANSWERED, S.REFUSED, S.WITHDRAWN},
    S.CLARIFICATION_REQUESTED: {
        S.CLARIFIED,
        S.CLARIFICATION_REQUESTED,
        S.ANSWERED,
        S.PARTIALLY_ANSWERED,
        S.REFUSED,
        S.WITHDRAWN,
    },
    S.CLARIFIED: {S.CLARIFICATION_REQUESTED, S.ANSWERED, S.PARTIALLY_ANSWERED, S.REFUSED, S.WITHDRAWN},
    S.ANSWERED: set(),
    S.PARTIALLY_ANSWERED: set(),
    S.REFUSED: set(),
    S.WITHDRAWN: set(),
}
NAMES = ["Anna", "Bas", "Carla", "Sam", "Dana", "Mia"]
GOOD: dict[str, dict[str, object]] = {
    "EIO": GOOD_EIO,
    "SIENA": {"question": "Who owns the account FR76 and the minibus VS-2211?"},
    "SPONT": {"information": "Minor found in the Brenna flat."},
}
FORMS = [
    GOOD_EIO,
    {"question": "Who owns the account FR76 and the minibus VS-2211?"},
    {"information": "Minor found in the Brenna flat."},
    {"facts": "short"},
    {},
]


class PlayMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.run = Run(create(SCENARIO, "EX1", "", ROSTER, NOW), NOW)
        dana = self.run.viewer("Dana")
        self.run.do(c.MarkReady(), dana)
        self.run.do(c.SetClockSpeed(60.0), dana)
        self.run.do(c.StartExercise(), dana, at=NOW + 1)
        self.checked = len(self.run.log)

    def _try(self, command: c.Command, actor: c.Actor) -> None:
        before: Exercise = self.run.state
        statuses = {r.id: r.status for r in before.requests.values()}
        try:
            self.run.do(command, actor)
        except DomainError:
            assert self.run.state is before  # refused: nothing written
            return
        for request in self.run.state.requests.values():
            old = statuses.get(request.id)
            if old is not None and request.status is not old:
                assert request.status in LEGAL[old], (old, request.status, command)

    @rule(
        name=st.sampled_from(NAMES),
        instrument=st.sampled_from(["EIO", "SIENA", "SPONT"]),
        to=st.sampled_from(["nl", "be", "fr"]),
        good=st.integers(0, 3),
        form=st.sampled_from(FORMS),
        urgent=st.booleans(),
    )
    def draft(
        self, name: str, instrument: str, to: str, good: int, form: dict[str, object], urgent: bool
    ) -> None:
        filled = GOOD[instrument] if good else form  # mostly a complete form, sometimes anything
        self._try(
            c.DraftRequest(instrument, to, filled, urgent=urgent, spontaneous=instrument == "SPONT"),
            self.run.viewer(name),
        )

    @precondition(lambda self: bool(self.run.state.requests))
    @rule(
        name=st.sampled_from(NAMES),
        data=st.data(),
        which=st.sampled_from(
            [
                "validate",
                "send",
                "acknowledge",
                "ask",
                "clarify",
                "answer",
                "partial",
                "proposed",
                "refuse",
                "withdraw",
            ]
        ),
    )
    def act_on_request(self, name: str, data: st.DataObject, which: str) -> None:
        request = data.draw(st.sampled_from(sorted(self.run.state.requests)))
        command: c.Command = {
            "validate": c.ValidateRequest(request),
            "send": c.SendRequest(request),
            "acknowledge": c.AcknowledgeRequest(request),
            "ask": c.AskClarification(request, "Which account?"),
            "clarify": c.ClarifyRequest(request, "FR76 ..."),
            "answer": c.AnswerRequest(request, "Done."),
            "partial": c.AnswerRequest(request, "Part.", partial=True),
            "proposed": c.AnswerRequest(request, as_proposed=True),
            "refuse": c.RefuseRequest(
                request, data.draw(st.sampled_from(["not_available", "ne_bis_in_idem", "x"]))
            ),
            "withdraw": c.WithdrawRequest(request),
        }[which]
        self._try(command, self.run.viewer(name))

    @rule(
        name=st.sampled_from(NAMES),
        inject=st.sampled_from([i.id for i in SCENARIO.injects]),
        which=st.sampled_from(["release", "hold", "lift", "skip", "open", "ack"]),
    )
    def act_on_inject(self, name: str, inject: str, which: str) -> None:
        command: c.Command = {
            "release": c.ReleaseInject(inject),
            "hold": c.HoldInject(inject),
            "lift": c.LiftHold(inject),
            "skip": c.SkipInject(inject),
            "open": c.OpenInject(inject),
            "ack": c.AcknowledgeInject(inject),
        }[which]
        self._try(command, self.run.viewer(name))

    @precondition(lambda self: bool(self.run.state.requests))
    @rule(data=st.data(), which=st.sampled_from(["validate", "send", "send", "withdraw", "clarify"]))
    def requester_acts(self, data: st.DataObject, which: str) -> None:
        """The likely actor: someone of the requesting team (validation by its prosecutor)."""
        request = self.run.state.requests[data.draw(st.sampled_from(sorted(self.run.state.requests)))]
        name = {"nl": ["Anna", "Bas"], "be": ["Carla"]}[request.source_team]
        command: c.Command = {
            "validate": c.ValidateRequest(request.id),
            "send": c.SendRequest(request.id),
            "withdraw": c.WithdrawRequest(request.id),
            "clarify": c.ClarifyRequest(request.id, "More detail."),
        }[which]
        self._try(command, self.run.viewer(data.draw(st.sampled_from(name))))

    @precondition(lambda self: any(r.sent for r in self.run.state.requests.values()))
    @rule(
        data=st.data(),
        which=st.sampled_from(["acknowledge", "ask", "answer", "partial", "proposed", "refuse"]),
    )
    def receiver_acts(self, data: st.DataObject, which: str) -> None:
        """The likely actor: the receiving team, or SimCell."""
        sent = sorted(r.id for r in self.run.state.requests.values() if r.sent)
        request = self.run.state.requests[data.draw(st.sampled_from(sent))]
        name = "Sam" if request.simcell else {"nl": "Bas", "be": "Carla", "fr": "Sam"}[request.target_team]
        command: c.Command = {
            "acknowledge": c.AcknowledgeRequest(request.id),
            "ask": c.AskClarification(request.id, "Which account?"),
            "answer": c.AnswerRequest(request.id, "Done."),
            "partial": c.AnswerRequest(request.id, "Part.", partial=True),
            "proposed": c.AnswerRequest(request.id, as_proposed=True),
            "refuse": c.RefuseRequest(
                request.id, data.draw(st.sampled_from(["not_available", "ne_bis_in_idem"]))
            ),
        }[which]
        self._try(command, self.run.viewer(name))

    @rule(minutes=st.integers(min_value=0, max_value=600))
    def time_passes(self, minutes: int) -> None:
        self.run.now += minutes  # at 60x: a wall second is a simulated minute
        self._try(c.Advance(), c.SYSTEM)

    @rule(pause=st.booleans())
    def pause_or_resume(self, pause: bool) -> None:
        dana = self.run.viewer("Dana")
        self._try(c.PauseExercise() if pause else c.ResumeExercise(), dana)

    @invariant()
    def events_reach_only_their_people(self) -> None:
        state = self.run.state
        viewers = [Viewer(p.id, p.team, p.role, False) for p in state.participants.values() if not p.staff]
        for event in self.run.log[self.checked :]:
            seen_by = audience(state, event)
            for viewer in viewers:
                if can_see(viewer, seen_by):
                    assert _may_reach(state, event, viewer), (event, viewer)
        self.checked = len(self.run.log)

    @invariant()
    def injects_are_released_once_and_not_early(self) -> None:
        released = [e for e in self.run.log if isinstance(e, InjectReleased)]
        ids = [e.inject for e in released]
        assert len(ids) == len(set(ids))
        for event in released:
            run = self.run.state.injects[event.inject]
            assert run.status is InjectStatus.RELEASED
            if event.reason == "time" and run.at is not None:
                assert event.sim_time >= run.at or event.sim_time == run.released_at

    @invariant()
    def every_step_is_shown_signed_as_its_event_signed_it(self) -> None:
        # Who took a step, as the other country knows them: the snapshot says what the event said.
        told: dict[str, list[tuple[str, str]]] = {}
        for event in self.run.log:
            if isinstance(event, RequestDrafted):
                told[event.request] = [(event.author_name, event.author_agency)]
            elif hasattr(event, "by_name"):
                told[event.request].append((event.by_name, event.by_agency))  # type: ignore[attr-defined]
        shown = snapshot(self.run.state, self.run.viewer("Dana"))["requests"]  # bounded: not all
        assert shown or not told
        for request in shown:
            assert [(s["by_name"], s["by_agency"]) for s in request["history"]] == told[request["id"]]

    @invariant()
    def the_scheduler_never_works_while_paused(self) -> None:
        if self.run.state.status is not Status.RUNNING:
            assert self.run.state.status in (Status.PAUSED, Status.RUNNING)


def _may_reach(state: Exercise, event: Event, viewer: Viewer) -> bool:
    """An independent statement of who may receive `event` (not the server's audience code)."""
    request_id = getattr(event, "request", None)
    if request_id is not None:
        request = state.requests[request_id]
        if viewer.team == request.source_team:
            return True
        return viewer.team == request.target_team and request.sent and not request.simcell
    if isinstance(event, InjectReleased):
        spec = next((i for i in SCENARIO.injects if i.id == event.inject), None)
        if spec is None or spec.audience.everyone:
            return True
        return any(
            r.team in (None, viewer.team) and (not r.roles or viewer.role in r.roles)
            for r in spec.audience.recipients
        )
    participant = getattr(event, "participant", None)
    if participant is not None and event.kind.startswith("inject."):
        return participant == viewer.participant
    return True  # exercise life, presence and messages are covered by test_exercise_machine


PlayMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=50, deadline=None)
TestPlayMachine = PlayMachine.TestCase
