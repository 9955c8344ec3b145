"""Render the README's screenshots of the web pages from the demo exercise.

    .venv/bin/python scripts/screenshots.py

Starts `python -m server serve --demo` with an embedded Redis in a temporary folder, joins the
demo's people in Debian's chromium (Playwright), plays a few minutes of the twin-ports case and
writes docs/screenshots/station.png, console.png and observer.png at 1280x800.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIAISON_")}
    env |= {"LIAISON_DATA_DIR": str(data), "LIAISON_PORT": str(port), "LIAISON_LOG_FORMAT": "json"}
    log = (data / "server.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--demo"], cwd=ROOT, env=env, stdout=log, stderr=log
    )


def wait_for_codes(data: Path, server: subprocess.Popen[bytes], within: float = 30) -> list[dict[str, Any]]:
    saved = data / "demo-codes.json"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{(data / 'server.log').read_text()}")
        if saved.exists() and saved.stat().st_size:
            codes: list[dict[str, Any]] = json.loads(saved.read_text())
            return codes
        time.sleep(0.1)
    raise SystemExit("the demo exercise did not appear")


def open_as(browser: Browser, base: str, code: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(f"{base}/#code={code}")
    page.wait_for_url(lambda url: url.endswith(("/station", "/console", "/observer")))
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page


def post(page: Page, text: str) -> None:
    page.get_by_label("Message to your team").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages .text").filter(has_text=text)).to_have_count(1)


def announce(console: Page, text: str, team: str | None = None) -> None:
    if team:
        console.get_by_label("Teams", exact=True).check()
        console.locator("#audience-teams").get_by_label(team).check()
    else:
        console.get_by_label("Everyone").check()
    console.get_by_label("Text").fill(text)
    console.get_by_role("button", name="Send announcement").click()
    expect(console.locator("#log .entry-detail").filter(has_text=text)).to_have_count(1)
    if team:
        console.locator("#audience-teams").get_by_label(team).uncheck()
        console.get_by_label("Everyone").check()


def play(browser: Browser, base: str, codes: dict[str, str]) -> dict[str, Page]:
    console = open_as(browser, base, codes["Carl Controller"])
    observer = open_as(browser, base, codes["Mona Mentor"])
    nils = open_as(browser, base, codes["Nils Berg"])
    nora = open_as(browser, base, codes["Nora Lind"])
    sara = open_as(browser, base, codes["Sara Costa"])
    open_as(browser, base, codes["Sofia Reyes"])

    console.get_by_role("button", name="Mark ready").click()
    console.get_by_role("button", name="Start", exact=True).click()
    expect(nils.locator("#clock-status")).to_have_text("Running")
    console.get_by_label("Jump to").fill("D1 09:40")
    console.get_by_role("button", name="Jump", exact=True).click()
    console.get_by_label("Clock speed").fill("4")
    console.get_by_role("button", name="Set speed").click()

    announce(
        console,
        "Welcome to Twin Ports. Teams work from their stations;"
        " requests to the other country go through control.",
    )
    post(nils, "Harbour CCTV: the white van boarded MV Aurora at 06:10 with four passengers in the back.")
    post(
        nora,
        "I'll open a case file and check whether the prosecutor's office"
        " already has anything on the van's owner.",
    )
    announce(
        console,
        "Norland: the harbour master can see you at 11:00 about the ferry's passenger list.",
        team="Norland",
    )
    post(sara, "Border police in Sudria report the same van at the arrivals gate, 09:25.")
    post(nils, "Ola, can you contact the NGO shelter in case the passengers need support on arrival?")
    console.get_by_label("Name").fill("Lena Holm")
    console.locator("#add-team").select_option("SUD")
    console.locator("#add-role").select_option(index=2)
    console.get_by_role("button", name="Add and issue code").click()
    expect(console.locator("#codes .code-card")).to_have_count(1)
    return {"station": nils, "console": console, "observer": observer}


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("screenshots: chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="liaison-screenshots-") as folder:
        data = Path(folder)
        port = free_port()
        server = start_server(data, port)
        try:
            codes = {c["name"]: c["code"] for c in wait_for_codes(data, server)}
            base = f"http://127.0.0.1:{port}"
            with urllib.request.urlopen(base + "/healthz", timeout=5):  # noqa: S310 - our own server
                pass
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True
                )
                pages = play(browser, base, codes)
                for name, page in pages.items():
                    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
                    page.screenshot(path=str(OUT / f"{name}.png"))
                    print(f"wrote {OUT / f'{name}.png'}")
                browser.close()
        finally:
            server.terminate()
            server.wait(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
