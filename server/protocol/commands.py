"""From a `cmd` frame's name and args to a core command, with errors that say which arg.

Each command name maps to a `CommandSpec`: how to build the core command from args, and
what the reply's `result` holds. Wrong or missing args raise `ArgumentError`, answered
with the `invalid_args` code and a message such as "args.speed: expected a number".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from server.core import commands as c
from server.core.audience import Audience
from server.core.events import (
    CredentialIssued,
    Event,
    ImprovementRecorded,
    ObservationRecorded,
    ParticipantAdded,
    RequestDrafted,
)
from server.core.simtime import parse_sim_time

PING = "ping"
"""The heartbeat: answered at once by the session, never a core command (docs/protocol.md)."""
CATALOGUE = "catalogue"
"""A read: the scenario's catalogue and its tag, for a client whose welcome left it out."""


class ArgumentError(ValueError):
    """A command's args are missing or of the wrong type."""


@dataclass(frozen=True, slots=True)
class NewCode:
    """A freshly generated join code and its stored hash, for commands that issue one."""

    code: str
    hash: str


Build = Callable[[dict[str, Any], NewCode], c.Command]
Result = Callable[[Sequence[Event], NewCode], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    build: Build
    result: Result
    summary: str
    issues_code: bool = False
    """The command hands out a new join code (its hash must be indexed first)."""


def _no_result(events: Sequence[Event], code: NewCode) -> dict[str, Any]:
    return {}


def _issued_code(events: Sequence[Event], code: NewCode) -> dict[str, Any]:
    for event in events:
        if isinstance(event, ParticipantAdded | CredentialIssued):
            return {"participant": event.participant, "code": code.code}
    return {}  # pragma: no cover - both commands always yield such an event


def _string(args: dict[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = args.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ArgumentError(f"args.{key}: expected a string")
    return value


def _required(args: dict[str, Any], key: str) -> str:
    value = _string(args, key)
    assert value is not None
    return value


def _number(args: dict[str, Any], key: str) -> float:
    value = args.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ArgumentError(f"args.{key}: expected a number")
    try:
        return float(value)
    except OverflowError:  # an integer beyond float range
        raise ArgumentError(f"args.{key}: number out of range") from None


def _strings(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ArgumentError(f"args.audience.{key}: expected a list of strings")
    return value


def _jump(args: dict[str, Any], code: NewCode) -> c.JumpClock:
    return c.JumpClock(None if args.get("to") is None else _sim_time(args, "to"))


def _sim_time(args: dict[str, Any], key: str) -> float:
    """A simulated time: "D2 08:30", or seconds since D1 00:00."""
    value = args.get(key)
    if isinstance(value, str):
        try:
            return float(parse_sim_time(value))
        except (ValueError, OverflowError) as error:  # OverflowError: a day beyond float range
            raise ArgumentError(f"args.{key}: {error}") from None
    return _number(args, key)


def _audience(args: dict[str, Any]) -> Audience:
    raw = args.get("audience")
    if not isinstance(raw, dict):
        raise ArgumentError("args.audience: expected a map {everyone, teams, roles, participants}")
    everyone = raw.get("everyone", False)
    if not isinstance(everyone, bool):
        raise ArgumentError("args.audience.everyone: expected true or false")
    return Audience.of(
        everyone=everyone,
        teams=_strings(raw.get("teams"), "teams"),
        roles=_strings(raw.get("roles"), "roles"),
        participants=_strings(raw.get("participants"), "participants"),
        team_roles=_strings(raw.get("team_roles"), "team_roles"),
    )


def _announcement(args: dict[str, Any], code: NewCode) -> c.MakeAnnouncement:
    return c.MakeAnnouncement(_audience(args), _required(args, "text"))


def _write_inject(args: dict[str, Any], code: NewCode) -> c.WriteInject:
    channel = _string(args, "channel", optional=True) or "document"
    return c.WriteInject(_required(args, "title"), _required(args, "body"), _audience(args), channel)


def _edit_inject(args: dict[str, Any], code: NewCode) -> c.EditInject:
    return c.EditInject(
        _required(args, "inject"), _string(args, "title", optional=True), _string(args, "body", optional=True)
    )


def _flag(args: dict[str, Any], key: str) -> bool:
    value = args.get(key, False)
    if not isinstance(value, bool):
        raise ArgumentError(f"args.{key}: expected true or false")
    return value


def _form(args: dict[str, Any]) -> dict[str, Any]:
    fields = args.get("fields", {})
    if not isinstance(fields, dict):
        raise ArgumentError("args.fields: expected a map of the instrument's fields")
    return fields


def _draft_request(args: dict[str, Any], code: NewCode) -> c.DraftRequest:
    return c.DraftRequest(
        instrument=_required(args, "instrument"),
        to=_required(args, "to"),
        fields=_form(args),
        agency=_string(args, "agency", optional=True) or "",
        urgent=_flag(args, "urgent"),
        spontaneous=_flag(args, "spontaneous"),
        subject=_subject(args),
        send=_flag(args, "send"),
    )


def _subject(args: dict[str, Any]) -> str:
    """A request's subject line: required, not blank."""
    subject = _string(args, "subject")
    assert subject is not None
    if not subject.strip():
        raise ArgumentError("args.subject: a request needs a subject line")
    return subject


def _update_request(args: dict[str, Any], code: NewCode) -> c.UpdateRequest:
    urgent = None if args.get("urgent") is None else _flag(args, "urgent")
    subject = None if args.get("subject") is None else _subject(args)
    return c.UpdateRequest(_required(args, "request"), _form(args), urgent, subject)


def _amend_request(args: dict[str, Any], code: NewCode) -> c.AmendRequest:
    return c.AmendRequest(_required(args, "request"), _form(args), _string(args, "note", optional=True) or "")


def _grant_consent(args: dict[str, Any], code: NewCode) -> c.GrantConsent:
    uses = args.get("uses") or []
    if not isinstance(uses, list) or not all(isinstance(use, str) for use in uses):
        raise ArgumentError("args.uses: expected a list of uses (evidence, onward)")
    return c.GrantConsent(_required(args, "request"), tuple(uses), _string(args, "note", optional=True) or "")


def _answer_request(args: dict[str, Any], code: NewCode) -> c.AnswerRequest:
    as_proposed = _flag(args, "as_proposed")
    text = _string(args, "text", optional=as_proposed) or ""
    return c.AnswerRequest(_required(args, "request"), text, _flag(args, "partial"), as_proposed)


def _drafted(events: Sequence[Event], code: NewCode) -> dict[str, Any]:
    return {"request": next(e.request for e in events if isinstance(e, RequestDrafted))}


def _set_character(args: dict[str, Any], code: NewCode) -> c.SetCharacter:
    trust = args.get("trust")
    if trust is not None and (not isinstance(trust, int) or isinstance(trust, bool)):
        raise ArgumentError("args.trust: expected a whole number")
    return c.SetCharacter(
        _required(args, "character"),
        trust,
        _string(args, "status", optional=True),
        _string(args, "note", optional=True) or "",
    )


def _write_note(args: dict[str, Any], code: NewCode) -> c.WriteNote:
    about = args.get("about")
    if about is not None and (not isinstance(about, int) or isinstance(about, bool)):
        raise ArgumentError("args.about: expected the seq of an event")
    return c.WriteNote(_required(args, "text"), _string(args, "team", optional=True), about)


def _items(args: dict[str, Any]) -> tuple[str, ...]:
    """`attachments`: case-file item ids, at most 20."""
    value = args.get("attachments", [])
    if not isinstance(value, list) or len(value) > 20 or not all(isinstance(item, str) for item in value):
        raise ArgumentError("args.attachments: expected a list of at most 20 item ids")
    return tuple(value)


def _on_request(command: Callable[[str], c.Command]) -> Build:
    """A command that names one request: `{request}`."""
    return lambda args, code: command(_required(args, "request"))


def _on_inject(command: Callable[[str], c.Command]) -> Build:
    """A command that names one inject: `{inject}`."""
    return lambda args, code: command(_required(args, "inject"))


def _roster_add(args: dict[str, Any], code: NewCode) -> c.AddParticipant:
    entry = c.RosterEntry(
        name=_required(args, "name"),
        team=_string(args, "team", optional=True),
        role=_required(args, "role"),
        code_hash=code.hash,
    )
    return c.AddParticipant(entry)


# -- evaluation (server.core.evaluating) -------------------------------------------------


def _record_observation(args: dict[str, Any], code: NewCode) -> c.RecordObservation:
    return c.RecordObservation(
        team=_required(args, "team"),
        objective=_required(args, "objective"),
        text=_required(args, "text"),
        rating=_string(args, "rating", optional=True) or "",
        inject=_string(args, "inject", optional=True) or "",
        request=_string(args, "request", optional=True) or "",
    )


def _edit_observation(args: dict[str, Any], code: NewCode) -> c.EditObservation:
    return c.EditObservation(
        _required(args, "observation"),
        _string(args, "rating", optional=True),
        _string(args, "text", optional=True),
    )


def _give_feedback(args: dict[str, Any], code: NewCode) -> c.GiveFeedback:
    answers = args.get("answers")
    if not isinstance(answers, dict) or len(answers) > 100:
        raise ArgumentError("args.answers: expected a map of question id to answer (a number or a text)")
    for key, value in answers.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise ArgumentError(f"args.answers.{key}: expected a whole number or a text")
    return c.GiveFeedback(_required(args, "questionnaire"), answers)


def _record_improvement(args: dict[str, Any], code: NewCode) -> c.RecordImprovement:
    return c.RecordImprovement(
        text=_required(args, "text"),
        owner=_required(args, "owner"),
        due=_required(args, "due"),
        team=_string(args, "team", optional=True) or None,
        objective=_string(args, "objective", optional=True) or None,
    )


def _edit_improvement(args: dict[str, Any], code: NewCode) -> c.EditImprovement:
    return c.EditImprovement(
        _required(args, "improvement"),
        *(_string(args, key, optional=True) for key in ("text", "owner", "due", "team", "objective")),
    )


def _recorded_id(events: Sequence[Event], code: NewCode) -> dict[str, Any]:
    for event in events:
        if isinstance(event, ObservationRecorded):
            return {"observation": event.observation}
        if isinstance(event, ImprovementRecorded):
            return {"improvement": event.improvement}
    return {}


EVALUATION: dict[str, CommandSpec] = {
    "observation.record": CommandSpec(_record_observation, _recorded_id, "an evaluator's rated observation"),
    "observation.edit": CommandSpec(_edit_observation, _no_result, "change one's observation"),
    "observation.withdraw": CommandSpec(
        lambda a, k: c.WithdrawObservation(_required(a, "observation")),
        _no_result,
        "withdraw one's observation",
    ),
    "questionnaire.open": CommandSpec(
        lambda a, k: c.OpenQuestionnaire(_required(a, "questionnaire")), _no_result, "open a questionnaire"
    ),
    "questionnaire.close": CommandSpec(
        lambda a, k: c.CloseQuestionnaire(_required(a, "questionnaire")), _no_result, "close a questionnaire"
    ),
    "feedback.give": CommandSpec(_give_feedback, _no_result, "answer an open questionnaire"),
    "improvement.record": CommandSpec(_record_improvement, _recorded_id, "add to the improvement plan"),
    "improvement.edit": CommandSpec(_edit_improvement, _no_result, "change a recommendation"),
    "improvement.withdraw": CommandSpec(
        lambda a, k: c.WithdrawImprovement(_required(a, "improvement")),
        _no_result,
        "withdraw a recommendation",
    ),
}


COMMANDS: dict[str, CommandSpec] = {
    "exercise.ready": CommandSpec(lambda a, k: c.MarkReady(), _no_result, "draft → ready"),
    "exercise.start": CommandSpec(lambda a, k: c.StartExercise(), _no_result, "ready → running"),
    "exercise.pause": CommandSpec(lambda a, k: c.PauseExercise(), _no_result, "running → paused"),
    "exercise.resume": CommandSpec(lambda a, k: c.ResumeExercise(), _no_result, "paused → running"),
    "exercise.end": CommandSpec(lambda a, k: c.EndExercise(), _no_result, "→ ended (director)"),
    "clock.speed": CommandSpec(
        lambda a, k: c.SetClockSpeed(_number(a, "speed")), _no_result, "set the speed factor"
    ),
    "clock.jump": CommandSpec(_jump, _no_result, "jump forward (to, or next morning)"),
    "clock.skip_jump": CommandSpec(
        lambda a, k: c.SkipClockJump(_required(a, "jump")), _no_result, "skip a scheduled clock jump"
    ),
    "roster.add": CommandSpec(_roster_add, _issued_code, "add a participant", issues_code=True),
    "credential.revoke": CommandSpec(
        lambda a, k: c.RevokeCredential(_required(a, "participant")),
        _no_result,
        "revoke a join code",
    ),
    "credential.reissue": CommandSpec(
        lambda a, k: c.ReissueCredential(_required(a, "participant"), k.hash),
        _issued_code,
        "issue a new join code (the old one stops working)",
        issues_code=True,
    ),
    "message.post": CommandSpec(
        lambda a, k: c.PostMessage(_required(a, "text"), _items(a)), _no_result, "post to the team channel"
    ),
    "announcement.make": CommandSpec(_announcement, _no_result, "announce to an audience"),
    "inject.release": CommandSpec(_on_inject(c.ReleaseInject), _no_result, "release an inject now"),
    "inject.hold": CommandSpec(_on_inject(c.HoldInject), _no_result, "hold a planned inject"),
    "inject.lift_hold": CommandSpec(_on_inject(c.LiftHold), _no_result, "plan a held inject again"),
    "inject.skip": CommandSpec(_on_inject(c.SkipInject), _no_result, "skip an inject"),
    "inject.retime": CommandSpec(
        lambda a, k: c.RetimeInject(_required(a, "inject"), _sim_time(a, "at")),
        _no_result,
        "re-time an inject",
    ),
    "inject.edit": CommandSpec(_edit_inject, _no_result, "edit an inject before its release"),
    "inject.write": CommandSpec(_write_inject, _no_result, "write and release an ad-hoc inject"),
    "inject.open": CommandSpec(_on_inject(c.OpenInject), _no_result, "mark an inject opened"),
    "inject.acknowledge": CommandSpec(_on_inject(c.AcknowledgeInject), _no_result, "acknowledge an inject"),
    "request.draft": CommandSpec(_draft_request, _drafted, "draft a cross-border request"),
    "request.update": CommandSpec(_update_request, _no_result, "change a draft's fields"),
    "request.validate": CommandSpec(_on_request(c.ValidateRequest), _no_result, "co-sign a draft"),
    "request.send": CommandSpec(_on_request(c.SendRequest), _no_result, "send a request"),
    "request.acknowledge": CommandSpec(_on_request(c.AcknowledgeRequest), _no_result, "acknowledge receipt"),
    "request.ask_clarification": CommandSpec(
        lambda a, k: c.AskClarification(_required(a, "request"), _required(a, "text")),
        _no_result,
        "ask the requesting team to clarify",
    ),
    "request.clarify": CommandSpec(
        lambda a, k: c.ClarifyRequest(_required(a, "request"), _required(a, "text")), _no_result, "clarify"
    ),
    "request.amend": CommandSpec(_amend_request, _no_result, "amend a sent request after a clarification"),
    "request.grant_consent": CommandSpec(_grant_consent, _no_result, "consent to onward use"),
    "request.answer": CommandSpec(_answer_request, _no_result, "answer, fully or in part"),
    "request.refuse": CommandSpec(
        lambda a, k: c.RefuseRequest(
            _required(a, "request"), _required(a, "ground"), _string(a, "text", optional=True) or ""
        ),
        _no_result,
        "refuse, with a ground",
    ),
    "request.withdraw": CommandSpec(_on_request(c.WithdrawRequest), _no_result, "withdraw a request"),
    "artefact.share": CommandSpec(
        lambda a, k: c.ShareArtefact(
            _required(a, "artefact"), _required(a, "to"), _string(a, "request", optional=True) or ""
        ),
        _no_result,
        "pass a case-file item to another team",
    ),
    "character.set": CommandSpec(_set_character, _no_result, "record a character's trust or status"),
    "action.take": CommandSpec(
        lambda a, k: c.TakeAction(
            _required(a, "action"),
            _string(a, "subject", optional=True) or "",
            _string(a, "note", optional=True) or "",
        ),
        _no_result,
        "take one of the scenario's actions",
    ),
    "message.control": CommandSpec(
        lambda a, k: c.PostToControl(_required(a, "text"), _string(a, "team", optional=True)),
        _no_result,
        "write on the channel between a team and control",
    ),
    "message.direct": CommandSpec(
        lambda a, k: c.WriteToTeam(_required(a, "to"), _required(a, "text"), _items(a)),
        _no_result,
        "write to another team directly (where the scenario allows informal channels)",
    ),
    "note.write": CommandSpec(_write_note, _no_result, "a mentor's note on a team or an event"),
    "message.prompt": CommandSpec(
        lambda a, k: c.PromptTeam(_required(a, "team"), _required(a, "text")), _no_result, "a mentor's prompt"
    ),
    **EVALUATION,
}
