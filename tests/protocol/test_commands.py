"""Wire commands: a name and args in, a core command or an `ArgumentError` naming the arg out."""

from __future__ import annotations

from typing import Any

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.events import (
    ConnectionOpened,
    CredentialIssued,
    ImprovementRecorded,
    ObservationRecorded,
    ParticipantAdded,
    RequestDrafted,
)
from server.protocol.commands import COMMANDS, ArgumentError, NewCode

CODE = NewCode(code="ABCD-EFGH-JKLM", hash="h-new")


EVALUATION_VALID: list[tuple[str, dict[str, Any], c.Command]] = [
    (
        "observation.record",
        {"team": "nl", "objective": "LO-ID", "text": "t"},
        c.RecordObservation("nl", "LO-ID", "t"),
    ),
    (
        "observation.record",
        {"team": "nl", "objective": "LO-ID", "text": "t", "rating": "S", "inject": "I-1", "request": "R-1"},
        c.RecordObservation("nl", "LO-ID", "t", "S", "I-1", "R-1"),
    ),
    ("observation.edit", {"observation": "O-1", "rating": "P"}, c.EditObservation("O-1", "P", None)),
    ("observation.edit", {"observation": "O-1", "text": "x"}, c.EditObservation("O-1", None, "x")),
    ("observation.withdraw", {"observation": "O-1"}, c.WithdrawObservation("O-1")),
    ("questionnaire.open", {"questionnaire": "Q-DAY"}, c.OpenQuestionnaire("Q-DAY")),
    ("questionnaire.close", {"questionnaire": "Q-DAY"}, c.CloseQuestionnaire("Q-DAY")),
    (
        "feedback.give",
        {"questionnaire": "Q-DAY", "answers": {"clarity": 4, "note": "more time", "skip": None}},
        c.GiveFeedback("Q-DAY", {"clarity": 4, "note": "more time", "skip": None}),
    ),
    (
        "improvement.record",
        {"text": "t", "owner": "o", "due": "2027-01-31"},
        c.RecordImprovement("t", "o", "2027-01-31"),
    ),
    (
        "improvement.record",
        {"text": "t", "owner": "o", "due": "2027-01-31", "team": "nl", "objective": "LO-ID"},
        c.RecordImprovement("t", "o", "2027-01-31", "nl", "LO-ID"),
    ),
    ("improvement.edit", {"improvement": "IP-1", "owner": "x"}, c.EditImprovement("IP-1", owner="x")),
    (
        "improvement.edit",
        {"improvement": "IP-1", "text": "t", "due": "2027-02-01", "team": "", "objective": ""},
        c.EditImprovement("IP-1", "t", None, "2027-02-01", "", ""),
    ),
    ("improvement.withdraw", {"improvement": "IP-1"}, c.WithdrawImprovement("IP-1")),
]
EVALUATION_INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("observation.record", {"objective": "LO-ID", "text": "t"}, "args.team: expected a string"),
    ("observation.record", {"team": "nl", "text": "t"}, "args.objective: expected a string"),
    (
        "observation.record",
        {"team": "nl", "objective": "LO-ID", "text": "t", "rating": 1},
        "args.rating: expected",
    ),
    ("observation.edit", {}, "args.observation: expected a string"),
    ("observation.withdraw", {"observation": 1}, "args.observation: expected a string"),
    ("questionnaire.open", {}, "args.questionnaire: expected a string"),
    ("feedback.give", {"questionnaire": "Q"}, "args.answers: expected a map"),
    ("feedback.give", {"questionnaire": "Q", "answers": [1]}, "args.answers: expected a map"),
    (
        "feedback.give",
        {"questionnaire": "Q", "answers": {"a": True}},
        "args.answers.a: expected a whole number",
    ),
    (
        "feedback.give",
        {"questionnaire": "Q", "answers": {"a": 1.5}},
        "args.answers.a: expected a whole number",
    ),
    ("feedback.give", {"answers": {}}, "args.questionnaire: expected a string"),
    ("improvement.record", {"text": "t", "due": "2027-01-31"}, "args.owner: expected a string"),
    ("improvement.record", {"text": "t", "owner": "o"}, "args.due: expected a string"),
    ("improvement.edit", {"improvement": "IP-1", "team": 3}, "args.team: expected a string"),
    ("questionnaire.close", {"questionnaire": None}, "args.questionnaire: expected a string"),
    ("improvement.withdraw", {}, "args.improvement: expected a string"),
]


def build(name: str, args: dict[str, Any]) -> c.Command:
    return COMMANDS[name].build(args, CODE)


VALID: list[tuple[str, dict[str, Any], c.Command]] = [
    ("exercise.ready", {}, c.MarkReady()),
    ("exercise.start", {}, c.StartExercise()),
    ("exercise.pause", {"ignored": 1}, c.PauseExercise()),
    ("exercise.resume", {}, c.ResumeExercise()),
    ("exercise.end", {}, c.EndExercise()),
    ("clock.speed", {"speed": 4}, c.SetClockSpeed(4.0)),
    ("clock.speed", {"speed": 0.5}, c.SetClockSpeed(0.5)),
    ("clock.jump", {}, c.JumpClock(None)),
    ("clock.jump", {"to": None}, c.JumpClock(None)),
    ("clock.jump", {"to": "D2 08:30"}, c.JumpClock(86_400 + 8 * 3_600 + 30 * 60)),
    ("clock.jump", {"to": "D1T00:05"}, c.JumpClock(300.0)),
    ("clock.jump", {"to": 7200}, c.JumpClock(7200.0)),
    ("clock.jump", {"to": 90.5}, c.JumpClock(90.5)),
    ("clock.skip_jump", {"jump": "overnight-D1"}, c.SkipClockJump("overnight-D1")),
    (
        "roster.add",
        {"name": "Ana", "team": "t1", "role": "analyst"},
        c.AddParticipant(c.RosterEntry("Ana", "t1", "analyst", "h-new")),
    ),
    (
        "roster.add",
        {"name": "Dir", "role": "director"},
        c.AddParticipant(c.RosterEntry("Dir", None, "director", "h-new")),
    ),
    (
        "roster.add",
        {"name": "Dir", "team": None, "role": "director"},
        c.AddParticipant(c.RosterEntry("Dir", None, "director", "h-new")),
    ),
    ("credential.revoke", {"participant": "p3"}, c.RevokeCredential("p3")),
    ("credential.reissue", {"participant": "p3"}, c.ReissueCredential("p3", "h-new")),
    ("message.post", {"text": "hello team"}, c.PostMessage("hello team")),
    (
        "announcement.make",
        {"audience": {"everyone": True}, "text": "all"},
        c.MakeAnnouncement(Audience.all(), "all"),
    ),
    (
        "announcement.make",
        {"audience": {}, "text": "staff"},
        c.MakeAnnouncement(Audience.staff_only(), "staff"),
    ),
    (
        "announcement.make",
        {
            "audience": {
                "teams": ["t1", "t2"],
                "roles": ["analyst"],
                "participants": ["p9"],
                "everyone": False,
            },
            "text": "some",
        },
        c.MakeAnnouncement(Audience.of(teams=["t1", "t2"], roles=["analyst"], participants=["p9"]), "some"),
    ),
    (
        "announcement.make",
        {"audience": {"teams": None, "roles": [], "participants": None}, "text": "x"},
        c.MakeAnnouncement(Audience.staff_only(), "x"),
    ),
    ("inject.release", {"inject": "I-01"}, c.ReleaseInject("I-01")),
    ("inject.hold", {"inject": "I-01"}, c.HoldInject("I-01")),
    ("inject.lift_hold", {"inject": "I-01"}, c.LiftHold("I-01")),
    ("inject.skip", {"inject": "I-01"}, c.SkipInject("I-01")),
    ("inject.retime", {"inject": "I-01", "at": "D1 09:30"}, c.RetimeInject("I-01", 34_200.0)),
    ("inject.retime", {"inject": "I-01", "at": 34_200}, c.RetimeInject("I-01", 34_200.0)),
    ("inject.edit", {"inject": "I-01", "title": "T"}, c.EditInject("I-01", "T", None)),
    ("inject.edit", {"inject": "I-01", "body": "B"}, c.EditInject("I-01", None, "B")),
    (
        "inject.write",
        {"title": "T", "body": "B", "audience": {"team_roles": ["nl/police"]}},
        c.WriteInject("T", "B", Audience.of(team_roles=["nl/police"]), "document"),
    ),
    (
        "inject.write",
        {"title": "T", "body": "B", "audience": {"everyone": True}, "channel": "call"},
        c.WriteInject("T", "B", Audience.all(), "call"),
    ),
    ("inject.open", {"inject": "I-01"}, c.OpenInject("I-01")),
    ("inject.acknowledge", {"inject": "I-01"}, c.AcknowledgeInject("I-01")),
    (
        "request.draft",
        {
            "instrument": "EIO",
            "to": "be",
            "subject": "Bank records",
            "fields": {"facts": "x"},
            "urgent": True,
        },
        c.DraftRequest("EIO", "be", {"facts": "x"}, "", True, False, "Bank records"),
    ),
    (
        "request.draft",
        {
            "instrument": "SPONT",
            "to": "be",
            "subject": "S",
            "agency": "be.pol",
            "spontaneous": True,
            "send": True,
        },
        c.DraftRequest("SPONT", "be", {}, "be.pol", False, True, "S", send=True),
    ),
    ("request.update", {"request": "R-1", "fields": {"a": 1}}, c.UpdateRequest("R-1", {"a": 1}, None)),
    ("request.update", {"request": "R-1", "urgent": False}, c.UpdateRequest("R-1", {}, False)),
    ("request.update", {"request": "R-1", "subject": "New"}, c.UpdateRequest("R-1", {}, None, "New")),
    ("request.validate", {"request": "R-1"}, c.ValidateRequest("R-1")),
    ("request.send", {"request": "R-1"}, c.SendRequest("R-1")),
    ("request.acknowledge", {"request": "R-1"}, c.AcknowledgeRequest("R-1")),
    ("request.ask_clarification", {"request": "R-1", "text": "?"}, c.AskClarification("R-1", "?")),
    ("request.clarify", {"request": "R-1", "text": "!"}, c.ClarifyRequest("R-1", "!")),
    ("request.amend", {"request": "R-1", "fields": {"q": "x"}}, c.AmendRequest("R-1", {"q": "x"})),
    (
        "request.amend",
        {"request": "R-1", "fields": {"q": None}, "note": "emptied"},
        c.AmendRequest("R-1", {"q": None}, "emptied"),
    ),
    ("request.grant_consent", {"request": "R-1"}, c.GrantConsent("R-1")),
    (
        "request.grant_consent",
        {"request": "R-1", "uses": ["onward"], "note": "to be"},
        c.GrantConsent("R-1", ("onward",), "to be"),
    ),
    (
        "request.answer",
        {"request": "R-1", "text": "A", "partial": True},
        c.AnswerRequest("R-1", "A", True, False),
    ),
    ("request.answer", {"request": "R-1", "as_proposed": True}, c.AnswerRequest("R-1", "", False, True)),
    ("request.refuse", {"request": "R-1", "ground": "g"}, c.RefuseRequest("R-1", "g", "")),
    ("request.refuse", {"request": "R-1", "ground": "g", "text": "t"}, c.RefuseRequest("R-1", "g", "t")),
    ("request.withdraw", {"request": "R-1"}, c.WithdrawRequest("R-1")),
    ("artefact.share", {"artefact": "A-1", "to": "be"}, c.ShareArtefact("A-1", "be", "")),
    (
        "artefact.share",
        {"artefact": "A-1", "to": "be", "request": "R-1"},
        c.ShareArtefact("A-1", "be", "R-1"),
    ),
    ("character.set", {"character": "CH-ION", "trust": 4}, c.SetCharacter("CH-ION", 4, None, "")),
    (
        "character.set",
        {"character": "CH-ION", "status": "sheltered", "note": "n"},
        c.SetCharacter("CH-ION", None, "sheltered", "n"),
    ),
    ("action.take", {"action": "search"}, c.TakeAction("search", "", "")),
    ("action.take", {"action": "search", "subject": "S", "note": "N"}, c.TakeAction("search", "S", "N")),
    ("message.control", {"text": "hi"}, c.PostToControl("hi", None)),
    ("message.control", {"text": "hi", "team": "nl"}, c.PostToControl("hi", "nl")),
    ("message.prompt", {"team": "nl", "text": "psst"}, c.PromptTeam("nl", "psst")),
    ("message.direct", {"to": "be", "text": "hi"}, c.WriteToTeam("be", "hi")),
    (
        "message.direct",
        {"to": "be", "text": "hi", "attachments": ["A-1"]},
        c.WriteToTeam("be", "hi", ("A-1",)),
    ),
    ("message.post", {"text": "see", "attachments": ["A-1", "A-2"]}, c.PostMessage("see", ("A-1", "A-2"))),
    ("note.write", {"text": "n"}, c.WriteNote("n", None, None)),
    ("note.write", {"text": "n", "team": "nl", "about": 12}, c.WriteNote("n", "nl", 12)),
    *EVALUATION_VALID,
]


@pytest.mark.parametrize(("name", "args", "command"), VALID, ids=[f"{v[0]}-{i}" for i, v in enumerate(VALID)])
def test_valid_args_build_the_core_command(name: str, args: dict[str, Any], command: c.Command) -> None:
    assert build(name, args) == command


def test_every_command_has_a_valid_case() -> None:
    assert {name for name, _, _ in VALID} == set(COMMANDS)


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("clock.speed", {}, "args.speed: expected a number"),
    ("clock.speed", {"speed": "2"}, "args.speed: expected a number"),
    ("clock.speed", {"speed": True}, "args.speed: expected a number"),
    ("clock.speed", {"speed": None}, "args.speed: expected a number"),
    ("clock.speed", {"speed": 10**400}, "args.speed: number out of range"),
    ("clock.jump", {"to": "tomorrow"}, "args.to: not a simulated time like 'D1 08:30'"),
    ("clock.jump", {"to": "D0 08:30"}, "args.to: simulated time out of range"),
    ("clock.jump", {"to": "D1 24:00"}, "args.to: simulated time out of range"),
    ("clock.jump", {"to": "D" + "9" * 400 + " 08:30"}, "args.to: int too large to convert to float"),
    ("clock.jump", {"to": "D" + "9" * 5000 + " 08:30"}, "args.to: Exceeds the limit"),
    ("clock.jump", {"to": [1]}, "args.to: expected a number"),
    ("clock.skip_jump", {}, "args.jump: expected a string"),
    ("clock.jump", {"to": False}, "args.to: expected a number"),
    ("clock.jump", {"to": 10**400}, "args.to: number out of range"),
    ("roster.add", {"team": "t1", "role": "analyst"}, "args.name: expected a string"),
    ("roster.add", {"name": 5, "team": "t1", "role": "analyst"}, "args.name: expected a string"),
    ("roster.add", {"name": "Ana", "team": 1, "role": "analyst"}, "args.team: expected a string"),
    ("roster.add", {"name": "Ana", "team": "t1"}, "args.role: expected a string"),
    ("roster.add", {"name": "Ana", "team": "t1", "role": None}, "args.role: expected a string"),
    ("credential.revoke", {}, "args.participant: expected a string"),
    ("credential.revoke", {"participant": ["p1"]}, "args.participant: expected a string"),
    ("credential.reissue", {}, "args.participant: expected a string"),
    ("credential.reissue", {"participant": 3}, "args.participant: expected a string"),
    ("message.post", {}, "args.text: expected a string"),
    ("message.post", {"text": b"bytes"}, "args.text: expected a string"),
    (
        "announcement.make",
        {"text": "x"},
        "args.audience: expected a map {everyone, teams, roles, participants}",
    ),
    ("announcement.make", {"audience": ["t1"], "text": "x"}, "args.audience: expected a map"),
    (
        "announcement.make",
        {"audience": {"everyone": 1}, "text": "x"},
        "args.audience.everyone: expected true",
    ),
    ("announcement.make", {"audience": {"everyone": None}, "text": "x"}, "args.audience.everyone: expected"),
    ("announcement.make", {"audience": {"teams": "t1"}, "text": "x"}, "args.audience.teams: expected a list"),
    ("announcement.make", {"audience": {"roles": [1]}, "text": "x"}, "args.audience.roles: expected a list"),
    (
        "announcement.make",
        {"audience": {"participants": {"p1": 1}}, "text": "x"},
        "args.audience.participants: expected a list of strings",
    ),
    ("announcement.make", {"audience": {"everyone": True}}, "args.text: expected a string"),
    ("announcement.make", {"audience": {"everyone": True}, "text": 1}, "args.text: expected a string"),
    ("inject.release", {}, "args.inject: expected a string"),
    ("inject.hold", {"inject": 3}, "args.inject: expected a string"),
    ("inject.lift_hold", {}, "args.inject: expected a string"),
    ("inject.skip", {}, "args.inject: expected a string"),
    ("inject.retime", {"inject": "I-01"}, "args.at: expected a number"),
    ("inject.retime", {"inject": "I-01", "at": "noon"}, "args.at: not a simulated time"),
    ("inject.edit", {"inject": "I-01", "title": 5}, "args.title: expected a string"),
    ("inject.write", {"title": "T", "body": "B"}, "args.audience: expected a map"),
    (
        "inject.write",
        {"title": "T", "body": "B", "audience": {}, "channel": 7},
        "args.channel: expected a string",
    ),
    (
        "inject.write",
        {"title": "T", "body": "B", "audience": {"team_roles": "x"}},
        "args.audience.team_roles",
    ),
    ("inject.open", {}, "args.inject: expected a string"),
    ("inject.acknowledge", {}, "args.inject: expected a string"),
    ("request.draft", {"to": "be"}, "args.instrument: expected a string"),
    ("request.draft", {"instrument": "EIO", "to": "be", "fields": []}, "args.fields: expected a map"),
    ("request.draft", {"instrument": "EIO", "to": "be"}, "args.subject: expected a string"),
    ("request.draft", {"instrument": "EIO", "to": "be", "subject": " "}, "args.subject: a request needs"),
    ("request.update", {"request": "R-1", "subject": ""}, "args.subject: a request needs"),
    (
        "request.draft",
        {"instrument": "EIO", "to": "be", "subject": "S", "urgent": "yes"},
        "args.urgent: expected true or false",
    ),
    ("request.update", {"request": "R-1", "urgent": 1}, "args.urgent: expected true or false"),
    ("request.validate", {}, "args.request: expected a string"),
    ("request.send", {}, "args.request: expected a string"),
    ("request.acknowledge", {}, "args.request: expected a string"),
    ("request.ask_clarification", {"request": "R-1"}, "args.text: expected a string"),
    ("request.clarify", {"request": "R-1"}, "args.text: expected a string"),
    (
        "request.amend",
        {"request": "R-1", "fields": ["q"]},
        "args.fields: expected a map of the instrument's fields",
    ),
    ("request.grant_consent", {"request": "R-1", "uses": "onward"}, "args.uses: expected a list of uses"),
    ("request.answer", {"request": "R-1"}, "args.text: expected a string"),
    ("request.refuse", {"request": "R-1"}, "args.ground: expected a string"),
    ("request.withdraw", {}, "args.request: expected a string"),
    ("artefact.share", {"artefact": "A-1"}, "args.to: expected a string"),
    ("character.set", {"character": "CH-ION", "trust": "high"}, "args.trust: expected a whole number"),
    ("character.set", {"trust": 2}, "args.character: expected a string"),
    ("action.take", {}, "args.action: expected a string"),
    ("action.take", {"action": "a", "note": 3}, "args.note: expected a string"),
    ("message.control", {"team": "nl"}, "args.text: expected a string"),
    ("message.prompt", {"text": "x"}, "args.team: expected a string"),
    ("message.direct", {"text": "x"}, "args.to: expected a string"),
    ("message.post", {"text": "x", "attachments": "A-1"}, "args.attachments: expected a list"),
    ("message.post", {"text": "x", "attachments": ["a"] * 21}, "args.attachments: expected a list"),
    ("note.write", {"text": "x", "about": "12"}, "args.about: expected the seq"),
    ("note.write", {}, "args.text: expected a string"),
    *EVALUATION_INVALID,
]


@pytest.mark.parametrize(
    ("name", "args", "message"), INVALID, ids=[f"{v[0]}-{i}" for i, v in enumerate(INVALID)]
)
def test_wrong_or_missing_args_name_the_arg(name: str, args: dict[str, Any], message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        build(name, args)
    assert str(caught.value).startswith(message)


def test_every_command_with_args_has_invalid_cases() -> None:
    takes_args = {name for name, args, _ in VALID if args and name != "exercise.pause"}
    assert takes_args <= {name for name, _, _ in INVALID}


def test_specs() -> None:
    issuing = {name for name, spec in COMMANDS.items() if spec.issues_code}
    assert issuing == {"roster.add", "credential.reissue"}
    assert all(spec.summary for spec in COMMANDS.values())


def test_a_draft_returns_its_request_id() -> None:
    drafted = RequestDrafted("R-7", "EIO", "nl", "p1", "be", "", (), False, False, False, 0.0)
    assert COMMANDS["request.draft"].result([drafted], CODE) == {"request": "R-7"}


def test_a_recorded_observation_or_recommendation_returns_its_id() -> None:
    observed = ObservationRecorded("O-3", "p1", "nl", "LO-ID", "S", "t", "", "", 0.0, 1.0)
    planned = ImprovementRecorded("IP-2", "p1", "t", "o", "2027-01-31", None, None)
    opened = ConnectionOpened("p1", "c1")
    assert COMMANDS["observation.record"].result([opened, observed], CODE) == {"observation": "O-3"}
    assert COMMANDS["improvement.record"].result([planned], CODE) == {"improvement": "IP-2"}


@pytest.mark.parametrize(
    "name", sorted(set(COMMANDS) - {"roster.add", "credential.reissue", "request.draft"})
)
def test_results_of_commands_that_issue_nothing_are_empty(name: str) -> None:
    assert COMMANDS[name].result([ConnectionOpened("p1", "c1")], CODE) == {}
    assert COMMANDS[name].result([], CODE) == {}


def test_issuing_commands_return_the_participant_and_the_new_code() -> None:
    added = ParticipantAdded(
        participant="p7", name="Ana", team="t1", role="analyst", staff=False, code_hash="h"
    )
    issued = CredentialIssued(participant="p3", generation=2, code_hash="h")
    opened = ConnectionOpened("p1", "c1")
    assert COMMANDS["roster.add"].result([added], CODE) == {"participant": "p7", "code": CODE.code}
    assert COMMANDS["credential.reissue"].result([opened, issued], CODE) == {
        "participant": "p3",
        "code": CODE.code,
    }
