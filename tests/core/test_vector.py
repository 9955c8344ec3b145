"""`Vector` behaves as a list that never changes: appends, sets, reads, slices, iteration."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.vector import Vector


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2_500), st.data())
def test_a_vector_is_the_list_it_was_built_from_and_old_versions_stay(n: int, data: st.DataObject) -> None:
    versions = [Vector[int]()]
    for i in range(n):
        versions.append(versions[-1].append(i))
    for size in {0, 1, 31, 32, 33, 1024, 1056, 1057, n // 2, n}:
        if size <= n:
            assert list(versions[size]) == list(range(size)) and len(versions[size]) == size
    vector = versions[-1]
    if n:
        at = data.draw(st.integers(-n, n - 1))
        assert vector[at] == list(range(n))[at]
        changed = vector.set(at, -1)
        expected = list(range(n))
        expected[at] = -1
        assert list(changed) == expected and list(vector) == list(range(n))
        assert vector[-5:] == list(range(n))[-5:] and vector[1:4] == list(range(n))[1:4]
        assert list(reversed(vector)) == list(range(n))[::-1]
    assert vector == Vector(range(n)) and vector != Vector(range(n + 1))
    built = Vector(range(n))  # built at once, then grown: the same shape as grown one by one
    for i in range(n, n + 1100):
        built = built.append(i)
    assert list(built) == list(range(n + 1100)) and built[n] == n
    assert Vector([1]).__eq__([1]) is NotImplemented


def test_reading_outside_is_an_index_error_and_repr_shows_the_items() -> None:
    with pytest.raises(IndexError):
        Vector([1, 2])[2]
    with pytest.raises(IndexError):
        Vector[int]().set(0, 1)
    assert repr(Vector([1, 2]).extend([3])) == "Vector([1, 2, 3])"
