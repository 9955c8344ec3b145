"""The scenario model: looking up countries and participant roles."""

from __future__ import annotations

from server.core.scenario import ClockSpec, Country, Role, RouteRole, Scenario

SCENARIO = Scenario(
    id="s",
    title="S",
    countries=(
        Country("nl", "Netherlands", RouteRole.ORIGIN),
        Country("be", "Belgium", RouteRole.TRANSIT),
    ),
    roles=(Role("police", "Police investigator"),),
    clock=ClockSpec(start=0, morning=8 * 3600),
)


def test_country_by_id() -> None:
    assert SCENARIO.country("be") == Country("be", "Belgium", RouteRole.TRANSIT)
    assert SCENARIO.country("fr") is None


def test_role_by_id() -> None:
    assert SCENARIO.role("police") == Role("police", "Police investigator")
    assert SCENARIO.role("director") is None  # staff roles are not scenario roles


def test_clock_spec_speed_defaults_to_real_time() -> None:
    assert SCENARIO.clock.speed == 1.0
