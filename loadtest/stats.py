"""Distributions: exact percentiles of recorded samples, and histogram bins for the report.

Samples are kept raw (an `array('d')` of milliseconds per measure): a two-minute cohort run
records about a million deliveries, eight megabytes, so nothing is approximated.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Summary:
    """The shape of one measure, in its unit (milliseconds for times)."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float
    mean: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def empty(cls) -> Summary:
        return cls(0, math.nan, math.nan, math.nan, math.nan, math.nan)


def percentile(ordered: Sequence[float], q: float) -> float:
    """The `q` quantile (0..1) of sorted values, nearest rank (a value that was measured)."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return float(ordered[min(rank, len(ordered)) - 1])


def summarize(values: Iterable[float]) -> Summary:
    ordered = sorted(values)
    if not ordered:
        return Summary.empty()
    return Summary(
        count=len(ordered),
        p50=percentile(ordered, 0.50),
        p95=percentile(ordered, 0.95),
        p99=percentile(ordered, 0.99),
        max=float(ordered[-1]),
        mean=math.fsum(ordered) / len(ordered),
    )


def samples(data: bytes = b"") -> array[float]:
    """An array of float64 samples, from the bytes `array.tobytes()` gave (between processes)."""
    values = array("d")
    values.frombytes(data)
    return values


def log_bins(
    values: Sequence[float], bins: int = 40, span: tuple[float, float] | None = None
) -> list[tuple[float, float, int]]:
    """`(low, high, count)` over log-spaced bins from the smallest to the largest value, or over
    `span` (so that two histograms share a scale); values outside it go to the end bins."""
    positive = [v for v in values if v > 0]
    if not positive:
        return []
    low, high = span if span is not None else (min(positive), max(positive))
    if high <= low * 1.0001:
        return [(low, high, len(positive))]
    ratio = (high / low) ** (1 / bins)
    edges = [low * ratio**i for i in range(bins + 1)]
    counts = [0] * bins
    scale = math.log(ratio)
    for value in positive:
        index = min(bins - 1, max(0, int(math.log(value / low) / scale)))
        counts[index] += 1
    return [(edges[i], edges[i + 1], counts[i]) for i in range(bins)]
