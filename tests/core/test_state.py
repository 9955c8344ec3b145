"""`apply`: how each event changes the state of an exercise, and `fold` over a whole log."""

from __future__ import annotations

import dataclasses

import pytest

from server.core.audience import Audience
from server.core.clock import Clock
from server.core.events import (
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
    MessagePosted,
    ParticipantAdded,
    Team,
)
from server.core.scenario import ClockSpec, Country, Role, RouteRole, Scenario
from server.core.state import Exercise, FeedItem, Participant, Status, apply, fold, initial

T0 = 1_700_000_000.0
SCENARIO = Scenario(
    id="s",
    title="Scenario",
    countries=(Country("nl", "Netherlands", RouteRole.ORIGIN),),
    roles=(Role("police", "Police investigator"),),
    clock=ClockSpec(start=28_800, morning=27_000),
)
CREATED = ExerciseCreated(
    exercise="EX1",
    title="Spring course",
    scenario=SCENARIO,
    teams=(Team("nl", "Netherlands", "nl"), Team("be", "Belgium", "be")),
    clock=Clock(28_800.0, T0),
    created_at=T0,
)
ANNA = ParticipantAdded("P0001", "Anna", "nl", "police", staff=False, code_hash="h1")
DANA = ParticipantAdded("P0002", "Dana", None, "director", staff=True, code_hash="h2")


def after(*events: Event) -> Exercise:
    return fold([CREATED, *events])


def test_initial_state_is_a_draft_without_participants() -> None:
    state = initial(CREATED)
    assert state.id == "EX1"
    assert state.title == "Spring course"
    assert state.scenario is SCENARIO
    assert dict(state.teams) == {
        "nl": Team("nl", "Netherlands", "nl"),
        "be": Team("be", "Belgium", "be"),
    }
    assert state.status is Status.DRAFT
    assert state.clock == Clock(28_800.0, T0)
    assert dict(state.participants) == {}
    assert dict(state.connections) == {}
    assert list(state.feed) == []
    assert state.created_at == T0


def test_participant_added_starts_at_generation_one() -> None:
    state = after(ANNA, DANA)
    assert state.participants["P0001"] == Participant(
        "P0001", "Anna", "nl", "police", staff=False, generation=1, code_hash="h1"
    )
    assert state.participants["P0002"].staff
    assert not state.participants["P0002"].revoked


def test_credential_revoked_marks_and_disconnects() -> None:
    state = after(
        ANNA,
        DANA,
        ConnectionOpened("P0001", "i1:c1"),
        ConnectionOpened("P0001", "i2:c1"),
        ConnectionOpened("P0002", "i1:c2"),
        CredentialRevoked("P0001", generation=1),
    )
    assert state.participants["P0001"].revoked
    assert not state.online("P0001")
    assert dict(state.connections) == {"P0002": frozenset({"i1:c2"})}


def test_credential_issued_replaces_the_code_and_lifts_a_revocation() -> None:
    state = after(
        ANNA, CredentialRevoked("P0001", 1), CredentialIssued("P0001", generation=2, code_hash="h9")
    )
    anna = state.participants["P0001"]
    assert (anna.generation, anna.code_hash, anna.revoked) == (2, "h9", False)


def test_lifecycle_events_set_status_and_clock() -> None:
    running = Clock(28_800.0, T0 + 10, running=True)
    paused = Clock(28_850.0, T0 + 60)
    state = after(ExerciseReady())
    assert state.status is Status.READY
    state = apply(state, ExerciseStarted(running))
    assert (state.status, state.clock) == (Status.RUNNING, running)
    state = apply(state, ExercisePaused(paused))
    assert (state.status, state.clock) == (Status.PAUSED, paused)
    resumed = dataclasses.replace(paused, running=True, wall_anchor=T0 + 90)
    state = apply(state, ExerciseResumed(resumed))
    assert (state.status, state.clock) == (Status.RUNNING, resumed)
    ended = Clock(28_900.0, T0 + 140)
    state = apply(state, ExerciseEnded(ended))
    assert (state.status, state.clock) == (Status.ENDED, ended)


def test_clock_events_replace_the_clock_only() -> None:
    faster = Clock(28_800.0, T0, speed=10.0)
    jumped = Clock(115_200.0, T0 + 1)
    state = after(ExerciseReady(), ClockSpeedChanged(faster))
    assert (state.status, state.clock) == (Status.READY, faster)
    state = apply(state, ClockJumped(jumped, from_sim=28_800.0))
    assert (state.status, state.clock) == (Status.READY, jumped)


def test_connections_open_and_close_one_by_one() -> None:
    state = after(ANNA, ConnectionOpened("P0001", "i1:c1"), ConnectionOpened("P0001", "i1:c2"))
    assert state.connections["P0001"] == {"i1:c1", "i1:c2"}
    assert state.online("P0001")
    state = apply(state, ConnectionClosed("P0001", "i1:c1"))
    assert state.connections["P0001"] == {"i1:c2"}
    state = apply(state, ConnectionClosed("P0001", "i1:c2"))
    assert "P0001" not in state.connections
    assert not state.online("P0001")


def test_closing_an_unknown_connection_changes_nothing() -> None:
    state = after(ANNA, ConnectionOpened("P0001", "i1:c1"))
    assert dict(apply(state, ConnectionClosed("P0001", "i9:c9")).connections) == {
        "P0001": frozenset({"i1:c1"})
    }
    assert dict(apply(after(ANNA), ConnectionClosed("P0001", "i1:c1")).connections) == {}


def test_messages_and_announcements_go_to_the_feed_in_order() -> None:
    to_police = Audience.of(roles=["police"])
    state = after(
        ANNA,
        MessagePosted("P0001", "nl", "Suspect seen"),
        AnnouncementMade("P0002", to_police, "Raid at dawn"),
    )
    first = state.seq - 1
    assert list(state.feed) == [
        FeedItem("P0001", Audience.team("nl"), "Suspect seen", "team", first, "nl"),
        FeedItem("P0002", to_police, "Raid at dawn", "announcement", first + 1),
    ]


def test_apply_does_not_change_the_state_it_was_given() -> None:
    before = after(ANNA)
    apply(before, ConnectionOpened("P0001", "i1:c1"))
    apply(before, MessagePosted("P0001", "nl", "hi"))
    assert dict(before.connections) == {}
    assert list(before.feed) == []


def test_the_mappings_are_read_only() -> None:
    state = after(ANNA, ConnectionOpened("P0001", "i1:c1"))
    with pytest.raises(TypeError):
        state.participants["P0009"] = state.participants["P0001"]  # type: ignore[index]
    with pytest.raises(TypeError):
        state.connections["P0001"] = frozenset()  # type: ignore[index]
    with pytest.raises(TypeError):
        state.teams["fr"] = Team("fr", "France", "fr")  # type: ignore[index]


def test_apply_refuses_a_second_creation_and_unknown_events() -> None:
    with pytest.raises(ValueError, match="cannot apply"):
        apply(initial(CREATED), CREATED)
    with pytest.raises(ValueError, match="cannot apply"):
        apply(initial(CREATED), Event())


def test_a_log_starts_with_its_creation() -> None:
    with pytest.raises(ValueError, match=r"starts with exercise\.created"):
        fold([ANNA, CREATED])


def test_fold_of_the_creation_alone_is_the_initial_state() -> None:
    assert fold([CREATED]) == initial(CREATED)
