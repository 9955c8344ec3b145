"""Role-played characters: control records reactions; the scenario's reactions follow injects."""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.decide import create
from server.core.errors import Forbidden, InvalidArguments, NotFound
from server.core.events import CharacterChanged
from server.core.scenario import Channel, Character, CharacterState, Inject, InjectAudience, Reaction
from server.core.view import snapshot
from server.core.visibility import audience
from tests.core.transcript import NOW, ROSTER, SCENARIO, Run

ION = Character(
    "CH-ION",
    "Ion P.",
    "role_player",
    ("34, Varnian",),
    CharacterState(trust=3),
    reactions=(
        Reaction("offered shelter", "relaxes", trust=1),
        Reaction(
            "not referred by 12:00", "collected by Andrei", trust=-5, status="lost_contact", releases="I-06b"
        ),
    ),
)
LOST = Inject(
    "I-06b",
    "Ion collected",
    "Andrei took him.",
    Channel.CALL,
    "Hospital",
    InjectAudience(everyone=True),
    at=12 * 3600,
)
CHARACTER_SCENARIO = dataclasses.replace(SCENARIO, characters=(ION,), injects=(LOST,))


@pytest.fixture
def play() -> Run:
    run = Run(create(CHARACTER_SCENARIO, "EX1", "", ROSTER, NOW), NOW)
    dana = run.viewer("Dana")
    run.do(c.MarkReady(), dana)
    run.do(c.StartExercise(), dana, at=NOW)
    return run


def test_control_records_a_reaction(play: Run) -> None:
    (changed,) = play.do(c.SetCharacter("CH-ION", trust=4, note="offered shelter"), play.viewer("Colm"))
    assert changed == CharacterChanged(
        "CH-ION", 4, "unidentified", "offered shelter", play.viewer("Colm").participant
    )
    play.do(c.SetCharacter("CH-ION", status=" sheltered "), play.viewer("Sam"))
    assert (play.state.characters["CH-ION"].trust, play.state.characters["CH-ION"].status) == (4, "sheltered")
    assert audience(play.state, changed) == Audience.staff_only()
    assert snapshot(play.state, play.viewer("Dana"))["characters"] == [
        {
            "id": "CH-ION",
            "name": "Ion P.",
            "trust": 4,
            "status": "sheltered",
            "safety": "unknown",
            "location": "",
        }
    ]
    assert "characters" not in snapshot(play.state, play.viewer("Anna"))


def test_bad_records_are_refused(play: Run) -> None:
    colm = play.viewer("Colm")
    with pytest.raises(NotFound, match="characters: CH-ION"):
        play.do(c.SetCharacter("CH-NOBODY", trust=1), colm)
    with pytest.raises(InvalidArguments, match="trust"):
        play.do(c.SetCharacter("CH-ION", trust=11), colm)
    with pytest.raises(InvalidArguments, match="status"):
        play.do(c.SetCharacter("CH-ION", status=" "), colm)
    with pytest.raises(Forbidden):
        play.do(c.SetCharacter("CH-ION", trust=1), play.viewer("Anna"))


def test_the_scenarios_reaction_follows_its_inject_whoever_releases_it(play: Run) -> None:
    released = play.do(c.Advance(), c.SYSTEM, at=NOW + 4 * 3600)  # 12:00: I-06b is due
    assert [e.kind for e in released] == ["inject.released", "character.changed"]
    assert (play.state.characters["CH-ION"].trust, play.state.characters["CH-ION"].status) == (
        0,
        "lost_contact",
    )
    by_hand = Run(create(CHARACTER_SCENARIO, "EX2", "", ROSTER, NOW), NOW)
    by_hand.do(c.MarkReady(), by_hand.viewer("Dana"))
    events = by_hand.do(c.ReleaseInject("I-06b"), by_hand.viewer("Colm"))
    assert [e.kind for e in events] == ["inject.released", "character.changed"]
