"""The debrief's fold on hand-made logs: who an audience reaches, releases by control, and the
timeline's lines for what the scripted plays never do."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.debrief import Entry, analyse
from server.core.debrief.diffusion import describe, key_question
from server.core.debrief.metrics import COHORT
from server.core.debrief.played import Channel, play
from server.core.decide import create
from server.core.events import (
    ActionFlagged,
    ActionTaken,
    ArtefactReleased,
    Event,
    InjectSkipped,
    SharingFlagged,
)
from server.core.scenario import (
    Action,
    Artefact,
    EvidentialStatus,
    Happening,
    HappeningKind,
    Inject,
    InjectAudience,
    Metric,
    MetricKind,
    RouteRole,
    Scope,
    Visibility,
)
from server.core.scenario import (
    Channel as InjectChannel,
)
from server.core.simtime import parse_sim_time
from tests.core.transcript import NOW, ROSTER, SCENARIO, Run

NOTE = Artefact(
    "A-NOTE", "A note", "note", "control", Visibility(Scope.STAFF), EvidentialStatus.EVIDENCE, "H1", "x"
)
MAP = Artefact(
    "A-MAP", "The map", "map", "control", Visibility(Scope.PUBLIC), EvidentialStatus.EVIDENCE, "H1", "x"
)
METRICS = (
    Metric("M-BY", "referred by 10:00", MetricKind.TIME_TO_ACTION, action="refer", by=parse_sim_time("D1 10:00")),
    Metric("M-ART", "a note", MetricKind.SPAN, of=(Happening(HappeningKind.ARTEFACT, "A-NONE"), Happening(HappeningKind.ACTION, "refer"))),
    Metric("M-ACK", "read", MetricKind.INJECTS_ACKNOWLEDGED, within=60, of=(Happening(HappeningKind.INJECT, "I-NONE"),)),
)  # fmt: skip
SCENE = replace(
    SCENARIO,
    countries=tuple(replace(country, route_role=RouteRole.ORIGIN) for country in SCENARIO.countries),
    artefacts=(NOTE, MAP),
    actions=(Action("refer", "Refer"),),
    injects=(Inject("I-1", "Later", "b", InjectChannel.DOCUMENT, "control", InjectAudience(everyone=True), at=parse_sim_time("D1 12:00")),),
    metrics=METRICS,
)  # fmt: skip


def played(*more: Event) -> list[Entry]:
    run = Run(create(SCENE, "EX1", "", ROSTER, NOW), NOW)
    director = run.viewer("Dana")
    run.do(c.MarkReady(), director)
    run.do(c.StartExercise(), director, at=NOW + 10)  # D1 08:00
    log = [*run.log, *more]
    return [Entry(seq, NOW + 10, event) for seq, event in enumerate(log, 1)]


NINE = parse_sim_time("D1 09:00")


def test_a_log_starts_with_its_creation() -> None:
    with pytest.raises(ValueError, match=r"a log starts with exercise\.created"):
        play(played()[1:])
    with pytest.raises(ValueError, match=r"a log starts with exercise\.created"):
        play([])


def test_an_audience_reaches_the_teams_of_its_participants_and_roles() -> None:
    debrief = analyse(
        played(
            ArtefactReleased("A-NOTE", Audience.of(participants=["P0008", "P0001"]), "control", NINE),  # be
            ArtefactReleased("A-MAP", Audience.team("fr"), "action:refer", NINE),
            ArtefactReleased("A-NOTE", Audience.of(roles=["prosecutor"]), "control", NINE + 60),  # Bas, nl
        )
    )
    spread = debrief.diffusion.spread("A-NOTE")
    assert spread is not None
    arrivals = {a.team: a for a in spread.arrivals}
    assert sorted(arrivals) == ["be", "nl"]
    assert (arrivals["be"].channel, arrivals["be"].source, arrivals["be"].via) == (
        Channel.INJECT,
        "control",
        "",
    )
    assert arrivals["nl"].lag == 60
    public = debrief.diffusion.first("A-MAP", "fr")
    assert public is not None and describe(public) == "at STARTEX"
    assert debrief.teams == ("nl", "be")  # nobody plays fr: SimCell's, no report of its own
    assert debrief.simcell_teams == ("fr",)
    released = [m for m in debrief.timeline if m.kind == "artefact.released"]
    assert [m.teams for m in released] == [("be",), ("fr",), ("nl",)]
    # No destination country: the key question is about the first team.
    assert key_question(debrief.played, debrief.diffusion, "A-NOTE").text.startswith(
        "Netherlands: D1 09:01, by inject from control, 1m after"
    )


def test_metrics_with_a_deadline_or_nothing_to_look_at() -> None:
    debrief = analyse(played(ActionTaken("refer", "P0006", "nl", "", "", NINE)))
    by, span, ack = debrief.metrics
    assert (by.of("nl").value, by.of("nl").met) == (3600, True)  # D1 09:00, before 10:00
    assert (by.of("be").text, by.of("be").met) == ("never", False)
    assert (span.of(COHORT).text, span.of(COHORT).met) == ("1 of 2 done", False)
    assert (ack.of("nl").text, ack.of("nl").met) == ("no injects", None)


def test_the_timeline_says_what_was_skipped_and_flagged() -> None:
    debrief = analyse(
        played(
            InjectSkipped("I-1"),
            ActionTaken("refer", "P0006", "nl", "", "", NINE),
            ActionFlagged("refer", "P0006", "nl", ("no interpreter",), NINE),
            SharingFlagged("A-MAP", "P0006", "nl", "be", "handling code H3"),
        )
    )
    texts = [
        m.text for m in debrief.timeline if m.kind in ("inject.skipped", "action.flagged", "artefact.flagged")
    ]
    assert texts == [
        "inject I-1 skipped",
        "nl: refer flagged (no interpreter)",
        "sharing of A-MAP flagged: handling code H3",
    ]
    flagged = next(m for m in debrief.timeline if m.kind == "artefact.flagged")
    assert flagged.teams == ("nl", "be")
