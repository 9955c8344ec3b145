"""The welcome snapshot: what one viewer sees of the exercise right now."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from server.core import commands as c
from server.core.audience import Audience, Viewer
from server.core.legal_view import profile_lines
from server.core.scenario import (
    Action,
    Agency,
    ClockSpec,
    Country,
    Deadline,
    Delay,
    Field,
    Instrument,
    LegalProfile,
    PairOverride,
    Role,
    RouteRole,
    Scenario,
)
from server.core.view import CATALOGUES_KEPT, catalogue, catalogue_tag, snapshot, to_data_clock
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
            "jumps": [],
        },
        "teams": [
            {"id": "nl", "name": "Netherlands", "country": "nl", "agency": ""},
            {"id": "be", "name": "Belgium", "country": "be", "agency": ""},
            {"id": "fr", "name": "France", "country": "fr", "agency": ""},
        ],
        "roles": [
            {"id": "police", "name": "Police investigator"},
            {"id": "prosecutor", "name": "Prosecutor"},
        ],
        "catalogue_tag": catalogue_tag(ex.state.scenario),
        "catalogue": catalogue(ex.state.scenario),
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
            {
                "author": "P0006",
                "channel": "team",
                "text": "nl here",
                "seq": 15,
                "thread": "team:nl",
                "sim_time": ex.sim_now,
                "team": "nl",
            },
            {
                "author": "P0007",
                "channel": "team",
                "text": "nl again",
                "seq": 17,
                "thread": "team:nl",
                "sim_time": ex.sim_now,
                "team": "nl",
            },
            {
                "author": "P0001",
                "channel": "announcement",
                "text": "to all",
                "seq": 18,
                "thread": "announcement:all",
                "sim_time": ex.sim_now,
            },
        ],
        "feed_older": {},
        "case_file": [],
        "injects": [],
        "actions": [],
        "requests": [],
        "older": {"injects": False, "actions": False, "requests": False},
        "evaluation": {"questionnaires": []},
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


PLAY = Scenario(
    id="play",
    title="Play",
    countries=(
        Country(
            "nl",
            "Netherlands",
            RouteRole.ORIGIN,
            blocs=frozenset({"EU", "COE"}),
            eio_participant=True,
            language="Dutch",
            agencies=(
                Agency("nl.pol", "Politie", "police"),
                Agency("nl.bank", "Bank", "bank", played_by_simcell=True),
            ),
        ),
        Country("be", "Belgium", RouteRole.DESTINATION, blocs=frozenset({"EU", "COE"})),
        Country("ua", "Ukraine", RouteRole.TRANSIT, blocs=frozenset({"COE"})),
    ),
    roles=(
        Role("police", "Police", frozenset({"police"}), frozenset({"issue:MSG", "draft:EIO", "act:refer"})),
    ),
    clock=ClockSpec(start=30_600, morning=30_600),
    actions=(Action("refer", "Refer to the NRM", "the national mechanism", frozenset({"interview"})),),
    instruments=(
        Instrument(
            "MSG",
            "Police message",
            "Art. 1",
            "SIENA",
            "police",
            "police",
            requires_blocs=frozenset({"EU"}),
            fields=(
                Field("question", "text", "Question", min_length=20),
                Field("kind", "enum", choices=("a", "b")),
            ),
            refusal_grounds=("not_available",),
            deadlines=(Deadline("answered", "8 hours", Delay(3600), urgent=Delay(600)),),
        ),
        Instrument("EIO", "EIO", "Dir. 2014/41", "court", "prosecutor", "prosecutor", requires_eio=True),
    ),
    pair_overrides=(PairOverride("nl", "ua", allow=frozenset({"MSG"}), both_ways=False),),
)


NO_LAW = {
    "treaties": [],
    "legal_profile": profile_lines(LegalProfile()),
    "time_offset": 0,
    "calendar": None,
    "agency_calendars": {},
    "agency_time_offsets": {},
    "simcell": False,
}
"""What a country without treaties, legal profile, offset or calendar adds to the catalogue."""


def test_the_catalogue_is_the_public_rules_of_play() -> None:
    assert catalogue(PLAY) == {
        "limits": {
            "message": 4000,
            "request_subject": 200,
            "request_field": 20000,
            "request_text": 20000,
            "action_subject": 200,
            "action_note": 4000,
        },
        "countries": [
            {
                "id": "nl",
                "name": "Netherlands",
                "route_role": "origin",
                "blocs": ["COE", "EU"],
                "eio_participant": True,
                "language": "Dutch",
                "agencies": [
                    {"id": "nl.pol", "name": "Politie", "type": "police", "simcell": False},
                    {"id": "nl.bank", "name": "Bank", "type": "bank", "simcell": True},
                ],
                **NO_LAW,
            },
            {
                "id": "be",
                "name": "Belgium",
                "route_role": "destination",
                "blocs": ["COE", "EU"],
                "eio_participant": False,
                "language": "",
                "agencies": [],
                **NO_LAW,
            },
            {
                "id": "ua",
                "name": "Ukraine",
                "route_role": "transit",
                "blocs": ["COE"],
                "eio_participant": False,
                "language": "",
                "agencies": [],
                **NO_LAW,
            },
        ],
        "roles": [
            {
                "id": "police",
                "name": "Police",
                "agency_types": ["police"],
                "capabilities": ["act:refer", "draft:EIO", "issue:MSG"],
            }
        ],
        "actions": [
            {
                "id": "refer",
                "name": "Refer to the NRM",
                "description": "the national mechanism",
                "needs": ["interview"],
            }
        ],
        "instruments": [
            {
                "id": "MSG",
                "name": "Police message",
                "legal_basis": "Art. 1",
                "channel": "SIENA",
                "issuer": "police",
                "receiver": "police",
                "requires_treaties": [],
                "fields": [
                    {
                        "key": "question",
                        "type": "text",
                        "label": "Question",
                        "required": True,
                        "choices": [],
                        "min_length": 20,
                    },
                    {
                        "key": "kind",
                        "type": "enum",
                        "label": "",
                        "required": True,
                        "choices": ["a", "b"],
                        "min_length": 0,
                    },
                ],
                "refusal_grounds": ["not_available"],
                "deadlines": [{"stage": "answered", "legal": "8 hours", "urgent": True}],
                "output": "evidence",
            },
            {
                "id": "EIO",
                "name": "EIO",
                "legal_basis": "Dir. 2014/41",
                "channel": "court",
                "issuer": "prosecutor",
                "receiver": "prosecutor",
                "requires_treaties": [],
                "fields": [],
                "refusal_grounds": [],
                "deadlines": [],
                "output": "evidence",
            },
        ],
        # EU members may use MSG both ways; the override lets nl (only) reach ua; no EIO (be is out);
        # the pairs with no instrument at all (be → ua, ua → nl, ua → be) are left out.
        "available": [
            {"from": "nl", "to": "be", "instruments": ["MSG"]},
            {"from": "nl", "to": "ua", "instruments": ["MSG"]},
            {"from": "be", "to": "nl", "instruments": ["MSG"]},
        ],
        "legal_rules": [],
        "d1_weekday": 0,
    }


def test_every_viewer_gets_the_same_catalogue(running: Run) -> None:
    seen = [snapshot(running.state, running.viewer(name))["catalogue"] for name in ("Anna", "Carla", "Dana")]
    assert seen[0] == seen[1] == seen[2] == catalogue(running.state.scenario)


def test_a_viewer_who_holds_the_catalogue_gets_a_snapshot_without_it(running: Run) -> None:
    tag = catalogue_tag(running.state.scenario)
    assert tag.startswith("c1-")
    held = snapshot(running.state, running.viewer("Anna"), catalogue_held=tag)
    assert "catalogue" not in held and held["catalogue_tag"] == tag
    full = snapshot(running.state, running.viewer("Anna"))
    assert {**held, "catalogue": full["catalogue"]} == full
    other = snapshot(running.state, running.viewer("Anna"), catalogue_held="c1-0000")  # not this one
    assert other["catalogue"] == full["catalogue"]


def test_the_catalogue_tag_names_its_content(running: Run) -> None:
    scenario = running.state.scenario
    retitled = dataclasses.replace(scenario, title="another title")  # not in the catalogue
    assert catalogue_tag(retitled) == catalogue_tag(scenario)
    fewer = dataclasses.replace(scenario, countries=(scenario.countries[0],))
    assert catalogue_tag(fewer) != catalogue_tag(scenario)


def test_the_catalogue_is_built_once_per_scenario_and_follows_a_changed_one(running: Run) -> None:
    scenario = running.state.scenario
    assert catalogue(scenario) is catalogue(scenario)
    variants = [dataclasses.replace(scenario, title=f"variant {i}") for i in range(CATALOGUES_KEPT + 1)]
    built = [catalogue(variant) for variant in variants]
    assert all(b == catalogue(scenario) for b in built)  # titles are not in the catalogue
    renamed = dataclasses.replace(scenario, countries=(scenario.countries[0],))
    assert [c["id"] for c in catalogue(renamed)["countries"]] == [scenario.countries[0].id]


def test_the_catalogue_tag_is_the_same_in_every_process() -> None:
    """Instances on one Redis must agree on a tag, whatever their hash seeds (no set order in it)."""
    program = (
        "from pathlib import Path; from server.scenario.loader import load_scenario;"
        " from server.core.view import catalogue_tag;"
        " print(catalogue_tag(load_scenario(Path('scenarios/greenhouse'))))"
    )
    root = Path(__file__).resolve().parents[2]
    tags = {
        subprocess.run(
            [sys.executable, "-c", program],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(tags) == 1 and next(iter(tags)).startswith("c1-"), tags
