"""What one viewer sees of an exercise right now: the welcome snapshot.

The snapshot holds exactly what the events the viewer may see would have told them, so a
client that starts from a snapshot and one that replayed the log show the same thing.
"""

from __future__ import annotations

from typing import Any

from server.core.audience import Viewer, can_see
from server.core.state import Exercise, Participant


def snapshot(state: Exercise, viewer: Viewer) -> dict[str, Any]:
    return {
        "exercise": {
            "id": state.id,
            "title": state.title,
            "status": str(state.status),
            "clock": to_data_clock(state),
            "scenario": {"id": state.scenario.id, "title": state.scenario.title},
            "morning": state.scenario.clock.morning,
        },
        "teams": [
            {"id": team.id, "name": team.name, "country": team.country} for team in state.teams.values()
        ],
        "roles": [{"id": role.id, "name": role.name} for role in state.scenario.roles],
        "participants": [
            _participant(state, p, viewer) for p in state.participants.values() if _sees_member(viewer, p)
        ],
        "feed": [
            {"author": item.author, "channel": item.channel, "text": item.text}
            for item in state.feed
            if can_see(viewer, item.audience)
        ],
    }


def to_data_clock(state: Exercise) -> dict[str, Any]:
    clock = state.clock
    return {
        "sim_anchor": clock.sim_anchor,
        "wall_anchor": clock.wall_anchor,
        "speed": clock.speed,
        "running": clock.running,
    }


def _sees_member(viewer: Viewer, member: Participant) -> bool:
    if viewer.staff:
        return True
    return not member.staff and member.team is not None and member.team == viewer.team


def _participant(state: Exercise, member: Participant, viewer: Viewer) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": member.id,
        "name": member.name,
        "team": member.team,
        "role": member.role,
        "staff": member.staff,
        "online": state.online(member.id),
    }
    if viewer.staff:
        shown["revoked"] = member.revoked
        shown["generation"] = member.generation
    return shown
