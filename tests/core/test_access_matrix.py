"""The access-control matrix: every command of protocol v1, every role, every target.

The table below is the expected policy, written out by hand for a security reviewer to read;
it is not derived from the code under test. Each cell is what `decide` must answer when that
actor sends that command at that target in the Twin Ports scenario: `OK` (events are written),
`F` (refused: `forbidden`) or `NF` (refused: `not_found`). A participant must get `NF`, never
`F`, for something of another team it cannot see (a draft request, an inject, a case-file item),
so that the answer does not even tell it exists.

Actors (columns): the participants of team NOR in each of the scenario's roles (police,
prosecutor, social worker; each works for its own agency type) and the five staff roles. Team
SUD is symmetrical. Targets: `ours` (NOR's request, item, channel or member), `theirs` (SUD's),
`simcell` (a request to an agency SimCell plays), `other exercise` (an id that exists only in
another exercise: credentials bind a connection to one exercise, so that is all another
exercise can be from inside one) and `-` (the exercise as a whole, or the MSEL).

Commands go through the protocol's own builders (`COMMANDS[name].build(args)`), as a frame would.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from server.core import commands as c
from server.core.audience import Audience, Viewer, can_see
from server.core.decide import create, decide
from server.core.errors import DomainError
from server.core.events import (
    ActionFlagged,
    ActionTaken,
    AnswerScheduled,
    ArtefactChanged,
    ControlMessagePosted,
    Event,
    FeedbackGiven,
    StationPreviewed,
)
from server.core.preview import previewed
from server.core.scenario import Consent
from server.core.state import Exercise, apply
from server.core.view import snapshot
from server.core.visibility import audience
from server.protocol.commands import COMMANDS, NewCode
from server.scenario.loader import load_scenario
from tests.core.transcript import NOW, Run

TWIN_PORTS = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "twin-ports")
SCENARIO = dataclasses.replace(  # either side of a police message may consent to onward use
    TWIN_PORTS,
    instruments=tuple(
        dataclasses.replace(i, consent=Consent(granted_by="both")) if i.id == "POLICE_MSG" else i
        for i in TWIN_PORTS.instruments
    ),
)

ACTORS = ("police", "prosecutor", "social_worker", "director", "controller", "simcell", "mentor", "observer")
NAMES = {
    "director": "Dana",
    "controller": "Carl",
    "simcell": "Sim",
    "mentor": "Mona",
    "observer": "Otto",
    "police": "Nils",
    "prosecutor": "Nora",
    "social_worker": "Ola",
}
ROSTER = (
    ("Dana", None, "director"),  # P0001
    ("Carl", None, "controller"),  # P0002
    ("Sim", None, "simcell"),  # P0003
    ("Mona", None, "mentor"),  # P0004
    ("Otto", None, "observer"),  # P0005
    ("Nils", "NOR", "police"),  # P0006
    ("Nora", "NOR", "prosecutor"),  # P0007
    ("Ola", "NOR", "social_worker"),  # P0008
    ("Sara", "SUD", "police"),  # P0009
    ("Sofia", "SUD", "prosecutor"),  # P0010
    ("Santi", "SUD", "social_worker"),  # P0011
)

OK, F, NF = "ok", "forbidden", "not_found"

QUESTION = {"question": "What do you know about SeaCrew Agency and its owner?"}
FACTS = {
    "facts": "SeaCrew Agency recruits young men for harbour work in Sudria. " * 3,
    "measures": ["search"],
}
TEXT = "a line of text"
QUESTION_2 = {"question": "What do you know about SeaCrew Agency, its owner and its boats?"}


@dataclass(frozen=True)
class Cell:
    name: str
    target: str
    args: dict[str, Any]
    expected: tuple[str, ...]
    state: str = "running"


def row(name: str, target: str, args: dict[str, Any], *expected: str, state: str = "running") -> Cell:
    assert len(expected) == len(ACTORS), name
    return Cell(name, target, args, expected, state)


# The fixture exercise (see `_running`): requests R-1 .. R-9, injects T-01 (held), T-02 (released
# to SUD police and social workers), T-06 (planned), ADHOC-1 (released to NOR).
# fmt: off
MATRIX: tuple[Cell, ...] = (
    #   command                     target            args                                    police prosec social   dir   ctrl  simcell mentor observ
    row("exercise.ready",           "-", {},                                                  F,  F,  F,   OK, OK,  F,  F,  F, state="draft"),
    row("exercise.start",           "-", {},                                                  F,  F,  F,   OK, OK,  F,  F,  F, state="ready"),
    row("exercise.pause",           "-", {},                                                  F,  F,  F,   OK, OK,  F,  F,  F),
    row("exercise.resume",          "-", {},                                                  F,  F,  F,   OK, OK,  F,  F,  F, state="paused"),
    row("exercise.end",             "-", {},                                                  F,  F,  F,   OK, F,   F,  F,  F),
    row("clock.speed",              "-", {"speed": 2},                                        F,  F,  F,   OK, OK,  F,  F,  F),
    row("clock.jump",               "-", {},                                                  F,  F,  F,   OK, OK,  F,  F,  F),
    row("clock.skip_jump",          "none scheduled", {"jump": "overnight-D1"},             F,  F,  F,   NF, NF,  F,  F,  F),
    row("roster.add",               "ours", {"name": "New", "team": "NOR", "role": "police"}, F,  F,  F,   OK, OK,  F,  F,  F),
    row("roster.add",               "theirs", {"name": "New", "team": "SUD", "role": "police"}, F, F, F,   OK, OK,  F,  F,  F),
    row("credential.revoke",        "ours", {"participant": "P0008"},                         F,  F,  F,   OK, OK,  F,  F,  F),
    row("credential.revoke",        "theirs", {"participant": "P0010"},                       F,  F,  F,   OK, OK,  F,  F,  F),
    row("credential.revoke",        "other exercise", {"participant": "P0016"},               F,  F,  F,   NF, NF,  F,  F,  F),
    row("credential.reissue",       "ours", {"participant": "P0008"},                         F,  F,  F,   OK, OK,  F,  F,  F),
    row("credential.reissue",       "theirs", {"participant": "P0010"},                       F,  F,  F,   OK, OK,  F,  F,  F),
    row("credential.reissue",       "other exercise", {"participant": "P0016"},               F,  F,  F,   NF, NF,  F,  F,  F),
    row("message.post",             "ours", {"text": TEXT},                                   OK, OK, OK,  F,  F,   F,  F,  F),
    row("message.post",             "ours (police only)", {"text": TEXT, "attachments": ["A-NOR-COMPLAINT"]},
                                                                                              OK, NF, NF,  F,  F,   F,  F,  F),
    row("message.post",             "theirs", {"text": TEXT, "attachments": ["A-SUD-SHELTER"]},
                                                                                              NF, NF, NF,  F,  F,   F,  F,  F),
    row("announcement.make",        "-", {"audience": {"teams": ["NOR"]}, "text": TEXT},      F,  F,  F,   OK, OK,  F,  F,  F),
    row("inject.release",           "-", {"inject": "T-06"},                                  F,  F,  F,   OK, OK,  OK, F,  F),
    row("inject.release",           "other exercise", {"inject": "ADHOC-3"},                  F,  F,  F,   NF, NF,  NF, F,  F),
    row("inject.hold",              "-", {"inject": "T-06"},                                  F,  F,  F,   OK, OK,  F,  F,  F),
    row("inject.hold",              "other exercise", {"inject": "ADHOC-3"},                  F,  F,  F,   NF, NF,  F,  F,  F),
    row("inject.lift_hold",         "-", {"inject": "T-01"},                                  F,  F,  F,   OK, OK,  F,  F,  F),
    row("inject.skip",              "-", {"inject": "T-06"},                                  F,  F,  F,   OK, OK,  F,  F,  F),
    row("inject.retime",            "-", {"inject": "T-06", "at": "D2 10:00"},                F,  F,  F,   OK, OK,  F,  F,  F),
    row("inject.edit",              "-", {"inject": "T-06", "title": "New title"},            F,  F,  F,   OK, OK,  F,  F,  F),
    row("inject.write",             "-", {"title": "T", "body": TEXT, "audience": {"teams": ["NOR"]}},
                                                                                              F,  F,  F,   OK, OK,  OK, F,  F),
    row("inject.open",              "ours", {"inject": "ADHOC-1"},                            OK, OK, OK,  F,  F,   F,  F,  F),
    row("inject.open",              "theirs", {"inject": "T-02"},                             NF, NF, NF,  F,  F,   F,  F,  F),
    row("inject.open",              "unreleased", {"inject": "T-06"},                         NF, NF, NF,  F,  F,   F,  F,  F),
    row("inject.open",              "other exercise", {"inject": "ADHOC-3"},                  NF, NF, NF,  F,  F,   F,  F,  F),
    row("inject.acknowledge",       "ours", {"inject": "ADHOC-1"},                            OK, OK, OK,  F,  F,   F,  F,  F),
    row("inject.acknowledge",       "theirs", {"inject": "T-02"},                             NF, NF, NF,  F,  F,   F,  F,  F),
    row("inject.acknowledge",       "other exercise", {"inject": "ADHOC-3"},                  NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.draft",            "theirs", {"instrument": "POLICE_MSG", "to": "SUD", "subject": "S", "fields": QUESTION},
                                                                                              OK, F,  F,   F,  F,   F,  F,  F),
    row("request.draft",            "theirs", {"instrument": "MLA", "to": "SUD", "subject": "S", "fields": FACTS},
                                                                                              OK, OK, F,   F,  F,   F,  F,  F),
    row("request.draft",            "ours", {"instrument": "POLICE_MSG", "to": "NOR", "subject": "S", "fields": QUESTION},
                                                                                              NF, F,  F,   F,  F,   F,  F,  F),
    row("request.update",           "ours", {"request": "R-1", "fields": QUESTION},           OK, OK, OK,  F,  F,   F,  F,  F),
    row("request.update",           "theirs", {"request": "R-2", "fields": QUESTION},         NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.update",           "other exercise", {"request": "R-12", "fields": {}},      NF, NF, NF,  NF, NF,  NF, NF, NF),
    row("request.validate",         "ours", {"request": "R-7"},                               F,  OK, F,   F,  F,   F,  F,  F),
    row("request.validate",         "theirs", {"request": "R-8"},                             NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.send",             "ours", {"request": "R-1"},                               OK, F,  F,   F,  F,   F,  F,  F),
    row("request.send",             "theirs", {"request": "R-2"},                             NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.send",             "other exercise", {"request": "R-12"},                    NF, NF, NF,  NF, NF,  NF, NF, NF),
    row("request.acknowledge",      "ours", {"request": "R-3"},                               F,  F,  F,   F,  F,   F,  F,  F),
    row("request.acknowledge",      "theirs", {"request": "R-4"},                             OK, F,  F,   F,  F,   F,  F,  F),
    row("request.acknowledge",      "simcell", {"request": "R-9"},                            F,  F,  F,   OK, OK,  OK, F,  F),
    row("request.acknowledge",      "theirs (draft)", {"request": "R-2"},                     NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.acknowledge",      "other exercise", {"request": "R-12"},                    NF, NF, NF,  NF, NF,  NF, NF, NF),
    row("request.ask_clarification", "ours", {"request": "R-3", "text": TEXT},                F,  F,  F,   F,  F,   F,  F,  F),
    row("request.ask_clarification", "theirs", {"request": "R-4", "text": TEXT},              OK, F,  F,   F,  F,   F,  F,  F),
    row("request.ask_clarification", "simcell", {"request": "R-9", "text": TEXT},             F,  F,  F,   OK, OK,  OK, F,  F),
    row("request.clarify",          "ours", {"request": "R-5", "text": TEXT},                 OK, OK, OK,  F,  F,   F,  F,  F),
    row("request.clarify",          "theirs", {"request": "R-6", "text": TEXT},               F,  F,  F,   F,  F,   F,  F,  F),
    row("request.amend",            "ours", {"request": "R-5", "fields": QUESTION_2},         OK, F,  F,   F,  F,   F,  F,  F),
    row("request.amend",            "theirs", {"request": "R-6", "fields": QUESTION_2},       F,  F,  F,   F,  F,   F,  F,  F),
    row("request.amend",            "theirs (draft)", {"request": "R-2", "fields": QUESTION_2}, NF, NF, NF, F,  F,   F,  F,  F),
    row("request.grant_consent",    "ours", {"request": "R-3"},                               OK, OK, OK,  F,  F,   F,  F,  F),
    row("request.grant_consent",    "theirs", {"request": "R-4"},                             OK, F,  F,   F,  F,   F,  F,  F),
    row("request.grant_consent",    "simcell", {"request": "R-9"},                            OK, OK, OK,  OK, OK,  OK, F,  F),
    row("request.grant_consent",    "theirs (draft)", {"request": "R-2"},                     NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.answer",           "ours", {"request": "R-3", "text": TEXT},                 F,  F,  F,   F,  F,   F,  F,  F),
    row("request.answer",           "theirs", {"request": "R-4", "text": TEXT},               OK, F,  F,   F,  F,   F,  F,  F),
    row("request.answer",           "simcell", {"request": "R-9", "text": TEXT},              F,  F,  F,   OK, OK,  OK, F,  F),
    row("request.answer",           "theirs (draft)", {"request": "R-2", "text": TEXT},       NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.refuse",           "ours", {"request": "R-3", "ground": "other"},            F,  F,  F,   F,  F,   F,  F,  F),
    row("request.refuse",           "theirs", {"request": "R-4", "ground": "other"},          OK, F,  F,   F,  F,   F,  F,  F),
    row("request.refuse",           "simcell", {"request": "R-9", "ground": "other"},         F,  F,  F,   OK, OK,  OK, F,  F),
    row("request.withdraw",         "ours", {"request": "R-1"},                               OK, OK, OK,  F,  F,   F,  F,  F),
    row("request.withdraw",         "theirs (draft)", {"request": "R-2"},                     NF, NF, NF,  F,  F,   F,  F,  F),
    row("request.withdraw",         "theirs", {"request": "R-4"},                             F,  F,  F,   F,  F,   F,  F,  F),
    row("artefact.share",           "ours", {"artefact": "A-NOR-AD", "to": "SUD"},            OK, OK, OK,  NF, NF,  NF, NF, NF),
    row("artefact.share",           "ours (police only)", {"artefact": "A-NOR-COMPLAINT", "to": "SUD"},
                                                                                              OK, NF, NF,  NF, NF,  NF, NF, NF),
    row("artefact.share",           "theirs", {"artefact": "A-SUD-SHELTER", "to": "SUD"},     NF, NF, NF,  NF, NF,  NF, NF, NF),
    row("artefact.share",           "staff only", {"artefact": "A-SUD-CREWLIST", "to": "SUD"}, NF, NF, NF, NF, NF,  NF, NF, NF),
    row("artefact.share",           "to ours", {"artefact": "A-NOR-AD", "to": "NOR"},         NF, NF, NF,  NF, NF,  NF, NF, NF),
    row("artefact.share",           "with our request", {"artefact": "A-NOR-AD", "to": "SUD", "request": "R-3"},
                                                                                              OK, OK, OK,  NF, NF,  NF, NF, NF),
    row("artefact.share",           "with their draft", {"artefact": "A-NOR-AD", "to": "SUD", "request": "R-2"},
                                                                                              NF, NF, NF,  NF, NF,  NF, NF, NF),
    row("character.set",            "-", {"character": "CH-ERIK", "trust": 3},                F,  F,  F,   OK, OK,  OK, F,  F),
    row("action.take",              "ours", {"action": "interview_victim"},                   OK, F,  F,   F,  F,   F,  F,  F),
    row("action.take",              "ours", {"action": "refer_nrm"},                          F,  F,  OK,  F,  F,   F,  F,  F),
    row("message.control",          "ours", {"text": TEXT, "team": "NOR"},                    OK, OK, OK,  OK, OK,  OK, F,  F),
    row("message.control",          "theirs", {"text": TEXT, "team": "SUD"},                  OK, OK, OK,  OK, OK,  OK, F,  F),
    row("message.prompt",           "ours", {"team": "NOR", "text": TEXT},                    F,  F,  F,   OK, OK,  F,  OK, F),
    row("message.prompt",           "theirs", {"team": "SUD", "text": TEXT},                  F,  F,  F,   OK, OK,  F,  OK, F),
    row("note.write",               "ours", {"text": TEXT, "team": "NOR"},                    F,  F,  F,   OK, OK,  OK, OK, OK),
    row("note.write",               "-", {"text": TEXT},                                      F,  F,  F,   OK, OK,  OK, OK, OK),
    row("message.direct",           "theirs", {"to": "SUD", "text": TEXT},                    F,  F,  F,   F,  F,   F,  F,  F),
    row("message.direct",           "theirs", {"to": "SUD", "text": TEXT},                    OK, OK, OK,  F,  F,   F,  F,  F, state="informal"),
    row("message.direct",           "theirs", {"to": "SUD", "text": TEXT, "attachments": ["A-SUD-CREWLIST"]},
                                                                                              NF, NF, NF,  F,  F,   F,  F,  F, state="informal"),
    row("message.direct",           "ours", {"to": "NOR", "text": TEXT},                      F,  F,  F,   F,  F,   F,  F,  F, state="informal"),
    row("observation.record",       "ours", {"team": "NOR", "objective": "LO-ID", "text": TEXT, "rating": "S"},
                                                                                              F,  F,  F,   OK, OK,  F,  OK, F),
    row("observation.record",       "theirs", {"team": "SUD", "objective": "LO-ID", "text": TEXT, "inject": "T-02"},
                                                                                              F,  F,  F,   OK, OK,  F,  OK, F),
    row("observation.edit",         "mentor's", {"observation": "O-1", "rating": "P"},        F,  F,  F,   F,  F,   F,  OK, F),
    row("observation.edit",         "other exercise", {"observation": "O-9", "rating": "P"},  F,  F,  F,   NF, NF,  F,  NF, F),
    row("observation.withdraw",     "mentor's", {"observation": "O-1"},                       F,  F,  F,   F,  F,   F,  OK, F),
    row("questionnaire.open",       "-", {"questionnaire": "Q-END"},                          F,  F,  F,   OK, OK,  F,  F,  F),
    row("questionnaire.close",      "-", {"questionnaire": "Q-DAY"},                          F,  F,  F,   OK, OK,  F,  F,  F),
    row("feedback.give",            "open", {"questionnaire": "Q-DAY", "answers": {"clarity": 4}},
                                                                                              OK, OK, OK,  F,  F,   F,  F,  F),
    row("improvement.record",       "-", {"text": TEXT, "owner": "Academy", "due": "2027-03-31"},
                                                                                              F,  F,  F,   OK, OK,  F,  OK, F),
    row("improvement.edit",         "-", {"improvement": "IP-1", "owner": "Ministry"},        F,  F,  F,   OK, OK,  F,  OK, F),
    row("improvement.withdraw",     "-", {"improvement": "IP-1"},                             F,  F,  F,   OK, OK,  F,  OK, F),
)
# fmt: on


def _exercise(scenario: Any = SCENARIO, extra: int = 0) -> Run:
    roster = [
        c.RosterEntry(name, team, role, f"hash-{name}")
        for name, team, role in (*ROSTER, *((f"Extra {i}", "SUD", "police") for i in range(extra)))
    ]
    return Run(create(scenario, "EX-A" if not extra else "EX-B", "", roster, NOW), NOW)


def _by(run: Run, name: str) -> Viewer:
    return run.viewer(name)


def _play(run: Run) -> Run:
    """Start the exercise and put requests and injects in the states the matrix needs."""
    director, nils, sara = _by(run, "Dana"), _by(run, "Nils"), _by(run, "Sara")
    run.do(c.MarkReady(), director, at=NOW + 1)
    run.do(c.StartExercise(), director, at=NOW + 2)

    def draft(who: Viewer, to: str, instrument: str = "POLICE_MSG", agency: str = "") -> str:
        fields = QUESTION if instrument == "POLICE_MSG" else FACTS
        (event,) = run.do(c.DraftRequest(instrument, to, fields, agency=agency), who)
        return str(event.request)  # type: ignore[attr-defined]

    draft(nils, "SUD")  # our draft
    draft(sara, "NOR")  # their draft
    run.do(c.SendRequest(draft(nils, "SUD")), nils)  # ours, sent to them
    run.do(c.SendRequest(draft(sara, "NOR")), sara)  # theirs, sent to us
    r5 = draft(nils, "SUD")
    run.do(c.SendRequest(r5), nils)
    run.do(c.AskClarification(r5, TEXT), sara)  # ours, they asked us to clarify
    r6 = draft(sara, "NOR")
    run.do(c.SendRequest(r6), sara)
    run.do(c.AskClarification(r6, TEXT), nils)  # theirs, we asked them
    draft(nils, "SUD", "MLA")  # our MLA draft (a prosecutor validates it)
    draft(sara, "NOR", "MLA")  # their MLA draft
    run.do(c.SendRequest(draft(nils, "SUD", agency="SUD.HARBOUR")), nils)  # to SimCell
    run.do(c.HoldInject("T-01"), director)
    run.do(c.WriteInject("For NOR", TEXT, Audience.team("NOR")), director)  # ADHOC-1
    run.do(c.ReleaseInject("T-02"), director)
    mona = _by(run, "Mona")
    run.do(c.RecordObservation("NOR", "LO-ID", TEXT, "S"), mona)  # O-1: the mentor's
    run.do(c.OpenQuestionnaire("Q-DAY"), director)
    run.do(c.RecordImprovement(TEXT, "Academy", "2027-03-31"), mona)  # IP-1
    return run


def _states() -> dict[str, Exercise]:
    draft = _exercise()
    ready = _exercise()
    ready.do(c.MarkReady(), _by(ready, "Dana"))
    running = _play(_exercise())
    paused = _play(_exercise())
    paused.do(c.PauseExercise(), _by(paused, "Dana"))
    informal = _play(_exercise(dataclasses.replace(SCENARIO, informal_channels=True)))
    return {
        "draft": draft.state,
        "ready": ready.state,
        "running": running.state,
        "paused": paused.state,
        "informal": informal.state,
    }


STATES = _states()
VIEWERS = {role: _exercise().viewer(name) for role, name in NAMES.items()}


def _other_exercise() -> Exercise:
    """Exercise B: more participants, requests and injects than A, so some of its ids are not in A."""
    run = _play(_exercise(extra=5))
    director, sara = _by(run, "Dana"), _by(run, "Sara")
    for _ in range(3):
        run.do(c.DraftRequest("POLICE_MSG", "NOR", QUESTION), sara)
    for _ in range(2):
        run.do(c.WriteInject("For SUD", TEXT, Audience.team("SUD")), director)
    return run.state


def _answer(cell: Cell, actor: str) -> tuple[str, list[Event], str]:
    """What `decide` says: the outcome, the events (when allowed) and the refusal's message."""
    spec = COMMANDS[cell.name]
    command = spec.build(cell.args, NewCode("NEW-CODE", "hash-new"))
    try:
        events = decide(STATES[cell.state], command, VIEWERS[actor], NOW + 60)
    except DomainError as error:
        return error.code, [], error.message
    return OK, events, ""


def _outcome(cell: Cell, actor: str) -> tuple[str, list[Event]]:
    outcome, events, _ = _answer(cell, actor)
    return outcome, events


def test_the_matrix_names_every_command_of_the_protocol() -> None:
    assert {cell.name for cell in MATRIX} == set(COMMANDS)


def test_ids_from_the_other_exercise_exist_there_and_not_here() -> None:
    other, here = _other_exercise(), STATES["running"]
    assert "P0016" in other.participants and "P0016" not in here.participants
    assert "R-12" in other.requests and "R-12" not in here.requests
    assert "ADHOC-3" in other.injects and "ADHOC-3" not in here.injects


def _id(cell: Cell) -> str:
    first = next((v for v in cell.args.values() if isinstance(v, str) and v != TEXT), "")
    return f"{cell.name}[{cell.target}]({first})/{cell.state}"


@pytest.mark.parametrize("cell", MATRIX, ids=_id)
def test_exactly_the_allowed_cells_succeed(cell: Cell) -> None:
    got = {actor: _outcome(cell, actor) for actor in ACTORS}
    assert {actor: outcome for actor, (outcome, _) in got.items()} == dict(
        zip(ACTORS, cell.expected, strict=True)
    )
    for actor, (outcome, events) in got.items():
        assert outcome != OK or events, f"{actor}: allowed but nothing was written"


def test_what_a_participant_cannot_see_is_refused_without_naming_it() -> None:
    hidden = ["SeaCrew", "deckhand", "seamen", "Kittiwake", "Sara", "P0009", "question", "facts"]
    for cell in MATRIX:
        for actor in ("police", "prosecutor", "social_worker"):
            outcome, _, message = _answer(cell, actor)
            if outcome == NF:
                assert not [word for word in hidden if word.lower() in message.lower()], message


def test_a_participant_writes_to_control_only_for_their_own_team() -> None:
    command = COMMANDS["message.control"].build({"text": TEXT, "team": "SUD"}, NewCode("x", "y"))
    (event,) = decide(STATES["running"], command, VIEWERS["police"], NOW)
    assert isinstance(event, ControlMessagePosted) and event.team == "NOR"


@pytest.mark.parametrize(
    "command",
    [
        c.OpenConnection("P0006", "x:1"),
        c.CloseConnection("P0006", "x:1"),
        c.CloseInstanceConnections("x"),
        c.Advance(),
    ],
    ids=lambda command: type(command).__name__,
)
def test_what_only_the_server_does_is_forbidden_to_every_role(command: c.Command) -> None:
    for actor in ACTORS:
        with pytest.raises(DomainError) as refused:
            decide(STATES["running"], command, VIEWERS[actor], NOW)
        assert refused.value.code == F


def test_an_evaluators_flag_on_an_action_reaches_staff_only() -> None:
    # Issue 11, item 5: shelter before the NRM referral is flagged for evaluators, not the team.
    command = COMMANDS["action.take"].build({"action": "arrange_shelter"}, NewCode("x", "y"))
    state = STATES["running"]
    taken, flagged = decide(state, command, VIEWERS["social_worker"], NOW)
    for event in (taken, flagged):
        state = apply(state, event)
    assert isinstance(taken, ActionTaken) and taken.flags == ()
    assert isinstance(flagged, ActionFlagged) and flagged.flags == ("arrange_shelter before refer_nrm",)
    assert audience(state, taken) == Audience.team("NOR")
    assert audience(state, flagged).is_staff_only
    for role in ("police", "prosecutor", "social_worker"):
        assert "flags" not in snapshot(state, VIEWERS[role])["actions"][0]
    assert snapshot(state, VIEWERS["mentor"])["actions"][0]["flags"] == list(flagged.flags)


@pytest.mark.parametrize("name", ["inject.open", "inject.acknowledge"])
def test_a_hidden_inject_and_a_missing_one_get_the_same_answer(name: str) -> None:
    # Issue 11, item 6: "no inject 'T-02' for you" vs "no inject 'I-99' in this exercise" told a
    # participant which ids exist. T-02 is released to SUD, T-06 not released, I-99 does not exist.
    for actor in ("police", "prosecutor", "social_worker"):
        answers = {}
        for inject in ("T-02", "T-06", "ADHOC-3", "I-99"):
            outcome, _, message = _answer(Cell(name, "-", {"inject": inject}, ()), actor)
            answers[inject] = (outcome, message.replace(repr(inject), "<id>"))
        assert set(answers.values()) == {(NF, "no inject <id> for you")}, answers


# Control's read-only preview of a station (issue 11, item 15): not a `cmd` (it comes with a
# `hello`), so it has a row of its own. Targets: a NOR participant, a SUD one, a staff member
# (who has no station) and a participant of the other exercise.
# fmt: off
PREVIEWS = (
    #   target     participant   police prosec social   dir   ctrl  simcell mentor observ
    ("ours",           "P0006",  F,  F,  F,   OK, OK,  F,  F,  F),
    ("theirs",         "P0010",  F,  F,  F,   OK, OK,  F,  F,  F),
    ("staff",          "P0004",  F,  F,  F,   "invalid_args", "invalid_args", F, F, F),
    ("other exercise", "P0016",  F,  F,  F,   NF, NF,  F,  F,  F),
)
# fmt: on


@pytest.mark.parametrize("row", PREVIEWS, ids=lambda row: row[0])
def test_only_control_previews_a_station_and_the_preview_is_staff_business(row: tuple[str, ...]) -> None:
    target, participant, *expected = row
    state = STATES["running"]
    got = {}
    for actor in ACTORS:
        try:
            (event,) = decide(state, c.PreviewStation(participant), VIEWERS[actor], NOW)
        except DomainError as error:
            got[actor] = error.code
            continue
        got[actor] = OK
        assert isinstance(event, StationPreviewed)
        assert (event.by, event.participant) == (VIEWERS[actor].participant, participant)
        assert audience(state, event).is_staff_only  # the audit entry: staff see who looked
        assert apply(state, event).participants == state.participants
    assert got == dict(zip(ACTORS, expected, strict=True)), target


def test_a_preview_sees_as_the_participant_does() -> None:
    state = STATES["running"]
    nils = state.participants["P0006"]
    assert previewed(state, "P0006") == Viewer(nils.id, nils.team, nils.role, False)
    assert snapshot(state, previewed(state, "P0006")) == snapshot(
        state, Viewer("P0006", "NOR", "police", False)
    )


EVALUATOR = Viewer("P0099", None, "evaluator", True)
"""An evaluator: staff, with no more rights than an observer but for evaluation."""
EVALUATOR_CAN = {"observation.record", "improvement.record", "improvement.edit", "improvement.withdraw"}
"""What an evaluator may do beyond an observer: not edit another's observation (O-1 is the mentor's)."""


@pytest.mark.parametrize("cell", MATRIX, ids=_id)
def test_an_evaluator_may_do_what_an_observer_may_and_evaluate(cell: Cell) -> None:
    spec = COMMANDS[cell.name]
    command = spec.build(cell.args, NewCode("NEW-CODE", "hash-new"))
    try:
        decide(STATES[cell.state], command, EVALUATOR, NOW + 60)
        outcome = OK
    except DomainError as error:
        outcome = error.code
    observer = cell.expected[ACTORS.index("observer")]
    expected = (
        OK
        if cell.name in EVALUATOR_CAN
        else NF
        if cell.target == "other exercise" and cell.name.startswith("observation.")
        else observer
    )
    assert outcome == expected


def test_what_evaluation_writes_reaches_no_participant_but_a_named_answers_author() -> None:
    # Observations, answers and the improvement plan are staff business.
    participants = [
        Viewer(p.id, p.team, p.role, False) for p in STATES["running"].participants.values() if not p.staff
    ]
    checked = 0
    for cell in MATRIX:
        if cell.name.split(".")[0] not in {"observation", "improvement", "feedback"}:
            continue
        for actor in ACTORS:
            _, events = _outcome(cell, actor)
            after = STATES[cell.state]
            for event in events:
                after = apply(after, event)
                seen_by = audience(after, event)
                author = event.participant if isinstance(event, FeedbackGiven) else None
                readers = [v.participant for v in participants if can_see(v, seen_by)]
                assert readers == ([] if author is None else [author]), event
                checked += 1
    assert checked >= 20
    for viewer in participants:
        assert set(snapshot(STATES["running"], viewer)["evaluation"]) == {"questionnaires"}


def test_what_injects_change_and_simcell_schedules_reaches_whom_it_should() -> None:
    # Issue 12, items 4 and 8: an artefact changed is seen by the teams holding it (the event
    # names them), SimCell's answer on its way by staff only.
    state = STATES["running"]
    changed = ArtefactChanged("A-NOR-AD", "destroyed", "taken down", None, "T-05", Audience.team("NOR"), 0.0)
    scheduled = AnswerScheduled("R-1", VIEWERS["simcell"].participant, "Records.", False, (), 100.0, 0.0)
    for actor in ACTORS:
        viewer = VIEWERS[actor]
        assert can_see(viewer, audience(state, changed)), actor  # NOR's roles and staff
        assert can_see(viewer, audience(state, scheduled)) is viewer.staff, actor
    sud = Viewer("P9999", "SUD", "police", False)
    assert not can_see(sud, audience(state, changed))
