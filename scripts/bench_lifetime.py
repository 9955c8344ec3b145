"""The core's cost over an exercise's life: decide + apply per command, load, welcome size.

    .venv/bin/python scripts/bench_lifetime.py --ages 5000,20000,50000,200000

Plays the flagship (its 215-person roster) in one process, without I/O: a day's mix of
commands (team messages, control's announcements and channel, connections opening and
closing, injects opened and acknowledged, staff notes, requests drafted, sent, acknowledged
and answered) until the log holds each age. At each age it prints the cost per command of the
last 2,000 commands, the time to decode and fold the whole encoded log (what a hub without a
snapshot does), the state snapshot's size and the time to pack it (from scratch, and again
2,000 commands after a first pack, as a hub does from its last snapshot, with the KB that
pack sends to Redis: its head and the chunks the first one did not have) and to unpack it
(what a hub with one does before folding the tail), and the welcome of a participant
and of the director (msgpack bytes, build time). The figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from pathlib import Path

import msgpack

from loadtest.playbook import strong
from server.adapters.snapshots import pack, unpack
from server.core import commands as c
from server.core.audience import Audience, Viewer
from server.core.decide import create, decide
from server.core.errors import DomainError
from server.core.events import Event, InjectReleased, from_data, to_data
from server.core.requests import may_answer, may_issue, may_validate
from server.core.roles import StaffRole
from server.core.state import Exercise, apply, fold
from server.core.view import snapshot
from server.core.visibility import audience
from server.protocol.commands import COMMANDS, NewCode
from server.scenario.loader import load_scenario
from server.scenario.roster import load_roster

FLAGSHIP = Path(__file__).resolve().parents[1] / "scenarios" / "greenhouse"
NOW = 1_800_000_000.0
WINDOW = 2_000
CODE = NewCode("0000-0000-0000-0000", "h")


def encode(event: Event) -> bytes:
    packed: bytes = msgpack.packb({"k": event.kind, "d": to_data(event)}, use_bin_type=True)
    return packed


def decode(payload: bytes) -> Event:
    body = msgpack.unpackb(payload, raw=False)
    return from_data(body["k"], body["d"])


class Course:
    """The flagship under way, driven command by command at one simulated second each."""

    def __init__(self, seed: int = 1, busy: bool = False, freeze_every: int = 5_000) -> None:
        self.freeze_every, self.frozen_at = freeze_every, 0
        scenario = load_scenario(FLAGSHIP)
        self.scenario, self.busy = scenario, busy
        roster = [
            c.RosterEntry(row.name, row.team, row.role, f"hash-{i}")
            for i, row in enumerate(load_roster(FLAGSHIP / "roster.csv", scenario))
        ]
        self.log: list[Event] = create(scenario, "EX1", "Greenhouse", roster, NOW)
        self.state: Exercise = fold(self.log)
        self.now = NOW
        members = list(self.state.participants.values())
        self.players = [Viewer(p.id, p.team, p.role, False) for p in members if not p.staff]
        self.staff = [Viewer(p.id, p.team, p.role, True) for p in members if p.staff]
        self.director = next(v for v in self.staff if v.role == StaffRole.DIRECTOR)
        self.random = random.Random(seed)  # noqa: S311 (a benchmark's mix, not a secret)
        self.do(c.MarkReady(), self.director)
        self.do(c.StartExercise(), self.director)
        self.connection = 0
        self.failed = 0
        self.released: list[str] = []
        steps = strong(scenario)
        self.drafts = [step for step in steps if step.command == "request.draft"]
        self.actions = [step for step in steps if step.command == "action.take"]
        self.simcell = next(v for v in self.staff if v.role == StaffRole.SIMCELL)

    def do(self, command: c.Command, actor: c.Actor) -> None:
        self.now += 1.0
        if self.freeze_every and len(self.log) >= self.frozen_at + self.freeze_every:
            gc.freeze()  # as a hub does after each snapshot (server/adapters/hub.py)
            self.frozen_at = len(self.log)
        try:
            events = decide(self.state, command, actor, self.now)
        except DomainError:
            self.failed += 1
            return
        for event in events:
            self.state = apply(self.state, event)
            audience(self.state, event)
            if isinstance(event, InjectReleased):
                self.released.append(event.inject)
        self.log.extend(events)

    def member(self, team: str, role: str) -> Viewer | None:
        return next((p for p in self.players if p.team == team and p.role == role), None)

    def request_round(self) -> None:
        """A request of the strong playbook made again, sent (co-signed if needed), acknowledged
        and answered by the receiving side."""
        step = self.random.choice(self.drafts)
        author = self.member(step.team, step.role)
        if author is None:
            return
        drafted = len(self.state.requests)
        self.do(COMMANDS["request.draft"].build(dict(step.args), CODE), author)
        if len(self.state.requests) == drafted:
            return
        request = self.state.requests[f"R-{len(self.state.requests)}"]  # the one just drafted
        instrument = self.scenario.instrument(request.instrument)
        assert instrument is not None
        if not may_issue(self.scenario, author, instrument):
            validator = next(
                (
                    v
                    for v in self.players
                    if v.team == author.team and may_validate(self.scenario, v, instrument)
                ),
                None,
            )
            if validator is not None:
                self.do(c.ValidateRequest(request.id), validator)
        self.do(c.SendRequest(request.id), author)
        if request.simcell:
            answerer: Viewer | None = self.simcell
        else:
            answerer = next(
                (
                    v
                    for v in self.players
                    if v.team == request.target_team and may_answer(self.scenario, v, instrument)
                ),
                None,
            )
        if answerer is not None:
            self.do(c.AcknowledgeRequest(request.id), answerer)
            self.do(c.AnswerRequest(request.id, "Executed: results attached."), answerer)

    def play_one(self) -> None:
        """One command of a day's mix."""
        roll = self.random.random()
        player = self.random.choice(self.players)
        if self.busy and roll < 0.10:
            if roll < 0.03:
                self.request_round()
            elif roll < 0.08:
                step = self.random.choice(self.actions)
                actor = self.member(step.team, step.role)
                if actor is not None:
                    self.do(COMMANDS["action.take"].build(dict(step.args), CODE), actor)
            else:
                team = self.random.choice(list(self.state.teams))
                self.do(c.WriteInject("ad hoc", "news", Audience.team(team)), self.director)
            return
        if roll < 0.55:
            self.do(c.PostMessage(text=f"note {len(self.log)} from the team"), player)
        elif roll < 0.75:
            self.connection += 1
            connection = f"k{self.connection}"
            self.do(c.OpenConnection(player.participant, connection), c.SYSTEM)
            self.do(c.CloseConnection(player.participant, connection), c.SYSTEM)
        elif roll < 0.85:
            if self.released:
                self.do(c.AcknowledgeInject(self.random.choice(self.released[-50:])), player)
            else:
                self.do(c.ReleaseInject(next(iter(self.state.injects))), self.director)
        elif roll < 0.9:
            self.do(c.MakeAnnouncement(Audience.all(), "all teams: hot wash at 17:00"), self.director)
        elif roll < 0.95:
            self.do(c.WriteNote(text="the team hesitates", team=player.team, about=None), self.staff[-1])
        else:
            self.do(c.PostToControl(text="a question for control", team=None), player)


def measure(course: Course, age: int) -> dict[str, float]:
    while len(course.log) < age - WINDOW:
        course.play_one()
    last, earlier = pack(course.state, "epoch")  # as a hub's last snapshot, WINDOW events ago
    started, before = time.process_time(), len(course.log)
    commands = 0
    while len(course.log) < age:
        course.play_one()
        commands += 1
    per_command = (time.process_time() - started) / commands * 1e6
    payloads = [encode(event) for event in course.log]
    started = time.process_time()
    folded = fold([decode(p) for p in payloads])
    load = time.process_time() - started
    assert folded.participants == course.state.participants
    started = time.process_time()
    stored, _ = pack(course.state, "epoch")
    packed = time.process_time() - started
    started = time.process_time()
    again, _ = pack(course.state, "epoch", earlier)
    repacked = time.process_time() - started
    held = {name for name, _ in last.chunks}
    sent = {name: len(data) for name, data in again.chunks if name not in held}
    started = time.process_time()
    restored = unpack(stored, course.state.scenario)
    unpacked = time.process_time() - started
    assert restored == course.state
    participant, director = course.players[0], course.director
    sizes = {}
    for name, viewer in (("participant", participant), ("director", director)):
        started = time.process_time()
        shown = snapshot(course.state, viewer)
        build = time.process_time() - started
        sizes[name] = (len(msgpack.packb(shown, use_bin_type=True)), build)
    del before
    return {
        "age": len(course.log),
        "us_per_command": per_command,
        "load_s": load,
        "snapshot_mb": stored.size / 1e6,
        "head_kb": len(again.head) / 1024,
        "sent_kb": (len(again.head) + sum(sent.values())) / 1024,
        "sent_chunks": len(sent),
        "pack_s": packed,
        "repack_s": repacked,
        "unpack_s": unpacked,
        "participant_kb": sizes["participant"][0] / 1024,
        "participant_ms": sizes["participant"][1] * 1e3,
        "director_kb": sizes["director"][0] / 1024,
        "director_ms": sizes["director"][1] * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--ages", default="5000,20000,50000", help="comma-separated log sizes")
    parser.add_argument(
        "--busy",
        action="store_true",
        help="add requests made, sent and answered (3%%), actions (5%%) and ad-hoc injects (2%%)",
    )
    parser.add_argument(
        "--freeze-every",
        type=int,
        default=5_000,
        help="gc.freeze() every N events, as a hub does after each snapshot (0: never; default 5000)",
    )
    args = parser.parse_args()
    course = Course(busy=args.busy, freeze_every=args.freeze_every)
    print(
        f"{'events':>8} {'µs/command':>11} {'load s':>8} {'snap. MB':>8} {'pack s':>7} {'repack s':>8} "
        f"{'unpack s':>9} {'head KB':>8} {'sent KB':>8} {'part. KB':>9} {'ms':>6} {'dir. KB':>8} {'ms':>6}"
    )
    for age in (int(a) for a in args.ages.split(",")):
        row = measure(course, age)
        print(
            f"{row['age']:>8,} {row['us_per_command']:>11.1f} {row['load_s']:>7.2f} "
            f"{row['snapshot_mb']:>8.2f} {row['pack_s']:>7.3f} {row['repack_s']:>8.3f} "
            f"{row['unpack_s']:>9.3f} {row['head_kb']:>8.1f} {row['sent_kb']:>8.1f} "
            f"{row['participant_kb']:>9.1f} {row['participant_ms']:>6.1f} "
            f"{row['director_kb']:>8.1f} {row['director_ms']:>6.1f}",
            flush=True,
        )
    print(f"refused commands: {course.failed}")


if __name__ == "__main__":
    main()
