"""The MSEL as played: timed and triggered releases, control's hand on the list, acknowledgements.

The scenario: three teams (nl, be, fr); D1 starts 08:00, "next morning" is 07:30.
  I-01 08:30 everyone; releases artefact A-PACK
  I-02 09:00 nl police only
  I-03 30 minutes after I-02 is released, to be
  I-04 next morning after I-02, to fr
  I-05 at 11:00 unless I-02 was released before (a deadline missed) ... it was, so never
  I-06 at 12:00 unless I-99 (never released): fires
  I-07 all of (time 10:00, I-02 released)
  I-08 any of (I-03 released, time 23:00)
  I-09 an hour after all of (time 09:30, not I-06 released): 10:30, as I-06 comes at 12:00
  I-10 manual only
"""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Audience, Viewer, can_see
from server.core.decide import create
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.events import ConnectionOpened, InjectAcknowledged, InjectOpened, InjectReleased, to_data
from server.core.injects import InjectStatus, after, audience_of, due, earliest, next_due
from server.core.scenario import (
    Anchor,
    Artefact,
    Channel,
    Delay,
    EvidentialStatus,
    Inject,
    InjectAudience,
    Recipient,
    Scope,
    Trigger,
    TriggerKind,
    Visibility,
)
from server.core.simtime import HOUR, MINUTE, parse_sim_time
from server.core.state import Exercise, apply
from server.core.view import snapshot
from server.core.visibility import audience
from tests.core.transcript import NOW, ROSTER, SCENARIO, Run


def at(text: str) -> int:
    return parse_sim_time(text)


def _inject(
    inject_id: str, *, when: str | None = None, trigger: Trigger | None = None, **more: object
) -> Inject:
    return Inject(
        id=inject_id,
        title=f"Title {inject_id}",
        body=f"Body of {inject_id}",
        channel=Channel.DOCUMENT,
        sender="SimCell",
        audience=more.pop("audience", InjectAudience(everyone=True)),  # type: ignore[arg-type]
        at=None if when is None else at(when),
        trigger=trigger,
        **more,  # type: ignore[arg-type]
    )


def _released(name: str, delay: Delay | None = None) -> Trigger:
    return Trigger(TriggerKind.INJECT, inject=name, delay=delay)


INJECTS = (
    _inject("I-01", when="D1 08:30", releases=("A-PACK",)),
    _inject(
        "I-02", when="D1 09:00", audience=InjectAudience(recipients=(Recipient("nl", frozenset({"police"})),))
    ),
    _inject(
        "I-03",
        trigger=_released("I-02", Delay(seconds=30 * MINUTE)),
        audience=InjectAudience(recipients=(Recipient("be"),)),
    ),
    _inject(
        "I-04",
        trigger=_released("I-02", Delay(anchor=Anchor.NEXT_MORNING)),
        audience=InjectAudience(recipients=(Recipient("fr"),)),
    ),
    _inject("I-05", trigger=Trigger(TriggerKind.DEADLINE_MISSED, at=at("D1 11:00"), of=(_released("I-02"),))),
    _inject("I-06", trigger=Trigger(TriggerKind.DEADLINE_MISSED, at=at("D1 12:00"), of=(_released("I-99"),))),
    _inject(
        "I-07",
        trigger=Trigger(
            TriggerKind.ALL_OF, of=(Trigger(TriggerKind.TIME, at=at("D1 10:00")), _released("I-02"))
        ),
    ),
    _inject(
        "I-08",
        trigger=Trigger(
            TriggerKind.ANY_OF, of=(_released("I-03"), Trigger(TriggerKind.TIME, at=at("D1 23:00")))
        ),
    ),
    _inject(
        "I-09",
        trigger=Trigger(
            TriggerKind.ALL_OF,
            of=(
                Trigger(TriggerKind.TIME, at=at("D1 09:30")),
                Trigger(TriggerKind.NOT, of=(_released("I-06"),)),
            ),
        ),
        delay=Delay(seconds=HOUR),
    ),
    _inject("I-10", trigger=Trigger(TriggerKind.MANUAL)),
)
PACK = Artefact(
    id="A-PACK",
    title="STARTEX pack",
    kind="document",
    owner="control",
    visibility=Visibility(Scope.STAFF),
    evidential_status=EvidentialStatus.INTELLIGENCE,
    handling="H1",
    content="Country profiles and rosters.",
)
MSEL_SCENARIO = dataclasses.replace(SCENARIO, injects=INJECTS, artefacts=(PACK,))


@pytest.fixture
def msel() -> Run:
    """A running exercise with the MSEL above; its clock runs at 60x from D1 08:00 at NOW + 10."""
    run = Run(create(MSEL_SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    director = run.viewer("Dana")
    run.do(c.MarkReady(), director, at=NOW + 5)
    run.do(c.SetClockSpeed(60.0), director)
    run.do(c.StartExercise(), director, at=NOW + 10)
    return run


def wall(sim: str) -> float:
    """The wall time at which the fixture's clock reads `sim` (60 simulated seconds a second)."""
    return NOW + 10 + (at(sim) - at("D1 08:00")) / 60


def tick(run: Run, sim: str) -> list[str]:
    """What the scheduler does at simulated time `sim`: release every due inject, as SYSTEM,
    until a release makes nothing more due."""
    run.now = wall(sim)
    released = [e.inject for e in run.do(c.Advance(), c.SYSTEM) if isinstance(e, InjectReleased)]
    assert due(run.state.injects, run.state.clock.sim_at(run.now), run.state.scenario.clock.morning) == []
    return released


def test_injects_are_released_at_their_time_and_on_their_triggers(msel: Run) -> None:
    assert tick(msel, "D1 08:29") == []
    assert tick(msel, "D1 08:30") == ["I-01"]
    assert tick(msel, "D1 09:00") == ["I-02"]
    assert tick(msel, "D1 09:29") == []
    assert tick(msel, "D1 09:30") == ["I-03", "I-08"]  # I-08: any of (I-03 released, 23:00)
    assert tick(msel, "D1 10:00") == ["I-07"]
    assert tick(msel, "D1 10:30") == ["I-09"]  # I-06 not released yet: "not" holds
    assert tick(msel, "D1 11:30") == []  # I-05: I-02 was released before 11:00, so it never fires
    assert tick(msel, "D1 12:00") == ["I-06"]
    assert tick(msel, "D2 07:29") == []
    assert tick(msel, "D2 07:30") == ["I-04"]  # the next morning after I-02
    statuses = {run.id: run.status for run in msel.state.injects.values()}
    assert statuses["I-05"] is InjectStatus.PLANNED
    assert statuses["I-10"] is InjectStatus.PLANNED  # manual only
    assert [r.artefact for r in msel.state.releases] == ["A-PACK"]


def test_a_release_happens_once_however_many_schedulers_ask(msel: Run) -> None:
    msel.now = wall("D1 09:00")
    first = msel.do(c.Advance(), c.SYSTEM)
    again = msel.do(c.Advance(), c.SYSTEM)  # a second instance, a moment later
    assert [e.inject for e in first] == ["I-01", "I-02"]  # type: ignore[attr-defined]
    assert again == []
    with pytest.raises(Forbidden):
        msel.do(c.ReleaseInject("I-10"), c.SYSTEM)  # the scheduler cannot force a manual inject


def test_the_scheduler_releases_nothing_while_paused(msel: Run) -> None:
    msel.do(c.PauseExercise(), msel.viewer("Dana"), at=wall("D1 08:10"))
    msel.now = wall("D1 12:00")  # wall time passes, simulated time stands still at 08:10
    assert due(msel.state.injects, msel.state.clock.sim_at(msel.now), msel.state.scenario.clock.morning) == []
    assert msel.do(c.Advance(), c.SYSTEM) == []
    msel.do(c.JumpClock(float(at("D1 08:45"))), msel.viewer("Dana"))
    assert msel.do(c.Advance(), c.SYSTEM) == []  # I-01 is due now, but the exercise is paused
    msel.do(c.ResumeExercise(), msel.viewer("Dana"))
    assert [e.inject for e in msel.do(c.Advance(), c.SYSTEM)] == ["I-01"]  # type: ignore[attr-defined]


def test_next_due_tells_the_scheduler_when_to_look_again(msel: Run) -> None:
    morning = msel.state.scenario.clock.morning
    assert next_due(msel.state.injects, at("D1 08:00"), morning) == at("D1 08:30")
    tick(msel, "D1 09:00")
    assert next_due(msel.state.injects, at("D1 09:00"), morning) == at("D1 09:30")
    tick(msel, "D2 07:30")
    assert next_due(msel.state.injects, at("D2 07:30"), morning) is None  # I-05 and I-10 never


def test_control_holds_lifts_skips_retimes_and_edits_before_release(msel: Run) -> None:
    colm = msel.viewer("Colm")
    msel.do(c.HoldInject("I-01"), colm)
    assert msel.do(c.HoldInject("I-01"), colm) == []  # already held
    assert tick(msel, "D1 08:45") == []  # I-01 is held
    msel.do(c.LiftHold("I-01"), colm)
    assert msel.do(c.LiftHold("I-01"), colm) == []
    with pytest.raises(InvalidArguments):
        msel.do(c.RetimeInject("I-01", float("nan")), colm)
    msel.do(c.RetimeInject("I-01", float(at("D1 09:15"))), colm)
    msel.do(c.EditInject("I-01", title="STARTEX pack (corrected)"), colm)
    msel.do(c.EditInject("I-01", body="  New body  "), colm)
    msel.do(c.SkipInject("I-02"), colm)
    assert tick(msel, "D1 09:15") == ["I-01"]
    run = msel.state.injects["I-01"]
    assert (run.title, run.body, run.released_at) == ("STARTEX pack (corrected)", "New body", at("D1 09:15"))
    assert msel.state.injects["I-02"].status is InjectStatus.SKIPPED
    for command in (c.HoldInject("I-01"), c.SkipInject("I-02"), c.EditInject("I-01", title="x")):
        with pytest.raises(InvalidState, match="it is"):
            msel.do(command, colm)
    with pytest.raises(InvalidState, match="trigger"):
        msel.do(c.RetimeInject("I-03", 0.0), colm)
    with pytest.raises(NotFound):
        msel.do(c.HoldInject("I-77"), colm)


def test_control_releases_now_and_writes_ad_hoc_injects(msel: Run) -> None:
    sam = msel.viewer("Sam")  # SimCell may release and write; not hold or edit
    (released,) = msel.do(c.ReleaseInject("I-10"), sam, at=wall("D1 08:05"))
    assert isinstance(released, InjectReleased)
    assert (released.reason, released.sim_time) == ("control", at("D1 08:05"))
    (adhoc,) = msel.do(
        c.WriteInject("Ferry delayed", "The MV Aurora is held at sea.", Audience.team("be")), sam
    )
    (second,) = msel.do(c.WriteInject("Again", "More.", Audience.staff_only(), "call"), sam)
    assert (adhoc.inject, second.inject) == ("ADHOC-1", "ADHOC-2")  # type: ignore[attr-defined]
    assert msel.state.injects["ADHOC-1"].adhoc
    with pytest.raises(Forbidden):
        msel.do(c.HoldInject("I-01"), sam)
    with pytest.raises(Forbidden):
        msel.do(c.ReleaseInject("I-01"), msel.viewer("Anna"))
    with pytest.raises(InvalidArguments):
        msel.do(c.WriteInject("", "body", Audience.all()), sam)
    with pytest.raises(InvalidState):
        msel.do(c.ReleaseInject("I-10"), sam)  # released already


def test_the_msel_is_closed_in_draft_and_after_the_end(msel: Run) -> None:
    draft = Run(create(MSEL_SCENARIO, "EX2", "", ROSTER, NOW), NOW)
    with pytest.raises(InvalidState, match="draft"):
        draft.do(c.ReleaseInject("I-01"), draft.viewer("Dana"))
    assert draft.do(c.Advance(), c.SYSTEM) == []
    msel.do(c.EndExercise(), msel.viewer("Dana"))
    with pytest.raises(InvalidState, match="ended"):
        msel.do(c.WriteInject("t", "b", Audience.all()), msel.viewer("Dana"))


def test_recipients_open_and_acknowledge_and_only_they_can(msel: Run) -> None:
    tick(msel, "D1 09:00")
    anna, bas, carla = msel.viewer("Anna"), msel.viewer("Bas"), msel.viewer("Carla")
    assert msel.do(c.OpenInject("I-02"), anna) == [InjectOpened("I-02", anna.participant)]
    assert msel.do(c.OpenInject("I-02"), anna) == []
    assert msel.do(c.AcknowledgeInject("I-02"), anna) == [InjectAcknowledged("I-02", anna.participant)]
    assert msel.do(c.AcknowledgeInject("I-02"), anna) == []
    run = msel.state.injects["I-02"]
    assert run.opened == run.acknowledged == {anna.participant}
    msel.do(c.AcknowledgeInject("I-01"), carla)  # acknowledging opens too
    assert carla.participant in msel.state.injects["I-01"].opened
    for viewer, inject in ((bas, "I-02"), (carla, "I-02"), (anna, "I-03"), (anna, "I-77")):
        with pytest.raises(NotFound):  # not for them, not released yet, or no such inject
            msel.do(c.AcknowledgeInject(inject), viewer)
    with pytest.raises(Forbidden):
        msel.do(c.OpenInject("I-01"), msel.viewer("Mia"))


def test_who_sees_what_of_the_msel(msel: Run) -> None:
    tick(msel, "D1 09:00")
    colm, anna = msel.viewer("Colm"), msel.viewer("Anna")
    held = msel.do(c.HoldInject("I-10"), colm)
    (opened,) = msel.do(c.OpenInject("I-02"), anna)
    released = [e for e in msel.log if isinstance(e, InjectReleased)]
    by_id = {e.inject: audience(msel.state, e) for e in released}
    assert by_id["I-01"] == Audience.all()
    assert by_id["I-02"] == Audience.of(team_roles=["nl/police"])
    assert audience(msel.state, held[0]) == Audience.staff_only()
    assert audience(msel.state, opened) == Audience.of(participants=[anna.participant])
    assert can_see(anna, by_id["I-02"])
    assert not can_see(msel.viewer("Bas"), by_id["I-02"])  # nl, but prosecutor
    assert not can_see(Viewer("P9", "be", "police", False), by_id["I-02"])  # police, but be


def test_audiences_of_scenario_recipients() -> None:
    assert audience_of(InjectAudience(everyone=True)) == Audience.all()
    assert audience_of(InjectAudience()) == Audience.staff_only()
    mixed = InjectAudience(
        recipients=(
            Recipient(None, frozenset({"prosecutor"})),
            Recipient("be"),
            Recipient("nl", frozenset({"police"})),
        )
    )
    assert audience_of(mixed) == Audience.of(roles=["prosecutor"], teams=["be"], team_roles=["nl/police"])


def test_delays_and_anchors() -> None:
    morning = at("D1 07:30")
    assert after(100.0, None, morning) == 100.0
    assert after(100.0, Delay(seconds=60), morning) == 160.0
    assert after(at("D1 09:00"), Delay(anchor=Anchor.NEXT_MORNING), morning) == at("D2 07:30")
    assert after(at("D1 09:00"), Delay(anchor=Anchor.NEXT_MIDDAY), morning) == at("D1 12:00")
    assert after(at("D1 15:00"), Delay(anchor=Anchor.NEXT_AFTERNOON), morning) == at("D2 14:00")


def test_triggers_that_cannot_hold_yet() -> None:
    state: Exercise = Run(create(MSEL_SCENARIO, "EX3", "", ROSTER, NOW), NOW).state
    injects, morning = state.injects, state.scenario.clock.morning
    assert earliest(Trigger(TriggerKind.TIME), injects, 0.0, morning) is None  # no time given
    assert earliest(Trigger(TriggerKind.ALL_OF), injects, 0.0, morning) is None  # nothing to hold
    assert earliest(Trigger(TriggerKind.ANY_OF), injects, 0.0, morning) is None
    assert earliest(Trigger(TriggerKind.NOT), injects, 0.0, morning) == 0.0  # not(nothing) holds
    assert earliest(Trigger(TriggerKind.DEADLINE_MISSED), injects, 0.0, morning) is None  # no deadline
    assert earliest(Trigger(TriggerKind.REQUEST, instrument="EIO"), injects, 0.0, morning) is None
    assert (
        earliest(Trigger(TriggerKind.NOT, of=(Trigger(TriggerKind.TIME, at=100),)), injects, 50.0, morning)
        == 0.0
    )
    assert (
        earliest(Trigger(TriggerKind.NOT, of=(Trigger(TriggerKind.TIME, at=100),)), injects, 150.0, morning)
        is None
    )


def test_snapshots_show_released_injects_to_their_audience_and_the_msel_to_staff(msel: Run) -> None:
    tick(msel, "D1 09:00")
    anna, carla, dana = msel.viewer("Anna"), msel.viewer("Carla"), msel.viewer("Dana")
    msel.do(c.AcknowledgeInject("I-02"), anna)
    seen = snapshot(msel.state, anna)
    assert [(i["id"], i["acknowledged"]) for i in seen["injects"]] == [("I-01", False), ("I-02", True)]
    assert [a["id"] for a in seen["case_file"]] == ["A-PACK"]
    assert seen["case_file"][0]["released_by"] == "I-01"
    assert "msel" not in seen
    assert [i["id"] for i in snapshot(msel.state, carla)["injects"]] == ["I-01"]  # I-02 is for nl police
    rows = {row["id"]: row for row in snapshot(msel.state, dana)["msel"]}
    assert rows["I-02"]["recipients"] == [anna.participant]
    assert rows["I-02"]["acknowledged"] == [anna.participant]
    assert rows["I-02"]["audience"]["team_roles"] == ["nl/police"]
    assert (rows["I-03"]["status"], rows["I-03"]["triggered"]) == ("planned", True)
    assert len(rows) == len(INJECTS)


def test_a_released_artefact_is_listed_once(msel: Run) -> None:
    tick(msel, "D1 08:30")
    msel.do(c.ReleaseInject("I-10"), msel.viewer("Dana"))  # releases nothing; A-PACK stays once
    twice = dataclasses.replace(msel.state, releases=msel.state.releases.extend(msel.state.releases))
    assert [a["id"] for a in snapshot(twice, msel.viewer("Anna"))["case_file"]] == ["A-PACK"]
    gone = dataclasses.replace(msel.state, scenario=dataclasses.replace(msel.state.scenario, artefacts=()))
    assert snapshot(gone, msel.viewer("Anna"))["case_file"] == []


def test_control_sees_who_has_an_inject_delivered_opened_and_acknowledged(msel: Run) -> None:
    anna, carla, bas = msel.viewer("Anna"), msel.viewer("Carla"), msel.viewer("Bas")
    msel.do(c.OpenConnection(anna.participant, "i1:1"), c.SYSTEM)
    msel.do(c.OpenConnection(msel.viewer("Dana").participant, "i1:2"), c.SYSTEM)  # staff: not a recipient
    tick(msel, "D1 08:30")  # I-01 to everyone: only Anna is online
    everyone = [p.id for p in msel.state.participants.values() if not p.staff]
    assert msel.state.delivered(msel.state.injects["I-01"], everyone) == {anna.participant}
    msel.do(c.OpenConnection(carla.participant, "i1:3"), c.SYSTEM)  # Carla connects later
    msel.do(c.OpenConnection(carla.participant, "i1:4"), c.SYSTEM)  # a second tab changes nothing
    assert msel.state.delivered(msel.state.injects["I-01"], everyone) == {anna.participant, carla.participant}
    tick(msel, "D1 09:00")  # I-02 to nl police: Anna only, whoever else is online
    assert msel.state.delivered(msel.state.injects["I-02"], [anna.participant]) == {anna.participant}
    msel.do(c.OpenInject("I-01"), carla)
    rows = {row["id"]: row for row in snapshot(msel.state, msel.viewer("Dana"))["msel"]}
    assert (rows["I-01"]["delivered"], rows["I-01"]["opened"], rows["I-01"]["acknowledged"]) == (
        sorted([anna.participant, carla.participant]),
        [carla.participant],
        [],
    )
    assert bas.participant in rows["I-01"]["recipients"]  # not delivered yet: Bas never connected
    assert rows["I-03"]["status"] == "planned" and rows["I-03"]["delivered"] == []  # online, not released
    mine = {i["id"]: i for i in snapshot(msel.state, carla)["injects"]}
    assert (mine["I-01"]["delivered"], mine["I-01"]["opened"]) == (True, True)


def test_presence_of_someone_not_on_the_roster_delivers_nothing(msel: Run) -> None:
    tick(msel, "D1 08:30")
    before = msel.state.injects
    after = apply(msel.state, ConnectionOpened("P9999", "i1:9"))
    assert after.injects == before


def test_the_role_players_brief_is_for_staff_only() -> None:
    # Issue 11, item 4: scene directions for role-players were in the body trainees receive.
    scene = _inject(
        "I-SCENE",
        when="D1 08:30",
        audience=InjectAudience(recipients=(Recipient("nl"),)),
        roleplay="Ion answers in single words unless the team brings a qualified interpreter.",
    )
    run = Run(create(dataclasses.replace(SCENARIO, injects=(scene,)), "EX1", "", ROSTER, NOW), NOW)
    run.do(c.MarkReady(), run.viewer("Dana"))
    run.do(c.StartExercise(), run.viewer("Dana"))
    (released,) = run.do(c.Advance(), c.SYSTEM, at=NOW + 3600)
    assert isinstance(released, InjectReleased)
    assert "single words" not in str(to_data(released))
    anna = snapshot(run.state, run.viewer("Anna"))
    assert [i["id"] for i in anna["injects"]] == ["I-SCENE"] and "single words" not in str(anna)
    (row,) = snapshot(run.state, run.viewer("Colm"))["msel"]
    assert row["roleplay"] == scene.roleplay
