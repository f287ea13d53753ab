"""Composition root of notify: settings → database → repository → calendar, templates and channels (e-mail, SMS),
for web, worker and tests (which pass fakes)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dunghan.bootstrap import Process, open_database
from dunghan.calendar import load_calendar
from dunghan.clock import utc_now
from notify.channels.base import Channel
from notify.config import Settings
from notify.domain import EMAIL, SMS, Calendar
from notify.render import Renderer

if TYPE_CHECKING:
    from sqlalchemy import Engine

SERVICE = "notify"
MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class NotifyDeps:
    settings: Settings
    repo: Any
    clock: Callable[[], datetime]
    renderer: Renderer
    calendar: Calendar
    channels: dict[str, Channel]  # e-mail always; SMS when a provider is configured
    engine: Engine | None = None  # None when the repository is a fake


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


def bootstrap(settings: Settings, *, process: Process = "web", repo: Any = None,
              clock: Callable[[], datetime] = utc_now, mailer: Channel | None = None, sms: Channel | None = None,
              calendar: Calendar | None = None) -> NotifyDeps:
    engine = None
    if repo is None:
        from notify.repository import SqlRepository

        engine = open_database(settings, MIGRATIONS, process)
        repo = SqlRepository(engine)
    channels: dict[str, Channel] = {EMAIL: mailer or build_mailer(settings)}
    sms = sms or build_sms(settings)
    if sms is not None:
        channels[SMS] = sms
    renderer = Renderer(settings.templates_dir, sms_gsm7=settings.sms_gsm7)
    return NotifyDeps(settings, repo, clock, renderer, calendar or load_calendar(), channels, engine)
