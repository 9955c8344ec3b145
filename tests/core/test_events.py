"""Events as plain data: every event type survives `to_data` -> JSON -> `from_data` intact."""

from __future__ import annotations

import dataclasses
import json

import pytest

from server.core.audience import Audience
from server.core.clock import Clock
from server.core.events import (
    EVENT_TYPES,
    ActionFlagged,
    ActionTaken,
    AnnouncementMade,
    AnswerDeferred,
    AnswerScheduled,
    ArtefactChanged,
    ArtefactReleased,
    ArtefactShared,
    CharacterChanged,
    ClarificationRequested,
    ClockJumped,
    ClockJumpSkipped,
    ClockSpeedChanged,
    ConnectionClosed,
    ConnectionOpened,
    ConsentGranted,
    ControlMessagePosted,
    CredentialIssued,
    CredentialRevoked,
    DirectMessagePosted,
    Event,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
    InjectAcknowledged,
    InjectEdited,
    InjectHeld,
    InjectHoldLifted,
    InjectOpened,
    InjectReleased,
    InjectRetimed,
    InjectSkipped,
    JointTeamFormed,
    MentorPrompted,
    MessagePosted,
    NoteWritten,
    ParticipantAdded,
    RequestAcknowledged,
    RequestAmended,
    RequestAnswered,
    RequestClarified,
    RequestDeadlineWarned,
    RequestDrafted,
    RequestFlagged,
    RequestRefused,
    RequestSent,
    RequestUpdated,
    RequestValidated,
    RequestWithdrawn,
    SharingFlagged,
    StationPreviewed,
    Team,
    from_data,
    to_data,
)
from server.core.requests import FieldChange, FieldValue, StageDue
from server.core.scenario import ClockSpec, Country, Role, RouteRole, Scenario

SCENARIO = Scenario(
    id="smuggling-route",
    title="The Smuggling Route",
    countries=(
        Country("nl", "Netherlands", RouteRole.ORIGIN),
        Country("be", "Belgium", RouteRole.TRANSIT),
    ),
    roles=(Role("police", "Police investigator"), Role("prosecutor", "Prosecutor")),
    clock=ClockSpec(start=28_800, morning=27_000, speed=2.5),
)
STOPPED = Clock(sim_anchor=28_800.0, wall_anchor=1_700_000_000.5, speed=2.5)
RUNNING = dataclasses.replace(STOPPED, running=True)

from tests.core.test_evaluation import EVALUATION_EXAMPLES  # noqa: E402

EXAMPLES: list[Event] = [
    ExerciseCreated(
        exercise="EX1",
        title="Spring course",
        scenario=SCENARIO,
        teams=(Team("nl", "Netherlands", "nl"), Team("be", "Belgium", "be")),
        clock=STOPPED,
        created_at=1_700_000_000.5,
    ),
    ParticipantAdded("P0006", "Anna", "nl", "police", staff=False, code_hash="h1"),
    ParticipantAdded("P0001", "Dana", None, "director", staff=True, code_hash="h0"),
    CredentialIssued("P0006", generation=2, code_hash="h2"),
    CredentialRevoked("P0006", generation=2),
    ExerciseReady(),
    ExerciseStarted(RUNNING),
    ExercisePaused(STOPPED),
    ExerciseResumed(RUNNING),
    ExerciseEnded(STOPPED),
    ClockSpeedChanged(dataclasses.replace(RUNNING, speed=60.0)),
    ClockJumped(dataclasses.replace(RUNNING, sim_anchor=113_400.0), from_sim=30_000.25),
    ConnectionOpened("P0006", "i1:c1"),
    ConnectionClosed("P0006", "i1:c1"),
    MessagePosted(author="P0006", team="nl", text="Suspect seen in Rotterdam"),
    MessagePosted(author="P0099", team=None, text="teamless"),
    AnnouncementMade(
        author="P0001",
        audience=Audience.of(teams=["nl", "be"], roles=["police"], participants=["P0007"]),
        text="Raid at dawn",
    ),
    AnnouncementMade(author="P0001", audience=Audience.all(), text="ENDEX in 10 minutes"),
    InjectReleased(
        inject="I-02",
        title="Hospital call",
        body="An injured worker ...",
        channel="call",
        sender="St. Mary Hospital",
        audience=Audience.of(team_roles=["nl/police"]),
        releases=("A-1", "A-2"),
        sim_time=32_400.0,
        reason="time",
    ),
    InjectHeld("I-02"),
    InjectHoldLifted("I-02"),
    InjectSkipped("I-03"),
    InjectRetimed("I-04", at=36_000.0),
    InjectEdited("I-04", title="New title", body="New body"),
    InjectOpened("I-02", "P0006"),
    InjectAcknowledged("I-02", "P0006"),
    RequestDrafted(
        request="R-1",
        instrument="EIO",
        source_team="nl",
        author="P0006",
        target_team="be",
        target_agency="be.pros",
        fields=(
            FieldValue("facts", text="Workers in containers"),
            FieldValue("amount", number=61_000.0),
            FieldValue("video", flag=True),
            FieldValue("measures", items=("bank_accounts", "search")),
        ),
        urgent=True,
        spontaneous=False,
        simcell=False,
        sim_time=30_000.0,
    ),
    RequestUpdated("R-1", "P0006", (FieldValue("facts", text="More"),), False, 30_100.0),
    RequestValidated("R-1", "P0007", 30_200.0),
    RequestSent("R-1", "P0006", 30_300.0, due_at=37_500.0, due_stage="recognised", legal="30 days"),
    RequestSent("R-2", "P0006", 30_300.0, due_at=None, due_stage="", legal=""),
    RequestAcknowledged("R-1", "P0008", 30_400.0),
    ClarificationRequested("R-1", "P0008", "Which account?", 30_500.0),
    RequestClarified("R-1", "P0006", "FR76 ...", 30_600.0),
    RequestAnswered("R-1", "P0008", "Records attached", True, ("A-BANK",), 36_000.0, 30_700.0),
    RequestRefused("R-3", "P0008", "ne_bis_in_idem", "Already tried", 30_800.0),
    RequestWithdrawn("R-4", "P0006", 30_900.0, sent=False),
    RequestDeadlineWarned("R-1", "overdue", 37_500.0, 37_600.0),
    RequestDeadlineWarned("R-1", "due_soon", 31_000.0, 30_900.0, stage="acknowledged"),
    RequestSent(
        "R-5",
        "P0006",
        30_300.0,
        due_at=31_200.0,
        due_stage="acknowledged",
        legal="2 hours",
        deadlines=(
            StageDue("acknowledged", 31_200.0, "2 hours"),
            StageDue("answered", 63_000.0, "next morning", soon_at=59_400.0, warned=("due_soon",)),
        ),
    ),
    RequestAmended(
        "R-1",
        "P0006",
        (
            FieldChange("facts", FieldValue("facts", text="Old"), FieldValue("facts", text="New")),
            FieldChange("amount", None, FieldValue("amount", number=5.0)),
        ),
        (FieldValue("facts", text="New"), FieldValue("amount", number=5.0)),
        "Account number added",
        30_650.0,
        1_700_000_100.5,
    ),
    ConsentGranted("R-1", "P0008", "receiver", ("evidence", "onward"), "For the trial", 30_700.0),
    ConsentGranted("R-2", "P0006", "requester", ("onward",), "", 30_100.0, sent=False),
    ArtefactReleased("A-BANK", Audience.team("nl"), "R-1", 36_000.0),
    ActionTaken(
        "interview_child",
        "P0006",
        "nl",
        "CH-DARIA",
        "",
        36_100.0,
    ),
    ActionFlagged("interview_child", "P0006", "nl", ("interview_child before appoint_guardian",), 36_100.0),
    ControlMessagePosted("P0002", "nl", "At 10:00", from_control=True),
    MentorPrompted("P0004", "nl", "Consider Interpol."),
    ArtefactShared("A-1", "nl", "be", "P0006", "R-1", 36_200.0),
    SharingFlagged("A-1", "P0006", "nl", "be", "handling code H3: not to be passed on"),
    JointTeamFormed("JIT-1", ("be", "nl"), 40_000.0),
    CharacterChanged("CH-ION", 1, "lost_contact", "collected by Andrei", "scenario"),
    CharacterChanged("CH-ION", 1, "lost_contact", "moved on", "scenario", safety="high", location="Port"),
    ArtefactChanged("A-LAPTOP", "destroyed", "wiped", None, "I-20", Audience.team("nl"), 40_000.0),
    AnswerScheduled("R-1", "P0003", "Records attached.", False, ("A-BANK",), 50_000.0, 40_000.0),
    AnswerDeferred("R-1", "P0003", "The hearing is set for next month.", 40_000.0),
    DirectMessagePosted("P0006", "nl", "be", "Do you know SeaCrew?"),
    NoteWritten("P0004", "nl", 12, "Good separation.", 40_100.0),
    NoteWritten("P0005", None, None, "Calm start.", 40_200.0),
    StationPreviewed("P0001", "P0006", "NOR"),
    RequestFlagged("R-1", "nl", ("no_dual_criminality",), ("not an offence in be",), 30_300.0),
    ClockJumpSkipped("overnight-D1", "P0002"),
    ClockJumped(
        dataclasses.replace(RUNNING, sim_anchor=117_000.0), 64_800.0, jump="overnight-D1", reason="night"
    ),
    *EVALUATION_EXAMPLES,
]


ANNOUNCEMENT = next(e for e in EXAMPLES if isinstance(e, AnnouncementMade) and not e.audience.everyone)


def test_the_examples_cover_every_event_type() -> None:
    assert {type(event) for event in EXAMPLES} == set(EVENT_TYPES.values())


def test_event_types_are_keyed_by_their_kind() -> None:
    assert len(EVENT_TYPES) == 62
    for kind, cls in EVENT_TYPES.items():
        assert cls.kind == kind
        assert kind.count(".") == 1


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda event: event.kind)
def test_round_trip_through_json(event: Event) -> None:
    wire = json.loads(json.dumps(to_data(event)))
    rebuilt = from_data(event.kind, wire)
    assert rebuilt == event
    assert type(rebuilt) is type(event)


def test_to_data_is_plain_data_without_the_kind() -> None:
    data = to_data(EXAMPLES[0])
    assert data == {
        "exercise": "EX1",
        "title": "Spring course",
        "scenario": {
            "id": "smuggling-route",
            "title": "The Smuggling Route",
            "countries": [
                {"id": "nl", "name": "Netherlands", "route_role": "origin"},
                {"id": "be", "name": "Belgium", "route_role": "transit"},
            ],
            "roles": [
                {"id": "police", "name": "Police investigator"},
                {"id": "prosecutor", "name": "Prosecutor"},
            ],
            "clock": {"start": 28_800, "morning": 27_000, "speed": 2.5},
        },
        "teams": [
            {"id": "nl", "name": "Netherlands", "country": "nl"},
            {"id": "be", "name": "Belgium", "country": "be"},
        ],
        "clock": {
            "sim_anchor": 28_800.0,
            "wall_anchor": 1_700_000_000.5,
            "speed": 2.5,
            "running": False,
        },
        "created_at": 1_700_000_000.5,
    }
    assert "kind" not in to_data(ExerciseReady())


def test_an_audience_becomes_sorted_lists() -> None:
    assert to_data(ANNOUNCEMENT)["audience"] == {
        "everyone": False,
        "teams": ["be", "nl"],
        "roles": ["police"],
        "participants": ["P0007"],
        "team_roles": [],
    }


def test_from_data_restores_the_nested_types() -> None:
    created = from_data("exercise.created", json.loads(json.dumps(to_data(EXAMPLES[0]))))
    assert isinstance(created, ExerciseCreated)
    assert isinstance(created.scenario.countries, tuple)
    assert created.scenario.countries[1].route_role is RouteRole.TRANSIT
    assert isinstance(created.teams[0], Team)
    assert isinstance(created.clock, Clock)
    announced = from_data("announcement.made", to_data(ANNOUNCEMENT))
    assert isinstance(announced, AnnouncementMade)
    assert announced.audience.teams == frozenset({"nl", "be"})


def test_from_data_makes_floats_of_whole_numbers() -> None:
    jumped = from_data("clock.jumped", {"clock": {**to_data(EXAMPLES[0])["clock"]}, "from_sim": 7})
    assert isinstance(jumped, ClockJumped)
    assert isinstance(jumped.from_sim, float)
    assert jumped.from_sim == 7.0


def test_from_data_refuses_an_unknown_kind() -> None:
    with pytest.raises(KeyError):
        from_data("exercise.exploded", {})


def test_from_data_refuses_missing_fields() -> None:
    with pytest.raises(KeyError):
        from_data("connection.opened", {"participant": "P0006"})


def test_events_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        EXAMPLES[1].name = "Eve"  # type: ignore[attr-defined]
