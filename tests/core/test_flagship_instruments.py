"""For every instrument of the flagship, the server refuses what the law and the scenario do not
allow, with a clear code and message, and writes nothing: a role without the capability, a pair
of countries where the instrument is not available, a required field missing."""

from __future__ import annotations

import pytest

from loadtest.playbook import fill_form
from server.core import commands as c
from server.core.errors import DomainError, Forbidden, InvalidArguments
from server.core.requests import RequestStatus, may_draft
from server.core.scenario import Instrument
from server.core.simtime import parse_sim_time
from tests.core.test_playthrough import Cohort, flagship

INSTRUMENTS = [i.id for i in flagship().instruments]
CROSS_BORDER = [i.id for i in flagship().instruments if i.cross_border]
"""Domestic instruments (an NRM referral) are not sent between countries at all."""


def _cohort() -> Cohort:
    return Cohort(flagship())


def _issuer(cohort: Cohort, instrument: Instrument) -> tuple[str, str]:
    """A team and role that may draft `instrument` towards some country where it is available."""
    scenario = cohort.scenario
    for source in scenario.countries:
        for role in scenario.roles:
            viewer = cohort.member(source.id, role.id)
            if may_draft(scenario, viewer, instrument):
                for target in scenario.countries:
                    if scenario.available(instrument.id, source.id, target.id):
                        return source.id, role.id
    raise AssertionError(f"nobody may send {instrument.id} anywhere")


def _refused(cohort: Cohort, command: c.Command, team: str, role: str) -> DomainError:
    before = len(cohort.run.log)
    with pytest.raises(DomainError) as refused:
        cohort.run.do(command, cohort.member(team, role))
    assert len(cohort.run.log) == before  # nothing written
    return refused.value


@pytest.mark.parametrize("instrument_id", CROSS_BORDER)
def test_a_role_without_the_capability_is_refused(instrument_id: str) -> None:
    cohort = _cohort()
    instrument = cohort.scenario.instrument(instrument_id)
    assert instrument is not None
    source, _ = _issuer(cohort, instrument)
    target = next(
        t.id for t in cohort.scenario.countries if cohort.scenario.available(instrument_id, source, t.id)
    )
    role = next(
        r.id
        for r in cohort.scenario.roles
        if not may_draft(cohort.scenario, cohort.member(source, r.id), instrument)
    )
    error = _refused(
        cohort, c.DraftRequest(instrument_id, target, fill_form(instrument, "x" * 50)), source, role
    )
    assert isinstance(error, Forbidden)
    assert (error.code, f"may not draft or issue a {instrument_id}") == (
        "forbidden",
        error.message.split(f"{role!r} ")[1],
    )


@pytest.mark.parametrize("instrument_id", INSTRUMENTS)
def test_an_instrument_is_refused_between_countries_where_it_is_not_available(instrument_id: str) -> None:
    cohort = _cohort()
    scenario = cohort.scenario
    instrument = scenario.instrument(instrument_id)
    assert instrument is not None
    unavailable = [
        (a.id, b.id) for a in scenario.countries for b in scenario.countries
        if a.id != b.id and not scenario.available(instrument_id, a.id, b.id)
    ]  # fmt: skip
    if not unavailable:
        pytest.skip(f"{instrument_id} is available between every pair of countries")
    source, target = unavailable[0]
    role = next(
        (r.id for r in scenario.roles if may_draft(scenario, cohort.member(source, r.id), instrument)), None
    )
    if role is None:
        pytest.skip(f"nobody in {source} may draft {instrument_id} at all (the capability test covers it)")
    error = _refused(
        cohort, c.DraftRequest(instrument_id, target, fill_form(instrument, "x" * 50)), source, role
    )
    assert error.code == "forbidden"
    assert error.message == f"{instrument_id} is not available from {source} to {target}"


@pytest.mark.parametrize("instrument_id", CROSS_BORDER)
def test_a_request_with_a_required_field_missing_is_not_sent(instrument_id: str) -> None:
    cohort = _cohort()
    scenario = cohort.scenario
    instrument = scenario.instrument(instrument_id)
    assert instrument is not None
    source, role = _issuer(cohort, instrument)
    target = next(t.id for t in scenario.countries if scenario.available(instrument_id, source, t.id))
    required = next(f.key for f in instrument.fields if f.required)
    sides = {"source": scenario.country(source), "target": scenario.country(target)}
    form = {k: v for k, v in fill_form(instrument, "x" * 50, sides).items() if k != required}
    (drafted,) = cohort.run.do(c.DraftRequest(instrument_id, target, form), cohort.member(source, role))
    error = _refused(cohort, c.SendRequest(drafted.request), source, role)  # type: ignore[attr-defined]
    if error.code == "invalid_state":  # it needs a co-signature first: give it, then try again
        validator = next(r.id for r in scenario.roles if r.can("validate", instrument_id))
        cohort.run.do(c.ValidateRequest(drafted.request), cohort.member(source, validator))  # type: ignore[attr-defined]
        error = _refused(cohort, c.SendRequest(drafted.request), source, role)  # type: ignore[attr-defined]
    assert isinstance(error, InvalidArguments)
    assert error.code == "invalid_args"
    assert required in error.message
    assert error.message.startswith("field ")


def test_a_domestic_instrument_is_never_sent_across_a_border() -> None:
    cohort = _cohort()
    domestic = [i for i in cohort.scenario.instruments if not i.cross_border]
    assert [i.id for i in domestic] == ["NRM_REFERRAL"]
    for a in cohort.scenario.countries:
        for b in cohort.scenario.countries:
            # between the agencies of one country only (inside its one team here)
            assert cohort.scenario.available("NRM_REFERRAL", a.id, b.id) == (a.id == b.id)


def _sent(cohort: Cohort, instrument_id: str, source: str, target: str, role: str) -> str:
    """`source`'s `role` drafts and sends a full `instrument_id` to `target`: the request's id."""
    instrument = cohort.scenario.instrument(instrument_id)
    assert instrument is not None
    author = cohort.member(source, role)
    (drafted,) = cohort.run.do(
        c.DraftRequest(instrument_id, target, fill_form(instrument, "x" * 120)), author
    )
    request = drafted.request  # type: ignore[attr-defined]
    cohort.run.do(c.SendRequest(request), author)
    return str(request)


def test_a_role_that_only_receives_an_instrument_does_not_answer_it() -> None:
    """A live check: Kalmaria's police (`receive:JIT_AGREEMENT`, no `answer:`) signed the JIT
    agreement, and the joint team formed. It acknowledges and asks; the prosecutor signs."""
    cohort = _cohort()
    request = _sent(cohort, "JIT_AGREEMENT", "WES", "KAL", "prosecutor")
    assert not cohort.run.state.requests[request].simcell  # played: Kalmaria's prosecutor answers
    police = cohort.member("KAL", "police")
    cohort.run.do(c.AcknowledgeRequest(request), police)
    cohort.run.do(c.AskClarification(request, "Which members does Westria name?"), police)
    error = _refused(cohort, c.AnswerRequest(request, "Signed."), "KAL", "police")
    assert isinstance(error, Forbidden)
    assert "receives JIT_AGREEMENT but does not answer it" in error.message
    _refused(cohort, c.RefuseRequest(request, "other", "No."), "KAL", "police")
    cohort.run.do(c.AnswerRequest(request, "Signed for Kalmaria."), cohort.member("KAL", "prosecutor"))
    assert cohort.run.state.requests[request].status is RequestStatus.ANSWERED


def test_an_instrument_that_is_only_acknowledged_reaches_the_team_that_receives_it() -> None:
    """Spontaneous information has no answer (draft, sent, acknowledged, closed): a team whose
    police receive it plays it, though nobody there answers it."""
    cohort = _cohort()
    request = _sent(cohort, "SPONTANEOUS_INFO", "WES", "KAL", "police")
    assert not cohort.run.state.requests[request].simcell
    cohort.run.do(c.AcknowledgeRequest(request), cohort.member("KAL", "police"))
    assert cohort.run.state.requests[request].status is RequestStatus.ACKNOWLEDGED
    _refused(cohort, c.AnswerRequest(request, "Thanks."), "KAL", "police")


@pytest.mark.parametrize(("agency", "forwarded"), [("VAR.PROS", False), ("VAR.MOJ", True)])
def test_the_ministry_forwards_an_mla_request_only_when_it_received_it(agency: str, forwarded: bool) -> None:
    """A live check: "MLA request arrives in Varnia" (I-19: the Ministry forwards it to the
    prosecutors) came when Westria sent its MLA to Varnia's prosecutors directly."""
    cohort = _cohort()
    instrument = cohort.scenario.instrument("MLA")
    assert instrument is not None
    prosecutor = cohort.member("WES", "prosecutor")
    sides = {"source": cohort.scenario.country("WES"), "target": cohort.scenario.country("VAR")}
    form = fill_form(instrument, "Search of EuroWork's office. " * 20, sides)
    draft = c.DraftRequest("MLA", "VAR", form, agency=agency, send=True)
    cohort.run.do(draft, prosecutor)
    cohort.run.now = cohort.wall(parse_sim_time("D2 18:00"))
    cohort.run.do(c.Advance(), c.SYSTEM)
    assert (cohort.run.state.injects["I-19"].released_at is not None) is forwarded
