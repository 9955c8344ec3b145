"""The README's first quick-start command works as written in a fresh copy of the project.

It copies the project (what git tracks or would track) into an empty folder with no virtual
environment, runs `./scripts/start`, waits for the banner with the demo join codes, joins the
demo exercise with one of them over the WebSocket, then stops it with Ctrl+C (SIGINT) and
checks that its embedded Redis went with it. The second command, `./scripts/test`, is what CI
runs (`.ci/run`), so every CI run shows it works.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
from playwright.sync_api import expect, sync_playwright

from tests.e2e.wire import Wire
from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent


def _copy_project(target: Path) -> None:
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert block.split() == ["./scripts/start", "./scripts/test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test" in ci
    assert "apt-get install -y redis-server redis-sentinel chromium poppler-utils" in ci


async def test_scripts_start_installs_and_serves_the_demo_in_a_fresh_copy(tmp_path: Path) -> None:
    project = tmp_path / "liaison"
    _copy_project(project)
    assert not (project / ".venv").exists()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "VIRTUAL_ENV"))}
    log = (tmp_path / "start.log").open("wb")
    process = subprocess.Popen(
        ["./scripts/start", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output = _wait_for(tmp_path / "start.log", "Stop with Ctrl+C", within=240, process=process)
        assert f"http://127.0.0.1:{port}" in output
        codes = dict(
            re.findall(r"^\s+([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\s+(.+?)\s{2,}", output, re.M)
        )
        assert len(codes) == 11, output
        police = next(code for code, name in codes.items() if name == "Nils Berg")
        wire = await Wire.join(f"ws://127.0.0.1:{port}/ws", police)
        assert wire.welcome is not None
        assert wire.welcome["me"]["team"] == "NOR"
        assert (await wire.command("message.post", text="hello from the quick start"))["ok"]
        await wire.close()
        pages = await asyncio.to_thread(_follow_the_printed_links, output)
        assert pages == {"Nils Berg": "/station", "Carl Controller": "/console", "Mona Mentor": "/observer"}
        redis_children = [
            p for p in psutil.Process(process.pid).children(recursive=True) if "redis-server" in p.name()
        ]
        assert redis_children, "no embedded redis-server was started"
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError(
                f"scripts/start still ran 20 s after Ctrl+C:\n{_after_banner(tmp_path / 'start.log')}"
            ) from None
        finally:
            log.close()
    assert process.returncode in (0, -signal.SIGINT, 130)
    stopping = _after_banner(tmp_path / "start.log")
    assert "redis.exited" not in stopping, f"Redis went down before Liaison did:\n{stopping}"
    assert "redis.stopped" in stopping, stopping
    for child in redis_children:
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, (
            "redis-server outlived Liaison"
        )


def _follow_the_printed_links(output: str) -> dict[str, str]:
    """Open the join links the banner printed, as a new user would, in Debian's chromium."""
    rows = re.findall(r"^\s+\S{19}\s+(.+?)\s{2,}.*?(http://\S+/#code=\S+)$", output, re.M)
    wanted = {name: link for name, link in rows if name in ("Nils Berg", "Carl Controller", "Mona Mentor")}
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not installed (.ci/run installs it)"
    reached: dict[str, str] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-background-networking"]
        )
        for name, link in wanted.items():
            page = browser.new_page()
            page.goto(link)
            page.wait_for_url(re.compile(r"/(station|console|observer)$"), timeout=20_000)
            expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            expect(page.locator("#me-name")).to_have_text(name)
            reached[name] = "/" + page.url.rsplit("/", 1)[1]
            page.close()
        browser.close()
    return reached


def _after_banner(path: Path) -> str:
    return path.read_text(errors="replace").split("Stop with Ctrl+C", 1)[-1]


def _wait_for(path: Path, text: str, *, within: float, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        output = path.read_text(errors="replace")
        if text in output:
            return output
        if process.poll() is not None:
            raise AssertionError(f"scripts/start exited with {process.returncode}:\n{output}")
        time.sleep(0.2)
    raise AssertionError(f"no {text!r} after {within} s:\n{path.read_text(errors='replace')}")
