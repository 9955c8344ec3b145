"""The debrief of a long exercise: analysis and reports of a log of 200,000 events.

    PYTHONPATH=. .venv/bin/python scripts/bench_report.py --age 200000 [--busy] [--replay-only]

Grows the flagship's log as `scripts/bench_lifetime.py` does (its 215-person roster and a
day's mix of commands, one simulated second each; `--busy` adds requests, actions and ad-hoc
injects), encodes it as the store does, then times what `liaison report` does after reading
the log: decoding and analysing it once (`server.core.debrief.analyse`: one fold), and
rendering each report of the whole exercise and of one team (HTML, PDF, XLSX), and the ZIP of
all of them (the console's button). Then the debrief page's replay
(`server.core.debrief.replay`): building it once (one fold keeping a checkpoint every `--every`
events; the memory it adds, as resident set growth), one moment (the state at a seq that is the
farthest from its checkpoint, the screen of control and of a participant, the events a
participant received), and extending it by 1,000 events. Wall-clock seconds on whatever shares
the machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import time

from bench_lifetime import Course, decode, encode  # type: ignore[import-not-found]

from server.core import commands as c
from server.core.audience import Viewer
from server.core.debrief import Entry, analyse
from server.core.debrief.replay import EVERY, Replay, viewpoint
from server.report.write import render, zip_reports


class Timed(Course):  # type: ignore[misc]
    """The course, remembering the wall time each event was written at."""

    def __init__(self, busy: bool) -> None:
        self.times: list[float] = []
        super().__init__(busy=busy, freeze_every=0)

    def do(self, command: c.Command, actor: c.Actor) -> None:
        before = len(self.log)
        super().do(command, actor)
        self.times += [self.now] * (len(self.log) - before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--age", type=int, default=200_000, help="events in the log")
    parser.add_argument("--busy", action="store_true", help="add requests, actions and ad-hoc injects")
    parser.add_argument("--every", type=int, default=EVERY, help="events between two replay checkpoints")
    parser.add_argument("--replay-only", action="store_true", help="time the replay, not the reports")
    args = parser.parse_args()
    started = time.perf_counter()
    course = Timed(args.busy)
    while len(course.log) < args.age:
        course.play_one()
    times = [course.times[0]] * (len(course.log) - len(course.times)) + course.times
    payloads = [encode(event) for event in course.log]
    print(f"grew {len(payloads):,} events in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    debrief = analyse(
        Entry(seq, at, decode(p)) for seq, (at, p) in enumerate(zip(times, payloads, strict=True), 1)
    )
    analysed = time.perf_counter() - started
    arrivals = sum(len(s.arrivals) for s in debrief.diffusion.spreads)
    print(f"decode + analyse: {analysed:.2f} s ({len(debrief.timeline):,} moments, "
          f"{len(debrief.requests.rows):,} requests, {arrivals} arrivals)", flush=True)  # fmt: skip
    entries = [Entry(seq, at, decode(p)) for seq, (at, p) in enumerate(zip(times, payloads, strict=True), 1)]
    bench_replay(entries, args.every)
    if args.replay_only:
        return
    team = debrief.teams[-1]
    for format in ("html", "pdf", "xlsx"):
        for who in (None, team):
            started = time.perf_counter()
            size = len(render(debrief, format, who))
            took = time.perf_counter() - started
            print(f"{format:>4} {who or 'exercise':>8}: {took:6.2f} s, {size / 1e6:6.2f} MB", flush=True)
    started = time.perf_counter()
    size = len(zip_reports(debrief))
    took = time.perf_counter() - started
    print(f"zip of all {len(debrief.teams) + 1} x 3 reports: {took:.2f} s, {size / 1e6:.2f} MB")


def _rss() -> float:
    """Resident set size now, MB."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def bench_replay(entries: list[Entry], every: int) -> None:
    before = _rss()
    started = time.perf_counter()
    replay = Replay.build(entries[:-1000], every)
    built = time.perf_counter() - started
    grown = _rss() - before
    print(f"replay build ({len(replay.checkpoints)} checkpoints, every {every}): {built:.2f} s, "
          f"+{grown:.0f} MB resident", flush=True)  # fmt: skip
    started = time.perf_counter()
    replay.extend(entries[-1000:])
    print(f"replay extend by 1,000 events: {time.perf_counter() - started:.2f} s", flush=True)
    seq = (replay.last // every - 1) * every + every - 1  # the farthest from its checkpoint
    member = next(p for p in replay.state.participants.values() if not p.staff)
    participant = Viewer(member.id, member.team, member.role, False)
    control = Viewer("control", None, "control", True)
    started = time.perf_counter()
    replay.state_at(seq)
    state_took = time.perf_counter() - started
    started = time.perf_counter()
    replay.screen(control, seq)
    control_took = time.perf_counter() - started
    started = time.perf_counter()
    replay.screen(participant, seq)
    participant_took = time.perf_counter() - started
    started = time.perf_counter()
    received = sum(1 for _ in replay.received(participant, seq))
    received_took = time.perf_counter() - started
    team = viewpoint(replay.state, f"team:{member.team}")
    started = time.perf_counter()
    replay.screen_as(team, seq)
    team_took = time.perf_counter() - started
    started = time.perf_counter()
    team_received = sum(1 for _ in replay.received_as(team, seq))
    team_received_took = time.perf_counter() - started
    print(f"one moment at seq {seq:,}: state {state_took * 1e3:.0f} ms; screen as control "
          f"{control_took * 1e3:.0f} ms, as a participant {participant_took * 1e3:.0f} ms; "
          f"{received:,} events received by that participant, found in {received_took * 1e3:.0f} ms; "
          f"team {member.team} ({len(team.roles)} roles): screen {team_took * 1e3:.0f} ms, "
          f"{team_received:,} events in {team_received_took * 1e3:.0f} ms", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
