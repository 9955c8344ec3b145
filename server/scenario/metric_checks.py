"""Cross-checks of a scenario's metrics, after their shape was read (`play.PlayReader.metric`).

- each metric measures a learning objective (a warning: it is computed all the same);
- a request it looks for can be sent to the team it names, by a team it is about;
- its `by` falls within the exercise (not before STARTEX, not after ENDEX when known);
- `before` compares two different happenings;
- a team it is about exists in the exercise's model (references are checked in `checks`).
"""

from __future__ import annotations

from server.core.scenario import Happening, HappeningKind, Metric, MetricKind, Scenario
from server.core.simtime import format_sim_time
from server.scenario.fields import FieldReader


def check_metrics(reader: FieldReader, scenario: Scenario) -> None:
    measured = {m for o in scenario.objectives for m in o.metrics}
    for metric in scenario.metrics:
        path = reader.paths.get(id(metric), "metrics")
        if metric.id not in measured and scenario.objectives:
            reader.warn(
                path, f"metric {metric.id} measures no learning objective: list it in an objective's metrics"
            )
        _timing(reader, scenario, metric, path)
        for where, happening in _requests(metric):
            _reachable(reader, scenario, metric, happening, f"{path}{where}")
        if metric.kind is MetricKind.BEFORE and metric.of and metric.of[0] == metric.then:
            reader.problem(f"{path}.then", "a before metric compares two different happenings")


def _timing(reader: FieldReader, scenario: Scenario, metric: Metric, path: str) -> None:
    if metric.by is None:
        return
    start, end = scenario.clock.start, scenario.clock.end
    if metric.by <= start:
        reader.problem(
            f"{path}.by",
            f"{format_sim_time(metric.by)} is not after STARTEX ({format_sim_time(start)})",
        )
    elif end is not None and metric.by > end:
        reader.warn(f"{path}.by", f"{format_sim_time(metric.by)} is after ENDEX ({format_sim_time(end)})")


def _requests(metric: Metric) -> list[tuple[str, Happening]]:
    found = [(f".of[{i}]", h) for i, h in enumerate(metric.of) if h.kind is HappeningKind.REQUEST]
    if metric.then is not None and metric.then.kind is HappeningKind.REQUEST:
        found.append((".then", metric.then))
    if metric.instrument:
        found.append(("", Happening(HappeningKind.REQUEST, metric.instrument, metric.to, metric.state)))
    return found


def _reachable(
    reader: FieldReader, scenario: Scenario, metric: Metric, happening: Happening, path: str
) -> None:
    """A request of the instrument can go from a team the metric is about to its `to`."""
    if scenario.instrument(happening.id) is None:
        return  # an unknown instrument is reported with the references
    countries = [c.id for c in scenario.countries]
    sources = [t for t in metric.teams if t in countries] or countries
    targets = [happening.to] if happening.to in countries else countries
    if not any(scenario.available(happening.id, a, b) for a in sources for b in targets):
        to = f" to {happening.to}" if happening.to else ""
        reader.problem(
            path,
            f"no {happening.id} request can be sent from {', '.join(sources)}{to}: "
            "the metric could never count one (see the instrument's blocs and pair overrides)",
        )
