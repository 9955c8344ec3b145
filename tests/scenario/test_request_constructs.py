"""The request constructs of a scenario (several deadlines per instrument, for played or SimCell
receivers; consent to onward use; fields required because of another field): each mistake is
named with file, line and path, and says what to change; the good forms load as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.scenario import Consent, Deadline, RequiredIf
from server.scenario.loader import load_scenario
from tests.scenario.test_broken import Mistake, assert_named_at_its_line, broken

POLICE_DEADLINE = '- {stage: answered, legal: "none", game: PT1H, urgent: PT20M}'
MLA_DEADLINE = '- {stage: executed, legal: "as soon as possible", game: next_morning}'
URGENT_FIELD = "- {key: urgent, type: bool, required: false}"

MISTAKES = [
    Mistake(
        "a deadline for a stage not in the lifecycle",
        MLA_DEADLINE,
        '- {stage: excuted, legal: "as soon as possible", game: next_morning}',
        "instruments[1].deadlines[0].stage",
        "unknown stage 'excuted' in the deadlines of MLA: not in its lifecycle (draft, validated, sent, "
        "acknowledged, clarification_requested, executed, refused, closed) (did you mean 'executed'?)",
        "excuted",
    ),
    Mistake(
        "a deadline for an unknown kind of receiver",
        POLICE_DEADLINE,
        '- {stage: answered, legal: "none", game: PT1H, receiver: simcel}',
        "instruments[0].deadlines[0].receiver",
        "unknown receiver 'simcel': played (a team plays the receiving side) or simcell",
        "receiver: simcel",
    ),
    Mistake(
        "two deadlines for one stage and receiver",
        POLICE_DEADLINE,
        POLICE_DEADLINE + '\n      - {stage: answered, legal: "1 hour", game: PT2H, receiver: played}',
        "instruments[0].deadlines[1].stage",
        "POLICE_MSG has two deadlines for stage 'answered' and played receivers",
        "receiver: played",
    ),
    Mistake(
        "required_if naming a field the form does not have",
        URGENT_FIELD,
        URGENT_FIELD + "\n      - {key: reason, type: text, required_if: {field: urgnt, in: [true]}}",
        "instruments[0].fields[2].required_if.field",
        "POLICE_MSG.reason is required if 'urgnt' holds a value, but POLICE_MSG has no other field 'urgnt'",
        "field: urgnt",
    ),
    Mistake(
        "required_if on a value the field cannot hold",
        "- {key: measures, type: multiselect, choices: [hearing_witness, bank_records, search]}",
        "- {key: measures, type: multiselect, choices: [hearing_witness, bank_records, search]}\n"
        "      - {key: grounds, type: text, required_if: {field: measures, in: [serach]}}",
        "instruments[1].fields[2].required_if.in[0]",
        "'serach' is not a value of MLA.measures (choices: hearing_witness, bank_records, search) "
        "(did you mean 'search'?): the condition could never hold",
        "in: [serach]",
    ),
    Mistake(
        "required_if on a text field",
        URGENT_FIELD,
        URGENT_FIELD + "\n      - {key: reason, type: text, required_if: {field: question, in: [x]}}",
        "instruments[0].fields[2].required_if.field",
        "'question' is a text field: name an enum, multiselect or bool field",
        "field: question",
    ),
    Mistake(
        "consent granted by an unknown side",
        "    output: evidence\n",
        "    output: evidence\n    consent: {granted_by: sender}\n",
        "instruments[1].consent.granted_by",
        "unknown side 'sender': requester (for what the request tells), receiver (for what the answer "
        "releases) or both",
        "granted_by: sender",
    ),
    Mistake(
        "consent to an unknown use",
        "    output: evidence\n",
        "    output: evidence\n    consent: {granted_by: receiver, uses: [evidense]}\n",
        "instruments[1].consent.uses[0]",
        "unknown use 'evidense': evidence (used as evidence in proceedings) or onward",
        "evidense",
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_request_mistake_is_named_with_file_line_and_path(tmp_path: Path, mistake: Mistake) -> None:
    assert_named_at_its_line(tmp_path, mistake)


def test_the_request_constructs_load_as_written(tmp_path: Path) -> None:
    good = Mistake(
        "all of them",
        POLICE_DEADLINE,
        '- {stage: answered, legal: "none", game: PT1H, urgent: PT20M, receiver: played}\n'
        '      - {stage: answered, legal: "none", game: PT30M, receiver: simcell}',
        "",
        "",
        "receiver: simcell",
    )
    folder, _ = broken(tmp_path, good)
    file = folder / "scenario.yaml"
    text = file.read_text(encoding="utf-8")
    text = text.replace(
        URGENT_FIELD,
        URGENT_FIELD + "\n      - {key: why_urgent, type: text, required_if: {field: urgent, in: [true]}}",
    ).replace("    output: intelligence\n", "    output: intelligence\n    consent: {granted_by: both}\n", 1)
    file.write_text(text, encoding="utf-8")
    scenario = load_scenario(folder)
    police = scenario.instrument("POLICE_MSG")
    assert police is not None
    assert police.deadlines[0].receiver == "played" and police.deadlines[1] == Deadline(
        "answered", "none", police.deadlines[1].game, None, "simcell"
    )
    why = police.field("why_urgent")
    assert why is not None and not why.required and why.required_if == RequiredIf("urgent", ("true",))
    assert police.consent == Consent(granted_by="both", uses=("evidence", "onward"))
