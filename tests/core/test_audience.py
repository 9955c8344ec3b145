"""Audiences and viewers: staff see everything; others see what names them."""

from __future__ import annotations

import pytest

from server.core.audience import Audience, Viewer, can_see

ANNA = Viewer("P0006", "nl", "police", staff=False)
CARLA = Viewer("P0008", "be", "police", staff=False)
BAS = Viewer("P0007", "nl", "prosecutor", staff=False)
OTTO = Viewer("P0005", None, "observer", staff=True)
LOST = Viewer("P0099", None, "police", staff=False)


def test_constructors() -> None:
    assert Audience.all() == Audience(everyone=True)
    assert Audience.staff_only() == Audience()
    assert Audience.team("nl") == Audience(teams=frozenset({"nl"}))
    assert Audience.team(None) == Audience.staff_only()
    assert Audience.of(teams=["nl", "be", "nl"], roles=("police",), participants={"P1"}) == (
        Audience(False, frozenset({"nl", "be"}), frozenset({"police"}), frozenset({"P1"}))
    )


@pytest.mark.parametrize(
    ("audience", "staff_only"),
    [
        (Audience(), True),
        (Audience.team(None), True),
        (Audience.all(), False),
        (Audience.team("nl"), False),
        (Audience.of(roles=["police"]), False),
        (Audience.of(participants=["P0006"]), False),
    ],
)
def test_is_staff_only(audience: Audience, staff_only: bool) -> None:
    assert audience.is_staff_only is staff_only


@pytest.mark.parametrize(
    ("audience", "seen_by"),
    [
        (Audience.all(), {"Anna", "Carla", "Bas", "Otto", "Lost"}),
        (Audience.staff_only(), {"Otto"}),
        (Audience.team("nl"), {"Anna", "Bas", "Otto"}),
        (Audience.of(roles=["police"]), {"Anna", "Carla", "Otto", "Lost"}),
        (Audience.of(participants=["P0007"]), {"Bas", "Otto"}),
        (Audience.of(teams=["be"], participants=["P0007"]), {"Carla", "Bas", "Otto"}),
    ],
)
def test_who_can_see(audience: Audience, seen_by: set[str]) -> None:
    viewers = {"Anna": ANNA, "Carla": CARLA, "Bas": BAS, "Otto": OTTO, "Lost": LOST}
    assert {name for name, viewer in viewers.items() if can_see(viewer, audience)} == seen_by


def test_a_viewer_without_a_team_is_not_in_a_teamless_audience() -> None:
    # Audience.team(None) is staff only; a team of None must not match a viewer of None.
    assert not can_see(LOST, Audience.team(None))
