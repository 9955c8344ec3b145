"""What a scenario's conditions ask `Facts` to index, worked out once per scenario.

`apply` keeps the facts up to date event by event; for the conditions that need more than
"when did this first happen" (spans between actions, requests whose fields or answer say
something), it needs to know which spans and tests the scenario has: `watch_of(scenario)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from server.core.events import plain
from server.core.facts import Watch
from server.core.scenario import OutcomeRule, Scenario, Trigger, TriggerKind

_WATCHES: dict[int, tuple[Scenario, Watch]] = {}
"""Watches worked out, by scenario object (a handful of scenarios per process)."""
WATCHES_KEPT = 8


def watch_of(scenario: Scenario) -> Watch:
    kept = _WATCHES.get(id(scenario))
    if kept is not None and kept[0] is scenario:
        return kept[1]
    conditions = [inject.trigger for inject in scenario.injects if inject.trigger is not None]
    conditions += [c for r in scenario.responses for o in r.outcomes for c in _rule_conditions(o.when)]
    leaves = [leaf for condition in conditions for leaf in leaves_of(condition)]
    actions = [leaf for leaf in leaves if leaf.kind is TriggerKind.ACTION and leaf.action]
    watch = Watch(
        counted=frozenset(
            leaf.action
            for leaf in actions
            if leaf.action and (leaf.count > 1 or leaf.subject is not None or leaf.apart is not None)
        ),
        spans=frozenset(
            (leaf.action, leaf.apart)
            for leaf in leaves
            if leaf.kind is TriggerKind.ACTION and leaf.action and leaf.apart is not None
        ),
        requests=tuple(
            sorted(
                {
                    (watch_key(leaf), _request_part(leaf))
                    for leaf in leaves
                    if leaf.kind is TriggerKind.REQUEST and leaf.test is not None
                },
                key=lambda item: item[0],
            )
        ),
    )
    if len(_WATCHES) >= WATCHES_KEPT:
        _WATCHES.clear()
    _WATCHES[id(scenario)] = (scenario, watch)
    return watch


def watch_key(leaf: Trigger) -> str:
    """The same text for the same test in every process (it is kept in snapshots)."""
    part = _request_part(leaf)
    return repr([part.instrument, part.target, plain(part.test)])


def _request_part(leaf: Trigger) -> Trigger:
    """What of a request trigger the watched index looks at (not who sends, state or delay)."""
    return Trigger(TriggerKind.REQUEST, instrument=leaf.instrument, target=leaf.target, test=leaf.test)


def leaves_of(trigger: Trigger) -> Iterator[Trigger]:
    yield trigger
    for child in trigger.of:
        yield from leaves_of(child)


def _rule_conditions(rule: OutcomeRule) -> Iterator[Trigger]:
    if rule.condition is not None:
        yield rule.condition
    for other in rule.unless:
        yield from _rule_conditions(other)
