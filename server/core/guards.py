"""The checks every family of rules makes first: who acts, in which state, with what text.

Each raises the `DomainError` a client gets back (`errors.py`), with a message that says what
was wrong; a rule calls them before it decides anything.
"""

from __future__ import annotations

from server.core import commands as c
from server.core.audience import Viewer
from server.core.errors import Forbidden, InvalidArguments, InvalidState, NotFound
from server.core.exercise import Exercise, Participant, Status

MAX_TEXT = 4_000
"""Characters a message, announcement, prompt or note may hold."""


def require_system(actor: c.Actor) -> None:
    if not isinstance(actor, c.System):
        raise Forbidden("only the server itself does this")


def require_viewer(actor: c.Actor) -> Viewer:
    if not isinstance(actor, Viewer):
        raise Forbidden("this command needs a participant")
    return actor


def require_role(actor: c.Actor, roles: frozenset[str]) -> Viewer:
    viewer = require_viewer(actor)
    if viewer.role not in roles:
        raise Forbidden(f"the role {viewer.role!r} may not do this (needs {' or '.join(sorted(roles))})")
    return viewer


def require_status(state: Exercise, doing: str, *allowed: Status) -> None:
    if state.status not in allowed:
        raise InvalidState(f"cannot {doing} an exercise that is {state.status}")


def require_not_ended(state: Exercise) -> None:
    if state.status is Status.ENDED:
        raise InvalidState("the exercise has ended")


def known_team(state: Exercise, team: str | None) -> str:
    if team is None or team not in state.teams:
        raise NotFound(f"no team {team!r} (teams: {', '.join(sorted(state.teams))})")
    return team


def known_participant(state: Exercise, participant_id: str) -> Participant:
    participant = state.participants.get(participant_id)
    if participant is None:
        raise NotFound(f"no participant {participant_id!r} in this exercise")
    return participant


def text_of(text: str) -> str:
    """The text without surrounding blanks, if it holds 1 to `MAX_TEXT` characters."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_TEXT:
        raise InvalidArguments(f"a text needs 1 to {MAX_TEXT} characters, got {len(stripped)}")
    return stripped
