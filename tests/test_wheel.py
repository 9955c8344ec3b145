"""The wheel is the whole server: built with `python -m build`, installed into a fresh venv,
`liaison serve --demo` runs from it, away from the sources.

It checks that every file the server reads at run time (web assets of every type, the Lua
scripts, the shipped scenarios) is in the wheel, then starts the installed command in an
empty folder and uses it as a new user would: /healthz, /readyz, the favicon, a join code from
the banner answered with a welcome over /ws, and the image's HEALTHCHECK command.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.e2e.wire import Wire
from tests.support import free_port
from tests.test_compose import dockerfile_healthcheck

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_FOLDERS = ("server", "clients/web", "scenarios")


def _tracked_runtime_files() -> set[str]:
    """The files git tracks under the folders the server reads, other than Python sources."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *RUNTIME_FOLDERS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {name for name in listed if not name.endswith((".py", ".pyc")) and (ROOT / name).is_file()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    (path,) = out.glob("liaison-*.whl")
    return path


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_wheel_carries_every_file_the_server_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_tracked_runtime_files() - names)
    assert not missing, f"not in the wheel: {missing}"
    assert "clients/web/assets/favicon.svg" in names
    assert "server/adapters/append.lua" in names
    assert "scenarios/twin-ports/roster.csv" in names


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "VIRTUAL_ENV", "PYTHON"))}


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel (and its dependencies) installed; its folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    where = subprocess.run(
        [str(python), "-c", "import server, scenarios, clients; print(server.__file__, scenarios.__file__)"],
        cwd=env_dir,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where and "site-packages" in where, where
    return env_dir


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_liaison_serve_demo_runs_from_the_installed_wheel(
    installed: Path, tmp_path: Path, redis_url: str
) -> None:
    python = installed / "bin" / "python"
    empty = tmp_path / "elsewhere"  # no sources here: only the installed package can be used
    empty.mkdir()
    env = _clean_env()
    port = free_port()
    env |= {
        "LIAISON_REDIS_URL": redis_url,
        "LIAISON_DATA_DIR": str(tmp_path / "data"),
        "LIAISON_LOG_FORMAT": "json",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(installed / "bin" / "liaison"), "serve", "--demo", "--port", str(port)],
            cwd=empty,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        output = _wait_for(log_path, "Stop with Ctrl+C", within=60, process=process)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            assert (await http.get("/healthz")).status_code == 200
            assert (await http.get("/readyz")).json()["status"] == "ready"
            favicon = await http.get("/assets/favicon.svg")
            assert favicon.status_code == 200
            assert favicon.headers["content-type"].startswith("image/svg+xml")
            assert (await http.get("/")).status_code == 200
            assert (await http.get("/assets/js/app.js")).status_code == 200
        codes = dict(re.findall(r"^\s+(\S{4}-\S{4}-\S{4}-\S{4})\s+(.+?)\s{2,}", output, re.M))
        assert len(codes) == 11, output
        police = next(code for code, name in codes.items() if name == "Nils Berg")
        wire = await Wire.join(f"ws://127.0.0.1:{port}/ws", police)
        assert wire.welcome is not None
        assert wire.welcome["me"]["team"] == "NOR"
        await wire.close()
        check = dockerfile_healthcheck()
        healthy = await asyncio.to_thread(
            subprocess.run,
            [str(python), *check[1:]],
            env={**env, "LIAISON_PORT": str(port)},
            timeout=10,
            check=False,
        )
        assert healthy.returncode == 0
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


def _wait_for(path: Path, text: str, *, within: float, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        output = path.read_text(errors="replace")
        if text in output:
            return output
        if process.poll() is not None:
            raise AssertionError(f"liaison serve exited with {process.returncode}:\n{output}")
        time.sleep(0.2)
    raise AssertionError(f"no {text!r} after {within} s:\n{path.read_text(errors='replace')}")
