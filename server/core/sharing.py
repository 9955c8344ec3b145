"""Sharing case-file items between teams, and who knew what from when.

A participant may pass on any item they can see to another team, directly or attached to a
request; the receiving team sees it in its case file from then on. Passing on an item against
its handling code or evidential status (intelligence whose evidential use needs the owner's
consent, an H3 item) is allowed, as it would be in real life, and flagged to control and
mentors. The releases in the state answer "who knew this fact, from when, by which channel".
"""

from __future__ import annotations

from server.core.audience import Viewer, can_see
from server.core.casefile import may_see
from server.core.errors import Forbidden, NotFound
from server.core.events import ArtefactShared, Event, SharingFlagged
from server.core.records import Release
from server.core.scenario import CONSENT_USES, Artefact, EvidentialStatus
from server.core.state import Exercise, teams_of

RESTRICTED_HANDLING = frozenset({"H3"})
"""Handling codes that forbid passing an item on (SIENA-style H3)."""


def visible(state: Exercise, viewer: Viewer, artefact: Artefact) -> bool:
    """Whether `viewer` has `artefact` in their case file now."""
    if may_see(state.scenario, state.teams, viewer, artefact):
        return True
    return any(r.artefact == artefact.id and can_see(viewer, r.audience) for r in state.releases)


def share(
    state: Exercise,
    viewer: Viewer,
    artefact_id: str,
    to: str,
    request_id: str,
    sim_now: float,
    *,
    within_team: bool = False,
) -> list[Event]:
    """Pass an item on to team `to` (or a joint team); `within_team`: to the viewer's own team,
    as an attachment to a team message (an item of one role becomes the whole team's)."""
    artefact = next((a for a in state.scenario.artefacts if a.id == artefact_id), None)
    if artefact is None or viewer.staff or viewer.team is None or not visible(state, viewer, artefact):
        raise NotFound(f"no item {artefact_id!r} in your case file")
    if to in state.joint_teams:
        if viewer.team not in teams_of(state, to):
            raise Forbidden(f"your team is not a member of the joint team {to}")
    elif to not in state.teams or (to == viewer.team and not within_team):
        others = ", ".join(t for t in state.teams if t != viewer.team)
        raise NotFound(f"no other team {to!r} (teams: {others})")
    if request_id:
        request = state.requests.get(request_id)
        if (
            request is None
            or {request.source_team, request.target_team} != {viewer.team, to}
            or (request.source_team != viewer.team and not request.sent)  # their draft: unseen
        ):
            raise NotFound(f"no request {request_id!r} between {viewer.team} and {to}")
        if request.simcell and request.source_team == viewer.team and to == request.target_team:
            raise Forbidden(f"nobody plays {to}: SimCell answers request {request_id}, share nothing there")
    shared = ArtefactShared(artefact.id, viewer.team, to, viewer.participant, request_id, sim_now)
    reason = _against_handling(state, artefact, viewer.team)
    if reason is None:
        return [shared]
    return [shared, SharingFlagged(artefact.id, viewer.participant, viewer.team, to, reason)]


def _against_handling(state: Exercise, artefact: Artefact, team: str) -> str | None:
    owner = state.scenario.agency(artefact.owner)
    own_item = owner is not None and state.teams[team].country == owner[0].id
    if artefact.handling in RESTRICTED_HANDLING:
        return f"handling code {artefact.handling}: not to be passed on"
    if artefact.evidential_status is EvidentialStatus.CONSENT_NEEDED and not own_item:
        if consented_onward(state, artefact.id, team):
            return None
        return "intelligence passed on without the owner's consent for evidential use"
    return None


def consented_onward(state: Exercise, artefact_id: str, team: str) -> bool:
    """Whether `team` holds the item by a request whose other side consented to its onward use:
    released by the answer to the team's request (the receiver consented), or attached by the
    requesting team to its request to `team` (the requester consented)."""
    return bool(consents_for(state, artefact_id, team, "onward"))


def consents_for(state: Exercise, artefact_id: str, team: str, use: str) -> list[str]:
    """The requests by which `team` holds the item with consent to `use` from the side that
    passed it on."""
    return [
        found
        for release in state.releases
        if release.artefact == artefact_id and (found := _consenting(state, release, team, use)) is not None
    ]


def consent_map(state: Exercise, team: str) -> dict[str, dict[str, list[str]]]:
    """For every item `team` holds with consent: {use: [requests]}, in one pass over the releases
    (nothing to look at while no request has a consent)."""
    if not any(request.consents for request in state.requests.values()):
        return {}
    found: dict[str, dict[str, list[str]]] = {}
    for release in state.releases:
        for use in CONSENT_USES:
            request = _consenting(state, release, team, use)
            if request is not None:
                found.setdefault(release.artefact, {}).setdefault(use, []).append(request)
    return found


def _consenting(state: Exercise, release: Release, team: str, use: str) -> str | None:
    """The request by which this release brought the item to `team` with consent to `use`."""
    answered = state.requests.get(release.source)
    if answered is not None and answered.source_team == team and answered.consented("receiver", use):
        return answered.id
    from_team, _, request_id = release.source.partition(":")
    attached = state.requests.get(request_id) if request_id else None
    if (
        attached is not None
        and from_team == attached.source_team
        and team == attached.target_team
        and attached.consented("requester", use)
    ):
        return attached.id
    return None
