"""Replay as any viewer at any moment: the events the rules let it see, the state a checkpoint
plus a short tail gives (equal to the whole fold), and nothing staff-only for participants.

The log is the strong cohort's play-through of the flagship (`cohorts.py`), with evaluators'
observations and a mentor's notes added so that staff-only events are in it.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadtest.oracle import visible_seqs
from loadtest.playbook import strong
from server.adapters.store import StoredEvent
from server.core import commands as c
from server.core.audience import Viewer
from server.core.debrief import Entry
from server.core.debrief.replay import Replay, request_map, viewpoint, viewpoints
from server.core.events import EVALUATION_EVENTS, NoteWritten, RequestAnswered, RequestSent
from server.core.state import fold
from tests.core.debrief.cohorts import entries, played, strong_cohort
from tests.core.test_playthrough import flagship


@cache
def log() -> list[Entry]:
    return entries(strong_cohort())


@cache
def replay() -> Replay:
    return Replay.build(log(), every=16)


def member_viewers() -> list[Viewer]:
    state = replay().state
    return [Viewer(p.id, p.team, p.role, p.staff) for p in state.participants.values() if not p.staff]


def test_the_log_is_rich_enough_to_prove_something() -> None:
    state = replay().state
    assert replay().last > 100 and len(state.requests) >= 10 and state.released
    assert len(member_viewers()) >= 6


def test_checkpoints_are_kept_every_k_events() -> None:
    r = replay()
    assert len(r.checkpoints) == r.last // 16 + 1
    assert r.checkpoints[3].seq == 3 * 16 and r.checkpoints[0].seq == 1


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_a_checkpoint_and_the_tail_after_it_equal_the_whole_fold(data: st.DataObject) -> None:
    at = data.draw(st.integers(1, replay().last), label="seq")
    every = data.draw(st.sampled_from([1, 7, 16, 1000]), label="every")
    built = replay() if every == 16 else Replay.build(log(), every=every)
    assert built.state_at(at) == fold(e.event for e in log()[:at])


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_the_events_received_are_those_the_rules_let_the_viewer_see(data: st.DataObject) -> None:
    r = replay()
    stored = [StoredEvent(e.seq, e.at, e.event) for e in log()]
    viewer = data.draw(st.sampled_from([*member_viewers(), *(v.viewer for v in viewpoints(r.state))]))
    at = data.draw(st.integers(1, r.last), label="seq")
    got = [e.seq for e in r.received(viewer, at)]
    assert got == visible_seqs(stored, viewer, 0, at)  # the load test's oracle
    after = data.draw(st.integers(0, at), label="after")
    assert [e.seq for e in r.received(viewer, at, after)] == [s for s in got if s > after]


def test_a_team_sees_less_than_control_and_two_teams_see_different_things() -> None:
    r = replay()
    end = r.last
    control = {e.seq for e in r.received(viewpoint(r.state, "control").viewer, end)}
    teams = [viewpoint(r.state, f"team:{t}").viewer for t in r.state.teams]
    seen = [{e.seq for e in r.received(v, end)} for v in teams]
    assert control == set(range(1, end + 1))
    assert all(s < control for s in seen) and seen[0] != seen[1]


def test_participants_never_see_staff_only_things_in_replay() -> None:
    cohort = played(strong(flagship()))  # a fresh play: the cached one is shared
    # evaluators' observations and a mentor's note, written after the play
    director = cohort.run.viewer("Director")
    team = next(iter(cohort.run.state.teams))
    objective = cohort.run.state.scenario.objectives[0].id
    cohort_log = entries(cohort)
    before = len(cohort.run.log)
    cohort.run.do(c.RecordObservation(objective=objective, team=team, rating="S", text="slow"), director)
    cohort.run.do(c.WriteNote(team=team, text="mentor: they missed the lead"), director)
    added = cohort.run.log[before:]
    assert added, "the commands wrote nothing"
    extra = [Entry(len(cohort_log) + i, 0.0, e) for i, e in enumerate(added, 1)]
    built = Replay.build([*cohort_log, *extra], every=16)
    staff_only = [e for e in extra if isinstance(e.event, (NoteWritten, *EVALUATION_EVENTS))]
    assert staff_only
    for viewer in [*member_viewers(), *(v.viewer for v in viewpoints(built.state) if not v.viewer.staff)]:
        kinds = {e.seq for e in built.received(viewer, built.last)}
        assert not kinds & {e.seq for e in staff_only}
        screen = built.screen(viewer, built.last)
        assert "msel" not in screen and "knowledge" not in screen and "characters" not in screen
        assert "slow" not in str(screen["evaluation"]) and "missed the lead" not in str(screen)
    control = built.screen(viewpoint(built.state, "control").viewer, built.last)
    assert "slow" in str(control["evaluation"])


def test_the_request_map_shows_requests_with_the_status_they_had_then() -> None:
    r = replay()
    control = viewpoint(r.state, "control").viewer
    answer = next(e for e in log() if isinstance(e.event, RequestAnswered))
    assert isinstance(answer.event, RequestAnswered)
    request = answer.event.request
    sent = next(e.seq for e in log() if isinstance(e.event, RequestSent) and e.event.request == request)
    early = request_map(r.state_at(sent), control)
    late = request_map(r.state_at(answer.seq), control)
    assert {n["id"] for n in early["countries"]} == {c.id for c in r.state.scenario.countries}
    status = {
        m: {a["id"]: a["status"] for a in m_["requests"]} for m, m_ in (("early", early), ("late", late))
    }
    assert status["early"][request] == "sent" and status["late"][request] == "answered"
    assert len(early["requests"]) <= len(late["requests"])
    assert all(a["from"] in {n["id"] for n in late["countries"]} for a in late["requests"])
    final = request_map(r.state, control)
    assert len(final["requests"]) == len(r.state.requests)


def test_moments_by_simulated_and_wall_time() -> None:
    r = replay()
    middle = r.last // 2
    assert r.seq_at_sim(r.sim_at(middle)) >= middle
    assert r.sim_at(r.seq_at_sim(r.sim_at(middle))) == r.sim_at(middle)
    assert r.seq_at_sim(-1e12) == 1 and r.seq_at_sim(1e12) == r.last
    at = log()[middle - 1].at
    assert log()[r.seq_at_wall(at) - 1].at <= at and r.seq_at_wall(1e12) == r.last
    ticks = r.ticks(50)
    assert ticks[0]["seq"] == 1 and ticks[-1]["seq"] == r.last and len(ticks) <= 51


def test_bad_moments_and_viewpoints_are_refused_saying_what_is_wrong() -> None:
    r = replay()
    with pytest.raises(ValueError, match=r"seq: expected 1 to \d+, got 0"):
        r.state_at(0)
    with pytest.raises(ValueError, match="no team 'XX'"):
        viewpoint(r.state, "team:XX")
    with pytest.raises(ValueError, match="expected control, team:T"):
        viewpoint(r.state, "somebody")
    r2 = Replay.build(log()[:10])
    with pytest.raises(ValueError, match="does not follow"):
        r2.extend(log()[11:12])


def test_extending_a_replay_equals_building_it_whole() -> None:
    part = Replay.build(log()[:50], every=16)
    part.extend(log()[50:])
    whole = replay()
    assert part.last == whole.last and part.state == whole.state
    assert part.state_at(90) == whole.state_at(90) and part.audiences == whole.audiences


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_a_team_has_what_any_of_its_members_had(data: st.DataObject) -> None:
    r = replay()
    stored = [StoredEvent(e.seq, e.at, e.event) for e in log()]
    team = data.draw(st.sampled_from(list(r.state.teams)), label="team")
    at = data.draw(st.integers(1, r.last), label="seq")
    seen = viewpoint(r.state, f"team:{team}")
    members = [v for v in member_viewers() if v.team == team]
    union = sorted({s for v in members for s in visible_seqs(stored, v, 0, at)})
    assert [e.seq for e in r.received_as(seen, at)] == union
    screen = r.screen_as(seen, at)
    for member in members:  # every inject, request and message any member had is on the team's
        theirs = r.screen(member, at)
        assert {i["id"] for i in theirs["injects"]} <= {i["id"] for i in screen["injects"]}
        assert {q["id"] for q in theirs["requests"]} <= {q["id"] for q in screen["requests"]}
        assert {m["seq"] for m in theirs["feed"]} <= {m["seq"] for m in screen["feed"]}
        assert {a["id"] for a in theirs["map"]["requests"]} <= {a["id"] for a in screen["map"]["requests"]}
    assert "msel" not in screen and "knowledge" not in screen


def test_an_inject_to_some_roles_of_a_team_is_in_the_teams_replay() -> None:
    r = replay()
    released = [
        (e.seq, a)
        for e, a in zip(log(), r.audiences, strict=True)
        if e.event.kind == "inject.released" and a.team_roles and not a.teams and not a.everyone
    ]
    assert released, "the play has no inject to some roles of a team"
    seq, audience = released[0]
    team = sorted(audience.team_roles)[0].partition("/")[0]
    seen = viewpoint(r.state, f"team:{team}")
    assert seq in {e.seq for e in r.received_as(seen, seq)}
    bare = Viewer("x", team, "", False)  # a viewer with no role would not have it
    assert seq not in {e.seq for e in r.received(bare, seq)}
