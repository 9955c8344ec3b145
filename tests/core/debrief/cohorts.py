"""The flagship played by the strong and the passive cohorts, as logs the debrief reads.

The play is `tests/core/test_playthrough.py`'s (`Cohort`, the scripts of `loadtest.playbook`);
each event gets the seq it would have in the log and the wall time it was decided at.
"""

from __future__ import annotations

from functools import cache

from loadtest.playbook import Step, passive, strong
from server.core.debrief import Debrief, Entry, analyse
from tests.core.test_playthrough import Cohort, flagship


def entries(cohort: Cohort) -> list[Entry]:
    run = cohort.run
    return [Entry(seq, at, event) for seq, (at, event) in enumerate(zip(run.times, run.log, strict=True), 1)]


def played(steps: list[Step]) -> Cohort:
    cohort = Cohort(flagship())
    cohort.play(steps)
    assert cohort.failures == []
    return cohort


@cache
def strong_cohort() -> Cohort:
    return played(strong(flagship()))


@cache
def passive_cohort() -> Cohort:
    return played(passive(flagship()))


@cache
def strong_debrief() -> Debrief:
    return analyse(entries(strong_cohort()))


@cache
def passive_debrief() -> Debrief:
    return analyse(entries(passive_cohort()))
