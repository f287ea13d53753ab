"""The citizen lookup's rate limit per client: a token bucket in memory (one process, tests) or in PostgreSQL,
shared by every gunicorn worker and replica, one statement per request."""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import text

CLEANUP_EVERY = 1000  # calls between deletions of buckets idle for a day



@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until a token is back (when refused)


class RateLimiter(Protocol):
    def check(self, client: str) -> Decision: ...


def _retry_after(tokens: float, per_second: float) -> int:
    return max(1, math.ceil((1.0 - tokens) / per_second))


class TokenBucket:
    """Per-client token bucket in this process: ``rate`` tokens a minute, up to ``burst``."""

    def __init__(self, rate_per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> Decision:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if len(self._buckets) > 10_000:
                self._buckets.clear()
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return Decision(False, _retry_after(tokens, self.rate))
            self._buckets[client] = (tokens - 1, now)
            return Decision(True)


_REFILLED = ("LEAST(CAST(:burst AS double precision), lookup_buckets.tokens"
             " + EXTRACT(EPOCH FROM (now() - lookup_buckets.updated_at)) * :rate)")
_TAKE = text(f"""
INSERT INTO lookup_buckets (client, tokens, allowed, updated_at)
VALUES (:client, CAST(:burst AS double precision) - 1, true, now())
ON CONFLICT (client) DO UPDATE SET
    tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
    allowed = {_REFILLED} >= 1,
    updated_at = now()
RETURNING tokens, allowed
""")
_CLEANUP = text("DELETE FROM lookup_buckets WHERE updated_at < clock_timestamp() - interval '1 day'")


class SqlTokenBucket:
    """The same bucket in PostgreSQL: the upsert's row lock serialises one client's requests, whichever process
    serves them, and its SET reads the row as the previous request left it (read committed re-reads a row it
    waited for)."""

    def __init__(self, engine: Any, rate_per_minute: int, burst: int) -> None:
        self.engine = engine
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self._calls = 0

    def check(self, client: str) -> Decision:
        with self.engine.begin() as conn:
            row = conn.execute(_TAKE, {"client": client[:100], "rate": self.rate, "burst": self.burst}).one()
            self._calls += 1
            if self._calls % CLEANUP_EVERY == 0:
                conn.execute(_CLEANUP)
        if row.allowed:
            return Decision(True)
        return Decision(False, _retry_after(float(row.tokens), self.rate))
