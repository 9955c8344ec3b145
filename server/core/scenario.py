"""The typed model of a scenario: the template an exercise is created from.

This is the part of the scenario the exercise core needs today (countries, teams, roles,
the clock); `server/scenario/` reads it from files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RouteRole(StrEnum):
    ORIGIN = "origin"
    TRANSIT = "transit"
    DESTINATION = "destination"


@dataclass(frozen=True, slots=True)
class Country:
    id: str
    name: str
    route_role: RouteRole


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ClockSpec:
    start: int
    """Simulated time at STARTEX, seconds since D1 00:00."""
    morning: int
    """Time of day a "next morning" jump lands on, seconds after midnight."""
    speed: float = 1.0


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    countries: tuple[Country, ...]
    roles: tuple[Role, ...]
    """Participant roles; staff roles are built in (`server.core.roles`)."""
    clock: ClockSpec

    def country(self, country_id: str) -> Country | None:
        return next((c for c in self.countries if c.id == country_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)
