"""A hub's live connections, indexed by what an audience can name.

Fanning an event out used to ask `can_see` of every connection of the exercise: 217 calls per
event for the flagship's cohort, most of them answered "no" (a team message reaches one team and
the staff). The index keeps each connection under its viewer's team, role, team/role pair and
participant, and the staff apart, so `seeing(audience)` is the union of a few sets: the same
connections `can_see` admits (`tests/adapters/test_subscribers.py` checks both agree on every
audience shape), found without a Python call per connection.

A connection's viewer never changes while it is live (a new role means a new credential and a
new connection), so a connection is indexed once, when it is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar

from server.core.audience import Audience, Viewer


class HasViewer(Protocol):
    @property
    def viewer(self) -> Viewer: ...


S = TypeVar("S", bound=HasViewer)


class Subscribers(Generic[S]):
    def __init__(self) -> None:
        self._all: set[S] = set()
        self._staff: set[S] = set()
        self._by_key: dict[tuple[str, str], set[S]] = {}
        """("team", name), ("role", name), ("team_role", "team/role"), ("participant", id)."""

    def add(self, subscriber: S) -> None:
        if subscriber in self._all:
            return
        self._all.add(subscriber)
        if subscriber.viewer.staff:
            self._staff.add(subscriber)
        for key in _keys(subscriber.viewer):
            self._by_key.setdefault(key, set()).add(subscriber)

    def discard(self, subscriber: S) -> None:
        if subscriber not in self._all:
            return
        self._all.discard(subscriber)
        self._staff.discard(subscriber)
        for key in _keys(subscriber.viewer):
            members = self._by_key.get(key)
            if members is not None:
                members.discard(subscriber)
                if not members:
                    del self._by_key[key]

    def clear(self) -> None:
        self._all.clear()
        self._staff.clear()
        self._by_key.clear()

    def seeing(self, audience: Audience) -> list[S]:
        """The connections whose viewer may see an event with this audience (`can_see`)."""
        if audience.everyone:
            return list(self._all)
        found = set(self._staff)
        by_key = self._by_key
        for kind, names in (
            ("team", audience.teams),
            ("role", audience.roles),
            ("team_role", audience.team_roles),
            ("participant", audience.participants),
        ):
            for name in names:
                members = by_key.get((kind, name))
                if members:
                    found |= members
        return list(found)

    def __iter__(self) -> Iterator[S]:
        return iter(list(self._all))

    def __len__(self) -> int:
        return len(self._all)

    def __contains__(self, subscriber: object) -> bool:
        return subscriber in self._all


def _keys(viewer: Viewer) -> list[tuple[str, str]]:
    keys = [("role", viewer.role), ("participant", viewer.participant)]
    if viewer.team is not None:
        keys += [("team", viewer.team), ("team_role", f"{viewer.team}/{viewer.role}")]
    return keys
