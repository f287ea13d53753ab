"""Composition root of the intake web process: ``create_app(settings, *, repo=None, publish=None)``."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import resources
from typing import Any

from flask import Flask

from dunghan.clock import utc_now
from dunghan.web import StaticKeyStore, amqp_check, create_base_app, db_check
from intake import api_dossiers, api_registry
from intake.config import Settings
from intake.context import IntakeContext, RepoKeyStore
from intake.ports import Repository
from intake.ratelimit import RateLimiter, SqlTokenBucket, TokenBucket


def migrations_dir() -> str:
    return str(resources.files("intake") / "migrations")


def create_app(
    settings: Settings, *, repo: Repository | None = None, publish: Any = None,
    clock: Callable[[], datetime] = utc_now,
) -> Flask:
    readiness = {}
    limiter: RateLimiter = TokenBucket(settings.lookup_rate_per_minute, settings.lookup_burst)
    if repo is None:
        from dunghan.db import make_engine, upgrade
        from intake.repository import SqlRepository

        if settings.migrate:
            upgrade(settings.database_url, migrations_dir())
        engine = make_engine(settings.database_url)
        repo = SqlRepository(engine, cache_seconds=settings.registry_cache_seconds)
        readiness = {"database": db_check(engine), "broker": amqp_check(settings.amqp_url)}
        limiter = SqlTokenBucket(engine, settings.lookup_rate_per_minute, settings.lookup_burst)
        from intake.metrics import watch_catalogue

        watch_catalogue(engine)
    keystore = RepoKeyStore(repo, StaticKeyStore.from_spec(settings.api_keys), settings.registry_cache_seconds)
    app, api = create_base_app(
        "intake", title="Đúng hạn — intake", readiness=readiness, keystore=keystore,
        multiproc_dir=settings.multiproc_dir,
        description="Cổng duy nhất nhận hồ sơ và sự kiện vòng đời từ các hệ thống nghiệp vụ "
                    "(hợp đồng tích hợp: docs/integration/README.md).",
    )
    app.extensions["intake"] = IntakeContext(
        repo=repo, settings=settings, clock=clock,
        limiter=limiter,
    )
    api.register_blueprint(api_dossiers.blp)
    api.register_blueprint(api_registry.blp)
    return app
