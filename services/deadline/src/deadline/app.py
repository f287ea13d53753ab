"""The deadline web process: ``create_app(settings, *, <ports>)`` over ``bootstrap`` (tests pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask

from deadline import pages
from deadline.api import blp
from deadline.bootstrap import SERVICE, bootstrap
from deadline.config import Settings
from deadline.handlers import Deps
from deadline.ports import Repository
from deadline.whatif.api import blp as whatif_blp
from dunghan.clock import utc_now
from dunghan.web.app import amqp_check, create_base_app, db_check
from dunghan.web.auth import StaticKeyStore
from dunghan.web.pages import Directory, install_pages, page_blueprint


def create_app(settings: Settings, *, repo: Repository | None = None, clock: Callable[[], datetime] = utc_now,
               deps: Deps | None = None, directory: Directory | None = None) -> Flask:
    """``directory``: the staff pages' organisation (else read from ``settings.pages.org_file``)."""
    wired = bootstrap(settings, repo=repo, clock=clock, deps=deps)
    readiness = {} if wired.engine is None else {
        "database": db_check(wired.engine), "broker": amqp_check(settings.amqp_url)}
    app, api = create_base_app(
        SERVICE, title="Đúng hạn — thời hạn giải quyết", readiness=readiness,
        keystore=StaticKeyStore.from_spec(settings.api_keys), multiproc_dir=settings.multiproc_dir,
    )
    app.extensions[SERVICE] = wired
    api.register_blueprint(blp)
    api.register_blueprint(whatif_blp)
    install_pages(app, settings.pages, service=SERVICE, nav=pages.NAV, directory=directory)
    page_blueprint(app, pages.bp)
    return app
