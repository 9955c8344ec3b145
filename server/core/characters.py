"""Role-played characters: their state (trust, safety, status) as the exercise goes on.

Control records how a character reacted (`SetCharacter`); a scenario reaction that names an
inject changes the character's state when that inject is released (Ion is collected by Andrei
when I-06b comes: lost contact). Reactions to how people are treated are for role-players to
judge; their texts are in the scenario.
"""

from __future__ import annotations

from server.core.audience import Viewer
from server.core.errors import InvalidArguments, NotFound
from server.core.events import CharacterChanged
from server.core.state import Exercise

TRUST = range(0, 11)


def record(
    state: Exercise, viewer: Viewer, character: str, trust: int | None, status: str | None, note: str
) -> CharacterChanged:
    current = state.characters.get(character)
    if current is None:
        known = ", ".join(sorted(state.characters)) or "none"
        raise NotFound(f"no character {character!r} (characters: {known})")
    if trust is not None and trust not in TRUST:
        raise InvalidArguments(f"trust goes from {TRUST.start} to {TRUST.stop - 1}")
    if status is not None and not 0 < len(status.strip()) <= 60:
        raise InvalidArguments("a status is a short word such as sheltered, lost_contact or absconded")
    return CharacterChanged(
        character,
        current.trust if trust is None else trust,
        current.status if status is None else status.strip(),
        note.strip()[:1000],
        viewer.participant,
    )


def reactions_to(state: Exercise, inject: str) -> list[CharacterChanged]:
    """The scenario's reactions to an inject's release."""
    changed = []
    for character in state.scenario.characters:
        for reaction in character.reactions:
            if reaction.releases == inject:
                current = state.characters[character.id]
                trust = min(max(current.trust + reaction.trust, TRUST.start), TRUST.stop - 1)
                status = reaction.status or current.status
                changed.append(CharacterChanged(character.id, trust, status, reaction.effect, "scenario"))
    return changed
