"""Composition root: real adapters only when none are passed; ``create_app`` builds the web app."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from dunghan.web import StaticKeyStore, amqp_check, create_base_app
from notify.api import blp
from notify.channels.base import Channel
from notify.config import Settings
from notify.domain import EMAIL, SMS, Calendar
from notify.render import Renderer

MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class Services:
    settings: Settings
    repo: Any
    renderer: Renderer
    calendar: Calendar
    channels: dict[str, Channel]


def build_sms(settings: Settings) -> Channel | None:
    if settings.sms_provider == "http":
        from notify.channels.sms_http import HttpSmsGateway

        return HttpSmsGateway(settings.sms_http_url, sender=settings.sms_sender, token=settings.sms_http_token,
                              timeout=settings.sms_timeout_seconds)
    if settings.sms_provider == "smpp":
        from notify.channels.sms_smpp import SmppGateway

        return SmppGateway(settings.smpp_host, settings.smpp_port, system_id=settings.smpp_system_id,
                           password=settings.smpp_password, sender=settings.sms_sender,
                           timeout=settings.sms_timeout_seconds)
    return None


def build_mailer(settings: Settings) -> Channel:
    from notify.channels.email import SmtpMailer

    return SmtpMailer(settings.smtp_host, settings.smtp_port, sender=settings.smtp_from,
                      starttls=settings.smtp_starttls, username=settings.smtp_username,
                      password=settings.smtp_password, timeout=settings.smtp_timeout_seconds)


def compose(settings: Settings, *, repo: Any = None, mailer: Channel | None = None, sms: Channel | None = None,
            calendar: Calendar | None = None, pre_ping: bool = True) -> Services:
    if repo is None:
        from dunghan.db import make_engine, upgrade
        from notify.repository import SqlRepository

        if settings.migrate:
            upgrade(settings.database_url, MIGRATIONS)
        repo = SqlRepository(make_engine(settings.database_url, pre_ping=pre_ping))
    if calendar is None:
        from dunghan.calendar import load_calendar

        calendar = load_calendar()
    channels: dict[str, Channel] = {EMAIL: mailer or build_mailer(settings)}
    sms = sms or build_sms(settings)
    if sms is not None:
        channels[SMS] = sms
    renderer = Renderer(settings.templates_dir, sms_gsm7=settings.sms_gsm7)
    return Services(settings, repo, renderer, calendar, channels)


def create_app(settings: Settings, *, repo: Any = None, mailer: Channel | None = None,
               sms: Channel | None = None) -> Flask:
    services = compose(settings, repo=repo, mailer=mailer, sms=sms)
    app, api = create_base_app(
        "notify", title="Đúng hạn: thông báo",
        readiness={"database": services.repo.ping, "broker": amqp_check(settings.amqp_url)},
        keystore=StaticKeyStore.from_spec(settings.api_keys), multiproc_dir=settings.multiproc_dir,
        description="Nhật ký gửi thông báo theo hồ sơ và kênh nhận của cán bộ.",
    )
    app.extensions["notify"] = services
    api.register_blueprint(blp)
    return app
