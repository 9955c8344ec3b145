"""Staff roles are fixed; director and controller run the exercise."""

from __future__ import annotations

from server.core.roles import CONTROL, EVALUATING, STAFF_ROLES, StaffRole, is_staff_role


def test_the_six_staff_roles() -> None:
    assert sorted(STAFF_ROLES) == ["controller", "director", "evaluator", "mentor", "observer", "simcell"]


def test_evaluators_mentors_and_control_evaluate() -> None:
    assert sorted(EVALUATING) == ["controller", "director", "evaluator", "mentor"]


def test_control_is_director_and_controller() -> None:
    assert sorted(CONTROL) == [StaffRole.CONTROLLER, StaffRole.DIRECTOR]
    assert CONTROL <= STAFF_ROLES


def test_is_staff_role() -> None:
    assert is_staff_role("observer")
    assert is_staff_role(StaffRole.SIMCELL)
    assert not is_staff_role("police")
    assert not is_staff_role("Director")


def test_staff_roles_read_as_plain_strings() -> None:
    assert str(StaffRole.MENTOR) == "mentor"
    assert f"{StaffRole.DIRECTOR}" == "director"
