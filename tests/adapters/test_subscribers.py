"""The hub's index of connections admits exactly the connections `can_see` admits."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from server.adapters.subscribers import Subscribers
from server.core.audience import Audience, Viewer, can_see

TEAMS = ["WES", "EAS", "SOU"]
ROLES = ["police", "prosecutor", "ngo", "director", "observer"]
PEOPLE = [f"p{i}" for i in range(8)]


@dataclass(eq=False)
class Live:
    viewer: Viewer


viewers = st.builds(
    Viewer,
    participant=st.sampled_from(PEOPLE),
    team=st.none() | st.sampled_from(TEAMS),
    role=st.sampled_from(ROLES),
    staff=st.booleans(),
)
audiences = st.builds(
    Audience,
    everyone=st.booleans(),
    teams=st.frozensets(st.sampled_from([*TEAMS, "NOBODY"])),
    roles=st.frozensets(st.sampled_from(ROLES)),
    participants=st.frozensets(st.sampled_from(PEOPLE)),
    team_roles=st.frozensets(
        st.builds(lambda t, r: f"{t}/{r}", st.sampled_from(TEAMS), st.sampled_from(ROLES))
    ),
)


@given(st.lists(viewers, max_size=12), st.lists(audiences, min_size=1, max_size=6), st.data())
def test_seeing_is_can_see(people: list[Viewer], seen: list[Audience], data: st.DataObject) -> None:
    live = [Live(viewer) for viewer in people]
    index: Subscribers[Live] = Subscribers()
    for connection in live:
        index.add(connection)
    gone = data.draw(st.lists(st.sampled_from(live), unique_by=id) if live else st.just([]))
    for connection in gone:
        index.discard(connection)
    remaining = [connection for connection in live if connection not in gone]
    assert len(index) == len(remaining)
    for audience in seen:
        expected = {id(c) for c in remaining if can_see(c.viewer, audience)}
        assert {id(c) for c in index.seeing(audience)} == expected


def test_a_connection_is_indexed_once_and_removed_everywhere() -> None:
    index: Subscribers[Live] = Subscribers()
    police = Live(Viewer("p1", "WES", "police", False))
    index.add(police)
    index.add(police)
    assert index.seeing(Audience.team("WES")) == [police]
    index.discard(police)
    index.discard(police)
    assert index.seeing(Audience.team("WES")) == [] and len(index) == 0
    assert index.seeing(Audience.all()) == []
