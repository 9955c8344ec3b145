"""A state snapshot: an exercise's state at one seq as plain data, and the state back from it.

A hub that loads an exercise starts from the latest snapshot and folds only the events after
it (`server.adapters.snapshots` stores them in Redis); the log stays the authority, and a
snapshot that does not fit (another `FORMAT`, another epoch, a hole) is ignored. The scenario
is not in the snapshot: it is in the log's first event, which the loader reads anyway.

The feed is most of a long exercise's state, so it is stored by columns (one list per field,
audiences as indexes into a table of the distinct ones): smaller to store and quicker to read
back than one map per message. `restore(capture(state), scenario) == state` for every state
(tests/core/test_snapshots.py checks it against folds of random logs).
"""

from __future__ import annotations

from typing import Any

from immutables import Map

from server.core.audience import Audience
from server.core.clock import Clock
from server.core.events import Team, plain, typed
from server.core.exercise import Exercise, Participant, Status
from server.core.facts import Facts
from server.core.feed import Feed, Thread, thread_of
from server.core.injects import InjectRun
from server.core.ordered import Ordered
from server.core.records import FeedItem, Release, Taken
from server.core.requests import RequestRun
from server.core.scenario import CharacterState, Scenario
from server.core.vector import Vector

FORMAT = 2
"""The snapshot format; a loader ignores snapshots of any other (and folds the log instead)."""


def capture(state: Exercise) -> dict[str, Any]:
    """The state as plain data (msgpack- and JSON-friendly), without its scenario."""
    return {
        "format": FORMAT,
        "id": state.id,
        "title": state.title,
        "status": str(state.status),
        "clock": plain(state.clock),
        "created_at": state.created_at,
        "seq": state.seq,
        "teams": [plain(team) for team in state.teams.values()],
        "participants": [plain(p) for p in state.participants.values()],
        "connections": [[p, sorted(open_now)] for p, open_now in state.connections.items()],
        "connected_at": [[p, seq] for p, seq in state.connected_at.items()],
        "feed": _feed_columns(state.feed),
        "injects": [plain(run) for run in state.injects.values()],
        "releases": [plain(release) for release in state.releases],
        "requests": [plain(request) for request in state.requests.values()],
        "pending": [plain(release) for release in state.pending],
        "actions": [plain(taken) for taken in state.actions],
        "joint_teams": sorted(state.joint_teams),
        "characters": [[key, plain(value)] for key, value in state.characters.items()],
    }


def restore(data: dict[str, Any], scenario: Scenario) -> Exercise:
    """The state `capture` took; ValueError if the data is of another format. The facts for the
    scheduler are worked out again from the requests and actions (`Facts.of`)."""
    if data.get("format") != FORMAT:
        raise ValueError(f"snapshot format {data.get('format')!r}, this server reads {FORMAT}")
    requests = Ordered((r["id"], typed(RequestRun, r)) for r in data["requests"])
    injects = Ordered((run["id"], typed(InjectRun, run)) for run in data["injects"])
    actions = Vector(typed(Taken, taken) for taken in data["actions"])
    return Exercise(
        id=data["id"],
        title=data["title"],
        scenario=scenario,
        teams=Ordered((team["id"], typed(Team, team)) for team in data["teams"]),
        status=Status(data["status"]),
        clock=typed(Clock, data["clock"]),
        participants=Ordered((p["id"], typed(Participant, p)) for p in data["participants"]),
        connections=Map((p, frozenset(open_now)) for p, open_now in data["connections"]),
        connected_at=Map((p, seq) for p, seq in data["connected_at"]),
        feed=_feed_from(data["feed"]),
        created_at=data["created_at"],
        seq=data["seq"],
        injects=injects,
        released=Vector(run.id for run in sorted(injects.values(), key=_release_order) if run.released_seq),
        releases=Vector(typed(Release, release) for release in data["releases"]),
        requests=requests,
        pending=tuple(typed(Release, release) for release in data["pending"]),
        actions=actions,
        joint_teams=frozenset(data["joint_teams"]),
        characters=Ordered((key, typed(CharacterState, value)) for key, value in data["characters"]),
        facts=Facts.of(requests, actions),
    )


def _release_order(run: InjectRun) -> int:
    return run.released_seq


def _feed_columns(feed: Feed) -> dict[str, Any]:
    audiences: dict[Audience, int] = {}
    columns: dict[str, list[Any]] = {
        name: [] for name in ("author", "text", "channel", "seq", "team", "to_team", "audience")
    }
    for item in feed.items:
        columns["author"].append(item.author)
        columns["text"].append(item.text)
        columns["channel"].append(item.channel)
        columns["seq"].append(item.seq)
        columns["team"].append(item.team)
        columns["to_team"].append(item.to_team)
        columns["audience"].append(audiences.setdefault(item.audience, len(audiences)))
    return {"audiences": [plain(audience) for audience in audiences], **columns}


def _feed_from(data: dict[str, Any]) -> Feed:
    audiences = [typed(Audience, audience) for audience in data["audiences"]]
    items = [
        FeedItem(author, audiences[audience], text, channel, seq, team, to_team)
        for author, text, channel, seq, team, to_team, audience in zip(
            data["author"],
            data["text"],
            data["channel"],
            data["seq"],
            data["team"],
            data["to_team"],
            data["audience"],
            strict=True,
        )
    ]
    positions: dict[str, list[int]] = {}
    for position, item in enumerate(items):
        positions.setdefault(thread_of(item), []).append(position)
    threads = Map(
        (key, Thread(key, items[at[0]].channel, items[at[0]].audience, Vector(at)))
        for key, at in positions.items()
    )
    return Feed(Vector(items), threads)
