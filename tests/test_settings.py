"""Settings: each field parses from its LIAISON_ variable; bad values name it; the README has it."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from server.settings import PREFIX, Settings, SettingsError, setting_names

README = Path(__file__).resolve().parents[1] / "README.md"

SAMPLES: dict[type, tuple[str, Any]] = {
    bool: ("yes", True),
    int: ("4242", 4242),
    float: ("2.5", 2.5),
    str: ("  some-value ", "some-value"),
    Path: ("/srv/liaison", Path("/srv/liaison")),
    tuple: (" https://a.example , ,https://b.example", ("https://a.example", "https://b.example")),
}
"""For each field type: a raw environment value and what it parses to."""


def env_name(field_name: str) -> str:
    return PREFIX + field_name.upper()


def test_no_variables_give_the_defaults() -> None:
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env({"UNRELATED": "1", "LIAISON_UNKNOWN": "x"}) == Settings()


@pytest.mark.parametrize("field", fields(Settings), ids=lambda field: env_name(field.name))
def test_every_field_parses_from_its_variable(field: Any) -> None:
    (raw, expected), *_ = [SAMPLES[kind] for kind in type(field.default).__mro__ if kind in SAMPLES]
    settings = Settings.from_env({env_name(field.name): raw})
    assert getattr(settings, field.name) == expected
    assert type(getattr(settings, field.name)) is type(field.default)


def test_all_fields_at_once() -> None:
    settings = Settings.from_env(
        {
            "LIAISON_HOST": "0.0.0.0",
            "LIAISON_PORT": "0",
            "LIAISON_DATA_DIR": "data",
            "LIAISON_HELLO_TIMEOUT": "1",
            "LIAISON_WS_COMPRESSION": "off",
            "LIAISON_DEMO": "TRUE",
            "LIAISON_ALLOWED_ORIGINS": "",
        }
    )
    assert settings.host == "0.0.0.0"
    assert settings.port == 0
    assert settings.data_dir == Path("data")
    assert settings.hello_timeout == 1.0
    assert settings.ws_compression is False
    assert settings.demo is True
    assert settings.allowed_origins == ()


@pytest.mark.parametrize("raw", ["1", "0", "true", "False", " YES ", "no", "on", "Off"])
def test_booleans_accept_the_usual_spellings(raw: str) -> None:
    expected = raw.strip().lower() in {"1", "true", "yes", "on"}
    assert Settings.from_env({"LIAISON_DEMO": raw}).demo is expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("LIAISON_PORT", "eighty"),
        ("LIAISON_PORT", "80.5"),
        ("LIAISON_SEND_QUEUE", ""),
        ("LIAISON_HELLO_TIMEOUT", "soon"),
        ("LIAISON_PRESENCE_GRACE", "5s"),
        ("LIAISON_DEMO", "maybe"),
        ("LIAISON_WS_COMPRESSION", ""),
    ],
)
def test_a_bad_value_names_its_variable(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name}=") as failure:
        Settings.from_env({name: raw})
    assert repr(raw) in str(failure.value)
    assert isinstance(failure.value, ValueError)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_with_instance_id_fills_in_a_random_id_once() -> None:
    named = Settings(instance_id="a")
    assert named.with_instance_id() is named
    first, second = Settings().with_instance_id(), Settings().with_instance_id()
    assert first.instance_id
    assert first.instance_id != second.instance_id
    assert first.with_instance_id() is first


def test_setting_names_cover_every_field() -> None:
    assert setting_names() == [env_name(field.name) for field in fields(Settings)]
    assert all(name.startswith("LIAISON_") for name in setting_names())


def readme_table() -> dict[str, str]:
    """The README's settings table: variable -> default cell."""
    rows = re.findall(r"^\|\s*`(LIAISON_[A-Z0-9_]+)`\s*\|([^|]*)\|", README.read_text(), flags=re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def test_the_readme_lists_every_setting() -> None:
    table = readme_table()
    missing = [name for name in setting_names() if name not in table]
    assert not missing, f"README.md's settings table lacks {missing}"
    unknown = sorted(set(re.findall(r"\bLIAISON_[A-Z0-9_]+\b", README.read_text())))
    unknown = [name for name in unknown if name not in setting_names()]
    assert not unknown, f"README.md mentions variables that are no setting: {unknown}"


@pytest.mark.parametrize("field", fields(Settings), ids=lambda field: env_name(field.name))
def test_the_readme_gives_each_default(field: Any) -> None:
    cell = readme_table().get(env_name(field.name))
    if cell is None:
        pytest.skip("not in the README (test_the_readme_lists_every_setting fails)")
    if cell == "(empty)":
        assert not field.default
    else:
        # The default cell, read as the variable's value, gives the default.
        value = cell.strip("`")
        assert getattr(Settings.from_env({env_name(field.name): value}), field.name) == field.default
