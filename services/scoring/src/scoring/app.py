"""Composition root of the scoring web process."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from dunghan.web import StaticKeyStore, amqp_check, create_base_app, db_check
from scoring.config import Settings


def create_app(settings: Settings, *, repo: Any = None, publish: Callable[..., Any] | None = None,
               clock: Callable[[], Any] | None = None, directory: Any = None) -> Flask:
    """Real adapters only when none are passed; ``publish`` is unused (events leave through the outbox)."""
    readiness = {}
    if repo is None:
        from dunghan.db import make_engine, upgrade
        from scoring import campaign_file
        from scoring.repository import SqlRepository

        if settings.migrate_on_start:
            upgrade(settings.database_url, migrations_path())
        engine = make_engine(settings.database_url)
        repo = SqlRepository(engine)
        if settings.load_sample_campaign and settings.sample_campaign:
            campaign_file.load_campaign_file(repo, settings.sample_campaign, if_absent=True)
        readiness = {"database": db_check(engine), "broker": amqp_check(settings.amqp_url)}
    app, api = create_base_app(
        "scoring", title="Đúng hạn — thi đua và báo cáo", readiness=readiness,
        keystore=StaticKeyStore.from_spec(settings.api_keys), multiproc_dir=settings.multiproc_dir,
    )
    app.extensions["scoring_repo"] = repo
    app.extensions["scoring_settings"] = settings
    if clock is not None:
        app.extensions["scoring_clock"] = clock
    from scoring.api import blp
    from scoring.api_awards import blp as awards_blp
    from scoring.api_reports import blp as reports_blp

    api.register_blueprint(blp)
    api.register_blueprint(awards_blp)
    api.register_blueprint(reports_blp)
    from dunghan.web.pages import install_pages, page_blueprint
    from scoring import pages, pages_reports

    install_pages(app, settings.pages, service="scoring", nav=pages.NAV, directory=directory)
    page_blueprint(app, pages.bp)
    page_blueprint(app, pages_reports.bp)
    return app


def migrations_path() -> str:
    from pathlib import Path

    return str(Path(__file__).parent / "migrations")
