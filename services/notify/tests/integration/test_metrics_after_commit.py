"""Counters move only after a commit: a consumer batch that rolls back (a message the database refuses, after
the others were handled) and is replayed one by one counts each suppressed duplicate once, on the real broker
and database."""
from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pika
import pytest
from prometheus_client import REGISTRY

from dunghan.bus.topology import EVENTS_EXCHANGE, NOTIFY_EVENTS, declare
from dunghan.calendar import load_calendar
from dunghan.clock import LOCAL_TZ
from dunghan.contract import events as ev
from dunghan.contract.envelope import encode, envelope_for
from dunghan.contract.events import routing_key
from dunghan.testing.polling import wait_until
from notify.consumer import EventProcessor, make_consumer
from notify.render import Renderer

pytestmark = pytest.mark.integration
IN_WINDOW = datetime(2017, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


def _suppressed() -> float:
    return sum(REGISTRY.get_sample_value("dunghan_notifications_total", {"channel": c, "result": "suppressed"})
               or 0.0 for c in ("email", "sms"))


def _rolled_back(queue: str) -> float:
    return REGISTRY.get_sample_value("dunghan_consumer_batches_total", {"queue": queue, "result": "rolled_back"}) \
        or 0.0


def test_a_rolled_back_batch_replayed_one_by_one_counts_each_suppressed_duplicate_once(amqp_url, bus_prefix, repo):
    code = f"SCT-170301-{uuid.uuid4().hex[:4]}"
    warning = ev.DeadlineApproaching(code=code, agency="SCT", unit="QLTM", officer="cb1", threshold="due_day",
                                     due_at=datetime(2017, 3, 2, 17, tzinfo=LOCAL_TZ), procedure_code="P1",
                                     procedure_name="Cấp giấy phép", applicant_name="Nguyễn Văn Đức")
    poison = ev.DueDateSet(code=code, agency="SCT", unit="U" * 100, officer="cb1", due_at=IN_WINDOW,
                           original_due_at=IN_WINDOW, calendar_version="v1", reason="accepted")
    bodies = [encode(envelope_for(e, now=datetime.now(UTC))) for e in (warning, warning, poison)]  # 2nd: new id
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    declare(ch, prefix=bus_prefix, only="notify")
    for e, body in zip((warning, warning, poison), bodies, strict=True):  # all waiting: one batch
        ch.basic_publish(f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key(e.TYPE), body,
                         pika.BasicProperties(message_id=uuid.uuid4().hex, delivery_mode=2))
    conn.close()
    queue = NOTIFY_EVENTS.name
    before, rolled_back = _suppressed(), _rolled_back(queue)
    processor = EventProcessor(repo, Renderer(), load_calendar(), link_base="https://dh/ho-so/",
                               clock=lambda: IN_WINDOW)
    consumer = make_consumer(amqp_url, processor, prefix=bus_prefix, unit_of_work=repo.uow, batch_size=50)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: _rolled_back(queue) > rolled_back and repo.delivery_log(code)
                   and _suppressed() - before >= len(repo.delivery_log(code)), timeout=60)
    finally:
        consumer.stop()
        thread.join(30)
    queued = len(repo.delivery_log(code))
    assert queued >= 2 and _suppressed() - before == queued  # the second warning's notifications, once each
