"""The intake web process: ``create_app(settings, *, <ports>)`` over ``bootstrap`` (tests pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask

from dunghan.clock import utc_now
from dunghan.web import StaticKeyStore, amqp_check, create_base_app, db_check
from intake import api_dossiers, api_registry
from intake.bootstrap import SERVICE, bootstrap
from intake.config import Settings
from intake.context import RepoKeyStore
from intake.ports import Repository
from intake.ratelimit import RateLimiter


def create_app(settings: Settings, *, repo: Repository | None = None, clock: Callable[[], datetime] = utc_now,
               limiter: RateLimiter | None = None) -> Flask:
    deps = bootstrap(settings, repo=repo, clock=clock, limiter=limiter)
    readiness = {} if deps.engine is None else {
        "database": db_check(deps.engine), "broker": amqp_check(settings.amqp_url)}
    static = StaticKeyStore.from_spec(settings.api_keys)
    keystore = RepoKeyStore(deps.repo, static, settings.registry_cache_seconds)
    app, api = create_base_app(
        SERVICE, title="Đúng hạn — intake", readiness=readiness, keystore=keystore,
        multiproc_dir=settings.multiproc_dir,
        description="Cổng duy nhất nhận hồ sơ và sự kiện vòng đời từ các hệ thống nghiệp vụ "
                    "(hợp đồng tích hợp: docs/integration/README.md).",
    )
    app.extensions[SERVICE] = deps
    api.register_blueprint(api_dossiers.blp)
    api.register_blueprint(api_registry.blp)
    return app
