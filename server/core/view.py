"""What one viewer sees of an exercise right now: the welcome snapshot.

The snapshot holds exactly what the events the viewer may see would have told them, so a
client that starts from a snapshot and one that replayed the log show the same thing.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from server.core.actions import MAX_NOTE
from server.core.audience import Audience, Viewer, can_see
from server.core.casefile import starting_case_file
from server.core.effects import holds_now
from server.core.evaluation import participant_view, staff_view
from server.core.feed import thread_of
from server.core.guards import MAX_TEXT
from server.core.injects import InjectRun, InjectStatus, stand_in_time
from server.core.legal_view import calendar_data, country_law, jumps_view, legal_catalogue
from server.core.request_flow import MAX_SUBJECT
from server.core.request_flow import MAX_TEXT as MAX_REPLY
from server.core.requests import MAX_FIELD, RequestRun, Step, deadline_state, propose, stage_deadlines
from server.core.scenario import Instrument, Scenario
from server.core.sharing import consent_map
from server.core.signatures import Signature, signature
from server.core.state import Exercise, FeedItem, Participant
from server.core.team_models import team_specs

FEED_LATEST = 30
"""Messages of each thread a welcome carries; older ones are read page by page (`history`)."""
FEED_MOST = 64
"""Messages a welcome carries in all (the newest of those `FEED_LATEST` gives): announcements to
many different audiences make many threads."""
INJECTS_LATEST = 30
"""Released injects a welcome carries (the latest the viewer may see)."""
ACTIONS_LATEST = 30
"""Actions a welcome carries (the latest the viewer may see)."""
REQUESTS_LATEST = 16
"""Requests a participant's welcome carries: the latest the viewer may see, in flight or not;
older ones are read page by page (`history` of `requests`)."""
REQUESTS_LATEST_STAFF = 64
"""Requests a staff welcome carries (staff see every team's)."""
REQUESTS_PAGE = 50
"""Requests one `history` page of `requests` carries at most."""
REQUESTS_SCAN = 5_000
"""Requests a page looks at at most (a viewer may see few of them): a short page and a cursor."""
IN_FLIGHT_IDS_MOST = 200
"""Ids of older requests in flight a welcome names at most (the newest of them): a client reads
those by id (`history` of `requests`, 50 ids a read) rather than paging back to find them."""
KNOWLEDGE_LATEST = 200
"""Case-file releases a staff welcome carries (`knowledge`)."""


def snapshot(state: Exercise, viewer: Viewer, catalogue_held: str = "") -> dict[str, Any]:
    """What `viewer` sees now, bounded whatever the age of the exercise: the latest `FEED_LATEST`
    items of each feed thread (and in `feed_older`, per thread with more, the seq to page back
    from); the latest released injects, actions and closed requests (every request in flight);
    for staff, the MSEL's planned injects and the latest released, the latest knowledge. `older`
    says which of these lists left older items out (the `history` of events has them).

    The scenario's `catalogue` is the same for everyone and does not change with play: it is left
    out when `catalogue_held` is its `catalogue_tag` (the client said it holds that one)."""
    rules, tag = catalogue_with_tag(state.scenario)
    shown: dict[str, Any] = {
        "exercise": {
            "id": state.id,
            "title": state.title,
            "status": str(state.status),
            "clock": to_data_clock(state),
            "scenario": {"id": state.scenario.id, "title": state.scenario.title},
            "morning": state.scenario.clock.morning,
            "jumps": jumps_view(state),
        },
        "teams": _teams(state),
        "roles": [{"id": role.id, "name": role.name} for role in state.scenario.roles],
        "catalogue_tag": tag,
        **({} if catalogue_held == tag else {"catalogue": rules}),
        "participants": [
            _participant(state, p, viewer) for p in state.participants.values() if _sees_member(viewer, p)
        ],
        "case_file": [
            {
                "id": artefact.id,
                "title": artefact.title,
                "kind": artefact.kind,
                "owner": artefact.owner,
                "scope": str(artefact.visibility.scope),
                "evidential_status": str(artefact.evidential_status),
                "handling": artefact.handling,
                "content": artefact.content,
            }
            for artefact in starting_case_file(state.scenario, state.teams, viewer)
        ],
    }
    latest, older = state.feed.latest(viewer, FEED_LATEST, FEED_MOST)
    shown["feed"] = [feed_item(item) for item in latest]
    shown["feed_older"] = older
    shown["case_file"].extend(_released_artefacts(state, viewer, {item["id"] for item in shown["case_file"]}))
    for item in shown["case_file"]:  # what injects made of them (`server.core.effects`)
        if (changed := state.artefact_states.get(item["id"])) is not None:
            item["condition"] = {
                "state": changed.condition,
                "note": changed.note,
                "sim_time": changed.sim_time,
            }
            if changed.location is not None:
                item["condition"]["location"] = changed.location
    older_injects, injects = _latest(
        (state.injects[i] for i in _backwards(state.released)),
        lambda run: can_see(viewer, run.audience),
        INJECTS_LATEST,
    )
    shown["injects"] = [_inject(state, run, viewer) for run in _by_release(injects)]
    older_actions, actions = _latest(
        _backwards(state.actions), lambda t: viewer.staff or t.team == viewer.team, ACTIONS_LATEST
    )
    older_requests, requests = _latest(
        state.requests.newest(),
        lambda r: _sees_request(r, viewer),
        REQUESTS_LATEST_STAFF if viewer.staff else REQUESTS_LATEST,
    )
    shown["requests"] = [_request(state, r, viewer) for r in reversed(requests)]
    if older_requests:  # where `history` of `requests` pages back from, and what waits there
        oldest = _number(requests[-1].id)
        shown["requests_before"] = oldest
        flying = sorted(
            (
                r.id
                for r in state.facts.in_flight.values()
                if _number(r.id) < oldest and _sees_request(r, viewer)
            ),
            key=_number,
        )
        shown["requests_older_in_flight"] = len(flying)
        shown["requests_older_in_flight_ids"] = flying[-IN_FLIGHT_IDS_MOST:]
    shown["actions"] = [
        {
            "action": t.action,
            "participant": t.participant,
            "team": t.team,
            "subject": t.subject,
            "sim_time": t.sim_time,
            **({"flags": list(t.flags)} if viewer.staff else {}),
        }
        for t in reversed(actions)
    ]
    shown["older"] = {"injects": older_injects, "actions": older_actions, "requests": older_requests}
    shown["evaluation"] = staff_view(state) if viewer.staff else participant_view(state, viewer)
    if viewer.staff:
        msel = (state.injects[inject.id] for inject in state.scenario.injects)
        planned = [run for run in msel if run.released_at is None]
        shown["msel"] = [_msel_row(state, run) for run in [*planned, *_by_release(injects)]]
        shown["older"]["msel"] = older_injects
        shown["characters"] = [
            {
                "id": character.id,
                "name": character.name,
                "trust": state.characters[character.id].trust,
                "status": state.characters[character.id].status,
                "safety": state.characters[character.id].safety,
                "location": state.characters[character.id].location,
            }
            for character in state.scenario.characters
        ]
        shown["knowledge"] = [
            {
                "artefact": release.artefact,
                "audience": _audience(release.audience),
                "source": release.source,
                "sim_time": release.sim_time,
            }
            for release in state.releases[-KNOWLEDGE_LATEST:]
        ]
        shown["older"]["knowledge"] = len(state.releases) > KNOWLEDGE_LATEST
    return shown


T = TypeVar("T")


def _backwards(items: Sequence[T]) -> Iterator[T]:
    """A persistent vector's items, the last first (stops costing when the caller stops)."""
    for index in range(len(items) - 1, -1, -1):
        yield items[index]


def _latest(newest_first: Iterable[T], wanted: Callable[[T], bool], most: int) -> tuple[bool, list[T]]:
    """The first `most` wanted items of a walk back through a history (newest first), and
    whether there were more."""
    found: list[T] = []
    for item in newest_first:
        if wanted(item):
            if len(found) == most:
                return True, found
            found.append(item)
    return False, found


def _by_release(runs: Iterable[InjectRun]) -> list[InjectRun]:
    return sorted(runs, key=lambda run: (run.released_at or 0.0, run.released_seq))


def requests_page(
    state: Exercise, viewer: Viewer, before: int, limit: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """The `history` of `requests`: up to `limit` requests numbered below `before` that the
    viewer may see, in the order they were drafted; the number to page back from next; and
    whether there may be more (a page that looked at `REQUESTS_SCAN` requests stops short)."""
    drafted = state.requests
    low, high = 0, len(drafted)
    while low < high:  # requests are numbered as drafted: the first at or after `before`
        middle = (low + high) // 2
        if _number(drafted.key_at(middle)) < before:
            low = middle + 1
        else:
            high = middle
    found: list[RequestRun] = []
    cursor = before
    for scanned, request in enumerate(drafted.newest(before=low)):
        if len(found) == limit or scanned == REQUESTS_SCAN:
            return [_request(state, r, viewer) for r in reversed(found)], cursor, True
        cursor = _number(request.id)
        if _sees_request(request, viewer):
            found.append(request)
    return [_request(state, r, viewer) for r in reversed(found)], cursor, False


def requests_by_id(state: Exercise, viewer: Viewer, ids: Iterable[str]) -> list[dict[str, Any]]:
    """The `history` of `requests` by id: those of `ids` the viewer may see (others are left out,
    whether they do not exist or are not the viewer's to see)."""
    return [
        _request(state, state.requests[i], viewer)
        for i in dict.fromkeys(ids)
        if i in state.requests and _sees_request(state.requests[i], viewer)
    ]


def _number(request_id: str) -> int:
    """Requests are `R-<n>`, numbered as they are drafted."""
    return int(request_id.rpartition("-")[2])


def feed_item(item: FeedItem) -> dict[str, Any]:
    """A feed item as a welcome or a history page shows it."""
    shown: dict[str, Any] = {
        "author": item.author,
        "channel": item.channel,
        "text": item.text,
        "seq": item.seq,
        "thread": thread_of(item),
        "sim_time": item.sim_time,
    }
    if item.team is not None:
        shown["team"] = item.team
    if item.to_team is not None:
        shown["to_team"] = item.to_team
    return shown


_CATALOGUES: dict[int, tuple[Scenario, dict[str, Any], str]] = {}
"""Catalogues built, by scenario object: every welcome carries one, and the availability matrix
behind it grows with the square of the countries. Read only; a handful of scenarios at most."""
CATALOGUES_KEPT = 8


def catalogue(scenario: Scenario) -> dict[str, Any]:
    """The scenario's public rules of play, the same for every viewer: what a client needs to
    offer request forms, refusal grounds, actions and the countries. Nothing team-private
    (artefacts, injects, characters, response templates, staff notes) is in it.

    Built once per scenario object and shared: callers must not change it."""
    return catalogue_with_tag(scenario)[0]


def catalogue_tag(scenario: Scenario) -> str:
    """A name of the catalogue's content: two scenarios with the same rules of play have the
    same tag, any change to them gives another. A client that holds the catalogue of a tag says
    so in its hello, and its welcomes leave the catalogue out (docs/protocol.md)."""
    return catalogue_with_tag(scenario)[1]


def catalogue_with_tag(scenario: Scenario) -> tuple[dict[str, Any], str]:
    kept = _CATALOGUES.get(id(scenario))
    if kept is not None and kept[0] is scenario:
        return kept[1], kept[2]
    if len(_CATALOGUES) >= CATALOGUES_KEPT:
        _CATALOGUES.clear()
    built = _catalogue(scenario)
    # the catalogue is built in a fixed order from plain values: its repr names its content
    tag = "c1-" + hashlib.sha256(repr(built).encode()).hexdigest()[:20]
    _CATALOGUES[id(scenario)] = (scenario, built, tag)
    return built, tag


def _teams(state: Exercise) -> list[dict[str, Any]]:
    """Every team, with the agency it is when it is a unit of an `agency_units` country ("" else)."""
    agencies = {spec.id: spec.unit.agency for spec in team_specs(state.scenario) if spec.unit is not None}
    return [
        {"id": team.id, "name": team.name, "country": team.country, "agency": agencies.get(team.id, "")}
        for team in state.teams.values()
    ]


def _catalogue(scenario: Scenario) -> dict[str, Any]:
    return {
        "countries": [
            {
                "id": country.id,
                "name": country.name,
                "route_role": str(country.route_role),
                "blocs": sorted(country.blocs),
                "eio_participant": country.eio_participant,
                "language": country.language,
                "simcell": country.played_by_simcell,
                "agencies": [
                    {
                        "id": agency.id,
                        "name": agency.name,
                        "type": agency.type,
                        "simcell": agency.played_by_simcell,
                    }
                    for agency in country.agencies
                ],
                **country_law(country),
                "agency_calendars": {
                    a.id: calendar_data(a.calendar) for a in country.agencies if a.calendar is not None
                },
                "agency_time_offsets": {
                    a.id: a.time_offset for a in country.agencies if a.time_offset is not None
                },
            }
            for country in scenario.countries
        ],
        "roles": [
            {
                "id": role.id,
                "name": role.name,
                "agency_types": sorted(role.agency_types),
                "capabilities": sorted(role.capabilities),
            }
            for role in scenario.roles
        ],
        "actions": [
            {
                "id": action.id,
                "name": action.name,
                "description": action.description,
                "needs": sorted(action.needs),
            }
            for action in scenario.actions
        ],
        "instruments": [_instrument(instrument) for instrument in scenario.instruments],
        "available": [
            {"from": source, "to": target, "instruments": instruments}
            for source, target, instruments in scenario.matrix()
            if instruments  # a pair without any is left out: the list grows with countries squared
        ],
        "limits": LIMITS,
        "legal_rules": legal_catalogue(scenario),
        "d1_weekday": scenario.clock.d1_weekday,
    }


LIMITS = {
    "message": MAX_TEXT,
    "request_subject": MAX_SUBJECT,
    "request_field": MAX_FIELD,
    "request_text": MAX_REPLY,
    "action_subject": 200,
    "action_note": MAX_NOTE,
}
"""The longest texts the server takes, in characters, for clients to show as one types."""


def _instrument(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "name": instrument.name,
        "legal_basis": instrument.legal_basis,
        "channel": instrument.channel,
        "issuer": instrument.issuer,
        "receiver": instrument.receiver,
        "requires_treaties": sorted(instrument.requires_treaties),
        "fields": [
            {
                "key": f.key,
                "type": f.type,
                "label": f.label,
                "required": f.required,
                "choices": list(f.choices),
                "min_length": f.min_length,
                **({"side": f.side, "agency_types": sorted(f.agency_types)} if f.type == "agency" else {}),
                **(
                    {"required_if": {"field": f.required_if.field, "in": list(f.required_if.values)}}
                    if f.required_if is not None
                    else {}
                ),
            }
            for f in instrument.fields
        ],
        "refusal_grounds": list(instrument.refusal_grounds),
        "deadlines": [
            {
                "stage": d.stage,
                "legal": d.legal,
                "urgent": d.urgent is not None,
                **({"receiver": d.receiver} if d.receiver else {}),
            }
            for d in instrument.deadlines
        ],
        "output": str(instrument.output),
        **(
            {}
            if instrument.consent is None
            else {
                "consent": {
                    "granted_by": instrument.consent.granted_by,
                    "uses": list(instrument.consent.uses),
                }
            }
        ),
    }


def _sees_request(request: RequestRun, viewer: Viewer) -> bool:
    return can_see(viewer, request.audience(sent=request.sent))


def _request(state: Exercise, request: RequestRun, viewer: Viewer) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": request.id,
        "instrument": request.instrument,
        "subject": request.subject,
        "from": request.source_team,
        "author": request.author,
        **_signed("author", signature(state, request, request.author)),
        "to": request.target_team,
        "agency": request.target_agency,
        "cosigners": list(request.cosigners),
        "status": str(request.status),
        "urgent": request.urgent,
        "spontaneous": request.spontaneous,
        "simcell": request.simcell,
        "fields": {f.key: f.value for f in request.fields},
        "history": [_step(state, request, step) for step in request.history],
        "validated_by": request.validated_by,
        "due_at": request.due_at,
        "due_stage": request.due_stage,
        "legal": request.legal,
        "warned": list(request.warned),
        "deadlines": [deadline_state(request, due) for due in stage_deadlines(request)],
        "amendments": [_amendment(state, request, index) for index in range(len(request.amendments))],
        "consents": [
            {"by": c.by, "side": c.side, "uses": list(c.uses), "sim_time": c.sim_time, "note": c.note}
            for c in request.consents
        ],
        "answer": request.answer,
        "ground": request.ground,
        **({"answer_after_endex": True} if request.after_endex else {}),
    }
    if viewer.staff and request.scheduled is not None:
        shown["answer_scheduled_at"] = request.scheduled.answer_at
    if viewer.staff and request.simcell:
        # a view has no clock reading: a rule's condition is judged on what has happened so far
        proposal = propose(state.scenario, request, holds_now(state, math.inf))
        shown["proposal"] = (
            None
            if proposal is None
            else {
                "outcome": str(proposal.outcome),
                "text": proposal.text,
                "releases": list(proposal.releases),
                "delay": None
                if proposal.delay is None
                else {
                    "seconds": proposal.delay.seconds,
                    "anchor": None if proposal.delay.anchor is None else str(proposal.delay.anchor),
                },
            }
        )
    return shown


def _step(state: Exercise, request: RequestRun, step: Step) -> dict[str, Any]:
    return {
        "status": str(step.status),
        "by": step.by,
        **_signed("by", signature(state, request, step.by)),
        "sim_time": step.sim_time,
        "note": step.note,
    }


def _amendment(state: Exercise, request: RequestRun, index: int) -> dict[str, Any]:
    """One amendment: who, when (both clocks), the note and each field's old and new value."""
    amendment = request.amendments[index]
    return {
        "by": amendment.by,
        **_signed("by", signature(state, request, amendment.by)),
        "sim_time": amendment.sim_time,
        "wall_time": amendment.wall_time,
        "note": amendment.note,
        "changes": [
            {
                "key": change.key,
                "old": None if change.old is None else change.old.value,
                "new": None if change.new is None else change.new.value,
            }
            for change in amendment.changes
        ],
    }


def _signed(who: str, signed: Signature) -> dict[str, str]:
    """Who acted, as the other country may know them: `<who>_name`, `<who>_agency`."""
    return {f"{who}_name": signed.name, f"{who}_agency": signed.agency}


def _inject(state: Exercise, run: InjectRun, viewer: Viewer) -> dict[str, Any]:
    return {
        "id": run.id,
        "title": run.title,
        "body": run.body,
        "channel": run.channel,
        "sender": run.sender,
        "released_at": run.released_at,
        "delivered": state.has_delivered(run, viewer.participant),
        "opened": viewer.participant in run.opened,
        "acknowledged": viewer.participant in run.acknowledged,
    }


def _msel_row(state: Exercise, run: InjectRun) -> dict[str, Any]:
    recipients = [
        p.id
        for p in state.participants.values()
        if not p.staff and can_see(Viewer(p.id, p.team, p.role, False), run.audience)
    ]
    return {
        "id": run.id,
        "title": run.title,
        "body": run.body,
        "channel": run.channel,
        "sender": run.sender,
        "status": str(run.status),
        "at": run.at,
        "released_at": run.released_at,
        "audience": _audience(run.audience),
        "roleplay": run.roleplay,
        "triggered": run.trigger is not None,
        "adhoc": run.adhoc,
        "stand_in": _stand_in(state, run),
        "recipients": recipients,
        "delivered": sorted(state.delivered(run, recipients)),
        "opened": sorted(run.opened),
        "acknowledged": sorted(run.acknowledged),
    }


def _stand_in(state: Exercise, run: InjectRun) -> dict[str, Any] | None:
    """A scripted answer for a team: for whom, the played requests whose game deadline it waits
    for while the team owes the answer (control may skip it), and when it fires if none comes."""
    if run.stand_in_for is None or run.trigger is None:
        return None
    stand_in = stand_in_time(run, state.facts, state.scenario.clock.morning)
    pending = run.status is InjectStatus.PLANNED
    trigger = run.trigger
    return {
        "team": run.stand_in_for,
        "request": {"instrument": trigger.instrument, "from": trigger.source, "to": trigger.target},
        "waiting_for": stand_in.waiting if pending else [],
        "due_at": stand_in.due_at if pending else None,
    }


def _audience(audience: Audience) -> dict[str, Any]:
    return {
        "everyone": audience.everyone,
        "teams": sorted(audience.teams),
        "roles": sorted(audience.roles),
        "participants": sorted(audience.participants),
        "team_roles": sorted(audience.team_roles),
    }


def _released_artefacts(state: Exercise, viewer: Viewer, already: set[str]) -> list[dict[str, Any]]:
    """Artefacts injects brought in during play that this viewer may see, once each."""
    shown = []
    artefacts = {artefact.id: artefact for artefact in state.scenario.artefacts}
    consented = {} if viewer.team is None else consent_map(state, viewer.team)  # {item: {use: [request]}}
    for release in state.releases:
        artefact = artefacts.get(release.artefact)
        if artefact is None or artefact.id in already or not can_see(viewer, release.audience):
            continue
        already.add(artefact.id)
        shown.append(
            {
                "id": artefact.id,
                "title": artefact.title,
                "kind": artefact.kind,
                "owner": artefact.owner,
                "scope": "released",
                "evidential_status": str(artefact.evidential_status),
                "handling": artefact.handling,
                "content": artefact.content,
                "released_by": release.source,
                **({"consent": consented[artefact.id]} if artefact.id in consented else {}),
            }
        )
    return shown


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
