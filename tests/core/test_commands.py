"""Commands are plain values; SYSTEM is the server acting on its own behalf."""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Viewer


def test_system_reads_as_system() -> None:
    assert repr(c.SYSTEM) == "SYSTEM"
    assert isinstance(c.SYSTEM, c.System)
    assert not isinstance(c.SYSTEM, Viewer)


def test_jump_defaults_to_the_next_morning() -> None:
    assert c.JumpClock().to is None


def test_commands_are_immutable() -> None:
    command = c.PostMessage("hello")
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.text = "changed"  # type: ignore[misc]


def test_commands_compare_by_value() -> None:
    assert c.OpenConnection("P0001", "i1:c1") == c.OpenConnection("P0001", "i1:c1")
    assert c.OpenConnection("P0001", "i1:c1") != c.OpenConnection("P0001", "i1:c2")
    assert c.JumpClock(None) == c.JumpClock()
