"""The exercise clock: simulated time that runs at a speed factor, pauses and jumps.

The clock is a value. It stores one anchor (a wall time and the simulated time at that
moment), the speed factor and whether it runs; the simulated time at any wall time follows
from these. Every change takes the wall time at which it happens, so the core never reads
a clock itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MAX_SPEED = 120.0


@dataclass(frozen=True, slots=True)
class Clock:
    sim_anchor: float
    """Simulated seconds (since D1 00:00) at `wall_anchor`."""
    wall_anchor: float
    """Wall time (Unix seconds) of the last change."""
    speed: float = 1.0
    running: bool = False

    def sim_at(self, wall: float) -> float:
        """Simulated time at wall time `wall`; a stopped clock stands still."""
        if not self.running:
            return self.sim_anchor
        return self.sim_anchor + max(0.0, wall - self.wall_anchor) * self.speed

    def wall_at(self, sim: float) -> float | None:
        """Wall time at which a running clock reaches `sim`; None when it is stopped."""
        if not self.running:
            return None
        return self.wall_anchor + max(0.0, sim - self.sim_anchor) / self.speed

    def run(self, wall: float) -> Clock:
        return replace(self, sim_anchor=self.sim_at(wall), wall_anchor=wall, running=True)

    def stop(self, wall: float) -> Clock:
        return replace(self, sim_anchor=self.sim_at(wall), wall_anchor=wall, running=False)

    def with_speed(self, wall: float, speed: float) -> Clock:
        return replace(self, sim_anchor=self.sim_at(wall), wall_anchor=wall, speed=speed)

    def jumped(self, wall: float, sim: float) -> Clock:
        return replace(self, sim_anchor=sim, wall_anchor=wall)
