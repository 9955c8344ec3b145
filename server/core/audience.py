"""Who may see an event: its audience, and the viewer that is or is not in it.

Staff (director, controller, SimCell, mentor, observer) see every event. Everyone else sees
an event when its audience names everybody, their team, their role, their role in their team
or themselves. An empty audience therefore means "staff only".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Audience:
    everyone: bool = False
    teams: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    participants: frozenset[str] = field(default_factory=frozenset)
    team_roles: frozenset[str] = field(default_factory=frozenset)
    """"<team>/<role>" pairs: the members of one role in one team (an inject to WES police)."""

    @classmethod
    def all(cls) -> Audience:
        return cls(everyone=True)

    @classmethod
    def staff_only(cls) -> Audience:
        return cls()

    @classmethod
    def team(cls, team: str | None) -> Audience:
        return cls(teams=frozenset(() if team is None else (team,)))

    @classmethod
    def of(
        cls,
        *,
        everyone: bool = False,
        teams: Iterable[str] = (),
        roles: Iterable[str] = (),
        participants: Iterable[str] = (),
        team_roles: Iterable[str] = (),
    ) -> Audience:
        return cls(
            everyone, frozenset(teams), frozenset(roles), frozenset(participants), frozenset(team_roles)
        )

    @property
    def is_staff_only(self) -> bool:
        return not (self.everyone or self.teams or self.roles or self.participants or self.team_roles)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The identity a connection sees the exercise as."""

    participant: str
    team: str | None
    role: str
    staff: bool


def can_see(viewer: Viewer, audience: Audience) -> bool:
    return (
        viewer.staff
        or audience.everyone
        or (viewer.team is not None and viewer.team in audience.teams)
        or viewer.role in audience.roles
        or viewer.participant in audience.participants
        or (viewer.team is not None and f"{viewer.team}/{viewer.role}" in audience.team_roles)
    )
