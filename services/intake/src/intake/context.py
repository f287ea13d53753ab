"""What the HTTP views share: the repository, settings, clock, key store, the citizen-lookup limiter, error map."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from flask import current_app
from flask_smorest import abort

from dunghan.web.auth import Principal
from intake.cache import TtlCache
from intake.config import Settings
from intake.domain import InboundError
from intake.ports import Repository

HTTP_STATUS = {
    "invalid": 422, "not_json": 400, "unknown_sender": 401, "forged": 403, "unknown_procedure": 422,
    "lifecycle": 409, "unknown_dossier": 404, "conflict": 409, "too_large": 413,
}


class TokenBucket:
    """Per-key token bucket (citizen lookup per client IP): ``rate`` tokens a minute, up to ``burst``."""

    def __init__(self, rate_per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if len(self._buckets) > 10_000:
                self._buckets.clear()
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            return True


class RepoKeyStore:
    """API keys of source systems (sha256 in the registry), then the static keys from configuration.

    A found key is remembered ``cache_seconds`` (a revoked or changed key stops working within that time); an
    unknown key is looked up every time, so a new key works at once.
    """

    def __init__(self, repo: Repository, fallback: Any, cache_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.repo = repo
        self.fallback = fallback
        self.cache = TtlCache(cache_seconds, clock)

    def lookup(self, key_sha256: str) -> Principal | None:
        return self.cache.get_or_load(key_sha256, lambda: self._load(key_sha256))  # type: ignore[no-any-return]

    def _load(self, key_sha256: str) -> Principal | None:
        with self.repo.transaction() as tx:
            source = tx.source_by_key(key_sha256)
        if source is not None:
            return Principal(source.name, source.agency, source.role)
        return self.fallback.lookup(key_sha256)  # type: ignore[no-any-return]


@dataclass
class IntakeContext:
    repo: Repository
    settings: Settings
    clock: Callable[[], datetime]
    limiter: TokenBucket
    extra: dict[str, Any] = field(default_factory=dict)


def ctx() -> IntakeContext:
    return current_app.extensions["intake"]  # type: ignore[no-any-return]


def fail(exc: InboundError) -> NoReturn:
    abort(HTTP_STATUS[exc.kind], message=exc.reason, field=exc.field, error_code=exc.kind)
    raise AssertionError  # abort raises
