"""The scenario model's catalogue: instruments, their availability per pair of countries, lookups."""

from __future__ import annotations

from server.core import events
from server.core.clock import Clock
from server.core.events import ExerciseCreated
from server.core.scenario import (
    Agency,
    ClockSpec,
    Country,
    Field,
    Instrument,
    PairOverride,
    Role,
    RouteRole,
    Scenario,
)

EIO = Instrument("EIO", "EIO", "Dir. 2014/41", "direct", "prosecutor", "prosecutor", frozenset({"EU"}), True,
                 fields=(Field("urgency", "enum", choices=("none", "urgent")),))  # fmt: skip
SIENA = Instrument("SIENA", "SIENA", "Dir. 2023/977", "SIENA", "police", "spoc", frozenset({"EU"}))
MLA = Instrument("MLA", "MLA", "UNTOC Art. 18", "central authority", "prosecutor", "prosecutor")
NRM = Instrument("NRM", "NRM referral", "CETS 197", "national", "social", "social", cross_border=False)
SCENARIO = Scenario(
    id="s",
    title="S",
    countries=(
        Country("VAR", "Varnia", RouteRole.ORIGIN, agencies=(Agency("VAR.POL", "Police", "police"),)),
        Country("KAL", "Kalmaria", RouteRole.TRANSIT, frozenset({"EU"}), eio_participant=True),
        Country("WES", "Westria", RouteRole.DESTINATION, frozenset({"EU"}), eio_participant=True),
        Country("DEN", "Denland", RouteRole.DESTINATION, frozenset({"EU"}), eio_participant=False),
    ),
    roles=(Role("prosecutor", "Prosecutor", capabilities=frozenset({"issue:EIO"})),),
    clock=ClockSpec(start=0, morning=0),
    instruments=(EIO, SIENA, MLA, NRM),
    pair_overrides=(
        PairOverride("WES", "VAR", allow=frozenset({"SIENA"}), deny=frozenset({"MLA"})),
        PairOverride("KAL", "VAR", deny=frozenset({"MLA"}), both_ways=False),
    ),
)


def test_blocs_decide_availability() -> None:
    assert SCENARIO.available("SIENA", "KAL", "WES")
    assert not SCENARIO.available("SIENA", "KAL", "VAR")
    assert SCENARIO.available("MLA", "KAL", "WES")


def test_eio_needs_both_parties_to_take_part() -> None:
    assert SCENARIO.available("EIO", "WES", "KAL")
    assert not SCENARIO.available("EIO", "WES", "DEN")
    assert not SCENARIO.available("EIO", "DEN", "WES")


def test_overrides_allow_and_deny_per_pair_both_ways_by_default() -> None:
    assert SCENARIO.available("SIENA", "WES", "VAR")
    assert SCENARIO.available("SIENA", "VAR", "WES")
    assert not SCENARIO.available("MLA", "VAR", "WES")
    assert not SCENARIO.available("MLA", "KAL", "VAR")
    assert SCENARIO.available("MLA", "VAR", "KAL")  # one way only


def test_only_domestic_instruments_are_available_inside_a_country_or_for_unknowns() -> None:
    assert not SCENARIO.available("MLA", "KAL", "KAL")
    assert SCENARIO.available("NRM", "KAL", "KAL")
    assert not SCENARIO.available("NRM", "KAL", "WES")
    assert not SCENARIO.available("EIOO", "KAL", "WES")
    assert not SCENARIO.available("EIO", "XXX", "WES")
    assert not SCENARIO.available("EIO", "KAL", "XXX")


def test_matrix_lists_every_ordered_pair() -> None:
    matrix = {(a, b): names for a, b, names in SCENARIO.matrix()}
    assert len(matrix) == 16  # 12 ordered pairs, then each country with itself
    assert matrix[("KAL", "WES")] == ["EIO", "SIENA", "MLA"]
    assert matrix[("KAL", "KAL")] == ["NRM"]
    assert matrix[("WES", "VAR")] == ["SIENA"]
    assert matrix[("VAR", "KAL")] == ["MLA"]


def test_lookups() -> None:
    assert SCENARIO.instrument("EIO") is EIO
    assert SCENARIO.instrument("EIOO") is None
    assert EIO.field("urgency") == Field("urgency", "enum", choices=("none", "urgent"))
    assert EIO.field("nothing") is None
    country, agency = SCENARIO.agency("VAR.POL") or (None, None)
    assert country is not None and country.id == "VAR"
    assert agency == Agency("VAR.POL", "Police", "police")
    assert SCENARIO.agency("VAR.FIU") is None
    role = SCENARIO.role("prosecutor")
    assert role is not None and role.can("issue", "EIO") and not role.can("validate", "EIO")


def test_a_scenario_round_trips_through_exercise_created_leaving_out_defaults() -> None:
    created = ExerciseCreated("EX", "T", SCENARIO, (), Clock(0.0, 0.0, 1.0), 0.0)
    data = events.to_data(created)
    assert "legal_profile" not in data["scenario"]["countries"][0]
    assert events.from_data("exercise.created", data) == created
