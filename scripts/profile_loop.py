"""Where a Liaison instance's CPU goes, by event-loop callback: `liaison serve` with every callback
the asyncio loop runs timed in thread CPU time (not wall time) and summed by what it ran (a task's
coroutine, or the callback's name), beside the loop's own `epoll` waits and the cyclic collector.

    LIAISON_REDIS_URL=redis://127.0.0.1:6379/0 LIAISON_ADMIN_TOKEN=T LIAISON_PORT=8431 \\
        PYTHONPATH=. .venv/bin/python scripts/profile_loop.py /tmp/loop.txt &
    liaison loadtest --server http://127.0.0.1:8431 --token T --redis-url redis://127.0.0.1:6379/0 ...
    kill -USR1 <pid>    # writes the table to /tmp/loop.txt and starts counting afresh

Each `SIGUSR1` writes what was counted since the last one, so a first signal after the ramp and a
second one later give the steady window alone. A sampling profiler (py-spy) counts a process that
the kernel preempted inside a `send` (the receiver woken on the same core) as running there, and
cProfile's own cost per call hides the rest; thread CPU time has neither bias
(docs/performance.md, "Where the CPU of a frame goes"). Timing a callback costs about 1 µs, a few
per cent of an instance's CPU at a cohort's rate.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import selectors
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

cpu: collections.Counter[str] = collections.Counter()
calls: collections.Counter[str] = collections.Counter()
EPOLL = "the loop's epoll wait (the kernel's side of waking up)"


def _name(handle: asyncio.Handle) -> str:
    callback = handle._callback  # type: ignore[attr-defined]
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        return "task " + str(getattr(coro, "__qualname__", coro))
    return "callback " + str(getattr(callback, "__qualname__", callback))


def _install() -> None:
    clock = time.thread_time_ns
    run = asyncio.Handle._run
    select = selectors.EpollSelector.select

    def timed_run(handle: asyncio.Handle) -> None:
        started = clock()
        try:
            run(handle)
        finally:
            name = _name(handle)
            cpu[name] += clock() - started
            calls[name] += 1

    def timed_select(selector: selectors.EpollSelector, timeout: float | None = None) -> Any:
        started = clock()
        try:
            return select(selector, timeout)
        finally:
            cpu[EPOLL] += clock() - started
            calls[EPOLL] += 1

    collecting = [0]

    def collector(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[0] = clock()
            return
        name = f"cyclic collector, generation {info['generation']}"
        cpu[name] += clock() - collecting[0]
        calls[name] += 1

    setattr(asyncio.Handle, "_run", timed_run)  # noqa: B010 (a private method, replaced)
    setattr(selectors.EpollSelector, "select", timed_select)  # noqa: B010
    gc.callbacks.append(collector)


def _writer(out: Path) -> Any:
    since = [time.process_time_ns(), time.monotonic()]

    def write(signum: int, frame: FrameType | None) -> None:
        total = max(1, time.process_time_ns() - since[0])
        wall = time.monotonic() - since[1]
        lines = [
            f"process CPU {total / 1e9:.3f} s in {wall:.1f} s ({100 * total / 1e9 / wall:.1f} % of a core); "
            f"timed here {sum(cpu.values()) / 1e9:.3f} s",
            f"{'share':>7} {'CPU s':>8} {'runs':>9} {'µs/run':>8}  what",
        ]
        for name, spent in cpu.most_common(40):
            runs = calls[name]
            lines.append(
                f"{100 * spent / total:6.2f}% {spent / 1e9:8.3f} {runs:9d} {spent / runs / 1000:8.1f}  {name}"
            )
        out.write_text("\n".join(lines) + "\n")
        cpu.clear()
        calls.clear()
        since[:] = [time.process_time_ns(), time.monotonic()]

    return write


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    out = Path(sys.argv[1])
    signal.signal(signal.SIGUSR1, _writer(out))
    _install()
    sys.argv = ["liaison", "serve"]
    from server.start import main as serve

    raise SystemExit(serve())


if __name__ == "__main__":
    main()
