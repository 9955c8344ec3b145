"""Commands: what an actor asks the exercise to do, named in the imperative.

Commands from clients arrive through the protocol (`server.protocol.commands` builds them
from wire arguments); the system commands (connections opening and closing) come from the
server's own adapters and no client can send them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from server.core.audience import Audience, Viewer


class System:
    """The server itself as an actor: connection bookkeeping, scheduling."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = System()

Actor = Viewer | System


@dataclass(frozen=True, slots=True)
class Command:
    pass


@dataclass(frozen=True, slots=True)
class MarkReady(Command):
    pass


@dataclass(frozen=True, slots=True)
class StartExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class PauseExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class ResumeExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class EndExercise(Command):
    pass


@dataclass(frozen=True, slots=True)
class SetClockSpeed(Command):
    speed: float


@dataclass(frozen=True, slots=True)
class JumpClock(Command):
    """Jump forward to simulated time `to`, or to the next morning when `to` is None."""

    to: float | None = None


@dataclass(frozen=True, slots=True)
class SkipClockJump(Command):
    """Skip one of the scenario's scheduled clock jumps (`clock.jumps`) before it is made."""

    jump: str


@dataclass(frozen=True, slots=True)
class RosterEntry:
    name: str
    team: str | None
    role: str
    code_hash: str


@dataclass(frozen=True, slots=True)
class AddParticipant(Command):
    entry: RosterEntry


@dataclass(frozen=True, slots=True)
class RevokeCredential(Command):
    participant: str


@dataclass(frozen=True, slots=True)
class ReissueCredential(Command):
    participant: str
    code_hash: str


@dataclass(frozen=True, slots=True)
class OpenConnection(Command):
    participant: str
    connection: str


@dataclass(frozen=True, slots=True)
class PreviewStation(Command):
    """See a participant's station exactly as they do, read-only (a `hello` with `preview`)."""

    participant: str


@dataclass(frozen=True, slots=True)
class CloseConnection(Command):
    participant: str
    connection: str


@dataclass(frozen=True, slots=True)
class CloseInstanceConnections(Command):
    """Close every connection held by a server instance that is gone (killed, crashed)."""

    instance: str


@dataclass(frozen=True, slots=True)
class PostMessage(Command):
    """Post to the author's team channel, with case-file items attached (shared with the team)."""

    text: str
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MakeAnnouncement(Command):
    audience: Audience
    text: str


@dataclass(frozen=True, slots=True)
class ReleaseInject(Command):
    """Release now (control), or because it is due (the scheduler, as SYSTEM)."""

    inject: str


@dataclass(frozen=True, slots=True)
class HoldInject(Command):
    inject: str


@dataclass(frozen=True, slots=True)
class LiftHold(Command):
    inject: str


@dataclass(frozen=True, slots=True)
class SkipInject(Command):
    inject: str


@dataclass(frozen=True, slots=True)
class RetimeInject(Command):
    inject: str
    at: float


@dataclass(frozen=True, slots=True)
class EditInject(Command):
    inject: str
    title: str | None = None
    body: str | None = None


@dataclass(frozen=True, slots=True)
class WriteInject(Command):
    """An ad-hoc inject, released at once to any audience."""

    title: str
    body: str
    audience: Audience
    channel: str = "document"


@dataclass(frozen=True, slots=True)
class OpenInject(Command):
    inject: str


@dataclass(frozen=True, slots=True)
class AcknowledgeInject(Command):
    inject: str


@dataclass(frozen=True, slots=True)
class Advance(Command):
    """The scheduler (SYSTEM): do what simulated time has made due (`server.core.schedule`)."""


@dataclass(frozen=True, slots=True)
class DraftRequest(Command):
    instrument: str
    to: str
    """The target team (country)."""
    fields: Mapping[str, Any]
    agency: str = ""
    urgent: bool = False
    spontaneous: bool = False
    subject: str = ""
    """The subject line, shown in lists and histories (the protocol requires one)."""
    send: bool = False
    """Draft and send at once: both or, when the send is refused, neither."""


@dataclass(frozen=True, slots=True)
class UpdateRequest(Command):
    request: str
    fields: Mapping[str, Any]
    urgent: bool | None = None
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class ValidateRequest(Command):
    request: str


@dataclass(frozen=True, slots=True)
class SendRequest(Command):
    request: str


@dataclass(frozen=True, slots=True)
class AcknowledgeRequest(Command):
    request: str


@dataclass(frozen=True, slots=True)
class AskClarification(Command):
    request: str
    text: str


@dataclass(frozen=True, slots=True)
class ClarifyRequest(Command):
    request: str
    text: str


@dataclass(frozen=True, slots=True)
class AmendRequest(Command):
    """After a question from the receiving side: change the sent request's fields (those given;
    null or "" empties one), with a note; the clarification loop closes."""

    request: str
    fields: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True, slots=True)
class GrantConsent(Command):
    """Consent to onward use of what this side passed on the request (`uses`: none, all the
    instrument allows)."""

    request: str
    uses: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class AnswerRequest(Command):
    """Answer (fully or in part). SimCell may answer `as_proposed` by the scenario's templates."""

    request: str
    text: str = ""
    partial: bool = False
    as_proposed: bool = False


@dataclass(frozen=True, slots=True)
class RefuseRequest(Command):
    request: str
    ground: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class WithdrawRequest(Command):
    request: str


@dataclass(frozen=True, slots=True)
class TakeAction(Command):
    """A decision from the scenario's list: refer to the NRM, arrange shelter, search ..."""

    action: str
    subject: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class PostToControl(Command):
    """A message on the channel between a team and control: a participant writes for their
    team; staff write to the team named."""

    text: str
    team: str | None = None


@dataclass(frozen=True, slots=True)
class PromptTeam(Command):
    """A mentor's prompt to a team."""

    team: str
    text: str


@dataclass(frozen=True, slots=True)
class ShareArtefact(Command):
    """Pass a case-file item to another team, directly or attached to a request."""

    artefact: str
    to: str
    request: str = ""


@dataclass(frozen=True, slots=True)
class SetCharacter(Command):
    """Control records how a role-played character reacted: trust, status, a note."""

    character: str
    trust: int | None = None
    status: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class WriteToTeam(Command):
    """A direct message to another team, where the scenario allows informal channels."""

    to: str
    text: str
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WriteNote(Command):
    """A mentor's or evaluator's note, on a team or an event, for the hot wash and the debrief."""

    text: str
    team: str | None = None
    about: int | None = None
    """The sequence number of the event the note is about."""


@dataclass(frozen=True, slots=True)
class RecordObservation(Command):
    """An evaluator's observation of a team against an objective (`server.core.evaluating`)."""

    team: str
    objective: str
    text: str
    rating: str = ""
    inject: str = ""
    request: str = ""


@dataclass(frozen=True, slots=True)
class EditObservation(Command):
    """Its author changes an observation's rating or text (None: unchanged)."""

    observation: str
    rating: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class WithdrawObservation(Command):
    observation: str


@dataclass(frozen=True, slots=True)
class OpenQuestionnaire(Command):
    questionnaire: str


@dataclass(frozen=True, slots=True)
class CloseQuestionnaire(Command):
    questionnaire: str


@dataclass(frozen=True, slots=True)
class GiveFeedback(Command):
    """A participant answers an open questionnaire: question id → a number (rating) or a text."""

    questionnaire: str
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RecordImprovement(Command):
    text: str
    owner: str
    due: str
    team: str | None = None
    objective: str | None = None


@dataclass(frozen=True, slots=True)
class EditImprovement(Command):
    """Change a recommendation (None: unchanged; "" clears the team or the objective)."""

    improvement: str
    text: str | None = None
    owner: str | None = None
    due: str | None = None
    team: str | None = None
    objective: str | None = None


@dataclass(frozen=True, slots=True)
class WithdrawImprovement(Command):
    improvement: str


EVALUATION_COMMANDS: tuple[type[Command], ...] = (
    RecordObservation,
    EditObservation,
    WithdrawObservation,
    OpenQuestionnaire,
    CloseQuestionnaire,
    GiveFeedback,
    RecordImprovement,
    EditImprovement,
    WithdrawImprovement,
)
"""The staff's record of the exercise and participants' feedback (`server.core.evaluating`)."""
