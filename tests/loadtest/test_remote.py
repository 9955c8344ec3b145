"""`liaison loadtest --server URL --token ... --redis-url ...` against a server already running,
as from a second machine: a real `liaison serve` on its own redis-server (both on loopback,
started here, not by the load test), then the load test pointed at it. It checks that the run
goes end to end with the oracle as exact as in a local run (every client checked against the
server's Redis log: 0 lost, 0 duplicated, 0 out of order), that the load generators' CPU per
delivered frame is reported beside the server's (sampled through `--server-pid`), and that the
server is left running. Never timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from server.adapters.redis_server import RedisProcess
from tests.e2e.servers import ADMIN_TOKEN, ServerProcess


def test_a_run_against_a_server_already_running_checks_every_client(
    fresh_redis: RedisProcess, tmp_path: Path
) -> None:
    server = ServerProcess(fresh_redis.url, tmp_path, command_rate="20", command_burst="40").start()
    try:
        out = tmp_path / "results"
        command = [
            sys.executable, "-m", "loadtest",
            "--server", server.url,
            "--token", ADMIN_TOKEN,
            "--redis-url", fresh_redis.url,
            "--server-pid", str(server.process.pid if server.process else 0),
            "--scenario", "twin-ports",
            "--participants", "24",
            "--ramp", "1s",
            "--duration", "4s",
            "--rate", "15",
            "--message-every", "2s",
            "--churn", "0.2",
            "--offline", "0.5s",
            "--clients-per-process", "20",
            "--no-baseline",
            "--out", str(out),
            "--no-progress",
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr + server.log()
        (run_dir,) = out.iterdir()
        report = json.loads((run_dir / "report.json").read_text())
        cohort = report["cohort"]
        members = cohort["members"]
        assert members > 24  # the participants and the scenario's staff
        assert cohort["processes"] == 2  # --clients-per-process 20 spread them over two
        assert cohort["checks"]["clients"] == members  # the oracle read the server's own Redis
        assert (
            cohort["checks"]["lost"],
            cohort["checks"]["duplicates"],
            cohort["checks"]["out_of_order"],
        ) == (
            0,
            0,
            0,
        )
        assert cohort["checks"]["issues"] == []
        assert cohort["log"]["contiguous"] and cohort["log"]["events_in_window"] > 20
        assert cohort["deliveries"] > 200 and cohort["drops"] > 0
        generators = cohort["generators"]
        assert generators["processes"] == 2
        assert generators["us_per_delivery"] > 0
        assert generators["to_server"] > 0  # beside the server's, sampled through --server-pid
        assert cohort["server"]["cpu_us_per_delivery"] > 0
        assert "per delivered frame = " in done.stdout and "PASS" in done.stdout
        # The load test created its exercise on that server and left the server running.
        assert server.process is not None and server.process.poll() is None
        listed = httpx.get(
            f"{server.url}/api/exercises", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=5
        )
        assert listed.status_code == 200
        assert "load test" in listed.text
    finally:
        server.stop()
