"""A state snapshot: an exercise's state at one seq as a typed value, and the state back from it.

A hub that loads an exercise starts from the latest snapshot and folds only the events after
it (`server.adapters.snapshots` stores them in Redis); the log stays the authority, and a
snapshot that does not fit (another `FORMAT`, another epoch, a hole) is ignored. The scenario
is not in the snapshot: it is in the log's first event, which the loader reads anyway.

`Captured` is plain typed data (dataclasses, tuples, enums: what `server.core.events.plain`
and msgspec turn into msgpack or JSON and back). The feed, most of a long exercise's state, is
stored by columns (one tuple per field, audiences as indexes into a table of the distinct
ones). `restore(capture(state), scenario) == state` for every state
(tests/core/test_snapshots.py checks it against folds of the flagship's play-through).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from immutables import Map

from server.core.audience import Audience
from server.core.clock import Clock
from server.core.evaluation_records import CapturedEvaluation, capture_evaluation, restore_evaluation
from server.core.events import Team
from server.core.exercise import Exercise, Participant, Status
from server.core.facts import Facts
from server.core.feed import Feed, Settled, Thread, thread_of
from server.core.injects import InjectRun
from server.core.ordered import Ordered
from server.core.records import ArtefactState, FeedItem, Release, Taken
from server.core.requests import RequestRun
from server.core.scenario import CharacterState, Scenario
from server.core.vector import Vector

FORMAT = 15
"""The snapshot format; a loader ignores snapshots of any other (and folds the log instead).
11: histories stored in chunks (`server.adapters.snapshots`). 12: each thread's channel and
audience in the feed's tables, so that a load makes no item (`settled_feed`). 13: each chunk
stored once, by name, beside the head (`Store.save_snapshot`). 14: a joint team's items that an
inject or an answer releases are not released as it is formed (`server.core.fold.casefile`), and
an amendment's step in a request's history is `clarified`, by the amender. 15: facts keep the
requests to played teams apart ("played": a stand-in never fires once the team answered a
matching request), and a played team holds what its answer releases."""


@dataclass(frozen=True, slots=True)
class FeedColumns:
    audiences: tuple[Audience, ...]
    author: tuple[str, ...]
    text: tuple[str, ...]
    channel: tuple[str, ...]
    seq: tuple[int, ...]
    team: tuple[str | None, ...]
    to_team: tuple[str | None, ...]
    sim_time: tuple[float | None, ...]
    audience: tuple[int, ...]
    """Each item's audience, as its index in `audiences`."""
    threads: tuple[str, ...]
    thread: tuple[int, ...]
    """Each item's thread, as its index in `threads`."""
    thread_channels: tuple[str, ...] = ()
    """Each thread's channel, in the order of `threads`."""
    thread_audiences: tuple[int, ...] = ()
    """Each thread's audience, as its index in `audiences`, in the order of `threads`."""


@dataclass(frozen=True, slots=True)
class Captured:
    format: int
    id: str
    title: str
    status: Status
    clock: Clock
    created_at: float
    seq: int
    teams: tuple[Team, ...]
    participants: tuple[Participant, ...]
    connections: tuple[tuple[str, tuple[str, ...]], ...]
    connected_at: tuple[tuple[str, int], ...]
    feed: FeedColumns
    injects: tuple[InjectRun, ...]
    releases: tuple[Release, ...]
    requests: tuple[RequestRun, ...]
    pending: tuple[Release, ...]
    actions: tuple[Taken, ...]
    joint_teams: tuple[str, ...]
    characters: tuple[tuple[str, CharacterState], ...]
    firsts: tuple[tuple[tuple[str | None, ...], float], ...]
    in_flight: tuple[str, ...]
    """`Facts`: kept, so that a load need not work them out again from every request."""
    evaluation: CapturedEvaluation
    artefact_states: tuple[tuple[str, ArtefactState], ...] = ()
    """Artefacts injects changed."""
    jumps_done: tuple[str, ...] = ()
    """Scheduled clock jumps made or skipped."""


def capture(state: Exercise, earlier: Captured | None = None) -> Captured:
    """The state as typed plain data, without its scenario. With an `earlier` capture of the same
    exercise, the columns of the feed it already holds are reused (`_feed_columns`)."""
    return Captured(
        format=FORMAT,
        id=state.id,
        title=state.title,
        status=state.status,
        clock=state.clock,
        created_at=state.created_at,
        seq=state.seq,
        teams=tuple(state.teams.values()),
        participants=tuple(state.participants.values()),
        connections=tuple((p, tuple(sorted(open_now))) for p, open_now in state.connections.items()),
        connected_at=tuple(state.connected_at.items()),
        feed=_feed_columns(state.feed, None if earlier is None else earlier.feed),
        injects=tuple(state.injects.values()),
        releases=tuple(state.releases),
        requests=tuple(state.requests.values()),
        pending=state.pending,
        actions=tuple(state.actions),
        joint_teams=tuple(sorted(state.joint_teams)),
        characters=tuple(state.characters.items()),
        firsts=tuple(state.facts.firsts.items()),
        in_flight=tuple(state.facts.in_flight),
        evaluation=capture_evaluation(state.evaluation),
        artefact_states=tuple(state.artefact_states.items()),
        jumps_done=tuple(sorted(state.jumps_done)),
    )


def restore(captured: Captured, scenario: Scenario, feed: Feed | None = None) -> Exercise:
    """The state `capture` took; ValueError if it is of another format. With a `feed` (made by
    `settled_feed`), that is the state's feed and `captured.feed` is not read."""
    if captured.format != FORMAT:
        raise ValueError(f"snapshot format {captured.format!r}, this server reads {FORMAT}")
    requests = Ordered((request.id, request) for request in captured.requests)
    injects = Ordered((run.id, run) for run in captured.injects)
    actions = Vector(captured.actions)
    released = sorted((run for run in captured.injects if run.released_seq), key=_release_order)
    return Exercise(
        id=captured.id,
        title=captured.title,
        scenario=scenario,
        teams=Ordered((team.id, team) for team in captured.teams),
        status=captured.status,
        clock=captured.clock,
        participants=Ordered((p.id, p) for p in captured.participants),
        connections=Map((p, frozenset(open_now)) for p, open_now in captured.connections),
        connected_at=Map(captured.connected_at),
        feed=_feed_from(captured.feed) if feed is None else feed,
        created_at=captured.created_at,
        seq=captured.seq,
        injects=injects,
        released=Vector(run.id for run in released),
        releases=Vector(captured.releases),
        requests=requests,
        pending=captured.pending,
        actions=actions,
        joint_teams=frozenset(captured.joint_teams),
        characters=Ordered(captured.characters),
        facts=Facts(
            Map(captured.firsts),
            Map((key, requests[key]) for key in captured.in_flight),
            Map((team.id, team.country) for team in captured.teams),
        ),
        evaluation=restore_evaluation(captured.evaluation),
        artefact_states=Map(captured.artefact_states),
        jumps_done=frozenset(captured.jumps_done),
    )


def _release_order(run: InjectRun) -> int:
    return run.released_seq


NO_COLUMNS = FeedColumns((), (), (), (), (), (), (), (), (), (), ())


def _feed_columns(feed: Feed, earlier: FeedColumns | None) -> FeedColumns:
    """The feed by columns. The feed only grows, so the columns of an earlier capture of the
    same feed are kept and only the items after them are turned into columns (the whole feed
    when `earlier` is None or is not the start of this feed)."""
    done = earlier if earlier is not None and _starts(earlier, feed) else NO_COLUMNS
    items = tuple(feed.since(len(done.seq)))
    audiences = {audience: i for i, audience in enumerate(done.audiences)}
    threads = {thread: i for i, thread in enumerate(done.threads)}
    audience = tuple(audiences.setdefault(item.audience, len(audiences)) for item in items)
    thread = tuple(threads.setdefault(thread_of(item), len(threads)) for item in items)
    firsts: dict[int, tuple[str, int]] = {}  # a new thread's channel and audience: its first item's
    if len(threads) > len(done.threads):
        for item, in_thread, to_audience in zip(items, thread, audience, strict=True):
            if in_thread >= len(done.threads):
                firsts.setdefault(in_thread, (item.channel, to_audience))
    new_threads = range(len(done.threads), len(threads))
    return FeedColumns(
        author=done.author + tuple(item.author for item in items),
        text=done.text + tuple(item.text for item in items),
        channel=done.channel + tuple(item.channel for item in items),
        seq=done.seq + tuple(item.seq for item in items),
        team=done.team + tuple(item.team for item in items),
        to_team=done.to_team + tuple(item.to_team for item in items),
        sim_time=done.sim_time + tuple(item.sim_time for item in items),
        audience=done.audience + audience,
        thread=done.thread + thread,
        audiences=tuple(audiences),
        threads=tuple(threads),
        thread_channels=done.thread_channels + tuple(firsts[i][0] for i in new_threads),
        thread_audiences=done.thread_audiences + tuple(firsts[i][1] for i in new_threads),
    )


def _starts(columns: FeedColumns, feed: Feed) -> bool:
    """Whether `columns` hold the first items of `feed` (the same items up to the last seq)."""
    count = len(columns.seq)
    return count <= len(feed) and (count == 0 or feed[count - 1].seq == columns.seq[-1])


def _feed_from(columns: FeedColumns) -> Feed:
    items = _items(columns, columns.audiences)
    positions: dict[str, list[int]] = {key: [] for key in columns.threads}
    for position, thread in enumerate(columns.thread):
        positions[columns.threads[thread]].append(position)
    threads = Map(
        (key, Thread(key, items[at[0]].channel, items[at[0]].audience, Vector(at)))
        for key, at in positions.items()
        if at
    )
    return Feed(Vector(items), threads)


def settled_feed(
    tables: FeedColumns, threads: Iterable[int], size: int, chunk: Callable[[int], FeedColumns]
) -> Feed:
    """The feed of a stored snapshot, none of its items made yet (`Settled`): `tables` holds
    its audiences and threads, `threads` each item's thread (its index in `tables.threads`), in
    order, and `chunk` the columns of the items in each chunk of `size`, by the chunk's index."""
    positions: dict[int, list[int]] = {}
    count = 0
    for count, thread in enumerate(threads, start=1):
        positions.setdefault(thread, []).append(count - 1)
    audiences = tables.audiences
    settled = Settled(count, size, lambda index: _items(chunk(index), audiences))
    return Feed(
        Vector(),
        Map(
            (
                key,
                Thread(
                    key,
                    tables.thread_channels[i],
                    audiences[tables.thread_audiences[i]],
                    Vector(positions[i]),
                ),
            )
            for i, key in enumerate(tables.threads)
            if i in positions
        ),
        settled,
    )


def _items(columns: FeedColumns, audiences: tuple[Audience, ...]) -> list[FeedItem]:
    # Every item made in C: zip makes each row, tuple.__new__ makes it a FeedItem (a named
    # tuple), with no Python call per item (twice as fast as a comprehension over the rows).
    rows = zip(
        columns.author,
        map(audiences.__getitem__, columns.audience),
        columns.text,
        columns.channel,
        columns.seq,
        columns.team,
        columns.to_team,
        columns.sim_time,
        strict=True,
    )
    return list(map(partial(tuple.__new__, FeedItem), rows))
