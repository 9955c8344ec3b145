"""Fixtures for the browser tests: Debian's chromium driven by Playwright, real Liaison servers.

One browser per module; each test opens its own contexts (one per person, as on separate
laptops) and creates its own exercise on the module's server. A page that logs a JavaScript
error or a Content-Security-Policy violation fails the test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from server.adapters.redis_server import RedisProcess
from tests.e2e.servers import ServerProcess, code_of

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TABLET: ViewportSize = {"width": 768, "height": 1024}

# Console lines that are expected while a server is down: the browser reports the refused
# WebSocket connections the page retries.
EXPECTED_CONSOLE = re.compile(r"WebSocket connection to .* failed|ERR_CONNECTION_REFUSED")

expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def web_server(
    redis_process: RedisProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One instance for the module; tests create their own exercises (no flush under it)."""
    server = ServerProcess(redis_process.url, tmp_path_factory.mktemp("web-server"), "web").start()
    yield server
    server.stop()


@dataclass
class People:
    """Opens a page per person of one exercise, each in its own browser context."""

    browser: Browser
    server: ServerProcess
    created: dict[str, Any]
    contexts: list[BrowserContext] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def code(self, name: str) -> str:
        return code_of(self.created, name)

    def new_page(self, viewport: ViewportSize | None = None) -> Page:
        context = self.browser.new_context(viewport=viewport or DESKTOP)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", lambda message: self._console(message.type, message.text))
        page.on("dialog", self._dialog)
        return page

    def _console(self, kind: str, text: str) -> None:
        if kind == "error" and not EXPECTED_CONSOLE.search(text):
            self.problems.append(f"console error: {text}")
        if "Content Security Policy" in text:
            self.problems.append(f"CSP: {text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        if dialog.type == "confirm":
            dialog.accept()
        else:
            dialog.dismiss()

    def open(self, name: str, viewport: ViewportSize | None = None) -> Page:
        """Join as `name` through a join link and wait until their page is live."""
        page = self.new_page(viewport)
        page.goto(f"{self.server.url}/#code={self.code(name)}")
        expect(page.locator("#who-name")).to_have_text(name)
        page.locator("#continue").click()  # rather than wait for the automatic step
        page.wait_for_url(re.compile(r"/(station|console|observer)$"))
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        expect(page.locator("#me-name")).to_have_text(name)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people_on(browser: Browser) -> Iterator[Callable[[ServerProcess], People]]:
    """`people_on(server)` creates an exercise there; pages may log no error and open no dialog."""
    made: list[People] = []

    def make(server: ServerProcess, roster: list[dict[str, Any]] | None = None) -> People:
        people = People(browser, server, server.create_exercise(roster))
        made.append(people)
        return people

    yield make
    for people in made:
        people.close()
    for people in made:
        assert people.problems == [], people.problems
        assert all(d.startswith("confirm") for d in people.dialogs), people.dialogs


@pytest.fixture
def people(people_on: Callable[[ServerProcess], People], web_server: ServerProcess) -> People:
    return people_on(web_server)
