"""The scoring web process: ``create_app(settings, *, <ports>)`` over ``bootstrap`` (tests pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask

from dunghan.clock import utc_now
from dunghan.web import StaticKeyStore, amqp_check, create_base_app, db_check
from dunghan.web.pages import Directory, install_pages, page_blueprint
from scoring import pages, pages_reports
from scoring.api import blp
from scoring.api_awards import blp as awards_blp
from scoring.api_reports import blp as reports_blp
from scoring.bootstrap import SERVICE, bootstrap
from scoring.config import Settings
from scoring.ports import Repository


def create_app(settings: Settings, *, repo: Repository | None = None,
               clock: Callable[[], datetime] = utc_now, directory: Directory | None = None) -> Flask:
    """``directory``: the staff pages' organisation (else read from ``settings.pages.org_file``)."""
    deps = bootstrap(settings, repo=repo, clock=clock)
    readiness = {} if deps.engine is None else {
        "database": db_check(deps.engine), "broker": amqp_check(settings.amqp_url)}
    app, api = create_base_app(
        SERVICE, title="Đúng hạn — thi đua và báo cáo", readiness=readiness,
        keystore=StaticKeyStore.from_spec(settings.api_keys), multiproc_dir=settings.multiproc_dir,
    )
    app.extensions[SERVICE] = deps
    api.register_blueprint(blp)
    api.register_blueprint(awards_blp)
    api.register_blueprint(reports_blp)
    install_pages(app, settings.pages, service=SERVICE, nav=pages.NAV, directory=directory)
    page_blueprint(app, pages.bp)
    page_blueprint(app, pages_reports.bp)
    return app
