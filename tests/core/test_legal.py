"""Legal profiles that decide (issue 12, item 6), played on Twin Ports.

Sudria's prosecutor sends MLA requests to Norland (SimCell answers them). Norland has not
ratified the (fictional) Bank Secrecy Protocol that Sudria has, so a request for bank records
is refused by rule; Norland has no dual criminality for searches on this offence, so a search
goes through flagged for the evaluators; Norland does not extradite its nationals (its legal
profile says so), so a hearing of a witness is flagged too. Police messages need the Interpol
data treaty on both sides: a treaty gap closes them between the two countries.
"""

from __future__ import annotations

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.debrief import analyse
from server.core.debrief.legal import flags_per_rule
from server.core.debrief.played import Entry
from server.core.errors import Forbidden
from server.core.events import RequestDrafted, RequestFlagged, RequestSent
from server.core.legal import rules_for
from server.core.requests import FieldValue, RequestStatus
from server.core.view import catalogue
from server.core.visibility import audience
from server.report.sections import sections
from server.scenario.cli import render
from server.scenario.errors import ScenarioError
from tests.core.transcript import Run
from tests.core.twin import play, twin, wall

FRAGMENT = """
countries:
  - id: NOR
    treaties: [CoE-MLA-1959]
  - id: SUD
    treaties: [CoE-MLA-1959, BANK-SECRECY-2001]
legal_rules:
  - id: bank_secrecy_treaty
    instrument: MLA
    when:
      fields: {measures: bank_records}
      treaty_missing: [BANK-SECRECY-2001]
    effect: refuse
    ground: "bank records cross the border only under the Bank Secrecy Protocol"
  - id: no_dual_criminality_search
    instruments: [MLA]
    when:
      target_country: NOR
      fields: {measures: [search]}
    effect: flag
    ground: "coercive measures need dual criminality; forced labour at sea is no offence in Norland"
  - id: nationals_not_extradited
    instrument: MLA
    when:
      target_profile: {extradites_nationals: false}
      fields: {measures: hearing_witness}
    effect: flag
    ground: "Norland does not surrender its nationals: plan for a transfer of proceedings"
"""
SCENARIO = twin(FRAGMENT)
FACTS = "SeaCrew Agency recruits young men for harbour work in Sudria and they end up unpaid. " * 2


def mla(run: Run, *measures: str) -> str:
    sofia = run.viewer("Sofia")
    fields = {"facts": FACTS, "measures": list(measures)}
    (drafted,) = run.do(c.DraftRequest("MLA", "NOR", fields), sofia, at=wall("D1 10:00"))
    return str(drafted.request)  # type: ignore[attr-defined]


def test_a_refuse_rule_stops_the_send_and_names_the_rule_and_the_country() -> None:
    run = play(SCENARIO)
    request = mla(run, "bank_records")
    with pytest.raises(Forbidden) as error:
        run.do(c.SendRequest(request), run.viewer("Sofia"))
    message = str(error.value)
    assert "'bank_secrecy_treaty'" in message and "Norland" in message and "Bank Secrecy Protocol" in message
    assert run.state.requests[request].status is RequestStatus.DRAFT  # nothing left


def test_a_refuse_rule_also_stops_draft_and_send_in_one_command() -> None:
    run = play(SCENARIO)
    fields = {"facts": FACTS, "measures": ["bank_records"]}
    with pytest.raises(Forbidden, match="bank_secrecy_treaty"):
        run.do(c.DraftRequest("MLA", "NOR", fields, send=True), run.viewer("Sofia"), at=wall("D1 10:00"))
    assert not run.state.requests  # both or neither


def test_a_flag_rule_lets_the_request_through_and_records_a_staff_only_flag() -> None:
    run = play(SCENARIO)
    request = mla(run, "search")
    events = run.do(c.SendRequest(request), run.viewer("Sofia"))
    assert [type(e) for e in events] == [RequestSent, RequestFlagged]
    flag = events[1]
    assert isinstance(flag, RequestFlagged)
    assert flag.rules == ("no_dual_criminality_search",) and flag.team == "SUD"
    assert "dual criminality" in flag.grounds[0]
    assert audience(run.state, flag) == Audience.staff_only()
    assert run.state.requests[request].status is RequestStatus.SENT


def test_a_rule_on_the_target_profile_and_several_rules_at_once() -> None:
    run = play(SCENARIO)
    request = mla(run, "hearing_witness", "search")
    events = run.do(c.SendRequest(request), run.viewer("Sofia"))
    flag = events[-1]
    assert isinstance(flag, RequestFlagged)
    assert flag.rules == ("no_dual_criminality_search", "nationals_not_extradited")


def test_no_rule_holds_for_a_request_they_do_not_describe() -> None:
    run = play(SCENARIO)
    question = {"question": "Who runs SeaCrew Agency in Nordhavn?"}
    events = run.do(
        c.DraftRequest("POLICE_MSG", "NOR", question, send=True), run.viewer("Sara"), at=wall("D1 10:00")
    )
    assert [type(e) for e in events] == [RequestDrafted, RequestSent]  # no rule on police messages
    fields = (FieldValue("measures", items=("bank_records", "hearing_witness", "search")),)
    # the treaty is missing on one side whichever way the request goes; the rest is Norland's law
    assert [r.id for r in rules_for(SCENARIO, "MLA", "NOR", "SUD", fields)] == ["bank_secrecy_treaty"]
    assert [r.id for r in rules_for(SCENARIO, "MLA", "SUD", "NOR", fields)] == [
        "bank_secrecy_treaty",
        "no_dual_criminality_search",
        "nationals_not_extradited",
    ]


def test_the_debrief_counts_the_flags_per_rule() -> None:
    run = play(SCENARIO)
    for measures in (("search",), ("search", "hearing_witness"), ("bank_records",)):
        request = mla(run, *measures)
        if "bank_records" not in measures:  # refused by rule: never sent, never flagged
            run.do(c.SendRequest(request), run.viewer("Sofia"))
    debrief = analyse(Entry(seq, run.now, event) for seq, event in enumerate(run.log, start=1))
    assert flags_per_rule(debrief.legal_flags) == {
        "no_dual_criminality_search": 2,
        "nationals_not_extradited": 1,
    }
    assert {f.request for f in debrief.legal_flags} == {"R-1", "R-2"}
    lines = [m.text for m in debrief.timeline if m.kind == "request.flagged"]
    assert len(lines) == 2 and "no_dual_criminality_search" in lines[0]
    (legal,) = [section for section in sections(debrief) if section.sheet == "legal_flags"]
    assert [row[1] for row in legal.table.rows] == ["R-1", "R-2", "R-2"]
    assert legal.lines == ("no_dual_criminality_search: 2 requests", "nationals_not_extradited: 1 request")


def secure_message(treaty: str) -> str:
    """A police channel of its own, open only between countries that ratified `treaty`."""
    return (
        "instruments:\n  - {id: SECURE_MSG, name: Secure police message, legal_basis: Protocol,"
        " channel: secure line, issuer: police, receiver: police, requires_blocs: [INTERPOL],"
        f" requires_treaties: [{treaty}], fields: [{{key: question, type: text}}]}}\n"
        "roles:\n  - {id: police, capabilities: [issue:POLICE_MSG, receive:POLICE_MSG, answer:POLICE_MSG,"
        " draft:MLA, act:interview_victim, issue:SECURE_MSG, receive:SECURE_MSG, answer:SECURE_MSG]}\n"
    )


def test_a_treaty_gap_closes_an_instrument_between_two_countries() -> None:
    gap = twin(FRAGMENT + secure_message("BANK-SECRECY-2001"))
    assert not gap.available("SECURE_MSG", "SUD", "NOR")
    assert not gap.available("SECURE_MSG", "NOR", "SUD")
    assert ("SUD", "NOR", ["POLICE_MSG"]) in [
        (a, b, [i for i in ids if "MSG" in i]) for a, b, ids in gap.matrix()
    ]
    both = twin(FRAGMENT + secure_message("CoE-MLA-1959"))
    assert both.available("SECURE_MSG", "SUD", "NOR")
    assert "SECURE_MSG" in next(ids for a, b, ids in both.matrix() if (a, b) == ("SUD", "NOR"))
    run = play(gap)
    with pytest.raises(Forbidden, match="SECURE_MSG is not available from SUD to NOR"):
        run.do(
            c.DraftRequest("SECURE_MSG", "NOR", {"question": "Who runs SeaCrew Agency in Nordhavn?"}),
            run.viewer("Sara"),
            at=wall("D1 10:00"),
        )


def test_the_catalogue_carries_the_profile_treaties_and_rules_for_the_composer() -> None:
    shown = catalogue(SCENARIO)
    norland = next(country for country in shown["countries"] if country["id"] == "NOR")
    assert norland["legal_profile"]["extradites_nationals"] is False
    assert norland["treaties"] == ["CoE-MLA-1959"]
    rule = next(rule for rule in shown["legal_rules"] if rule["id"] == "no_dual_criminality_search")
    assert rule == {
        "id": "no_dual_criminality_search",
        "effect": "flag",
        "ground": "coercive measures need dual criminality; forced labour at sea is no offence in Norland",
        "instruments": ["MLA"],
        "source_countries": [],
        "target_countries": ["NOR"],
        "fields": {"measures": ["search"]},
        "target_profile": {},
        "treaty_missing": [],
    }


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("instrument: MLA\n    when:\n      fields: {measures: bank", "instrument: MLX\n    when:\n      fields: {measures: bank",
         "legal_rules[0].instrument", "unknown instrument 'MLX'"),
        ("fields: {measures: bank_records}", "fields: {measure: bank_records}",
         "legal_rules[0].when.fields.measure", "did you mean 'measures'?"),
        ("fields: {measures: bank_records}", "fields: {measures: bank_record}",
         "legal_rules[0].when.fields.measures", "'bank_record' is not a value of multiselect field 'measures'"),
        ("treaty_missing: [BANK-SECRECY-2001]", "treaty_missing: [BANK-SECRECY]",
         "legal_rules[0].when.treaty_missing[0]", "unknown treaty 'BANK-SECRECY' (did you mean 'BANK-SECRECY-2001'?)"),
        ("target_country: NOR", "target_country: NORD", "legal_rules[1].when.target_country", "unknown country 'NORD'"),
        ("effect: flag\n    ground: \"coercive", "effect: warn\n    ground: \"coercive", "legal_rules[1].effect", "refuse"),
        ("target_profile: {extradites_nationals: false}", "target_profile: {extradites_national: false}",
         "legal_rules[2].when.target_profile.extradites_national", "did you mean 'extradites_nationals'?"),
        ("target_profile: {extradites_nationals: false}", "target_profile: {child_age: 16}",
         "legal_rules[2].when.target_profile", "never holds: no target country has child_age: 16"),
        ("fields: {measures: [search]}", "fields: {measures: [search]}\n      source_country: NOR",
         "legal_rules[1]", "never holds: MLA is not available between the countries it names"),
    ],
)  # fmt: skip
def test_the_validator_explains_a_malformed_rule(old: str, new: str, path: str, message: str) -> None:
    assert old in FRAGMENT
    with pytest.raises(ScenarioError) as error:
        twin(FRAGMENT.replace(old, new, 1))
    found = [p for p in error.value.problems if p.path == path and message in p.message]
    assert found, error.value
    assert found[0].line is not None  # a trainer finds the line


def test_an_unknown_treaty_in_requires_treaties_is_an_error() -> None:
    with pytest.raises(
        ScenarioError, match=r"requires_treaties\[0\]: unknown treaty 'COE-MLA' \(did you mean"
    ):
        twin(FRAGMENT + secure_message("COE-MLA"))


def test_scenario_show_names_the_treaty_gaps_and_the_rules() -> None:
    shown = "\n".join(render(twin(FRAGMENT + secure_message("BANK-SECRECY-2001"))))
    assert "SUD → NOR   no SECURE_MSG: treaty gap, missing BANK-SECRECY-2001 (NOR)" in shown
    assert (
        "REFUSE  bank_secrecy_treaty: MLA when measures is bank_records; a side lacks BANK-SECRECY-2001"
        in shown
    )
    assert (
        "FLAG    nationals_not_extradited: MLA when measures is hearing_witness; target's extradites_nationals is false"
        in shown
    )
    assert "treaties: CoE-MLA-1959" in shown


OWN_LAW = """
countries:
  - id: NOR
    treaties: [CoE-MLA-1959]
    legal_profile:
      thb_offence: "Penal Code s. 257 (trafficking), up to 10 years"
      extradites_nationals: false
      other: {non_punishment: false, compensation_fund: "State fund for victims, Act 12 of 2019"}
legal_rules:
  - id: victims_may_be_charged
    instrument: MLA
    when:
      target_profile: {non_punishment: false}
      fields: {measures: hearing_witness}
    effect: flag
    ground: "Norland has no non-punishment clause: a victim heard as a witness may be charged"
"""


def test_the_catalogue_carries_only_what_the_scenario_says_of_a_countrys_law() -> None:
    """A country's law shown to players is what its scenario states: an entry it leaves out is not
    filled in with a default (Sudria says nothing of its age of a child)."""
    shown = {country["id"]: country["legal_profile"] for country in catalogue(SCENARIO)["countries"]}
    assert set(shown["SUD"]) == {"thb_offence", "reflection_period_days"}
    assert "child_age" not in shown["NOR"] and shown["NOR"]["extradites_nationals"] is False


def test_a_countrys_own_law_under_other_is_shown_and_decides_rules() -> None:
    scenario = twin(OWN_LAW)
    shown = {country["id"]: country["legal_profile"] for country in catalogue(scenario)["countries"]}
    assert shown["NOR"]["non_punishment"] == "false"
    assert shown["NOR"]["compensation_fund"] == "State fund for victims, Act 12 of 2019"
    assert "reflection_period_days" not in shown["NOR"]  # left out this time
    run = play(scenario)
    request = mla(run, "hearing_witness")
    flag = run.do(c.SendRequest(request), run.viewer("Sofia"))[-1]
    assert isinstance(flag, RequestFlagged) and flag.rules == ("victims_may_be_charged",)
    assert "non_punishment: false" in "\n".join(render(scenario))


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("target_profile: {non_punishment: false}", "target_profile: {non_punishmnt: false}",
         "legal_rules[0].when.target_profile.non_punishmnt", "did you mean 'non_punishment'?"),
        ("target_profile: {non_punishment: false}", "target_profile: {child_age: 16}",
         "legal_rules[0].when.target_profile", "an entry a country leaves out matches no rule"),
        ("other: {non_punishment: false,", "other: {extradites_nationals: false, non_punishment: false,",
         "countries[0].legal_profile.other.extradites_nationals", "entry of its own: write it beside"),
        ("other: {non_punishment: false,", "other: {non_punishment: [a, b],",
         "countries[0].legal_profile.other.non_punishment", "a text, a number, or true/false"),
    ],
)  # fmt: skip
def test_the_validator_explains_a_countrys_own_law(old: str, new: str, path: str, message: str) -> None:
    assert old in OWN_LAW
    with pytest.raises(ScenarioError) as error:
        twin(OWN_LAW.replace(old, new, 1))
    assert any(p.path == path and message in p.message for p in error.value.problems), error.value
