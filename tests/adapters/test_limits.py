"""The edge limits, driven with explicit times."""

from __future__ import annotations

from server.adapters.limits import FailedAttempts, TokenBucket


def test_a_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    assert [bucket.take(10.0) for _ in range(4)] == [True, True, True, False]
    assert not bucket.take(10.4)  # 0.8 of a token
    assert bucket.take(10.5)  # one token back after half a second at 2/s
    assert not bucket.take(10.5)
    assert [bucket.take(100.0) for _ in range(4)] == [True, True, True, False]  # refilled to the burst only


def test_failed_attempts_block_an_address_within_the_window_only() -> None:
    failures = FailedAttempts(limit=3, window=60.0)
    for t in (0.0, 1.0):
        failures.failed("10.0.0.1", t)
    assert not failures.blocked("10.0.0.1", 2.0)
    failures.failed("10.0.0.1", 2.0)
    assert failures.blocked("10.0.0.1", 3.0)
    assert not failures.blocked("10.0.0.2", 3.0)
    assert not failures.blocked("10.0.0.1", 61.5)  # the first two have left the window
    assert not failures.blocked("10.0.0.1", 200.0)
    assert not failures.blocked("never-seen", 0.0)


def test_failed_attempts_keep_bounded_memory() -> None:
    failures = FailedAttempts(limit=3, window=60.0)
    for i in range(10_050):
        failures.failed(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", float(i))
    assert len(failures._seen) <= 10_001
