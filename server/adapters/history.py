"""Answering `history` (`server.protocol.history`): older feed items and events, page by page.

Feed pages come from the hub's projection (`Feed.page`, no walk of the history), and so do
requests (`requests_page`, `requests_by_id`), with the seq of the state they show. Event pages
read the log backwards from Redis in chunks and keep what the viewer may see (the same
`audience` + `can_see` as live events and replays); a page stops after `SCAN_LIMIT` events of
the log, so a participant who sees few of them gets a short page and a cursor to go on from,
never a long wait.
"""

from __future__ import annotations

from typing import Any

from server.adapters.hub import Hub
from server.core.audience import Viewer, can_see
from server.core.view import feed_item, requests_by_id, requests_page
from server.core.visibility import audience
from server.protocol import messages
from server.protocol.history import HistoryQuery

CHUNK = 500
"""Events read from the log per round trip."""
SCAN_LIMIT = 5_000
"""Events of the log looked at for one page at most."""


async def history(hub: Hub, viewer: Viewer, query: HistoryQuery) -> dict[str, Any]:
    if query.of == "feed":
        items, more = hub.state.feed.page(viewer, query.thread, query.before, query.limit)
        return {"items": [feed_item(item) for item in items], "more": more}
    if query.of == "requests":  # as of `seq`: a client skips the events up to it for these requests
        if query.ids:
            return {"requests": requests_by_id(hub.state, viewer, query.ids), "seq": hub.seq}
        shown, before, more = requests_page(hub.state, viewer, query.before, query.limit)
        return {"requests": shown, "before": before, "more": more, "seq": hub.seq}
    return await _events(hub, viewer, query)


async def _events(hub: Hub, viewer: Viewer, query: HistoryQuery) -> dict[str, Any]:
    """Up to `limit` visible events before `before`, oldest first, and the seq to go on before."""
    found: list[dict[str, Any]] = []
    until = min(query.before, hub.seq + 1) - 1
    scanned = 0
    while until >= 1 and len(found) < query.limit and scanned < SCAN_LIMIT:
        start = max(0, until - CHUNK)
        chunk = await hub.read(start, until)
        scanned += until - start
        visible = [
            messages.event_frame(item.seq, item.at, item.event)
            for item in chunk
            if can_see(viewer, audience(hub.state, item.event))
        ]
        found[:0] = visible
        until = start
    if len(found) > query.limit:  # the last chunk gave more than the page needs: keep the newest
        cut = found[-query.limit :]
        until = cut[0]["seq"] - 1
        found = cut
    return {"events": found, "before": until + 1, "more": until >= 1}
