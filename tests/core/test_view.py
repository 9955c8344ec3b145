"""The welcome snapshot: what one viewer sees of the exercise right now."""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Audience, Viewer
from server.core.view import snapshot, to_data_clock
from tests.core.transcript import Run


def prepared(running: Run) -> Run:
    """Anna and Dana online, Carla revoked, three messages and two announcements."""
    dana, colm = running.viewer("Dana"), running.viewer("Colm")
    running.do(c.OpenConnection("P0006", "i1:c1"), c.SYSTEM)
    running.do(c.OpenConnection("P0001", "i1:c2"), c.SYSTEM)
    running.do(c.RevokeCredential("P0008"), colm)
    running.do(c.PostMessage("nl here"), running.viewer("Anna"))
    running.do(c.PostMessage("be here"), running.viewer("Carla"))
    running.do(c.PostMessage("nl again"), running.viewer("Bas"))
    running.do(c.MakeAnnouncement(Audience.all(), "to all"), dana)
    running.do(c.MakeAnnouncement(Audience.of(roles=["police"]), "to police"), dana)
    running.do(c.MakeAnnouncement(Audience.staff_only(), "to staff"), dana)
    return running


def test_what_a_participant_sees(running: Run) -> None:
    ex = prepared(running)
    seen = snapshot(ex.state, ex.viewer("Bas"))
    assert seen == {
        "exercise": {
            "id": "EX1",
            "title": "Spring course",
            "status": "running",
            "clock": to_data_clock(ex.state),
            "scenario": {"id": "smuggling-route", "title": "The Smuggling Route"},
            "morning": 27_000,
        },
        "teams": [
            {"id": "nl", "name": "Netherlands", "country": "nl"},
            {"id": "be", "name": "Belgium", "country": "be"},
            {"id": "fr", "name": "France", "country": "fr"},
        ],
        "roles": [
            {"id": "police", "name": "Police investigator"},
            {"id": "prosecutor", "name": "Prosecutor"},
        ],
        "participants": [
            {
                "id": "P0006",
                "name": "Anna",
                "team": "nl",
                "role": "police",
                "staff": False,
                "online": True,
            },
            {
                "id": "P0007",
                "name": "Bas",
                "team": "nl",
                "role": "prosecutor",
                "staff": False,
                "online": False,
            },
        ],
        "feed": [
            {"author": "P0006", "channel": "team", "text": "nl here"},
            {"author": "P0007", "channel": "team", "text": "nl again"},
            {"author": "P0001", "channel": "announcement", "text": "to all"},
        ],
        "case_file": [],
        "injects": [],
        "actions": [],
        "requests": [],
    }


def test_a_participant_of_another_team_sees_another_slice(running: Run) -> None:
    ex = prepared(running)
    seen = snapshot(ex.state, ex.viewer("Carla"))
    assert [p["name"] for p in seen["participants"]] == ["Carla"]
    assert "revoked" not in seen["participants"][0]
    assert [item["text"] for item in seen["feed"]] == ["be here", "to all", "to police"]


def test_staff_see_everyone_with_their_credentials(running: Run) -> None:
    ex = prepared(running)
    seen = snapshot(ex.state, ex.viewer("Otto"))
    assert [p["name"] for p in seen["participants"]] == [
        "Dana",
        "Colm",
        "Sam",
        "Mia",
        "Otto",
        "Anna",
        "Bas",
        "Carla",
    ]
    carla = seen["participants"][-1]
    assert (carla["revoked"], carla["generation"], carla["online"]) == (True, 1, False)
    assert seen["participants"][0]["online"] is True
    assert len(seen["feed"]) == 6


def test_a_viewer_without_a_team_sees_no_participants(running: Run) -> None:
    ex = prepared(running)
    seen = snapshot(ex.state, Viewer("P0099", None, "police", staff=False))
    assert seen["participants"] == []
    assert [item["text"] for item in seen["feed"]] == ["to all", "to police"]


def test_the_clock_as_data(running: Run) -> None:
    running.do(c.SetClockSpeed(30.0), running.viewer("Dana"), at=running.now + 2)
    assert to_data_clock(running.state) == {
        "sim_anchor": 28_802.0,
        "wall_anchor": running.now,
        "speed": 30.0,
        "running": True,
    }
