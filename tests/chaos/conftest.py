"""Chaos fixtures: a private RabbitMQ node and PostgreSQL cluster, the four services on them, SMTP and SMS."""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from dunghan.testing.sinks import SmsGatewayStub, SmtpSink
from dunghan.testing.stack import SERVICES, Stack
from dunghan.web import hash_key

from .servers import PrivatePostgres, PrivateRabbit

ROOT = Path(__file__).resolve().parents[2]
OPERATOR_KEY = "chaos-operator-key"
SYSTEM_KEY = "chaos-system-key"


def _tempdir(name: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"dunghan-chaos-{name}-"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def private_rabbit() -> Iterator[PrivateRabbit]:
    rabbit = PrivateRabbit(_tempdir("rabbitmq"))
    try:
        yield rabbit.start()
    finally:
        rabbit.destroy()


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres(_tempdir("postgres"))
    try:
        yield pg.start()
    finally:
        pg.destroy()


@dataclass
class ChaosSystem:
    stack: Stack
    smtp: SmtpSink
    sms: SmsGatewayStub
    rabbit: PrivateRabbit
    postgres: PrivatePostgres
    prefix: str
    databases: dict[str, str]

    def engine(self, service: str) -> Engine:
        return create_engine(self.databases[service], pool_pre_ping=True, pool_size=1, max_overflow=1)


def _create_databases(admin_url: str) -> dict[str, str]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    urls = {}
    with admin.connect() as conn:
        for name in SERVICES:
            conn.execute(text(f'CREATE DATABASE "chaos_{name}"'))
            urls[name] = make_url(admin_url).set(database=f"chaos_{name}").render_as_string(hide_password=False)
    admin.dispose()
    return urls


@pytest.fixture(scope="session")
def chaos_system(private_rabbit: PrivateRabbit, private_postgres: PrivatePostgres,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChaosSystem]:
    prefix = f"chaos{uuid.uuid4().hex[:6]}."
    databases = _create_databases(private_postgres.url)
    smtp = SmtpSink().start()
    sms = SmsGatewayStub().start()
    keys = f"ops:SCT:operator:{hash_key(OPERATOR_KEY)};motcua-http:SCT:system:{hash_key(SYSTEM_KEY)}"
    common = {"AMQP_URL": private_rabbit.url, "AMQP_PREFIX": prefix, "API_KEYS": keys, "LOG_LEVEL": "INFO"}
    per_service = {
        "intake": {"DATABASE_URL": databases["intake"], "INTAKE_ORPHAN_SCAN_SECONDS": "5"},
        # the plan is a 2017 year: without this, every dossier is history (its due date long past when deadline
        # first sees it) and nothing would be sent, so the notification checks would prove nothing
        "deadline": {"DATABASE_URL": databases["deadline"], "DEADLINE_HISTORY_GRACE_HOURS": "200000",
                     "DEADLINE_SCAN_INTERVAL_SECONDS": os.environ.get("CHAOS_SCAN_SECONDS", "5")},
        "scoring": {"DATABASE_URL": databases["scoring"], "SCORING_LOAD_SAMPLE_CAMPAIGN": "false",
                    "SCORING_CLOSE_CHECK_SECONDS": "5"},
        "notify": {"DATABASE_URL": databases["notify"], "NOTIFY_SMTP_HOST": "127.0.0.1",
                   "NOTIFY_SMTP_PORT": str(smtp.port), "NOTIFY_SMS_PROVIDER": "http",
                   "NOTIFY_SMS_HTTP_URL": sms.url, "NOTIFY_SMS_WINDOWS": "always",
                   "NOTIFY_SEND_INTERVAL_SECONDS": "0.3", "NOTIFY_RETRY_BASE_SECONDS": "0.5",
                   "NOTIFY_MAX_ATTEMPTS": "20", "NOTIFY_CLAIM_LEASE_SECONDS": "15"},
    }
    stack = Stack(common, per_service, tmp_path_factory.mktemp("chaos-logs"))
    try:
        with stack.running(timeout=120, web_workers=1):
            yield ChaosSystem(stack, smtp, sms, private_rabbit, private_postgres, prefix, databases)
    finally:
        smtp.stop()
        sms.stop()
        print(f"chaos logs: {stack.log_dir}")
