"""Random exercises: commands by random actors at non-decreasing wall times, through
`decide` and `apply`, with the rules that must hold after every step.

Also, for any sequence of events, the snapshot of a participant stays inside their slice.
"""

from __future__ import annotations

import dataclasses
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from server.core import commands as c
from server.core.audience import Audience, Viewer, can_see
from server.core.clock import Clock
from server.core.decide import MAX_TEXT, create, decide
from server.core.errors import ERROR_CODES, DomainError
from server.core.events import (
    EVALUATION_EVENTS,
    AnnouncementMade,
    ClockJumped,
    ClockSpeedChanged,
    ConnectionClosed,
    ConnectionOpened,
    CredentialIssued,
    CredentialRevoked,
    Event,
    ExerciseCreated,
    ExerciseEnded,
    ExercisePaused,
    ExerciseReady,
    ExerciseResumed,
    ExerciseStarted,
    FeedbackGiven,
    MessagePosted,
    ParticipantAdded,
    QuestionnaireClosed,
    QuestionnaireOpened,
    Team,
    from_data,
    to_data,
)
from server.core.roles import StaffRole
from server.core.simtime import DAY
from server.core.state import Exercise, Status, apply, fold, initial
from server.core.view import FEED_LATEST, FEED_MOST, feed_item, snapshot
from server.core.visibility import audience
from tests.core.transcript import ROSTER, SCENARIO

T0 = 1_700_000_000.0
TEAMS = tuple(country.id for country in SCENARIO.countries)
ROLES = tuple(role.id for role in SCENARIO.roles)
TRANSITIONS = {
    (Status.DRAFT, Status.READY),
    (Status.READY, Status.RUNNING),
    (Status.RUNNING, Status.PAUSED),
    (Status.PAUSED, Status.RUNNING),
    # decide lets the director end an exercise that is ready, running or paused.
    (Status.READY, Status.ENDED),
    (Status.RUNNING, Status.ENDED),
    (Status.PAUSED, Status.ENDED),
}
PUBLIC = (
    ExerciseCreated,
    ExerciseReady,
    ExerciseStarted,
    ExercisePaused,
    ExerciseResumed,
    ExerciseEnded,
    ClockSpeedChanged,
    ClockJumped,
)

# -- strategies -------------------------------------------------------------------------------

participant_ids = st.sampled_from([*(f"P{n:04d}" for n in range(1, 11)), "P0099"])
connection_ids = st.sampled_from(["i1:c1", "i1:c2", "i2:c1", "i10:c1"])
texts = st.sampled_from(["Suspect seen", "  padded  ", "", " \n ", "x" * (MAX_TEXT + 1)])
odd_numbers = st.sampled_from([0.0, -1.0, math.nan, math.inf, -math.inf])
audiences = st.builds(
    Audience.of,
    everyone=st.booleans(),
    teams=st.sets(st.sampled_from([*TEAMS, "xx"]), max_size=2),
    roles=st.sets(st.sampled_from([*ROLES, *StaffRole]), max_size=2),
    participants=st.sets(participant_ids, max_size=2),
)
entries = st.builds(
    c.RosterEntry,
    name=st.sampled_from(["Eve", "  Finn  ", "", "N" * 201]),
    team=st.sampled_from([*TEAMS, None, "xx"]),
    role=st.sampled_from([*ROLES, *StaffRole, "pilot"]),
    code_hash=st.just("h"),
)
lifecycle_commands = st.sampled_from(
    [c.MarkReady(), c.StartExercise(), c.PauseExercise(), c.ResumeExercise(), c.EndExercise()]
)
clock_commands = st.one_of(
    st.builds(c.SetClockSpeed, st.floats(min_value=0.1, max_value=120) | odd_numbers),
    st.builds(c.JumpClock, st.none() | st.floats(min_value=0, max_value=5 * DAY) | odd_numbers),
)
connection_commands = st.one_of(
    st.builds(c.OpenConnection, participant_ids, connection_ids),
    st.builds(c.CloseConnection, participant_ids, connection_ids),
    st.builds(c.CloseInstanceConnections, st.sampled_from(["i1", "i2", "i3"])),
)
roster_commands = st.one_of(
    st.builds(c.AddParticipant, entries),
    st.builds(c.RevokeCredential, participant_ids),
    st.builds(c.ReissueCredential, participant_ids, st.just("h2")),
    st.builds(c.MakeAnnouncement, audiences, texts),
)
evaluation_commands = st.one_of(
    st.builds(c.RecordObservation, st.sampled_from([*TEAMS, "xx"]), st.sampled_from(["LO-ID", "LO-X"]), texts,
              st.sampled_from(["", "P", "S", "Q"])),
    st.builds(c.EditObservation, st.sampled_from(["O-1", "O-2"]), st.sampled_from([None, "M", "X"])),
    st.builds(c.WithdrawObservation, st.sampled_from(["O-1", "O-2"])),
    st.builds(c.OpenQuestionnaire, st.sampled_from(["Q-DAY", "Q-END", "Q-X"])),
    st.builds(c.CloseQuestionnaire, st.sampled_from(["Q-DAY", "Q-END"])),
    st.builds(c.GiveFeedback, st.sampled_from(["Q-DAY", "Q-END"]),
              st.sampled_from([{"clarity": 3}, {"clarity": 9}, {"change": "More time"}, {}])),
    st.builds(c.RecordImprovement, texts, st.sampled_from(["Academy", ""]), st.sampled_from(["2027-01-31", "soon"])),
    st.builds(c.WithdrawImprovement, st.just("IP-1")),
)  # fmt: skip
control_commands = lifecycle_commands | clock_commands | roster_commands
all_commands = control_commands | connection_commands | st.builds(c.PostMessage, texts) | evaluation_commands
waits = st.sampled_from([0.0, 0.25, 60.0, 3_600.0]) | st.floats(min_value=0, max_value=DAY)


# -- what a participant may see, said independently of `can_see` -----------------------------


def viewer_of(state: Exercise, participant: str) -> Viewer:
    member = state.participants[participant]
    return Viewer(member.id, member.team, member.role, member.staff)


def non_staff_viewers(state: Exercise) -> list[Viewer]:
    return [viewer_of(state, p.id) for p in state.participants.values() if not p.staff]


def names(viewer: Viewer, seen_by: Audience) -> bool:
    return (
        seen_by.everyone
        or viewer.team in seen_by.teams
        or viewer.role in seen_by.roles
        or viewer.participant in seen_by.participants
    )


def must_hide(state: Exercise, event: Event, viewer: Viewer) -> bool:
    """Whether `event` is none of `viewer`'s business, whatever its audience says."""
    match event:
        case CredentialIssued() | CredentialRevoked():
            return True
        case ParticipantAdded() | ConnectionOpened() | ConnectionClosed():
            subject = state.participants[event.participant]
            return subject.staff or subject.team != viewer.team
        case MessagePosted():
            return event.team != viewer.team
        case FeedbackGiven():
            return event.participant != viewer.participant  # a named answer: its author only
        case _ if isinstance(event, EVALUATION_EVENTS):
            return not isinstance(event, QuestionnaireOpened | QuestionnaireClosed)
    return False


def assert_snapshot_stays_in_slice(state: Exercise, viewer: Viewer) -> None:
    seen = snapshot(state, viewer)
    for shown in seen["participants"]:
        assert shown["team"] == viewer.team, (viewer, shown)
        assert not shown["staff"], (viewer, shown)
        assert "revoked" not in shown
        assert "generation" not in shown
    readable = [t for t in state.feed.threads.values() if names(viewer, t.audience)]
    latest = sorted(p for t in readable for p in t.positions[-FEED_LATEST:])[-FEED_MOST:]
    assert seen["feed"] == [feed_item(state.feed.items[p]) for p in latest]


# -- the machine ------------------------------------------------------------------------------


class ExerciseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        opening = create(SCENARIO, "EX1", "", ROSTER, self.now)
        self.state = fold(opening)
        self.log: list[tuple[Event, Audience]] = []
        state = fold(opening[:1])
        for event in opening:
            if event is not opening[0]:
                state = apply(state, event)
            self.log.append((event, audience(state, event)))
        assert state == self.state
        self.sim = self.state.clock.sim_at(self.now)

    def step(self, command: c.Command, actor: c.Actor, wait: float) -> None:
        self.now += wait
        before = self.state
        sim_before = before.clock.sim_at(self.now)
        refusal: DomainError | None = None
        try:
            events = decide(before, command, actor, self.now)
        except DomainError as error:
            refusal, events = error, []
        if refusal is not None:
            # Refused: a stable code, a message, and nothing to write.
            assert refusal.code in ERROR_CODES
            assert refusal.message
            return
        for event in events:
            self.check_round_trip(event)
            self.state = apply(self.state, event)
            seen_by = audience(self.state, event)
            self.check_visibility(event, seen_by)
            self.log.append((event, seen_by))
        if not events:
            assert self.state == before  # "already so"
        if self.state.status != before.status:
            assert (before.status, self.state.status) in TRANSITIONS
        assert self.state.clock.sim_at(self.now) >= sim_before

    def check_round_trip(self, event: Event) -> None:
        data = json.loads(json.dumps(to_data(event), allow_nan=False))
        assert from_data(event.kind, data) == event

    def check_visibility(self, event: Event, seen_by: Audience) -> None:
        for viewer in non_staff_viewers(self.state):
            if can_see(viewer, seen_by):
                assert names(viewer, seen_by), (event, viewer)
                assert not must_hide(self.state, event, viewer), (event, viewer)
            if isinstance(event, PUBLIC):
                assert can_see(viewer, seen_by)

    def actors(self) -> list[c.Actor]:
        return [c.SYSTEM, *(viewer_of(self.state, p) for p in self.state.participants)]

    @rule(data=st.data(), command=all_commands, wait=waits)
    def anyone_commands(self, data: st.DataObject, command: c.Command, wait: float) -> None:
        self.step(command, data.draw(st.sampled_from(self.actors()), label="actor"), wait)

    @rule(command=control_commands, by=st.sampled_from(["P0001", "P0002"]), wait=waits)
    def control_runs_the_exercise(self, command: c.Command, by: str, wait: float) -> None:
        self.step(command, viewer_of(self.state, by), wait)

    @rule(
        command=st.sampled_from([c.MarkReady(), c.StartExercise(), c.PauseExercise(), c.ResumeExercise()])
        | lifecycle_commands,
        wait=waits,
    )
    def the_director_moves_the_exercise_on(self, command: c.Command, wait: float) -> None:
        self.step(command, viewer_of(self.state, "P0001"), wait)

    @rule(command=connection_commands, wait=waits)
    def system_commands(self, command: c.Command, wait: float) -> None:
        self.step(command, c.SYSTEM, wait)

    @rule(data=st.data(), text=texts, wait=waits)
    def participant_posts(self, data: st.DataObject, text: str, wait: float) -> None:
        viewer = data.draw(st.sampled_from(non_staff_viewers(self.state)), label="author")
        self.step(c.PostMessage(text), viewer, wait)

    @precondition(lambda self: self.state.status is not Status.ENDED)
    @rule(wait=waits)
    def time_passes(self, wait: float) -> None:
        self.now += wait

    @invariant()
    def simulated_time_never_goes_back(self) -> None:
        sim = self.state.clock.sim_at(self.now)
        assert sim >= self.sim
        self.sim = sim

    @invariant()
    def the_clock_runs_while_running(self) -> None:
        assert self.state.clock.running == (self.state.status is Status.RUNNING)

    @invariant()
    def every_participant_is_in_a_team_or_staff(self) -> None:
        for member in self.state.participants.values():
            if member.team is None:
                assert member.staff, member
            else:
                assert member.team in self.state.teams, member

    @invariant()
    def connections_belong_to_participants_with_a_valid_code(self) -> None:
        for participant, connections in self.state.connections.items():
            assert connections, participant
            assert not self.state.participants[participant].revoked, participant

    @invariant()
    def snapshots_stay_in_their_slice(self) -> None:
        for viewer in non_staff_viewers(self.state):
            assert_snapshot_stays_in_slice(self.state, viewer)

    @invariant()
    def a_snapshot_shows_what_the_visible_events_told(self) -> None:
        # view.py: "a client that starts from a snapshot and one that replayed the log show
        # the same thing". A participant never sees exercise.created (it holds the whole
        # scenario); its public part reaches them in their first snapshot.
        # Each event comes with its seq (the log starts at 1), so the client's fold is told where.
        created = self.log[0][0]
        assert isinstance(created, ExerciseCreated)
        for viewer in non_staff_viewers(self.state):
            told = initial(created)
            for seq, (event, seen_by) in enumerate(self.log[1:], start=2):
                if can_see(viewer, seen_by):
                    told = apply(dataclasses.replace(told, seq=seq - 1), event)
            told = dataclasses.replace(told, seq=self.state.seq)
            assert snapshot(told, viewer) == snapshot(self.state, viewer), viewer


ExerciseMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestExerciseMachine = ExerciseMachine.TestCase


# -- any sequence of events -------------------------------------------------------------------

CREATED = ExerciseCreated(
    exercise="EX1",
    title="",
    scenario=SCENARIO,
    teams=tuple(Team(team, team.upper(), team) for team in TEAMS),
    clock=Clock(0.0, T0),
    created_at=T0,
)
teams_or_none = st.sampled_from([*TEAMS, None])
events = st.one_of(
    st.builds(
        ParticipantAdded,
        participant=participant_ids,
        name=st.just("N"),
        team=teams_or_none,
        role=st.sampled_from([*ROLES, *StaffRole]),
        staff=st.booleans(),
        code_hash=st.just("h"),
    ),
    st.builds(ConnectionOpened, participant_ids, connection_ids),
    st.builds(ConnectionClosed, participant_ids, connection_ids),
    st.builds(MessagePosted, author=participant_ids, team=teams_or_none, text=st.just("m")),
    st.builds(AnnouncementMade, author=participant_ids, audience=audiences, text=st.just("a")),
)


@settings(max_examples=150)
@given(st.lists(events, max_size=30), teams_or_none, st.sampled_from([*ROLES, "director"]))
def test_a_snapshot_never_leaks_another_team(sequence: list[Event], team: str | None, role: str) -> None:
    state = fold([CREATED, *sequence])
    outsider = Viewer("P9999", team, role, staff=False)
    for viewer in [outsider, *non_staff_viewers(state)]:
        assert_snapshot_stays_in_slice(state, viewer)
