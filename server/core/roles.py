"""Staff roles and what each role may command.

Participant roles (police investigator, prosecutor ...) come from the scenario; the staff
roles are fixed because the exercise's control depends on them.
"""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    DIRECTOR = "director"
    CONTROLLER = "controller"
    SIMCELL = "simcell"
    MENTOR = "mentor"
    OBSERVER = "observer"
    EVALUATOR = "evaluator"
    """Records observations rated against the objectives (HSEEP's evaluator); sees what staff see."""


STAFF_ROLES: frozenset[str] = frozenset(StaffRole)

CONTROL: frozenset[str] = frozenset({StaffRole.DIRECTOR, StaffRole.CONTROLLER})
"""Roles that run the exercise: lifecycle, clock, roster and credentials."""


EVALUATING: frozenset[str] = CONTROL | {StaffRole.EVALUATOR, StaffRole.MENTOR}
"""Roles that record observations and the improvement plan (`server.core.evaluating`)."""


def is_staff_role(role: str) -> bool:
    return role in STAFF_ROLES
