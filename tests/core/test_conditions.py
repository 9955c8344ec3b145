"""The condition language of triggers (issue 12, item 3), played on Twin Ports.

Every scenario here is Twin Ports with a fragment merged in and read by the real loader
(`tests/core/twin.py`); play goes through `decide` and `apply`, and the scheduler is the SYSTEM
command `Advance`. Each construct is tried where it must hold and where it must not.
"""

from __future__ import annotations

import dataclasses

import pytest

from server.core import commands as c
from server.core.audience import Audience
from server.core.facts import Facts
from server.core.snapshots import capture, restore
from server.core.view import snapshot
from server.core.watch import watch_of
from server.scenario.errors import ScenarioError
from server.scenario.msel import describe_trigger
from tests.core.transcript import Run
from tests.core.twin import advance, play, released, twin, wall

INJECT = """
    channel: scene
    from: Exercise control
    to: "*: police"
    body: "What the team finds."
"""


def inject(inject_id: str, trigger: str, *more: str) -> str:
    lines = "".join(f"\n    {line}" for line in more)
    return f"  - id: {inject_id}\n    title: {inject_id}\n    trigger: {trigger}{lines}{INJECT}"


FRAGMENT = f"""
actions:
  - {{id: search, name: Search premises}}
roles:
  - id: police
    capabilities: [issue:POLICE_MSG, receive:POLICE_MSG, answer:POLICE_MSG, draft:MLA,
                   act:interview_victim, act:search]
injects:
{inject("C-SUBJECT", "{action: {action: search, subject: SeaCrew office}}")}
{inject("C-COUNT", "{action: {action: search, count: 3}}")}
{inject("C-SPAN", "{action: {action: search, apart: PT60M}}")}
{inject("C-NOT-BEFORE", '{all_of: [{action: interview_victim}, {not_before: "D1 11:00"}]}')}
{inject("C-CHARACTER", "{character: {id: CH-ERIK, trust_below: 2}}")}
{inject("C-NOT-CHARACTER", '{all_of: [{time: "D1 10:00"}, {not: {character: {id: CH-ERIK, trust_below: 2}}}]}')}
{inject("C-FIELDS", "{request: {instrument: POLICE_MSG, to: NOR, state: sent, fields: [{field: question, contains: seacrew}]}}")}
{inject("C-SCOPE", "{all_of: [{action: search}, {action: interview_victim}]}", "scope: team")}
{inject("C-SCOPE-SUD", "{all_of: [{action: {action: search, team: SUD}}, {action: {action: interview_victim, team: SUD}}]}", "scope: team")}
{inject("C-SCOPE-NOR", "{all_of: [{action: {action: search, team: NOR}}, {action: {action: interview_victim, team: NOR}}]}", "scope: team")}
{inject("C-SCOPE-FROM-NOR", "{request: {instrument: POLICE_MSG, from: NOR, state: sent}}", "scope: team")}
{inject("C-HOLDING", '{time: "D1 09:30"}', "to_teams: {holding: A-NOR-AD}")}
{inject("C-REFUSED", "{request: {instrument: MLA, state: refused}}", "to_teams: {refused: {instrument: MLA}}")}
"""
SCENARIO = twin(FRAGMENT)
MINE = {i.id for i in SCENARIO.injects if i.id.startswith("C-")}


@pytest.fixture
def run() -> Run:
    return play(SCENARIO)


def act(run: Run, who: str, action: str, sim: str, subject: str = "") -> set[str]:
    """`who` takes `action` at `sim`; the scheduler runs; the conditional injects it released."""
    run.do(c.TakeAction(action, subject), run.viewer(who), at=wall(sim))
    return set(released(advance(run, sim))) & MINE


def test_an_action_on_its_subject(run: Run) -> None:
    assert "C-SUBJECT" not in act(run, "Sara", "search", "D1 09:00", "a flat in Sudhavn")
    assert "C-SUBJECT" in act(run, "Sara", "search", "D1 09:05", "SeaCrew office")


def test_three_of_these_actions(run: Run) -> None:
    assert "C-COUNT" not in act(run, "Sara", "search", "D1 09:00", "flat")
    assert "C-COUNT" not in act(run, "Nils", "search", "D1 09:10", "office")  # any team counts
    assert "C-COUNT" in act(run, "Sara", "search", "D1 09:20", "boat")
    assert run.state.injects["C-COUNT"].released_at == 9 * 3600 + 20 * 60


def test_the_first_and_the_last_more_than_an_hour_apart(run: Run) -> None:
    assert "C-SPAN" not in act(run, "Sara", "search", "D1 09:00")
    assert "C-SPAN" not in act(run, "Sara", "search", "D1 09:40")
    assert "C-SPAN" not in act(run, "Sara", "search", "D1 10:00")  # exactly 60 minutes: not more
    assert "C-SPAN" in act(run, "Sara", "search", "D1 10:01")


def test_not_before_a_time(run: Run) -> None:
    assert "C-NOT-BEFORE" not in act(run, "Sara", "interview_victim", "D1 09:00")
    assert "C-NOT-BEFORE" not in set(released(advance(run, "D1 10:59")))
    assert "C-NOT-BEFORE" in set(released(advance(run, "D1 11:00")))


def test_a_character_state_and_its_negation(run: Run) -> None:
    assert not {"C-CHARACTER", "C-NOT-CHARACTER"} & set(released(advance(run, "D1 09:00")))
    run.do(c.SetCharacter("CH-ERIK", trust=1, note="interviewed in front of the skipper"), run.viewer("Sim"))
    fired = set(released(advance(run, "D1 10:30")))
    assert "C-CHARACTER" in fired
    assert "C-NOT-CHARACTER" not in fired  # at 10:00 his trust is below 2: the `not` does not hold


def test_the_negation_holds_while_the_character_is_not_so(run: Run) -> None:
    assert "C-NOT-CHARACTER" in set(released(advance(run, "D1 10:00")))


def ask_norland(run: Run, question: str, sim: str) -> set[str]:
    sara = run.viewer("Sara")
    (drafted,) = run.do(c.DraftRequest("POLICE_MSG", "NOR", {"question": question}), sara, at=wall(sim))
    run.do(c.SendRequest(drafted.request), sara)  # type: ignore[attr-defined]
    return set(released(advance(run, sim))) & MINE


def test_a_request_by_what_its_fields_say(run: Run) -> None:
    assert "C-FIELDS" not in ask_norland(
        run, "Who owns the trawler Kittiwake, registered in Nordhavn?", "D1 09:00"
    )
    assert "C-FIELDS" in ask_norland(run, "What do you know about the crewing agency SEACREW?", "D1 09:10")


def test_a_scoped_condition_holds_for_one_team_and_goes_to_it(run: Run) -> None:
    assert "C-SCOPE" not in act(run, "Nils", "search", "D1 09:00")
    assert "C-SCOPE" not in act(run, "Sara", "interview_victim", "D1 09:10")  # each team did one part
    fired = act(run, "Sara", "search", "D1 09:20")
    assert "C-SCOPE" in fired
    assert run.state.injects["C-SCOPE"].released_at == 9 * 3600 + 20 * 60
    (release,) = (e for e in run.log if getattr(e, "inject", None) == "C-SCOPE")
    assert release.audience == Audience.of(team_roles=["SUD/police"])  # type: ignore[attr-defined]
    assert not any(i["id"] == "C-SCOPE" for i in snapshot(run.state, run.viewer("Nils"))["injects"])
    assert any(i["id"] == "C-SCOPE" for i in snapshot(run.state, run.viewer("Sara"))["injects"])


def test_a_scoped_condition_whose_parts_name_a_team_holds_for_that_team_only(run: Run) -> None:
    """One inject per team, written with `team:` in its parts (docs/scenarios.md, "Per team"):
    each goes to the team its parts name, never to the first team of the roster instead."""
    assert not {"C-SCOPE-SUD", "C-SCOPE-NOR"} & act(run, "Nils", "search", "D1 09:00")
    fired = act(run, "Nils", "interview_victim", "D1 09:10")
    assert "C-SCOPE-NOR" in fired and "C-SCOPE-SUD" not in fired
    (release,) = (e for e in run.log if getattr(e, "inject", None) == "C-SCOPE-NOR")
    assert release.audience == Audience.of(team_roles=["NOR/police"])  # type: ignore[attr-defined]
    assert "C-SCOPE-SUD" not in act(run, "Sara", "search", "D1 09:20")
    assert "C-SCOPE-SUD" in act(run, "Sara", "interview_victim", "D1 09:30")
    (release,) = (e for e in run.log if getattr(e, "inject", None) == "C-SCOPE-SUD")
    assert release.audience == Audience.of(team_roles=["SUD/police"])  # type: ignore[attr-defined]


def test_a_scoped_request_part_from_a_team_goes_to_that_team(run: Run) -> None:
    nils = run.viewer("Nils")
    (drafted,) = run.do(
        c.DraftRequest("POLICE_MSG", "SUD", {"question": "Who crews the trawler Kittiwake?"}),
        nils,
        at=wall("D1 09:00"),
    )
    run.do(c.SendRequest(drafted.request), nils)  # type: ignore[attr-defined]
    assert "C-SCOPE-FROM-NOR" in set(released(advance(run, "D1 09:00")))
    (release,) = (e for e in run.log if getattr(e, "inject", None) == "C-SCOPE-FROM-NOR")
    assert release.audience == Audience.of(team_roles=["NOR/police"])  # type: ignore[attr-defined]


def test_the_team_holding_an_artefact(run: Run) -> None:
    (release,) = (e for e in advance(run, "D1 09:30") if getattr(e, "inject", None) == "C-HOLDING")
    assert release.audience == Audience.of(team_roles=["NOR/police"])  # type: ignore[attr-defined]


def test_whoever_was_refused(run: Run) -> None:
    sofia = run.viewer("Sofia")
    facts = {
        "facts": "SeaCrew Agency recruits young men for harbour work in Sudria. " * 3,
        "measures": ["search"],
    }
    (drafted,) = run.do(c.DraftRequest("MLA", "NOR", facts), sofia, at=wall("D1 09:00"))
    request = drafted.request  # type: ignore[attr-defined]
    run.do(c.SendRequest(request), sofia)
    assert "C-REFUSED" not in set(released(advance(run, "D1 09:00")))
    run.do(c.RefuseRequest(request, "incomplete", "No court order."), run.viewer("Sim"), at=wall("D1 09:30"))
    (release,) = (e for e in advance(run, "D1 09:30") if getattr(e, "inject", None) == "C-REFUSED")
    assert release.audience == Audience.of(team_roles=["SUD/police"])  # type: ignore[attr-defined]


def test_the_new_indexes_are_kept_by_apply_and_carried_by_snapshots(run: Run) -> None:
    for minute in (0, 30, 70):
        act(run, "Sara", "search", f"D1 {9 + minute // 60:02d}:{minute % 60:02d}", "office")
    ask_norland(run, "What do you know about the crewing agency SeaCrew?", "D1 10:30")
    state = run.state
    watch = watch_of(state.scenario)
    assert watch.spans == frozenset({("search", 3600)})
    countries = {team.id: team.country for team in state.teams.values()}
    assert state.facts == Facts.of(state.requests, state.actions, countries=countries, watch=watch)
    assert restore(capture(state), state.scenario) == state
    assert state.facts.nth_taken("search", "SUD", "office", 3) is not None
    assert state.facts.nth_taken("search", "NOR", None, 1) is None


def test_every_earlier_trigger_form_loads_unchanged() -> None:
    plain = twin()
    merged = twin(FRAGMENT)
    assert [i.trigger for i in plain.injects] == [i.trigger for i in merged.injects[: len(plain.injects)]]
    (t05,) = (i for i in plain.injects if i.id == "T-05")
    assert t05.trigger is not None and t05.trigger.of[0].count == 1  # an action part: the first taking
    assert dataclasses.replace(t05.trigger.of[0], count=1, apart=None, subject=None) == t05.trigger.of[0]


BROKEN = {
    "{action: {action: search, count: 0}}": ("trigger.action.count", "a whole number from 1 to 50"),
    "{action: {action: search, count: 3, apart: PT1H}}": ("trigger.action", "not both"),
    "{action: {action: search, apart: next_morning}}": ("trigger.action.apart", "a span is a duration"),
    "{character: {id: CH-ERIK}}": ("trigger.character", "say what the character's state must be"),
    "{character: {id: CH-ERIK, trust_at_least: 5, trust_below: 3}}": ("trigger.character", "can never be"),
    "{character: {id: CH-NOBODY, trust_below: 3}}": ("trigger.character.id", "CH-NOBODY"),
    "{not_before: D2}": ("trigger.not_before", "not a simulated time like 'D1 08:30'"),
    '{all_of: [{action: search}, {not_before: "D3 09:00"}]}': (
        "trigger.all_of[1].not_before",
        "D3 09:00 is after ENDEX (D2 17:00): it can never hold",
    ),
    "{request: {instrument: MLA, state: sent, fields: [{field: measures}]}}": (
        "trigger.request.fields[0]",
        "a field test says what the field must hold",
    ),
    "{request: {instrument: MLA, state: sent, fields: [{field: mesures, includes_any: [search]}]}}": (
        "trigger.request.fields[0].field",
        "MLA has no field 'mesures' (did you mean 'measures'?)",
    ),
    "{request: {instrument: MLA, state: sent, fields: [{field: measures, includes_any: [serch]}]}}": (
        "trigger.request.fields[0].includes_any",
        "'serch' is not a choice of MLA.measures",
    ),
    "{request: {instrument: MLA, state: refused, ground: too_late}}": (
        "trigger.request.ground",
        "MLA has no refusal ground 'too_late' (its grounds: no_double_criminality, incomplete)",
    ),
}


@pytest.mark.parametrize("trigger", list(BROKEN))
def test_the_validator_explains_a_malformed_condition(trigger: str) -> None:
    where, message = BROKEN[trigger]
    with pytest.raises(ScenarioError) as error:
        twin(f"injects:\n{inject('C-BROKEN', trigger)}")
    found = [p for p in error.value.problems if p.path.startswith("injects[6]." + where.split(".")[0])]
    assert any(p.path == f"injects[6].{where}" and message in p.message for p in found), error.value


@pytest.mark.parametrize(
    ("more", "path", "message"),
    [
        ("scope: country", "scope", "the only scope is team"),
        ("scope: team\n    to_teams: {holding: A-NOR-AD}", "to_teams", "leave out to_teams"),
        ("to_teams: {holder: A-NOR-AD}", "to_teams", "did you mean 'holding'?"),
        ("to_teams: {refused: {instrument: MLA, state: sent}}", "to_teams.refused.state", "leave out state"),
        (
            "to_teams: {requested: {instrument: MLA, from: SUD}}",
            "to_teams.requested.from",
            "unknown key 'from'",
        ),
        ("scope: team", "scope", "needs an action or a request part"),
    ],
)
def test_the_validator_explains_a_malformed_scope_or_audience(more: str, path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as error:
        twin("injects:\n" + inject("C-BROKEN", '{time: "D1 10:00"}', more))
    assert any(p.path == f"injects[6].{path}" and message in p.message for p in error.value.problems), (
        error.value
    )


def test_the_validator_refuses_a_scoped_trigger_whose_parts_name_two_teams() -> None:
    both = (
        "{all_of: [{action: {action: search, team: SUD}}, {action: {action: interview_victim, team: NOR}}]}"
    )
    with pytest.raises(ScenarioError) as error:
        twin("injects:\n" + inject("C-BROKEN", both, "scope: team"))
    assert any(
        p.path == "injects[6].trigger"
        and "its parts name NOR, SUD, and no one team is all of them" in p.message
        for p in error.value.problems
    ), error.value
    either = "{any_of: [{action: {action: interview_victim, team: SUD}}, {action: {action: interview_victim, team: NOR}}]}"
    twin("injects:\n" + inject("C-EITHER", either, "scope: team"))  # either team: loads


def test_the_msel_sheet_summarises_the_new_conditions() -> None:
    summary = {i.id: describe_trigger(i.trigger) for i in SCENARIO.injects if i.id in MINE}
    assert summary["C-SUBJECT"] == "action search about SeaCrew office"
    assert summary["C-COUNT"] == "action search 3 times"
    assert summary["C-SPAN"] == "action search, first to last over 60 min"
    assert summary["C-NOT-BEFORE"] == "(action interview_victim) and (not before D1 11:00)"
    assert summary["C-CHARACTER"] == "character CH-ERIK trust_below 2"
    assert summary["C-FIELDS"] == "POLICE_MSG *→NOR sent (tested)"
