"""Limits at the edge: a command rate per connection, and join attempts per client address.

Both take the time as an argument, so tests drive them without sleeping.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """`rate` commands per second on average, bursts of up to `burst`."""

    rate: float
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class FailedAttempts:
    """Failed join attempts per client address in a sliding window; too many blocks the address.

    Join codes have 80 bits of entropy, so guessing is hopeless anyway; this keeps a script
    from hammering the server with hellos, and keeps the logs readable.
    """

    limit: int
    window: float
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, address: str, now: float) -> bool:
        attempts = self._seen.get(address)
        if attempts is None:
            return False
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        if not attempts:
            del self._seen[address]
            return False
        return len(attempts) >= self.limit

    def failed(self, address: str, now: float) -> None:
        self._seen.setdefault(address, deque()).append(now)
        if len(self._seen) > 10_000:  # bounded memory under a spray from many addresses
            oldest = min(self._seen, key=lambda key: self._seen[key][-1])
            del self._seen[oldest]
