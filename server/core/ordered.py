"""`Ordered`: a persistent mapping that keeps the order its keys were first set in.

`immutables.Map` changes in O(log n) but has no order; the MSEL, the roster and the requests
are shown in the order they were made. `Ordered` pairs a `Map` with a persistent vector (`vector.py`) of
its keys: setting a key that is already there changes only the map, a new key is appended to
the vector. Both are persistent, so a change costs the same however many entries there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from immutables import Map

from server.core.vector import Vector

K = TypeVar("K")
V = TypeVar("V")


class Ordered(Mapping[K, V], Generic[K, V]):
    __slots__ = ("_keys", "_map")

    def __init__(self, items: Iterable[tuple[K, V]] = ()) -> None:
        entries = dict(items)
        self._map: Map[K, V] = Map(entries)
        self._keys: Vector[K] = Vector(entries)

    @classmethod
    def _of(cls, mapping: Map[K, V], keys: Vector[K]) -> Ordered[K, V]:
        made: Ordered[K, V] = cls.__new__(cls)
        made._map, made._keys = mapping, keys
        return made

    def set(self, key: K, value: V) -> Ordered[K, V]:
        keys = self._keys if key in self._map else self._keys.append(key)
        return Ordered._of(self._map.set(key, value), keys)

    def update(self, items: Iterable[tuple[K, V]]) -> Ordered[K, V]:
        made = self
        for key, value in items:
            made = made.set(key, value)
        return made

    def newest(self, before: int | None = None) -> Iterator[V]:
        """The values, the last set first (a walk back that stops early costs only its steps);
        with `before`, from the value set before the `before`-th key on."""
        keys = self._keys
        start = len(keys) if before is None else min(before, len(keys))
        for index in range(start - 1, -1, -1):
            yield self._map[keys[index]]

    def key_at(self, index: int) -> K:
        """The `index`-th key set (in O(log n))."""
        return self._keys[index]

    def __getitem__(self, key: K) -> V:
        return self._map[key]

    def __contains__(self, key: object) -> bool:
        return key in self._map

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"Ordered({list(self.items())!r})"
