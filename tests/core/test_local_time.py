"""Time as the course has it (issue 12, item 7), played on Twin Ports at speed 60: a local time
offset per country, office hours per agency, and clock jumps the scheduler makes on its own."""

from __future__ import annotations

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.calendar import receipt
from server.core.debrief import analyse
from server.core.debrief.played import Entry
from server.core.errors import Forbidden, NotFound
from server.core.events import ClockJumped, ClockJumpSkipped, InjectReleased
from server.core.scenario import Receipt
from server.core.schedule import next_wake
from server.core.simtime import parse_sim_time
from server.core.snapshots import capture, restore
from server.core.view import snapshot
from server.core.visibility import audience
from server.scenario.cli import render
from server.scenario.errors import ScenarioError
from tests.core.twin import advance, play, twin, wall

FRAGMENT = """
clock:
  jumps:
    - {id: lunch, at: "D1 12:00", to: "D1 13:30", reason: "lunch break"}
  overnight: {at: "18:00", reason: "overnight: the offices are closed"}
countries:
  - id: NOR
    time_offset: "+02:00"
    calendar: {opens: "08:00", closes: "16:00"}
    agencies:
      - {id: NOR.POL, name: Norland Police, type: police, calendar: {opens: "00:00", closes: "24:00", workdays: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]}}
      - {id: NOR.PROS, name: Norland Prosecution Service, type: prosecutor}
      - {id: NOR.SOC, name: Norland Social Services, type: social_services}
"""
SCENARIO = twin(FRAGMENT)


def test_the_scenario_lists_its_jumps_in_order_with_the_overnight_expanded() -> None:
    jumps = [(j.id, j.at, j.to, j.reason) for j in SCENARIO.clock.jumps]
    assert jumps == [
        ("lunch", parse_sim_time("D1 12:00"), parse_sim_time("D1 13:30"), "lunch break"),
        (
            "overnight-D1",
            parse_sim_time("D1 18:00"),
            parse_sim_time("D2 08:30"),
            "overnight: the offices are closed",
        ),
    ]  # no overnight on D2: ENDEX is at D2 17:00


def test_the_scheduler_makes_a_scheduled_jump_once_its_time_has_come() -> None:
    run = play(SCENARIO)
    assert next_wake(run.state, wall("D1 09:00")) == parse_sim_time("D1 12:00")
    while advance(run, "D1 11:59"):
        pass  # the injects due before noon
    assert advance(run, "D1 11:59") == []
    while not (events := advance(run, "D1 12:00")) or not isinstance(events[-1], ClockJumped):
        pass  # what was due by noon comes out first
    assert [type(e) for e in events] == [ClockJumped]
    jumped = events[0]
    assert isinstance(jumped, ClockJumped)
    assert (jumped.jump, jumped.reason, jumped.clock.sim_anchor) == (
        "lunch",
        "lunch break",
        parse_sim_time("D1 13:30"),
    )
    assert audience(run.state, jumped) == Audience.all()  # the stations show the banner
    assert run.state.clock.sim_at(run.now) == parse_sim_time("D1 13:30")
    assert "lunch" in run.state.jumps_done
    assert next_wake(run.state, run.now) == parse_sim_time("D1 18:00")


def test_what_was_due_before_the_jump_comes_out_first() -> None:
    run = play(SCENARIO)
    events = []
    while found := advance(run, "D1 12:00"):
        events.extend(found)
    jumps = [e for e in events if isinstance(e, ClockJumped)]
    assert len(jumps) == 1 and events[-1] is jumps[0]  # the injects due by noon, then the jump
    assert any(isinstance(e, InjectReleased) for e in events)


def test_control_skips_a_jump_and_the_scheduler_leaves_it() -> None:
    run = play(SCENARIO)
    (skipped,) = run.do(c.SkipClockJump("lunch"), run.viewer("Carl"), at=wall("D1 11:00"))
    assert isinstance(skipped, ClockJumpSkipped) and skipped.by == run.id_of("Carl")
    assert audience(run.state, skipped) == Audience.staff_only()
    while run.do(c.Advance(), c.SYSTEM, at=wall("D1 12:30")):
        pass  # what was due comes out; no jump
    assert run.state.clock.sim_at(run.now) == parse_sim_time("D1 12:30")
    shown = snapshot(run.state, run.viewer("Carl"))["exercise"]["jumps"]
    assert [(j["id"], j["done"]) for j in shown] == [("lunch", True), ("overnight-D1", False)]
    with pytest.raises(
        NotFound, match=r"no scheduled clock jump 'lunch' to skip \(still to come: overnight-D1\)"
    ):
        run.do(c.SkipClockJump("lunch"), run.viewer("Carl"))
    with pytest.raises(Forbidden):
        run.do(c.SkipClockJump("overnight-D1"), run.viewer("Nils"))


def test_made_and_skipped_jumps_survive_a_snapshot() -> None:
    run = play(SCENARIO)
    run.do(c.SkipClockJump("overnight-D1"), run.viewer("Carl"), at=wall("D1 11:00"))
    while run.do(c.Advance(), c.SYSTEM, at=wall("D1 12:00")):
        pass
    assert restore(capture(run.state), SCENARIO).jumps_done == frozenset({"lunch", "overnight-D1"})


def test_office_hours_are_local_and_an_agency_may_keep_its_own() -> None:
    norland = SCENARIO.country("NOR")
    assert norland is not None and norland.time_offset == 2 * 3600
    police, prosecution = norland.agencies[0], norland.agencies[1]
    # D1 15:00 exercise time is 17:00 in Norland: the prosecution has closed, the police work on
    at = parse_sim_time("D1 15:00")
    assert receipt(SCENARIO, norland, at, prosecution) == frozenset({Receipt.OUT_OF_HOURS})
    assert receipt(SCENARIO, norland, at, police) == frozenset({Receipt.OFFICE_HOURS})
    assert receipt(SCENARIO, norland, parse_sim_time("D1 13:00"), prosecution) == frozenset(
        {Receipt.OFFICE_HOURS}
    )


def test_an_agency_abroad_keeps_its_own_clock() -> None:
    # A scenario from another region had an embassy in another time zone: it could only keep its
    # country's clock, so its office hours were read hours off.
    scenario = twin(
        FRAGMENT
        + """
  - id: SUD
    agencies:
      - {id: SUD.POL, name: Sudria Police, type: police}
      - {id: SUD.PROS, name: Sudria Prosecutor's Office, type: prosecutor}
      - {id: SUD.SOC, name: Sudria Social Services, type: social_services}
      - {id: SUD.EMB, name: Sudrian Embassy in Norland, type: embassy, time_offset: "+02:00"}
    calendar: {opens: "08:00", closes: "16:00"}
"""
    )
    sudria = scenario.country("SUD")
    assert sudria is not None and sudria.time_offset == 0
    police, embassy = sudria.agencies[0], sudria.agencies[3]
    assert (police.time_offset, embassy.time_offset) == (None, 7200)
    at = parse_sim_time("D1 15:00")  # 17:00 at the embassy: closed; 15:00 in Sudria: open
    assert receipt(scenario, sudria, at, embassy) == frozenset({Receipt.OUT_OF_HOURS})
    assert receipt(scenario, sudria, at, police) == frozenset({Receipt.OFFICE_HOURS})
    countries = snapshot(play(scenario).state, play(scenario).viewer("Sara"))["catalogue"]["countries"]
    shown = next(country for country in countries if country["id"] == "SUD")
    assert (shown["time_offset"], shown["agency_time_offsets"]) == (0, {"SUD.EMB": 7200})
    assert "own local time: SUD.EMB +02:00" in "\n".join(render(scenario))


def test_the_catalogue_carries_local_time_and_office_hours() -> None:
    run = play(SCENARIO)
    countries = snapshot(run.state, run.viewer("Sara"))["catalogue"]["countries"]
    norland = next(country for country in countries if country["id"] == "NOR")
    assert norland["time_offset"] == 7200
    assert norland["calendar"] == {
        "opens": 8 * 3600,
        "closes": 16 * 3600,
        "workdays": [0, 1, 2, 3, 4],
        "holidays": [],
    }
    assert set(norland["agency_calendars"]) == {"NOR.POL"}


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ('time_offset: "+02:00"', 'time_offset: "2h"', "countries[0].time_offset", "like '+02:00'"),
        ('time_offset: "+02:00"', 'time_offset: "+15:00"', "countries[0].time_offset", "like '+02:00'"),
        ('to: "D1 13:30"', 'to: "D1 11:30"', "clock.jumps[0].to", "a jump goes forward"),
        ('at: "D1 12:00", to: "D1 13:30"', 'at: "D1 17:00", to: "D1 19:00"', "clock.overnight", "falls inside jump 'lunch'"),
        ('at: "D1 12:00", to: "D1 13:30"', 'at: "D3 12:00", to: "D3 13:30"', "clock.jumps[0]", "outside the exercise"),
        ('at: "D1 12:00"', 'at: "D1 25:00"', "clock.jumps[0].at", "out of range"),
        ('overnight: {at: "18:00"', 'overnight: {at: "07:00"', "clock.overnight.at", "in the evening"),
        ("{id: lunch,", "{id: lunch, when: later,", "clock.jumps[0].when", "unknown key 'when'"),
    ],
)  # fmt: skip
def test_the_validator_explains_a_malformed_time(old: str, new: str, path: str, message: str) -> None:
    assert old in FRAGMENT
    with pytest.raises(ScenarioError) as error:
        twin(FRAGMENT.replace(old, new, 1))
    found = [p for p in error.value.problems if p.path == path and message in p.message]
    assert found, error.value
    assert found[0].line is not None


def test_scenario_show_lists_local_time_and_the_scheduled_jumps() -> None:
    shown = "\n".join(render(SCENARIO))
    assert "local time: exercise time +02:00; offices 08:00-16:00; own office hours: NOR.POL" in shown
    assert "D1 18:00 → D2 08:30  overnight-D1 (overnight: the offices are closed)" in shown


def test_the_debrief_timeline_says_a_jump_was_scheduled() -> None:
    run = play(SCENARIO)
    while run.do(c.Advance(), c.SYSTEM, at=wall("D1 12:00")):
        pass
    debrief = analyse(Entry(seq, run.now, event) for seq, event in enumerate(run.log, start=1))
    lines = [m.text for m in debrief.timeline if m.kind == "clock.jumped"]
    assert lines == ["clock jumped to D1 13:30 as scheduled (lunch break)"]


def test_a_jump_the_clock_has_gone_beyond_is_not_made() -> None:
    run = play(SCENARIO)
    run.do(c.JumpClock(parse_sim_time("D1 14:00")), run.viewer("Carl"), at=wall("D1 11:00"))
    made = []
    while events := run.do(c.Advance(), c.SYSTEM):
        made += [e for e in events if isinstance(e, ClockJumped)]
    assert made == []  # lunch (12:00 to 13:30) lies behind the clock now
    assert next_wake(run.state, run.now) == parse_sim_time("D1 18:00")
