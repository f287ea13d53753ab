"""The notify web process: ``create_app(settings, *, <ports>)`` over ``bootstrap`` (tests pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask

from dunghan.clock import utc_now
from dunghan.web import StaticKeyStore, amqp_check, create_base_app, db_check
from notify.api import blp
from notify.bootstrap import SERVICE, bootstrap
from notify.channels.base import Channel
from notify.config import Settings


def create_app(settings: Settings, *, repo: Any = None, clock: Callable[[], datetime] = utc_now,
               mailer: Channel | None = None, sms: Channel | None = None) -> Flask:
    deps = bootstrap(settings, repo=repo, clock=clock, mailer=mailer, sms=sms)
    readiness = {} if deps.engine is None else {
        "database": db_check(deps.engine), "broker": amqp_check(settings.amqp_url)}
    app, api = create_base_app(
        SERVICE, title="Đúng hạn: thông báo", readiness=readiness,
        keystore=StaticKeyStore.from_spec(settings.api_keys), multiproc_dir=settings.multiproc_dir,
        description="Nhật ký gửi thông báo theo hồ sơ và kênh nhận của cán bộ.",
    )
    app.extensions[SERVICE] = deps
    api.register_blueprint(blp)
    return app
