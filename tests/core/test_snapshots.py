"""A state snapshot plus the events after it is the fold of the whole log, at any seq.

The log is the strong cohort's play-through of the flagship (injects, requests, answers,
releases, shares, actions, characters, a joint team) with messages, announcements and
presence mixed in; each snapshot goes through JSON, as it would through msgpack to Redis.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadtest.playbook import strong
from server.core import commands as c
from server.core.audience import Audience
from server.core.events import Event, ExerciseCreated, plain, typed
from server.core.facts import Facts
from server.core.snapshots import FORMAT, Captured, capture, restore
from server.core.state import Exercise, apply, fold
from tests.core.test_playthrough import Cohort, flagship


@cache
def played() -> list[Event]:
    cohort = Cohort(flagship())
    director = cohort.run.viewer("Director")
    member = cohort.member("WES", "police")
    for i in range(40):
        cohort.run.do(c.PostMessage(f"note {i}"), member)
        cohort.run.do(c.OpenConnection(member.participant, f"i1:k{i}"), c.SYSTEM)
        if i % 3:
            cohort.run.do(c.CloseConnection(member.participant, f"i1:k{i}"), c.SYSTEM)
        cohort.run.do(c.MakeAnnouncement(Audience.of(roles=["police"]), f"to police {i}"), director)
    cohort.play(strong(flagship()))
    return cohort.run.log


def through_json(state: Exercise) -> Exercise:
    created = played()[0]
    assert isinstance(created, ExerciseCreated)
    data = json.loads(json.dumps(plain(capture(state))))
    return restore(typed(Captured, data), created.scenario)


@cache
def folded(upto: int) -> Exercise:
    return fold(played()[:upto])


def test_the_play_through_is_rich_enough_to_prove_something() -> None:
    state = folded(len(played()))
    assert len(state.feed) >= 80 and len(state.requests) >= 16 and state.joint_teams
    assert state.releases and state.actions and state.pending == () and state.connections
    assert any(run.acknowledged or run.delivered for run in state.injects.values()) and state.connected_at


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_a_snapshot_and_the_tail_after_it_equal_the_whole_fold(data: st.DataObject) -> None:
    log = played()
    at = data.draw(st.integers(1, len(log)), label="snapshot at seq")
    restored = through_json(folded(at))
    assert restored == folded(at)
    for event in log[at:]:
        restored = apply(restored, event)
    assert restored == folded(len(log))
    assert list(restored.requests) == list(folded(len(log)).requests)  # in their order, too


def test_a_snapshot_of_another_format_is_refused() -> None:
    captured = capture(folded(10))
    created = played()[0]
    assert isinstance(created, ExerciseCreated)
    with pytest.raises(ValueError, match="snapshot format"):
        restore(dataclasses.replace(captured, format=FORMAT + 1), created.scenario)
    assert dataclasses.replace(folded(10), seq=10) == restore(captured, created.scenario)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 10_000))
def test_the_facts_apply_keeps_are_those_of_the_requests_and_actions_at_any_seq(at: int) -> None:
    state = folded(min(at, len(played())))
    countries = {team.id: team.country for team in state.teams.values()}
    assert state.facts == Facts.of(state.requests, state.actions, countries)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_a_capture_that_reuses_an_earlier_one_is_the_same_as_a_fresh_one(data: st.DataObject) -> None:
    log = played()
    later = data.draw(st.integers(1, len(log)), label="later")
    earlier = data.draw(st.integers(1, later), label="earlier")
    fresh = capture(folded(later))
    assert capture(folded(later), capture(folded(earlier))) == fresh
    other = capture(folded(later))  # a capture of another feed (here: longer) is not reused
    if len(other.feed.seq) > len(capture(folded(earlier)).feed.seq):
        assert capture(folded(earlier), other) == capture(folded(earlier))
