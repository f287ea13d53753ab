"""Redelivered events through the real broker produce one message; the delivery log API reads the SQL log."""
import threading
import time
from datetime import datetime

import pika
import pytest
from prometheus_client import REGISTRY

from dunghan.bus.topology import EVENTS_EXCHANGE, NOTIFY_EVENTS, declare
from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from dunghan.contract.envelope import CONTENT_TYPE, encode, envelope_for
from dunghan.testing.polling import wait_until
from dunghan.web import hash_key
from notify.app import create_app
from notify.channels.base import FakeChannel
from notify.config import Settings
from notify.consumer import EventProcessor, make_consumer
from notify.render import Renderer

pytestmark = pytest.mark.integration
NOW = datetime(2017, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


def breached() -> ev.DeadlineBreached:
    return ev.DeadlineBreached(code="SCT-170301-0009", agency="SCT", unit="QLTM", officer="cb1",
                               due_at=datetime(2017, 3, 1, 17, tzinfo=LOCAL_TZ), days_overdue=1,
                               procedure_code="P1", procedure_name="Cấp giấy phép",
                               applicant_name="Nguyễn Văn Đức")


def publish(amqp_url: str, prefix: str, bodies: list[tuple[str, bytes]]) -> None:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        ch = conn.channel()
        declare(ch, prefix=prefix, only="notify")
        ch.confirm_delivery()
        for message_id, body in bodies:
            ch.basic_publish(f"{prefix}{EVENTS_EXCHANGE}", "deadline.deadline_breached.v1", body,
                             pika.BasicProperties(message_id=message_id, content_type=CONTENT_TYPE,
                                                  delivery_mode=2), mandatory=True)
    finally:
        conn.close()



def queue_depth(amqp_url: str, prefix: str) -> int:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return conn.channel().queue_declare(NOTIFY_EVENTS.qname(prefix), passive=True).method.message_count
    finally:
        conn.close()


@pytest.mark.parametrize("batch_size", [1, 50], ids=["one_by_one", "batched"])
def test_same_event_id_delivered_twice_gives_one_message_per_recipient_and_channel(repo, amqp_url, bus_prefix,
                                                                                    batch_size):
    pytest.importorskip("dunghan.bus.consumer")
    processor = EventProcessor(repo, Renderer(), load_calendar(), link_base="https://dh/ho-so/", clock=lambda: NOW)
    consumer = make_consumer(amqp_url, processor, prefix=bus_prefix, unit_of_work=repo.uow,
                             batch_size=batch_size)
    body = encode(envelope_for(breached(), now=NOW, event_id="evt-1"))
    publish(amqp_url, bus_prefix, [("evt-1", body), ("evt-1", body)])
    batches = {"queue": NOTIFY_EVENTS.name, "result": "committed"}
    before = REGISTRY.get_sample_value("dunghan_consumer_batches_total", batches) or 0.0
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: queue_depth(amqp_url, bus_prefix) == 0 and len(repo.delivery_log(
            "SCT-170301-0009")) == 3)
        time.sleep(0.3)
    finally:
        consumer.stop()
        thread.join(10)
    log = repo.delivery_log("SCT-170301-0009")
    got = sorted((r["recipient"], r["channel"]) for r in log)
    assert got == [("cb1", "email"), ("cb1", "sms"), ("cb2", "email")]
    committed = (REGISTRY.get_sample_value("dunghan_consumer_batches_total", batches) or 0.0) - before
    assert committed == (1 if batch_size > 1 else 0)


def test_delivery_log_api_reads_the_database(repo, db_url):
    with repo.transaction() as tx:
        from notify.handlers import Context, handle

        handle(breached(), tx, Context(Renderer(), load_calendar(), NOW, "https://dh/ho-so/"))
    settings = Settings(database_url=db_url, api_keys=f"sct:SCT:system:{hash_key('k')}")
    app = create_app(settings, mailer=FakeChannel(), sms=FakeChannel())
    res = app.test_client().get("/api/v1/notifications?dossier=SCT-170301-0009",
                                headers={"Authorization": "Bearer k"})
    assert res.status_code == 200
    rows = res.get_json()["notifications"]
    assert {(r["recipient"], r["channel"], r["status"], r["attempts"]) for r in rows} == {
        ("cb1", "email", "queued", 0), ("cb1", "sms", "queued", 0), ("cb2", "email", "queued", 0)}
    assert all(r["threshold"] == "overdue+1@2017-03-01" for r in rows)
    assert app.test_client().get("/readyz").status_code == 200
