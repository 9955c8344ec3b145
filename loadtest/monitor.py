"""Server resources: CPU and memory of the server processes, sampled with psutil (when it is
installed: it comes with the `test` extras).

Only for local targets (the PIDs of the instances and of redis-server are known). A sample
holds, per process, the CPU time used since the monitor started and the resident memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

try:
    import psutil  # type: ignore[import-untyped]
except ImportError:  # psutil comes with the test extras; without it, resources are not sampled
    psutil = None


@dataclass(slots=True)
class Sample:
    time: float
    cpu_seconds: dict[str, float]
    rss_mb: dict[str, float]


@dataclass(slots=True)
class Monitor:
    pids: dict[str, int]
    samples: list[Sample] = field(default_factory=list)
    _processes: dict[str, Any] = field(default_factory=dict)
    _base: dict[str, float] = field(default_factory=dict)

    def start(self) -> None:
        for name, pid in list(self.pids.items()):
            self.add(name, pid)
        self.sample()

    def add(self, name: str, pid: int) -> None:
        """Watch one more process (a load generator, say), from now on."""
        if psutil is None:
            return
        try:
            process = psutil.Process(pid)
            times = process.cpu_times()
        except psutil.Error:
            return
        self.pids[name] = pid
        self._processes[name] = process
        self._base[name] = float(times.user + times.system)

    def sample(self) -> Sample | None:
        cpu: dict[str, float] = {}
        rss: dict[str, float] = {}
        for name, process in self._processes.items():
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    memory = process.memory_info()
            except psutil.Error:
                continue
            cpu[name] = float(times.user + times.system) - self._base[name]
            rss[name] = memory.rss / 2**20
        if not cpu:
            return None
        sample = Sample(time.time(), cpu, rss)
        self.samples.append(sample)
        return sample

    def cpu_between(self, start: float, end: float, names: list[str]) -> float:
        """CPU seconds the named processes used between two wall times (nearest samples)."""
        if not self.samples:
            return 0.0
        first = min(self.samples, key=lambda s: abs(s.time - start))
        last = min(self.samples, key=lambda s: abs(s.time - end))
        return sum(last.cpu_seconds.get(n, 0.0) - first.cpu_seconds.get(n, 0.0) for n in names)

    def peak_rss(self, names: list[str]) -> float:
        return max((sum(s.rss_mb.get(n, 0.0) for n in names) for s in self.samples), default=0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pids": self.pids,
            "samples": [
                {"time": s.time, "cpu_seconds": s.cpu_seconds, "rss_mb": s.rss_mb} for s in self.samples
            ],
        }
