"""Render the README's screenshots of the web pages from the flagship exercise in play.

    .venv/bin/python scripts/screenshots.py

Starts `python -m server serve` with an embedded Redis in a temporary folder, creates Operation
Greenhouse with its 200-person roster, opens a Westrian police station, the control console and
Westria's mentor dashboard in Debian's chromium (Playwright), plays the first morning through
the SDK (STARTEX, Ion's interview, a urgent SIENA request to Kalmaria) and writes
docs/screenshots/station.png, console.png and observer.png at 1280x800, and station-phone.png,
console-390.png and observer-390.png on a phone (390x844); then follows the console's Debrief
link and writes docs/screenshots/debrief.png (as Westria's team, at the latest moment) and
debrief-390.png.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from clients.sdk import Client

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


def wait_healthy(base: str, server: subprocess.Popen[bytes], data: Path, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{(data / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer")


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
        [sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
    )


def create_flagship(base: str, data: Path, within: float = 30) -> dict[str, str]:
    """Create Operation Greenhouse with its 200-person roster; the join codes by name."""
    deadline = time.monotonic() + within
    while not (data / "admin-token").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    token = (data / "admin-token").read_text().strip()
    body = {
        "id": "greenhouse",
        "scenario": "greenhouse",
        "roster": {"csv": (ROOT / "scenarios" / "greenhouse" / "roster.csv").read_text()},
    }
    request = urllib.request.Request(  # noqa: S310 - our own server
        base + "/api/exercises",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        created: dict[str, Any] = json.loads(answer.read())
    return {c["name"]: c["code"] for c in created["codes"]}


def open_as(browser: Browser, base: str, code: str, viewport: ViewportSize = VIEWPORT) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{base}/#code={code}")
    page.wait_for_url(lambda url: url.endswith(("/station", "/console", "/observer")))
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page


async def drive(ws: str, codes: dict[str, str]) -> None:
    """A morning of Operation Greenhouse, through the SDK: what the pages then show."""
    people = [
        "Ruth Adler",
        "Anna Albers",
        "Sven Albers",
        "Adam Adamek",
        "Pieter Falk",
        "Petra Holub",
        "Ilse Maren",
    ]
    clients = {name: Client(ws, code=codes[name], name=name) for name in people}
    for client in clients.values():
        await client.open()
    try:
        director, anna, sven, adam = (
            clients[n] for n in ("Ruth Adler", "Anna Albers", "Sven Albers", "Adam Adamek")
        )
        await director.command("exercise.ready")
        await director.command("exercise.start")
        await director.command("clock.jump", to="D1 10:55")  # I-01 to I-04 are out: Ion has been heard
        await director.command("clock.speed", speed=2)
        await anna.command(
            "message.post",
            text="Ion names 'Viktor' and a Kalmarian number, +KAL 7730 552 417. Asking Kalmaria now.",
        )
        await sven.command(
            "message.post", text="Separated Ion from Andrei; interpreter on the way, shelter place requested."
        )
        await sven.command("action.take", action="separate_from_exploiter", subject="CH-ION")
        siena = await anna.command(
            "request.draft",
            instrument="SIENA",
            to="KAL",
            subject="Phone +KAL 7730 552 417 and KalStaff s.r.o.",
            urgent=True,
            fields={
                "urgency": "urgent_direct",
                "info_requested": (
                    "Subscriber of +KAL 7730 552 417; registry and bank of KalStaff s.r.o.;"
                    " crossings of VS-2211."
                ),
                "purpose": "Trafficking investigation GreenSun (Ostvale)",
                "link_person_purpose": "Number given by the victim Ion P. as the driver Viktor's",
                "offence": "Trafficking in human beings for labour exploitation",
                "handling_code": "H2",
                "copy_europol": True,
            },
        )
        await anna.command("request.send", request=siena["request"])
        await adam.command("request.acknowledge", request=siena["request"])
        await clients["Pieter Falk"].command(
            "message.control", text="Can the hospital social worker join the interview at 11:30?"
        )
    finally:
        for client in clients.values():
            await client.close()


def play(browser: Browser, base: str, codes: dict[str, str]) -> dict[str, Page]:
    console = open_as(browser, base, codes["Marek Sill"])
    observer = open_as(browser, base, codes["Liesel Kranz"])
    station = open_as(browser, base, codes["Anna Albers"])
    phone = open_as(browser, base, codes["Sven Albers"], PHONE)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, drive(base.replace("http://", "ws://") + "/ws", codes)).result()
    expect(station.locator("#clock-status")).to_have_text("Running")
    expect(station.locator("body")).to_contain_text("SIENA")
    expect(phone.locator("body")).to_contain_text("SIENA")
    return {"station": station, "console": console, "observer": observer, "station-phone": phone}


def debrief(console: Page) -> None:
    """The debrief page, opened from the console, seen as Westria's team at the latest moment."""
    console.set_viewport_size(VIEWPORT)
    console.locator("#debrief-link").click()
    console.wait_for_url(lambda url: url.endswith("/debrief"))
    expect(console.locator("#viewpoint option").first).to_have_text("Control (staff)")
    console.locator("#viewpoint").select_option("team:WES")  # Anna's team: its SIENA to Kalmaria
    expect(console.locator("#replay-map path.arrow")).not_to_have_count(0)
    for name, viewport in (("debrief", VIEWPORT), ("debrief-390", PHONE)):
        console.set_viewport_size(viewport)
        console.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
        console.screenshot(path=str(OUT / f"{name}.png"))
        print(f"wrote {OUT / f'{name}.png'}")


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
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, server, data)
            codes = create_flagship(base, data)
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True
                )
                pages = play(browser, base, codes)
                for name, page in pages.items():
                    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
                    page.screenshot(path=str(OUT / f"{name}.png"))
                    print(f"wrote {OUT / f'{name}.png'}")
                for name in ("console", "observer"):  # and on a phone, 390 px wide
                    page = pages[name]
                    page.set_viewport_size(PHONE)
                    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
                    page.screenshot(path=str(OUT / f"{name}-390.png"))
                    print(f"wrote {OUT / f'{name}-390.png'}")
                debrief(pages["console"])
                browser.close()
        finally:
            server.terminate()
            server.wait(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
