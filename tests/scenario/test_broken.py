"""Broken scenarios, one mistake each: the error names the file, the line and the path, and says
what is wrong (with a suggestion where one is likely). Every problem is reported at once."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.scenario.errors import Problem, ScenarioError
from server.scenario.loader import load_scenario, parse_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"


@dataclass(frozen=True)
class Mistake:
    name: str
    old: str
    new: str
    path: str
    message: str
    marker: str
    """A unique text on the line the problem must be reported on (in the edited file)."""
    scenario: str = "twin-ports"
    file: str = "scenario.yaml"


MISTAKES = [
    Mistake(
        "unknown instrument in a trigger",
        "instrument: POLICE_MSG, from: SUD",
        "instrument: POLICE_MSGG, from: SUD",
        "injects[2].trigger.request.instrument",
        "unknown instrument 'POLICE_MSGG' (did you mean 'POLICE_MSG'?)",
        "POLICE_MSGG",
    ),
    Mistake(
        "unknown role in an audience",
        'to: "SUD: police, social_worker"\n    body: >',
        'to: "SUD: police, social_workr"\n    body: >',
        "injects[1].to",
        "unknown role 'social_workr' (did you mean 'social_worker'?)",
        "social_workr",
    ),
    Mistake(
        "unknown team in an audience",
        'to: "NOR: police"',
        'to: "NRO: police"',
        "injects[2].to",
        "unknown team 'NRO' (did you mean 'NOR'?)",
        "NRO: police",
    ),
    Mistake(
        "duplicate inject id",
        "- id: T-06",
        "- id: T-05",
        "injects[5].id",
        "duplicate id 'T-05' in injects",
        "- id: T-05\n    title: ENDEX",
    ),
    Mistake(
        "trigger cycle",
        'at: "D1 09:00"',
        'at: "D1 09:00"\n    trigger: {inject: T-04}',
        "injects[1].trigger",
        "trigger cycle: T-02 → T-04 → T-02",
        "trigger: {inject: T-04}",
    ),
    Mistake(
        "inject after ENDEX",
        'at: "D2 16:30"',
        'at: "D2 18:30"',
        "injects[5].at",
        "inject 'T-06' is planned outside the exercise: D2 18:30 is after ENDEX (D2 17:00)",
        'at: "D2 18:30"',
    ),
    Mistake(
        "inject with neither a time nor a trigger",
        '    at: "D1 08:30"\n    channel: document',
        "    channel: document",
        "injects[0]",
        "inject 'T-01' can never fire: it has neither `at` nor a trigger",
        "- id: T-01",
    ),
    Mistake(
        "request state the instrument does not have",
        "to: NOR, state: sent}",
        "to: NOR, state: snet}",
        "injects[2].trigger.request.state",
        "inject 'T-03' can never fire: POLICE_MSG has no state 'snet' (did you mean 'sent'?)",
        "state: snet",
    ),
    Mistake(
        "instrument not available between the two countries",
        "    blocs: [COE, UNTOC, INTERPOL]\n    language: Norlandic",
        "    blocs: [COE, UNTOC]\n    language: Norlandic",
        "injects[2].trigger.request.instrument",
        "inject 'T-03' can never fire: POLICE_MSG is not available from SUD to NOR",
        "instrument: POLICE_MSG, from: SUD",
    ),
    Mistake(
        "expected request the role cannot issue",
        "    role: police\n    instrument: POLICE_MSG",
        "    role: social_worker\n    instrument: POLICE_MSG",
        "requests[0].role",
        "R1: role 'social_worker' cannot issue POLICE_MSG (give it issue:POLICE_MSG or draft:POLICE_MSG)",
        "role: social_worker\n    instrument",
    ),
    Mistake(
        "expected action none of the recipients may do",
        'to: "NOR: police"',
        'to: "NOR: social_worker"',
        "injects[2].expected_actions[0]",
        "T-03 expects 'POLICE_MSG', but none of its recipients' roles (social_worker) may do it",
        "expected_actions: [POLICE_MSG]",
    ),
    Mistake(
        "capability with an unknown verb",
        "capabilities: [act:refer_nrm, act:arrange_shelter]",
        "capabilities: [act:refer_nrm, arrange:arrange_shelter]",
        "roles[2].capabilities[1]",
        "expected verb:name with a verb among act, answer, draft, issue, receive, validate, "
        "got 'arrange:arrange_shelter'",
        "arrange:arrange_shelter",
    ),
    Mistake(
        "draft without anyone to co-sign it",
        "issue:MLA, validate:MLA,",
        "issue:MLA,",
        "roles[0].capabilities",
        "'police' may draft 'MLA', but no role may validate it (the co-signature)",
        "capabilities: [issue:POLICE_MSG",
    ),
    Mistake(
        "misspelt key",
        "title: STARTEX pack",
        "tilte: STARTEX pack",
        "injects[0].tilte",
        "unknown key 'tilte' (did you mean 'title'?)",
        "tilte: STARTEX pack",
    ),
    Mistake(
        "unknown channel",
        '    channel: call\n    from: Port of Sudhavn harbour master\n    to: "SUD: police, social_worker"\n'
        "    body: >",
        '    channel: phone\n    from: Port of Sudhavn harbour master\n    to: "SUD: police, social_worker"\n'
        "    body: >",
        "injects[1].channel",
        "expected one of document, call, email, scene, walk_in, media, meeting, auto, mentor_prompt, "
        "got 'phone'",
        "channel: phone",
    ),
    Mistake(
        "impossible time",
        'at: "D1 09:00"',
        'at: "D1 25:00"',
        "injects[1].at",
        "simulated time out of range: 'D1 25:00'",
        'at: "D1 25:00"',
    ),
    Mistake(
        "participant role that redefines a staff role",
        "  - id: social_worker\n    name: Social worker",
        "  - id: mentor\n    name: Social worker",
        "roles[2].id",
        "'mentor' is a built-in staff role",
        "- id: mentor",
    ),
    Mistake(
        "unknown staff role in the staff settings",
        "{role: simcell,",
        "{role: simcel,",
        "staff[0].role",
        "'simcel' is not a staff role (staff roles: controller, director, evaluator, mentor, observer, simcell) "
        "(did you mean 'simcell'?)",
        "role: simcel,",
    ),
    Mistake(
        "team scope without a team",
        "visible_to: {scope: team, team: NOR}",
        "visible_to: {scope: team}",
        "artefacts[1].visible_to.team",
        "scope team needs 'team'",
        "visible_to: {scope: team}",
    ),
    Mistake(
        "SimCell rule on a field the instrument does not have",
        "      - outcome: executed\n        delay: next_morning",
        "      - when: {field: measurs, includes_any: [search]}\n"
        "        outcome: executed\n        delay: next_morning",
        "responses[0].outcomes[1].when.field",
        "MLA has no field 'measurs' (did you mean 'measures'?)",
        "field: measurs",
    ),
    Mistake(
        "delay that is not a duration",
        "delay: PT30M",
        "delay: 30 minutes",
        "injects[2].delay",
        "expected a duration like PT30M, PT2H, P1D or one of next_morning, next_midday, next_afternoon, "
        "got '30 minutes'",
        "delay: 30 minutes",
    ),
    Mistake(
        "hidden artefact that nothing releases",
        "    releases: [A-SUD-CREWLIST]\n",
        "",
        "artefacts[4].visible_to",
        "artefact 'A-SUD-CREWLIST' is hidden from players and nothing releases it",
        "visible_to: staff",
    ),
    Mistake(
        "artefact discovered through an instrument that cannot reach its country",
        "      - {instrument: EIO, to: KAL}",
        "      - {instrument: EPOC, to: VAR}",
        "artefacts[30].discovery[0].instrument",
        "EPOC is not available to VAR from any country, so A-KAL-BANK-01 can never be found that way",
        "{instrument: EPOC, to: VAR}",
        scenario="greenhouse",
        file="artefacts.yaml",
    ),
    Mistake(
        "not valid YAML",
        "  - id: T-06\n    title: ENDEX",
        "  - id: T-06\n    title: [ENDEX",
        "",
        "not valid YAML",
        '    at: "D2 16:30"',
    ),
    Mistake(
        "unknown instrument in an included file",
        "request: {instrument: SIENA, from: WES, to: KAL, state: sent}\n    delay: PT30M",
        "request: {instrument: EIOO, from: WES, to: KAL, state: sent}\n    delay: PT30M",
        "injects[15].trigger.request.instrument",
        "unknown instrument 'EIOO' (did you mean 'EIO'?)",
        "instrument: EIOO",
        scenario="greenhouse",
        file="injects.yaml",
    ),
    Mistake(
        "Markdown file that is not there",
        "body_file: injects/I-02.md",
        "body_file: injects/I-2.md",
        "injects[1].body_file",
        "cannot read 'injects/I-2.md': No such file or directory",
        "body_file: injects/I-2.md",
        scenario="greenhouse",
        file="injects.yaml",
    ),
    Mistake(
        "unknown artefact released by a SimCell answer",
        "releases: [A-KAL-BANK-01]\n      - outcome",
        "releases: [A-KAL-BANK-1]\n      - outcome",
        "responses[0].outcomes[1].releases[0]",
        "unknown artefact 'A-KAL-BANK-1' (did you mean 'A-KAL-BANK-01'?)",
        "A-KAL-BANK-1]",
        scenario="greenhouse",
        file="responses.yaml",
    ),
    Mistake(
        "a stand-in for a team its trigger does not ask",
        "stand_in_for: VAR   # when VAR is played",
        "stand_in_for: KAL   # when VAR is played",
        "injects[20].stand_in_for",
        "inject 'I-16' stands in for KAL's answer, so its trigger must be a request to KAL",
        "stand_in_for: KAL   # when VAR is played",
        scenario="greenhouse",
        file="injects.yaml",
    ),
    Mistake(
        "a stand-in for an unknown team",
        "stand_in_for: KAL   # when KAL is played, only if its FIU",
        "stand_in_for: KLA   # when KAL is played, only if its FIU",
        "injects[27].stand_in_for",
        "unknown team 'KLA' (did you mean 'KAL'?)",
        "stand_in_for: KLA",
        scenario="greenhouse",
        file="injects.yaml",
    ),
    Mistake(
        "an agency field on no side of the request",
        "side: source, agency_types: [prosecutor]}",
        "side: sauce, agency_types: [prosecutor]}",
        "instruments[1].fields[2].side",
        "unknown side 'sauce' (sides: source, target)",
        "side: sauce",
    ),
    Mistake(
        "an agency field offering an unknown agency type",
        "side: source, agency_types: [prosecutor]}",
        "side: source, agency_types: [prosecuter]}",
        "instruments[1].fields[2].agency_types[0]",
        "unknown agency type 'prosecuter' (did you mean 'prosecutor'?)",
        "prosecuter",
    ),
    Mistake(
        "a side on a field that names no agency",
        "{key: facts, type: text, min_length: 100}",
        "{key: facts, type: text, min_length: 100, side: target}",
        "instruments[1].fields[0].side",
        "side and agency_types are for fields of type agency",
        "side: target",
    ),
]


def broken(tmp_path: Path, mistake: Mistake) -> tuple[Path, int]:
    folder = tmp_path / mistake.scenario
    shutil.copytree(SCENARIOS / mistake.scenario, folder)
    file = folder / mistake.file
    text = file.read_text(encoding="utf-8")
    assert text.count(mistake.old) == 1, f"the edit of {mistake.name!r} must be unambiguous"
    edited = text.replace(mistake.old, mistake.new)
    file.write_text(edited, encoding="utf-8")
    assert edited.count(mistake.marker) >= 1
    line = edited[: edited.index(mistake.marker)].count("\n") + 1
    return folder, line


def assert_named_at_its_line(tmp_path: Path, mistake: Mistake) -> None:
    """Loading the scenario with `mistake` made fails with a problem at its path, saying its
    message, on the line of its marker."""
    folder, line = broken(tmp_path, mistake)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(folder)
    matching = [p for p in raised.value.problems if p.path == mistake.path and mistake.message in p.message]
    assert matching, "\n".join(map(str, raised.value.problems))
    assert matching[0].line == line


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_mistake_is_named_with_file_line_and_path(tmp_path: Path, mistake: Mistake) -> None:
    folder, line = broken(tmp_path, mistake)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(folder)
    matching = [p for p in raised.value.problems if p.path == mistake.path and mistake.message in p.message]
    assert matching, "\n".join(map(str, raised.value.problems))
    problem = matching[0]
    assert problem.file == str(folder / mistake.file)
    assert problem.line == line
    column = f":{problem.column}" if problem.column is not None else ""
    assert str(problem).startswith(f"{folder / mistake.file}:{line}{column} {mistake.path}".rstrip())


def test_there_are_at_least_15_kinds_of_mistake() -> None:
    assert len({m.name for m in MISTAKES}) >= 15


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "twin-ports"
    shutil.copytree(SCENARIOS / "twin-ports", folder)
    file = folder / "scenario.yaml"
    text = file.read_text(encoding="utf-8")
    names = {
        "unknown instrument in a trigger",
        "unknown team in an audience",
        "misspelt key",
        "impossible time",
    }
    for mistake in MISTAKES:
        if mistake.name in names:
            text = text.replace(mistake.old, mistake.new)
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(folder)
    paths = {p.path for p in raised.value.problems}
    assert {
        "injects[2].trigger.request.instrument",
        "injects[2].to",
        "injects[0].tilte",
        "injects[1].at",
    } <= paths


def test_the_error_text_reads_like_the_issue_example() -> None:
    problem = Problem(
        "greenhouse/injects.yaml", 214, "injects[12].trigger.instrument", "unknown instrument 'EIOO'"
    )
    assert (
        str(problem)
        == "greenhouse/injects.yaml:214 injects[12].trigger.instrument: unknown instrument 'EIOO'"
    )


def test_a_missing_scenario_file_is_a_problem_too(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path / "nowhere")
    assert raised.value.problems[0].message == "cannot read: No such file or directory"


def test_a_missing_section_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "scenario.yaml"
    file.write_text("id: tiny\ntitle: Tiny\ncountries:\n  - {id: A, name: Aland, route_role: origin}\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path)
    (problem,) = raised.value.problems
    assert str(problem) == f"{file}:1 roles: expected a non-empty list of roles"


UNITS = """\
id: newland
title: Newland hotspot
team_model: agency_units
countries:
  - id: NEW
    name: Newland
    route_role: destination
    agencies:
      - {id: NEW.CIU, name: Criminal Investigation Unit, type: police}
      - {id: NEW.LI, name: Labour Inspectorate, type: labour_inspectorate}
units:
  - {id: CIU, name: Criminal Investigation Unit, country: NEW, agency: NEW.CIU}
  - {id: LAB, name: Labour inspectors, country: NEW, agency: NEW.LIX}
roles:
  - {id: investigator, name: Investigator, agency_types: [police]}
"""


def test_agency_units_are_the_teams_and_their_agencies_must_exist() -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(UNITS, "newland.yaml")
    (problem,) = raised.value.problems
    assert (
        str(problem)
        == "newland.yaml:13:54 units[1].agency: unknown agency 'NEW.LIX' (did you mean 'NEW.LI'?)"
    )
    scenario = parse_scenario(UNITS.replace("NEW.LIX", "NEW.LI"), "newland.yaml")
    assert [u.id for u in scenario.units] == ["CIU", "LAB"]


def test_agency_units_need_units() -> None:
    text = UNITS[: UNITS.index("units:")] + UNITS[UNITS.index("roles:") :]
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "newland.yaml")
    assert [p.message for p in raised.value.problems] == [
        "team_model agency_units needs a list of units (the teams)"
    ]
