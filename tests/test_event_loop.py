"""`LIAISON_EVENT_LOOP`: which loop `liaison serve` runs on."""

from __future__ import annotations

import asyncio

import pytest

from server.adapters.event_loop import event_loop_factory
from server.settings import SettingsError


def test_asyncio_means_the_default_loop() -> None:
    assert event_loop_factory("asyncio") is None


def test_uvloop_when_asked_and_installed() -> None:
    uvloop = pytest.importorskip("uvloop")
    factory = event_loop_factory("uvloop")
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_auto_runs_a_working_loop() -> None:
    with asyncio.Runner(loop_factory=event_loop_factory("auto")) as runner:
        assert runner.run(asyncio.sleep(0, result=42)) == 42


def test_a_wrong_value_names_the_setting_and_the_choices() -> None:
    with pytest.raises(SettingsError, match=r"LIAISON_EVENT_LOOP='fast': expected auto, uvloop or asyncio"):
        event_loop_factory("fast")
