"""Composition root of intake: settings → database → repository → clock and limiter, for web, worker, commands
and tests (which pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dunghan.bootstrap import Process, open_database
from dunghan.clock import utc_now
from intake.config import Settings
from intake.ports import Repository
from intake.ratelimit import RateLimiter, SqlTokenBucket, TokenBucket

if TYPE_CHECKING:
    from sqlalchemy import Engine

SERVICE = "intake"
MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class IntakeDeps:
    settings: Settings
    repo: Repository
    clock: Callable[[], datetime]
    limiter: RateLimiter  # the citizen lookups' token buckets
    engine: Engine | None = None  # None when the repository is a fake


def bootstrap(settings: Settings, *, process: Process = "web", repo: Repository | None = None,
              clock: Callable[[], datetime] = utc_now, limiter: RateLimiter | None = None) -> IntakeDeps:
    engine = None
    if repo is None:
        from intake.metrics import watch_catalogue
        from intake.repository import SqlRepository, catalogue_labels

        engine = open_database(settings, MIGRATIONS, process)
        repo = SqlRepository(engine, cache_seconds=settings.registry_cache_seconds)
        watch_catalogue(partial(catalogue_labels, engine))
    if limiter is None:
        rate, burst = settings.lookup_rate_per_minute, settings.lookup_burst
        limiter = TokenBucket(rate, burst) if engine is None else SqlTokenBucket(engine, rate, burst)
    return IntakeDeps(settings, repo, clock, limiter, engine)
