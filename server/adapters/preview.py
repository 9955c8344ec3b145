"""Control's read-only preview of a team's station (`hello.preview`, docs/protocol.md).

A director or controller says hello with their own credential and `preview: <participant>`.
The session then sees the exercise as that participant: the same `Viewer`, so the welcome,
the live events and `history` go through the same `snapshot`, `audience` and `can_see` as the
participant's own connection, and nothing else. That is why it is a session and not a
"view as" read: a read would be exact only at one instant, while a session stays exact as
the play goes on, with the code the participants' stations already run.

It is read-only: every command but `history` is refused (`read_only`), it opens no presence
(the participant does not appear online) and does not count against their connections. It is
audited: before attaching, the hub writes `station.previewed` (who, whom, when; staff see it
in the console's log and the observer's timeline), and `preview.opened` is logged. The core
decides who may (`server.core.preview`); a refusal closes the session with `4505`.
"""

from __future__ import annotations

import dataclasses
import secrets

import structlog

from server.adapters.authentication import Identity
from server.adapters.wire_errors import FAILURES, Refused
from server.core import commands as c
from server.core.errors import DomainError
from server.core.preview import previewed

log = structlog.get_logger("liaison.endpoint")

READ_ONLY = "this is a read-only preview of a station: nothing can be sent from it"


async def open_preview(identity: Identity, participant: str) -> Identity:
    """The identity of a preview of `participant`'s station, once the audit event is written."""
    hub, by = identity.hub, identity.viewer
    try:
        # A fresh command id per preview session: each one is a fact of its own in the log.
        await hub.execute(
            c.PreviewStation(participant), by, command_key=f"{by.participant}/preview:{secrets.token_hex(8)}"
        )
    except DomainError as refused:
        raise Refused(4505, refused.code, refused.message) from None
    except FAILURES as failure:
        raise Refused.by(failure) from None
    viewer = previewed(hub.state, participant)
    log.info("preview.opened", by=by.participant, previewed=participant, team=viewer.team)
    return dataclasses.replace(identity, viewer=viewer, preview_by=by.participant)
