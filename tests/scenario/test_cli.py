"""`liaison scenario validate | show | msel export | msel import`, through the real CLI entry point."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from server.cli import main
from server.scenario.loader import load_scenario
from server.scenario.msel import format_offset, parse_offset

SCENARIOS = Path(__file__).parents[2] / "scenarios"
GREENHOUSE = SCENARIOS / "greenhouse"


def test_validate_says_valid_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "validate", str(GREENHOUSE)]) == 0
    out = capsys.readouterr().out
    assert "valid scenario 'greenhouse' (3 countries, 8 roles, 18 instruments, 38 injects)" in out


def test_validate_lists_every_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "twin-ports"
    shutil.copytree(SCENARIOS / "twin-ports", folder)
    file = folder / "scenario.yaml"
    text = file.read_text().replace("instrument: POLICE_MSG, from: SUD", "instrument: POLICE_MSGG, from: SUD")
    file.write_text(text.replace("title: STARTEX pack", "tilte: STARTEX pack"))
    assert main(["scenario", "validate", str(folder)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(
        line.startswith(
            f"{file}:170:25 injects[2].trigger.request.instrument: unknown instrument 'POLICE_MSGG'"
        )
        for line in err
    )
    assert any(line.startswith(f"{file}:147:5 injects[0].tilte: unknown key 'tilte'") for line in err)
    assert err[-1] == f"{len(err) - 1} problem(s) in {folder}"


def test_show_prints_countries_teams_roles_the_matrix_and_the_msel(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scenario", "show", str(GREENHOUSE)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Operation Greenhouse")
    assert lines[0].endswith("Kalmaria\N{EN DASH}Westria route (greenhouse)")
    for heading in ("COUNTRIES", "TEAMS AND ROLES", "INSTRUMENT MATRIX (from → to: available instruments)"):
        assert heading in lines
    assert "  team WES   Westria: 67 seats" in out
    matrix = [line for line in lines if " → " in line and line.startswith("    ")]
    assert len(matrix) == 9  # six pairs, then the three countries' domestic instruments
    assert "    KAL → KAL   NRM_REFERRAL (domestic)" in lines
    assert any(
        line.startswith("    WES → VAR   INTERPOL_MSG") and "EIO" not in line.split() for line in matrix
    )
    assert any("WES → KAL" in line and "EIO," in line and "SIENA," in line for line in matrix)
    msel_at = lines.index("MSEL (38 injects, simulated time)")
    rows = lines[msel_at + 2 :]
    assert len(rows) == 38
    assert {re.findall(r"I-\d\d[a-z]?", row)[0] for row in rows} >= {f"I-{n:02d}" for n in range(1, 31)}
    assert rows[0].split()[:4] == ["D1", "08:30", "I-01", "document"]
    assert rows[-1].split()[:2] == ["-", "I-15b"]  # manual, no planned time: last


def test_show_of_a_broken_scenario_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "show", str(tmp_path)]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_relative_times() -> None:
    assert format_offset(0) == "D+0 H+0 M+0"
    assert format_offset(86_400 + 2 * 3600 + 30 * 60) == "D+1 H+2 M+30"
    assert parse_offset("D+1 H+2 M+30") == 86_400 + 9000
    with pytest.raises(ValueError, match="like 'D\\+1 H\\+2 M\\+30'"):
        parse_offset("tomorrow")
    with pytest.raises(ValueError, match="hours go to 23"):
        parse_offset("D+0 H+24 M+0")


def test_msel_export_is_a_csv_in_relative_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "msel.csv"
    assert main(["scenario", "msel", "export", str(GREENHOUSE), "--out", str(out)]) == 0
    assert f"wrote 38 injects to {out}" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    by_id = {row["id"]: row for row in rows}
    assert by_id["I-01"]["time"] == "D+0 H+0 M+0"
    assert by_id["I-02"]["time"] == "D+0 H+0 M+30"
    assert by_id["I-12"]["time"] == "D+1 H+0 M+0"
    assert by_id["I-13"]["trigger"] == "SIENA WES→KAL sent"
    assert by_id["I-15b"]["time"] == ""
    assert by_id["I-02"]["to"] == "WES: ngo_worker, police, social_worker"
    assert main(["scenario", "msel", "export", str(GREENHOUSE)]) == 0
    assert capsys.readouterr().out == out.read_text()


@pytest.mark.parametrize("name", ["greenhouse", "twin-ports"])
def test_the_msel_round_trips_to_an_equal_scenario(tmp_path: Path, name: str) -> None:
    sheet = tmp_path / "msel.csv"
    assert main(["scenario", "msel", "export", str(SCENARIOS / name), "--out", str(sheet)]) == 0
    copy = tmp_path / "copy"
    assert main(["scenario", "msel", "import", str(SCENARIOS / name), str(sheet), "--out", str(copy)]) == 0
    assert load_scenario(copy) == load_scenario(SCENARIOS / name)


def test_an_edited_sheet_retimes_retitles_adds_and_removes(tmp_path: Path) -> None:
    folder = tmp_path / "greenhouse"
    shutil.copytree(GREENHOUSE, folder)
    sheet = tmp_path / "msel.csv"
    assert main(["scenario", "msel", "export", str(folder), "--out", str(sheet)]) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text())))
    for row in rows:
        if row["id"] == "I-05":
            row.update(time="D+0 H+3 M+0", title="Neighbour calls again", body="She calls a second time.")
    rows = [row for row in rows if row["id"] != "I-29"]
    rows.append(dict.fromkeys(rows[0], "") | {
        "id": "I-31", "time": "D+2 H+7 M+0", "title": "Closing words", "channel": "meeting",
        "from": "Exercise director", "to": "all", "body": "Thank you all; certificates at the desk.",
    })  # fmt: skip
    with sheet.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["scenario", "msel", "import", str(folder), str(sheet)]) == 0
    scenario = load_scenario(folder)
    injects = {i.id: i for i in scenario.injects}
    assert injects["I-05"].at == 11 * 3600 + 30 * 60
    assert (injects["I-05"].title, injects["I-05"].body) == (
        "Neighbour calls again",
        "She calls a second time.",
    )
    assert injects["I-05"].expected_actions == ("welfare_check",)  # kept from the scenario
    assert "I-29" not in injects
    assert injects["I-31"].at == 2 * 86_400 + 15 * 3600 + 30 * 60
    assert injects["I-02"].body == load_scenario(GREENHOUSE).injects[1].body  # its Markdown file is kept
    assert "body_file: injects/I-02.md" in (folder / "injects.yaml").read_text()


def test_a_bad_sheet_is_refused_with_its_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "msel.csv"
    sheet.write_text(
        "id,time,title,channel,from,to,trigger,body\n"
        "T-01,D+0 H+0 M+0,Start,document,Control,all,,Hello\n"
        "T-02,tomorrow,Next,call,Harbour,: police,,Text\n"
    )
    folder = tmp_path / "twin-ports"
    shutil.copytree(SCENARIOS / "twin-ports", folder)
    before = (folder / "scenario.yaml").read_text()
    assert main(["scenario", "msel", "import", str(folder), str(sheet)]) == 1
    err = capsys.readouterr().err
    assert f"{sheet}:3 row 2.time: expected a time after STARTEX like 'D+1 H+2 M+30', got 'tomorrow'" in err
    assert f"{sheet}:3 row 2.to: expected all, staff or 'TEAM: role, role; TEAM'" in err
    assert (folder / "scenario.yaml").read_text() == before


def test_an_import_that_breaks_the_scenario_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "msel.csv"
    sheet.write_text("id,time,title,channel,from,to,body\nT-01,D+0 H+0 M+0,Start,document,Control,all,Hi\n")
    out = tmp_path / "out"
    assert (
        main(["scenario", "msel", "import", str(SCENARIOS / "twin-ports"), str(sheet), "--out", str(out)])
        == 1
    )
    err = capsys.readouterr().err
    assert "requests[0].unlocks[0]: unknown inject 'T-03'" in err  # R1 unlocks T-03, which the sheet removed
    assert not out.exists()  # nothing written


def test_import_of_a_missing_sheet_or_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "msel", "import", str(SCENARIOS / "twin-ports"), str(tmp_path / "no.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err
    sheet = tmp_path / "msel.csv"
    sheet.write_text("id,colour\nT-01,D+0 H+0 M+0\n")
    assert main(["scenario", "msel", "import", str(SCENARIOS / "twin-ports"), str(sheet)]) == 1
    assert "missing columns: body, channel, from, time, title, to" in capsys.readouterr().err


def test_export_of_a_broken_scenario_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "msel", "export", str(tmp_path)]) == 1
    assert "problem(s)" in capsys.readouterr().err


def test_validate_warns_about_role_player_directions_in_a_trainee_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 11, item 4: "*Scene:* role-players Ion ... If the team brings the interpreter, he ..."
    # reached the trainees. Such text belongs in `roleplay`; the validator says so, and passes.
    folder = tmp_path / "twin-ports"
    shutil.copytree(SCENARIOS / "twin-ports", folder)
    file = folder / "scenario.yaml"
    text = file.read_text()
    scene = "      He speaks only Norlandic, has no passport and shows cuts on both hands.\n"
    assert text.count(scene) == 1
    text = text.replace(scene, scene + "\n      *Scene:* Erik hides under a desk.\n")
    text = text.replace(
        '    body: "The skipper came for Erik',
        '    body: "At noon, as if the team were late, the skipper came for Erik',
    )
    file.write_text(text)
    assert main(["scenario", "validate", str(folder)]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, captured.err  # T-05's "if the team" is mid-sentence: a story, not a direction
    assert f"{file}:159:5 injects[1].body: inject 'T-02' goes to trainees" in warnings[0]
    assert "('*Scene:* Erik hides under a desk.'): move it to `roleplay`, which only staff see" in warnings[0]
    assert "valid scenario 'twin-ports'" in captured.out


def test_the_shipped_scenarios_keep_role_player_briefs_out_of_trainee_texts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for folder in (GREENHOUSE, SCENARIOS / "twin-ports"):
        assert main(["scenario", "validate", str(folder)]) == 0
        assert "warning:" not in capsys.readouterr().err, folder
    greenhouse = load_scenario(GREENHOUSE)
    briefs = {i.id: i.roleplay for i in greenhouse.injects if i.roleplay}
    assert sorted(briefs) == ["I-02", "I-04", "I-08", "I-24"]
    assert "Mr. Lupan" in briefs["I-02"] and "Mr. Lupan" not in next(
        i.body for i in greenhouse.injects if i.id == "I-02"
    )
