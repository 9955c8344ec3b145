"""Actions: the decisions of the scenario a team takes (refer to the referral mechanism, arrange
shelter, appoint a guardian, interview, search, arrest, freeze, inspect ...).

An action needs the capability `act:<action>` of the participant's role. Some actions should
follow others (a child interviewed only once a guardian is appointed): doing them out of order
is allowed, as in real life, but flagged for the evaluators (`action.flagged`, which only staff see).
A prerequisite counts when any team of the same country did it: the guardian appointed by the
social services unit lets the police unit interview the child (`server.core.team_models`).
"""

from __future__ import annotations

from server.core.audience import Audience, Viewer
from server.core.errors import Forbidden, InvalidArguments, NotFound
from server.core.events import ActionFlagged, ActionTaken, ArtefactReleased, Event
from server.core.facts import Facts
from server.core.scenario import Scenario

MAX_NOTE = 4_000


def take(
    scenario: Scenario,
    facts: Facts,
    viewer: Viewer,
    action_id: str,
    subject: str,
    note: str,
    sim_now: float,
) -> list[Event]:
    action = next((a for a in scenario.actions if a.id == action_id), None)
    if action is None:
        known = ", ".join(a.id for a in scenario.actions) or "none"
        raise NotFound(f"no action {action_id!r} in this scenario (actions: {known})")
    role = scenario.role(viewer.role)
    if viewer.staff or viewer.team is None or role is None or not role.can("act", action.id):
        raise Forbidden(f"the role {viewer.role!r} may not {_as_verb(action.name)}")
    if len(note) > MAX_NOTE or len(subject) > 200:
        raise InvalidArguments(f"a note has at most {MAX_NOTE} characters, a subject at most 200")
    flags = tuple(
        f"{action.id} before {needed}"
        for needed in sorted(action.needs)
        if not facts.action_done(needed, facts.country(viewer.team), subject.strip())
    )
    decision: list[Event] = [
        ActionTaken(action.id, viewer.participant, viewer.team, subject.strip(), note.strip(), sim_now)
    ]
    if flags:  # for the evaluators: a fact of its own, so that only staff see it
        decision.append(ActionFlagged(action.id, viewer.participant, viewer.team, flags, sim_now))
    found = [
        ArtefactReleased(artefact.id, Audience.team(viewer.team), f"action:{action.id}", sim_now)
        for artefact in scenario.artefacts
        if any(d.action == action.id for d in artefact.discovery)
    ]  # a search finds the ledger, a phone extraction the chats
    return [*decision, *found]


def _as_verb(name: str) -> str:
    """An action's name inside a sentence: its first letter lower case, the rest as the scenario
    writes it ("Trace the USDT wallets" → "trace the USDT wallets"; an acronym stays: "NRM referral")."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]
