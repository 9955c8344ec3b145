"""The page modules' pure parts, run in the browser: backoff, close codes, simulated time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.servers import ServerProcess


@pytest.fixture(scope="module")
def page(browser: Browser, web_server: ServerProcess) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(web_server.url + "/")
    yield page
    context.close()


def run(page: Page, module: str, body: str) -> Any:
    return page.evaluate(f"import('/assets/js/{module}').then((m) => {{ {body} }})")


def test_close_codes_split_into_reconnect_and_stop(page: Page) -> None:
    reconnect = run(
        page,
        "protocol.js",
        "return [1000, 1006, 1009, 1011, 1012, 4000, 4001, 4003, 4499, 4500, 4501, 4503]"
        ".map((code) => m.shouldReconnect(code));",
    )
    assert reconnect == [False, True, False, True, True, True, True, True, True, False, False, False]


def test_backoff_is_full_jitter_capped_at_five_seconds(page: Page) -> None:
    delays = run(
        page,
        "protocol.js",
        "return [0, 1, 2, 3, 10].map((n) => [m.backoffDelay(n, () => 1), m.backoffDelay(n, () => 0)]);",
    )
    assert delays == [[250, 0], [500, 0], [1000, 0], [2000, 0], [5000, 0]]


def test_simulated_time_reads_like_the_server_writes_it(page: Page) -> None:
    clock = "{sim_anchor: 30600, wall_anchor: 1000, speed: 60, running: true}"
    result = run(
        page,
        "model.js",
        f"const c = {clock}; return [m.formatSim(m.simNow(c, 1000)), m.formatSim(m.simNow(c, 1030)),"
        f" m.formatSim(m.simNow({{...c, running: false}}, 5000)), m.formatSim(86400 + 30600),"
        " m.parseSim('D2 08:30'), m.parseSim('D1T23:59'), m.parseSim('D0 08:00'), m.parseSim('8:30')];",
    )
    assert result == ["D1 08:30", "D1 09:00", "D1 08:30", "D2 08:30", 117000, 86340, None, None]


def test_a_replayed_event_is_never_applied_twice(page: Page) -> None:
    applied = run(
        page,
        "protocol.js",
        """
        const seen = [];
        const c = new m.Connection({credential: {token: "t"}, position: {epoch: "e", seq: 5},
                                    handlers: {event: (f) => seen.push(f.seq)}});
        for (const seq of [4, 5, 6, 6, 7]) {
          c.receive(JSON.stringify({type: "event", seq, kind: "x", data: {}}));
        }
        c.receive(JSON.stringify({type: "position", seq: 3}));
        const after = c.position.seq;
        c.receive(JSON.stringify({type: "position", seq: 9}));
        return [seen, after, c.position.seq];
        """,
    )
    assert applied == [[6, 7], 7, 9]


def test_feed_items_land_once_each_in_seq_order(page: Page) -> None:
    result = run(
        page,
        "feed.js",
        """
        const model = {me: {staff: false, team: "NOR"}, feed: []};
        const add = (seq) => m.addFeedItem(model, m.feedItemOf(model,
            {seq, channel: "control", thread: "control:NOR", author: "p", text: String(seq)}));
        const added = [5, 9, 3, 9, 7, 1, 5].map(add);
        return [added, model.feed.map((i) => i.key), model.feed[0].team];
        """,
    )
    assert result == [
        [True, True, True, False, True, True, False],
        ["seq-1", "seq-3", "seq-5", "seq-7", "seq-9"],
        "NOR",
    ]


def test_a_full_timeline_drops_its_oldest_entries_and_can_load_them_again(page: Page) -> None:
    result = run(
        page,
        "model.js",
        """
        const model = {me: {staff: true}, exercise: {}, participants: {}, feed: [], timeline: [],
                       timelineBefore: 11, timelineMore: true, timelineLimit: 3};
        for (const seq of [11, 12, 13, 14, 15]) m.applyEvent(model, {seq, at: 0, kind: "exercise.ready", data: {}});
        return [model.timeline.map((e) => e.seq), model.timelineBefore, model.timelineMore];
        """,
    )
    assert result == [[13, 14, 15], 13, True]


def test_a_station_offers_domestic_instruments_to_other_units_and_inside_a_one_team_country(
    page: Page,
) -> None:
    catalogue = (
        "{roles: [{id: 'police', capabilities: ['issue:REFERRAL', 'issue:POLICE_MSG']}],"
        " instruments: [{id: 'REFERRAL'}, {id: 'POLICE_MSG'}],"
        " available: [{from: 'OST', to: 'MAR', instruments: ['POLICE_MSG']},"
        " {from: 'MAR', to: 'OST', instruments: ['POLICE_MSG']},"
        " {from: 'OST', to: 'OST', instruments: ['REFERRAL']}, {from: 'MAR', to: 'MAR', instruments: ['REFERRAL']}]}"
    )
    teams = "[{id: 'OST', country: 'OST'}, {id: 'MAR-POL', country: 'MAR'}, {id: 'MAR-PROS', country: 'MAR'}]"
    reachable = run(
        page,
        "play.js",
        f"const model = (team) => ({{catalogue: {catalogue}, teams: {teams}, me: {{team, role: 'police'}}}});"
        " return ['OST', 'MAR-POL'].map((team) => m.reachableTeams(model(team)).map((t) => t.id));",
    )
    assert reachable == [["OST", "MAR-POL", "MAR-PROS"], ["OST", "MAR-PROS"]]
