"""The progress line: one terminal line, rewritten in place while a run goes on."""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO


class ProgressLine:
    """On a terminal, one line updated in place; elsewhere (CI, a pipe) a line every 10 s."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self._last_print = 0.0
        self._width = 0

    def show(
        self,
        phase: str,
        elapsed: float,
        connected: int,
        expected: int,
        events: float,
        deliveries: float,
        p99: float,
    ) -> None:
        """`events`: exercise-wide events/s (NaN when unknown); `deliveries`: frames received/s."""
        if not self.enabled:
            return
        p99_text = "-" if math.isnan(p99) else f"{p99:.1f} ms"
        events_text = "-" if math.isnan(events) else f"{events:.0f}"
        text = (
            f"{phase:<9} {elapsed:6.1f}s  clients {connected:>4}/{expected:<4}  "
            f"events/s {events_text:>5}  deliveries/s {deliveries:7.0f}  p99 {p99_text}"
        )
        self.text(text)

    def text(self, text: str) -> None:
        """Any one-line text, shown like the progress line (in place on a terminal)."""
        if not self.enabled:
            return
        if self.tty:
            padding = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * padding)
            self.stream.flush()
            self._width = len(text)
        elif time.monotonic() - self._last_print >= 10:
            self._last_print = time.monotonic()
            print(text, file=self.stream, flush=True)

    def done(self) -> None:
        if self.enabled and self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
