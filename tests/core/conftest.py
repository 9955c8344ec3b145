"""Fixtures for the core tests: an exercise of the scenario in `transcript.py`."""

from __future__ import annotations

import pytest

from server.core import commands as c
from server.core.decide import create
from tests.core.transcript import NOW, ROSTER, SCENARIO, Run


@pytest.fixture
def ex() -> Run:
    """A draft exercise of SCENARIO with ROSTER, created at NOW."""
    return Run(create(SCENARIO, "EX1", "Spring course", ROSTER, NOW), NOW)


@pytest.fixture
def running(ex: Run) -> Run:
    """The same exercise, marked ready and started at NOW + 10."""
    director = ex.viewer("Dana")
    ex.do(c.MarkReady(), director, at=NOW + 5)
    ex.do(c.StartExercise(), director, at=NOW + 10)
    return ex
