"""The four services as real processes on the real broker and database, with a real SMTP server and SMS stub."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pika
import pytest
import requests

from dunghan.testing.fixtures import delete_prefixed
from dunghan.testing.sinks import SmsGatewayStub, SmtpSink
from dunghan.testing.stack import Stack
from dunghan.web import hash_key

ROOT = Path(__file__).resolve().parents[2]
OPERATOR_KEY = "e2e-operator-key"
SYSTEM_KEY = "e2e-sct-system-key"
STP_OPERATOR_KEY = "e2e-stp-operator-key"  # an operator of another agency
ADMIN_KEY = "e2e-admin-key"  # the explicit cross-agency role
ORG_FILE = ROOT / "services/intake/src/intake/data/org_sct.yaml"


@dataclass
class System:
    stack: Stack
    smtp: SmtpSink
    sms: SmsGatewayStub
    amqp_url: str
    prefix: str

    def api(self, service: str, method: str, path: str, key: str | None = OPERATOR_KEY,
            headers: dict[str, str] | None = None, **kw: Any) -> requests.Response:
        auth = {"Authorization": f"Bearer {key}"} if key else {}
        return requests.request(method, self.stack.url(service) + path, headers={**auth, **(headers or {})},
                                timeout=10, **kw)

    def send(self, facts: list[dict[str, Any]], timeout: float = 15.0) -> list[dict[str, Any]]:
        """Publish facts as a departmental system does (user_id, reply_to) and return intake's replies in order."""
        messages = [RawMessage(f"{fact['agency']}.{fact['fact']}", json.dumps(fact, ensure_ascii=False).encode(),
                               fact["event_id"]) for fact in facts]
        replies = publish_raw(self, messages, timeout=timeout)
        return [replies.get(f["event_id"], {"status": "no reply"}) for f in facts]



@pytest.fixture(scope="session")
def system(amqp_url: str, make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[System]:
    with running_system(amqp_url, make_database, tmp_path_factory, "e2e") as s:
        yield s


@contextmanager
def running_system(amqp_url: str, make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory,
                   name: str) -> Iterator[System]:
    """The four services on databases and queue names of their own (``name`` tells them apart)."""
    prefix = f"{name.replace('_', '')}{uuid.uuid4().hex[:6]}."
    smtp = SmtpSink().start()
    sms = SmsGatewayStub().start()
    keys = (f"ops:SCT:operator:{hash_key(OPERATOR_KEY)};sct:SCT:system:{hash_key(SYSTEM_KEY)};"
            f"stp-ops:STP:operator:{hash_key(STP_OPERATOR_KEY)};admin:SCT:admin:{hash_key(ADMIN_KEY)}")
    common = {"AMQP_URL": amqp_url, "AMQP_PREFIX": prefix, "API_KEYS": keys, "LOG_LEVEL": "INFO",
              # the staff pages with the development sign-in (loopback only), the sample organisation's people
              "PAGES_DEV_LOGIN": "1", "PAGES_ORG_FILE": str(ORG_FILE), "PAGES_ROLES": "SCT-VP-02:leadership"}
    per_service = {
        "intake": {"DATABASE_URL": make_database(f"{name}_intake"), "INTAKE_ORPHAN_SCAN_SECONDS": "1"},
        "deadline": {"DATABASE_URL": make_database(f"{name}_deadline"), "DEADLINE_SCAN_INTERVAL_SECONDS": "1"},
        "scoring": {"DATABASE_URL": make_database(f"{name}_scoring"), "SCORING_LOAD_SAMPLE_CAMPAIGN": "false",
                    "SCORING_CLOSE_CHECK_SECONDS": "2"},
        "notify": {"DATABASE_URL": make_database(f"{name}_notify"), "NOTIFY_SMTP_HOST": "127.0.0.1",
                   "NOTIFY_SMTP_PORT": str(smtp.port), "NOTIFY_SMS_PROVIDER": "http",
                   "NOTIFY_SMS_HTTP_URL": sms.url, "NOTIFY_SMS_WINDOWS": "always",
                   "NOTIFY_SEND_INTERVAL_SECONDS": "0.3", "NOTIFY_RETRY_BASE_SECONDS": "0.2",
                   "NOTIFY_LINK_BASE": "{url:deadline}/ho-so/"},  # every alert links to deadline's dossier page
    }
    stack = Stack(common, per_service, tmp_path_factory.mktemp(f"{name}-logs"))
    try:
        with stack.running(timeout=90):
            yield System(stack, smtp, sms, amqp_url, prefix)
    finally:
        smtp.stop()
        sms.stop()
        delete_prefixed(amqp_url, prefix)


@dataclass(frozen=True)
class RawMessage:
    """One inbound message exactly as a departmental system might (mis)send it: any bytes, any routing key."""

    routing_key: str
    body: bytes
    message_id: str


def publish_raw(system: System, messages: list[RawMessage], timeout: float = 60.0,
                expected: int | None = None) -> dict[str, dict[str, Any]]:
    """Publish ``messages`` in one go (correlation id = message id); return the last non-buffered reply by id."""
    conn = pika.BlockingConnection(pika.URLParameters(system.amqp_url))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        # A queue of the sender's own (``<prefix><user>.…``): intake replies nowhere else.
        reply_q = ch.queue_declare(queue=f"{system.prefix}guest.{uuid.uuid4().hex}", exclusive=True).method.queue
        for m in messages:
            props = pika.BasicProperties(
                content_type="application/json", delivery_mode=2, user_id="guest", message_id=m.message_id,
                correlation_id=m.message_id, reply_to=reply_q)
            ch.basic_publish(f"{system.prefix}dunghan.inbound", m.routing_key, m.body, props, mandatory=True)
        replies: dict[str, dict[str, Any]] = {}
        want = len(messages) if expected is None else expected
        deadline = time.monotonic() + timeout
        while len(replies) < want and time.monotonic() < deadline:
            method, props, body = ch.basic_get(reply_q, auto_ack=True)
            if method is None:
                conn.sleep(0.05)
                continue
            reply = json.loads(body)
            if reply.get("status") != "buffered":
                replies[props.correlation_id] = reply
        return replies
    finally:
        conn.close()


def peek_queue(amqp_url: str, queue: str) -> list[tuple[str | None, dict[str, Any]]]:
    """(message id, headers) of every message in ``queue``, left in place (nothing is acked)."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        ch = conn.channel()
        ch.basic_qos(prefetch_count=0)
        out: list[tuple[str | None, dict[str, Any]]] = []
        while True:
            method, props, _ = ch.basic_get(queue, auto_ack=False)
            if method is None:
                return out
            out.append((props.message_id, dict(props.headers or {})))
    finally:
        conn.close()  # unacked messages go back to the queue


LAST = {"test_observability_live.py": 1, "test_openapi_fuzz.py": 2}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The live monitoring check adds dossiers of its own (agency-wide figures of the flow tests would count them):
    it runs after them. The OpenAPI fuzz test writes random data through every API: it runs last."""
    items.sort(key=lambda item: LAST.get(item.path.name, 0))
