"""Composition root of deadline: settings → database → repository → calendar, rules and metrics for the handlers,
for web, worker, commands and tests (which pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from deadline.config import Settings
from deadline.domain import RuleBook
from deadline.handlers import CalendarSource, Deps, MetricsPort
from deadline.ports import Repository
from dunghan.bootstrap import Process, open_database
from dunghan.calendar import load_calendar
from dunghan.clock import utc_now

if TYPE_CHECKING:
    from sqlalchemy import Engine

SERVICE = "deadline"
MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class DeadlineDeps:
    settings: Settings
    repo: Repository
    clock: Callable[[], datetime]
    deps: Deps  # what the handlers are given: the calendar in force, the rules, the metrics
    engine: Engine | None = None  # None when the repository is a fake


def load_rules(path: str | None) -> RuleBook:
    if not path:
        return RuleBook()
    return RuleBook.from_mapping(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def bootstrap(settings: Settings, *, process: Process = "web", repo: Repository | None = None,
              clock: Callable[[], datetime] = utc_now, deps: Deps | None = None,
              metrics: MetricsPort | None = None) -> DeadlineDeps:
    """The worker reuses the notices it read for ``calendar_cache_seconds``; the web reads them each time;
    a command counts no metrics."""
    engine = None
    if repo is None:
        from deadline.repository import SqlRepository

        engine = open_database(settings, MIGRATIONS, process)
        repo = SqlRepository(engine)
    if deps is None:
        if metrics is None and process != "manage":
            from deadline.metrics import PrometheusMetrics

            metrics = PrometheusMetrics()
        max_age = settings.calendar_cache_seconds if process == "worker" else 0.0
        calendars = CalendarSource(load_calendar(settings.notices_file), repo.notices, max_age)
        deps = Deps(calendars, load_rules(settings.rules_file), metrics,
                    history_grace=timedelta(hours=settings.history_grace_hours))
    return DeadlineDeps(settings, repo, clock, deps, engine)
