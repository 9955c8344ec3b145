"""How long the disk under Redis takes to fsync: a figure every run reports beside its latencies.

With `appendfsync always` (Liaison's default, DESIGN.md guarantee 4) a command is acknowledged
only once Redis has fsynced its events, so every event's delivery waits for one fsync. A disk
whose fsync usually takes 0.3 ms but now and then 300 ms (seen on this project's virtual
machines) puts those stalls straight into the p99, where the bare `websockets` floor, which
writes nothing to disk, has none. The probe writes and fsyncs a small record in the folder the
run's Redis keeps its AOF in, the way Redis appends, for a few seconds before the run, so a
report can tell a slow disk from a slow server.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from .stats import percentile

RECORD = b"*3\r\n$4\r\nXADD\r\n" + b"x" * 280 + b"\r\n"
"""About the size of one appended message event in the AOF."""


def fsync_probe(folder: Path, seconds: float = 3.0, pause: float = 0.01) -> dict[str, Any]:
    """Append-and-fsync latencies in `folder` for `seconds` (one every `pause` seconds), in ms."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fsync-probe.tmp"
    latencies: list[float] = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            os.write(fd, RECORD)
            started = time.perf_counter()
            os.fsync(fd)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(pause)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    latencies.sort()
    return {
        "folder": str(folder),
        "count": len(latencies),
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else None,
        "over_20ms": sum(1 for value in latencies if value > 20),
    }


def fsync_line(probe: dict[str, Any]) -> str:
    """The report's line for the probe."""
    return (
        f"  disk under Redis: fsync p50 {probe['p50']:.2f} ms, p99 {probe['p99']:.2f} ms, "
        f"max {probe['max']:.1f} ms ({probe['over_20ms']} of {probe['count']} over 20 ms); with "
        "appendfsync always every event waits for one"
    )
