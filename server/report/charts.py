"""Charts as plain shapes (rectangles, lines, circles, text) in a box of `width` by `height`
points, y downwards: `svg` and `pdf` each draw them, so the HTML and the PDF show the same.

- `lanes`: one lane per team, marks along simulated time (the timeline, a key fact's diffusion);
- `flows`: the countries on a circle, an arrow per country pair with its request count;
- `bars`: per metric, one cell per team, met / not met / no target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from server.core.simtime import format_sim_time

PALETTE = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7ea4", "#57606a")
MET, NOT_MET, NO_TARGET = "#1a7f37", "#d1242f", "#8c959f"


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#8c959f"
    width: float = 1.0
    arrow: bool = False


@dataclass(frozen=True, slots=True)
class Circle:
    x: float
    y: float
    r: float
    fill: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 9.0
    anchor: str = "start"
    """start, middle or end."""
    fill: str = "#24292f"


Shape = Rect | Line | Circle | Text


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    width: float
    height: float
    shapes: tuple[Shape, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Mark:
    lane: str
    sim: float
    label: str
    colour: int = 0
    """An index into the palette (by kind of moment or channel)."""


LEFT, RIGHT, TOP = 70.0, 20.0, 28.0
LANE = 22.0


def lanes(title: str, names: Sequence[str], marks: Sequence[Mark], start: float, end: float,
          legend: Sequence[str] = (), width: float = 720.0) -> Chart:  # fmt: skip
    """Marks along simulated time, one lane per name; a tick every simulated day or 6 hours."""
    end = max(end, start + 3600)
    height = TOP + LANE * len(names) + 36 + (14 if legend else 0)
    span = width - LEFT - RIGHT

    def x(sim: float) -> float:
        return LEFT + span * (min(max(sim, start), end) - start) / (end - start)

    shapes: list[Shape] = [Text(LEFT, 14, title, 11)]
    for i, name in enumerate(names):
        y = TOP + LANE * i + LANE / 2
        shapes += [Text(LEFT - 6, y + 3, name, 9, "end"), Line(LEFT, y, width - RIGHT, y, "#d0d7de")]
    step = 6 * 3600 if end - start <= 3 * 86400 else 86400
    tick = math.ceil(start / step) * step
    base = TOP + LANE * len(names)
    while tick <= end:
        shapes += [
            Line(x(tick), TOP, x(tick), base, "#eaeef2"),
            Text(x(tick), base + 12, format_sim_time(tick), 7, "middle"),
        ]
        tick += step
    dots: dict[tuple[str, int, int], list[Mark]] = {}
    for mark in marks:  # marks closer than 2 points in one lane and colour make one dot
        if mark.lane in names:
            dots.setdefault((mark.lane, round(x(mark.sim) / 2), mark.colour), []).append(mark)
    for (lane, _, colour), together in dots.items():
        y = TOP + LANE * list(names).index(lane) + LANE / 2
        more = f" (and {len(together) - 1} more)" if len(together) > 1 else ""
        first = together[0]
        shapes.append(Circle(x(first.sim), y, 3.5, PALETTE[colour % len(PALETTE)], first.label + more))
    for i, name in enumerate(legend):
        lx = LEFT + i * 110
        shapes += [Circle(lx, base + 28, 3.5, PALETTE[i % len(PALETTE)]), Text(lx + 7, base + 31, name, 8)]
    return Chart(title, width, height, tuple(shapes))


def flows(
    title: str, countries: Sequence[str], counts: Sequence[tuple[str, str, int]], width: float = 420.0
) -> Chart:
    """The countries on a circle and an arrow from each requesting country to each receiving
    one, as thick as its number of requests, labelled with it."""
    height = width * 0.8
    cx, cy, radius = width / 2, height / 2 + 8, min(width, height) / 2 - 50
    at = {
        c: (cx + radius * math.cos(2 * math.pi * i / max(1, len(countries)) - math.pi / 2),
            cy + radius * math.sin(2 * math.pi * i / max(1, len(countries)) - math.pi / 2))
        for i, c in enumerate(countries)
    }  # fmt: skip
    shapes: list[Shape] = [Text(10, 14, title, 11)]
    most = max((n for _, _, n in counts), default=1)
    for source, target, n in counts:
        if source not in at or target not in at or source == target:
            continue
        (x1, y1), (x2, y2) = at[source], at[target]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1
        nx, ny = -dy / length * 7, dx / length * 7  # one side for each direction
        sx, sy = x1 + dx / length * 24 + nx, y1 + dy / length * 24 + ny
        ex, ey = x2 - dx / length * 24 + nx, y2 - dy / length * 24 + ny
        shapes.append(Line(sx, sy, ex, ey, PALETTE[0], 1 + 4 * n / most, arrow=True))
        shapes.append(
            Text((sx + ex) / 2 + nx * 1.6, (sy + ey) / 2 + ny * 1.6 + 3, str(n), 9, "middle", PALETTE[0])
        )
    for country, (x, y) in at.items():
        shapes += [Circle(x, y, 20, "#f6f8fa"), Text(x, y + 4, country, 10, "middle")]
    return Chart(title, width, height, tuple(shapes))


def bars(title: str, rows: Sequence[tuple[str, Sequence[tuple[str, bool | None]]]], teams: Sequence[str],
         width: float = 720.0) -> Chart:  # fmt: skip
    """One row per metric, one cell per team: green met, red not met, grey no target."""
    label_width = 300.0
    cell = min(60.0, (width - label_width - 10) / max(1, len(teams)))
    height = TOP + 16 + 16 * len(rows) + 22
    shapes: list[Shape] = [Text(10, 14, title, 11)]
    for j, team in enumerate(teams):
        shapes.append(Text(label_width + cell * j + cell / 2, TOP + 8, team, 8, "middle"))
    for i, (name, cells) in enumerate(rows):
        y = TOP + 16 + 16 * i
        shapes.append(Text(label_width - 6, y + 10, name[:60], 8, "end"))
        for team, met in cells:
            if team in teams:
                j = list(teams).index(team)
                fill = NO_TARGET if met is None else MET if met else NOT_MET
                verdict = "no target" if met is None else "met" if met else "not met"
                shapes.append(
                    Rect(label_width + cell * j + 2, y, cell - 4, 13, fill, f"{name}, {team}: {verdict}")
                )
    legend_y = TOP + 16 + 16 * len(rows) + 12
    for k, (fill, name) in enumerate(((MET, "met"), (NOT_MET, "not met"), (NO_TARGET, "no target"))):
        shapes += [
            Rect(label_width + k * 80, legend_y - 8, 10, 10, fill),
            Text(label_width + k * 80 + 14, legend_y, name, 8),
        ]
    return Chart(title, width, height, tuple(shapes))
