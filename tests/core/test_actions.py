"""Actions and the channels with control: who may act, what is flagged, who reads what."""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Audience, Viewer, can_see
from server.core.decide import create
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import (
    ActionFlagged,
    ActionTaken,
    ArtefactReleased,
    ControlMessagePosted,
    DirectMessagePosted,
    InjectReleased,
    MentorPrompted,
    NoteWritten,
    to_data,
)
from server.core.scenario import (
    Action,
    Artefact,
    Channel,
    Discovery,
    EvidentialStatus,
    Inject,
    InjectAudience,
    Recipient,
    Role,
    Scope,
    Trigger,
    TriggerKind,
    Visibility,
)
from server.core.state import fold
from server.core.view import snapshot
from server.core.visibility import audience
from tests.core.transcript import NOW, ROSTER, SCENARIO, Run

ACTIONS = (
    Action("appoint_guardian", "Appoint a guardian"),
    Action("interview_child", "Interview a child", needs=frozenset({"appoint_guardian"})),
    Action("search", "Search premises"),
)
SHELTERED = Inject(
    id="I-06a",
    title="Threat to Ion's family",
    body="A threatening call.",
    channel=Channel.CALL,
    sender="NGO",
    audience=InjectAudience(recipients=(Recipient("nl"),)),
    trigger=Trigger(TriggerKind.ACTION, action="appoint_guardian", team="nl"),
)
ACTION_SCENARIO = dataclasses.replace(
    SCENARIO,
    roles=(
        Role("police", "Police investigator", capabilities=frozenset({"act:interview_child", "act:search"})),
        Role("prosecutor", "Prosecutor", capabilities=frozenset({"act:appoint_guardian"})),
    ),
    actions=ACTIONS,
    injects=(SHELTERED,),
)


@pytest.fixture
def play() -> Run:
    run = Run(create(ACTION_SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana)
    run.do(c.StartExercise(), dana, at=NOW + 10)
    return run


def test_a_child_interviewed_before_a_guardian_is_appointed_is_flagged(play: Run) -> None:
    anna, bas = play.viewer("Anna"), play.viewer("Bas")
    early = play.do(c.TakeAction("interview_child", subject="CH-DARIA"), anna)
    assert early == [
        ActionTaken("interview_child", anna.participant, "nl", "CH-DARIA", "", early[0].sim_time),  # type: ignore[attr-defined]
        ActionFlagged(
            "interview_child",
            anna.participant,
            "nl",
            ("interview_child before appoint_guardian",),
            early[0].sim_time,  # type: ignore[attr-defined]
        ),
    ]
    play.do(c.TakeAction("appoint_guardian", subject="CH-DARIA", note="Ms K. from child services"), bas)
    later = play.do(c.TakeAction("interview_child", subject="CH-DARIA"), anna)
    assert [type(e) for e in later] == [ActionTaken]  # nothing to flag
    (_, other) = play.do(c.TakeAction("interview_child", subject="CH-OLGA"), anna)
    assert isinstance(other, ActionFlagged)
    assert other.flags == ("interview_child before appoint_guardian",)
    assert [(t.action, t.flags) for t in play.state.actions] == [
        ("interview_child", ("interview_child before appoint_guardian",)),
        ("appoint_guardian", ()),
        ("interview_child", ()),
        ("interview_child", ("interview_child before appoint_guardian",)),
    ]


def test_evaluators_flags_are_for_staff_in_events_and_snapshots_alike(play: Run) -> None:
    # Issue 11, item 5: the flags reached the team live (in action.taken) but not in its snapshot.
    anna, bas, mia = play.viewer("Anna"), play.viewer("Bas"), play.viewer("Mia")
    play.do(c.TakeAction("interview_child", subject="CH-DARIA"), anna)
    team_saw = [e for e in play.log if can_see(bas, audience(play.state, e))]
    assert [e for e in team_saw if isinstance(e, ActionTaken | ActionFlagged)] == [
        ActionTaken("interview_child", anna.participant, "nl", "CH-DARIA", "", play.log[-1].sim_time)  # type: ignore[attr-defined]
    ]
    assert not any("appoint_guardian" in str(to_data(e)) for e in team_saw)
    assert "flags" not in snapshot(play.state, bas)["actions"][0]
    assert [e.kind for e in play.log if isinstance(e, ActionFlagged)] == ["action.flagged"]
    assert audience(play.state, play.log[-1]).is_staff_only
    # The mentor (staff, attached to team nl) sees the flag live and in a snapshot.
    assert snapshot(play.state, mia)["actions"][0]["flags"] == ["interview_child before appoint_guardian"]
    # What the team's events told it is what its snapshot shows.
    told = fold([play.log[0], *team_saw])
    assert snapshot(told, bas) == snapshot(play.state, bas)


def test_actions_need_the_capability_and_a_known_action(play: Run) -> None:
    with pytest.raises(Forbidden, match="may not appoint a guardian"):
        play.do(c.TakeAction("appoint_guardian"), play.viewer("Anna"))
    with pytest.raises(NotFound, match="actions: appoint_guardian, interview_child, search"):
        play.do(c.TakeAction("arrest"), play.viewer("Anna"))
    with pytest.raises(Forbidden):
        play.do(c.TakeAction("search"), play.viewer("Dana"))
    with pytest.raises(InvalidArguments):
        play.do(c.TakeAction("search", note="x" * 5000), play.viewer("Anna"))
    play.do(c.EndExercise(), play.viewer("Dana"))
    with pytest.raises(InvalidState):
        play.do(c.TakeAction("search"), play.viewer("Anna"))


def test_an_action_triggers_its_inject_and_is_seen_by_the_team(play: Run) -> None:
    (taken,) = play.do(c.TakeAction("appoint_guardian"), play.viewer("Bas"), at=NOW + 20)
    assert can_see(play.viewer("Anna"), audience(play.state, taken))
    assert not can_see(play.viewer("Carla"), audience(play.state, taken))
    released = [e for e in play.do(c.Advance(), c.SYSTEM) if isinstance(e, InjectReleased)]
    assert [e.inject for e in released] == ["I-06a"]
    anna_sees = snapshot(play.state, play.viewer("Anna"))["actions"]
    assert [(a["action"], "flags" in a) for a in anna_sees] == [("appoint_guardian", False)]
    assert snapshot(play.state, play.viewer("Carla"))["actions"] == []
    assert snapshot(play.state, play.viewer("Dana"))["actions"][0]["flags"] == []


def test_the_channel_between_a_team_and_control_and_mentor_prompts(play: Run) -> None:
    anna, carla, colm, mia, sam = (play.viewer(n) for n in ("Anna", "Carla", "Colm", "Mia", "Sam"))
    (asked,) = play.do(c.PostToControl("Can we call the hospital?"), anna)
    (answered,) = play.do(c.PostToControl("Yes, at 10:00.", team="nl"), colm)
    play.do(c.PostToControl("SimCell here.", team="nl"), sam)
    (prompt,) = play.do(c.PromptTeam("nl", "Have you considered the Interpol channel?"), mia)
    assert isinstance(asked, ControlMessagePosted)
    assert (asked.team, asked.from_control, answered.from_control) == ("nl", False, True)  # type: ignore[attr-defined]
    assert isinstance(prompt, MentorPrompted)
    for event in (asked, answered, prompt):
        assert audience(play.state, event) == Audience.team("nl")
    feed = snapshot(play.state, anna)["feed"]
    assert [(f["channel"], f["text"]) for f in feed][-2:] == [
        ("control", "SimCell here."),
        ("prompt", "Have you considered the Interpol channel?"),
    ]
    assert snapshot(play.state, carla)["feed"] == []
    with pytest.raises(NotFound, match="no team"):
        play.do(c.PostToControl("to whom?"), colm)
    with pytest.raises(Forbidden):
        play.do(c.PostToControl("hi", team="nl"), mia)  # mentors prompt; they do not run the channel
    with pytest.raises(Forbidden):
        play.do(c.PromptTeam("nl", "psst"), anna)
    with pytest.raises(NotFound):
        play.do(c.PromptTeam("xx", "psst"), mia)


def test_an_action_discovers_what_the_scenario_says(play: Run) -> None:
    ledger = Artefact(
        "A-LEDGER",
        "Debt ledger",
        "ledger",
        "nl.pol",
        Visibility(Scope.STAFF),
        EvidentialStatus.EVIDENCE,
        "H1",
        "27 names.",
        discovery=(Discovery(action="search"),),
    )
    play.state = dataclasses.replace(
        play.state, scenario=dataclasses.replace(ACTION_SCENARIO, artefacts=(ledger,))
    )
    _, found = play.do(c.TakeAction("search", subject="GreenSun"), play.viewer("Anna"))
    assert isinstance(found, ArtefactReleased)
    assert (found.artefact, found.source) == ("A-LEDGER", "action:search")
    assert [a["id"] for a in snapshot(play.state, play.viewer("Bas"))["case_file"]] == ["A-LEDGER"]
    assert snapshot(play.state, play.viewer("Carla"))["case_file"] == []


def test_direct_messages_between_teams_only_where_the_scenario_allows_them(play: Run) -> None:
    anna, carla = play.viewer("Anna"), play.viewer("Carla")
    with pytest.raises(Forbidden, match="no informal channels"):
        play.do(c.WriteToTeam("be", "Quick question"), anna)
    play.state = dataclasses.replace(
        play.state, scenario=dataclasses.replace(ACTION_SCENARIO, informal_channels=True)
    )
    (sent,) = play.do(c.WriteToTeam("be", "Do you know SeaCrew?"), anna)
    assert isinstance(sent, DirectMessagePosted)
    assert can_see(carla, audience(play.state, sent))
    assert not can_see(Viewer("P9", "fr", "police", False), audience(play.state, sent))
    assert snapshot(play.state, carla)["feed"][-1] == {
        "author": anna.participant,
        "channel": "direct",
        "text": "Do you know SeaCrew?",
        "seq": play.state.seq,
        "thread": "direct:be:nl",
        "team": "nl",
        "to_team": "be",
        "sim_time": play.sim_now,
    }
    with pytest.raises(Forbidden, match="from one team to another"):
        play.do(c.WriteToTeam("nl", "to myself"), anna)
    with pytest.raises(NotFound):
        play.do(c.WriteToTeam("xx", "nobody"), anna)


def test_staff_write_notes_on_a_team_or_an_event_for_the_debrief(play: Run) -> None:
    mia, anna = play.viewer("Mia"), play.viewer("Anna")
    (note,) = play.do(c.WriteNote("Good separation of Ion from the foreman.", team="nl", about=3), mia)
    assert isinstance(note, NoteWritten)
    assert (note.team, note.about) == ("nl", 3)
    assert audience(play.state, note) == Audience.staff_only()
    play.do(c.WriteNote("Overall: calm start."), play.viewer("Otto"))
    with pytest.raises(Forbidden):
        play.do(c.WriteNote("me too"), anna)
    with pytest.raises(NotFound):
        play.do(c.WriteNote("x", team="zz"), mia)
    with pytest.raises(InvalidArguments):
        play.do(c.WriteNote("x", about=0), mia)


def test_a_refusal_keeps_the_action_names_acronyms() -> None:
    from server.core.actions import _as_verb

    assert _as_verb("Trace the USDT wallets") == "trace the USDT wallets"
    assert _as_verb("NRM referral") == "NRM referral"
    assert _as_verb("Appoint a guardian") == "appoint a guardian"
