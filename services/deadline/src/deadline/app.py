"""Composition root: builds the repository, the engine's dependencies and the web app (fakes may be passed in)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from flask import Flask

from deadline.config import Settings
from deadline.domain import RuleBook
from deadline.handlers import CalendarSource, Deps, MetricsPort
from deadline.ports import Repository
from deadline.repository import SqlRepository
from dunghan.calendar import load_calendar
from dunghan.clock import utc_now
from dunghan.db import make_engine, upgrade
from dunghan.web.app import amqp_check, create_base_app, db_check
from dunghan.web.auth import StaticKeyStore

SERVICE = "deadline"
MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class Context:
    repo: Repository
    deps: Deps
    now: Callable[[], datetime]


def load_rules(path: str | None) -> RuleBook:
    if not path:
        return RuleBook()
    return RuleBook.from_mapping(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def build_deps(settings: Settings, repo: Repository, metrics: MetricsPort | None = None, *,
               calendar_max_age: float = 0.0) -> Deps:
    """``calendar_max_age``: the worker reuses the notices it read for that long; the API reads them each time."""
    base = load_calendar(settings.notices_file)
    return Deps(CalendarSource(base, repo.notices, calendar_max_age), load_rules(settings.rules_file), metrics,
                history_grace=timedelta(hours=settings.history_grace_hours))


def sql_repository(settings: Settings, *, pre_ping: bool = True) -> SqlRepository:
    if settings.migrate:
        upgrade(settings.database_url, MIGRATIONS)
    return SqlRepository(make_engine(settings.database_url, pre_ping=pre_ping))


def create_app(
    settings: Settings, *, repo: Repository | None = None, publish: Any = None, deps: Deps | None = None,
    now: Callable[[], datetime] = utc_now, directory: Any = None,
) -> Flask:
    """``publish`` is unused: every event leaves through the outbox that the worker relays."""
    from deadline.api import blp
    from deadline.metrics import PrometheusMetrics
    from deadline.whatif.api import blp as whatif_blp

    readiness = {}
    if repo is None:
        sql = sql_repository(settings)
        readiness["database"] = db_check(sql.engine)
        readiness["broker"] = amqp_check(settings.amqp_url)
        repo = sql
    app, api = create_base_app(
        SERVICE, title="Đúng hạn — thời hạn giải quyết", readiness=readiness,
        keystore=StaticKeyStore.from_spec(settings.api_keys), multiproc_dir=settings.multiproc_dir,
    )
    app.extensions["deadline"] = Context(repo, deps or build_deps(settings, repo, PrometheusMetrics()), now)
    api.register_blueprint(blp)
    api.register_blueprint(whatif_blp)
    from deadline.pages import NAV, bp
    from dunghan.web.pages import install_pages, page_blueprint

    install_pages(app, settings.pages, service="deadline", nav=NAV, directory=directory)
    page_blueprint(app, bp)
    return app
