"""Counters move only after a commit: a consumer batch that rolls back (a message the database refuses, after
the others were handled) and is replayed one by one counts each resolved dossier once, on the real broker and
database."""
from __future__ import annotations

import threading
import uuid

import pika
import pytest
from deadline_factories import accepted, at, cloud, result_ready
from prometheus_client import REGISTRY

from deadline.consumer import make_batch_handler, make_handler
from deadline.handlers import CalendarSource, Deps
from deadline.metrics import PrometheusMetrics
from dunghan.bus.consumer import Consumer
from dunghan.bus.topology import DEADLINE_EVENTS, EVENTS_EXCHANGE, declare
from dunghan.calendar import load_calendar
from dunghan.contract import encode
from dunghan.contract.events import routing_key
from dunghan.testing.polling import wait_until

pytestmark = pytest.mark.integration


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_rolled_back_batch_replayed_one_by_one_counts_each_dossier_once(amqp_url, bus_prefix, repo):
    unit = f"U{uuid.uuid4().hex[:6]}"
    deps = Deps(CalendarSource(load_calendar(years=range(2023, 2026)), repo.notices), metrics=PrometheusMetrics())
    events = []
    for i in range(4):
        code = f"SCT-240506-{i:04d}"
        events += [accepted(code, at(2024, 5, 6), unit=unit), result_ready(code, at(2024, 5, 7 + i))]
    events.insert(3, accepted("SCT-240506-9999", at(2024, 5, 6), unit="U" * 100))  # too long for its column
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    declare(ch, prefix=bus_prefix, only="deadline")
    for e in events:  # all waiting before the consumer starts: one batch
        ce = cloud(e)
        ch.basic_publish(f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key(ce.type), encode(ce),
                         pika.BasicProperties(message_id=ce.id, delivery_mode=2))
    conn.close()
    queue = DEADLINE_EVENTS.name
    rolled_back = _value("dunghan_consumer_batches_total", queue=queue, result="rolled_back")
    clock = lambda: at(2024, 5, 20)  # noqa: E731
    consumer = Consumer(amqp_url, DEADLINE_EVENTS, make_handler(repo, deps, clock), prefix=bus_prefix,
                        unit_of_work=repo.uow, batch_size=50,
                        batch_handler=make_batch_handler(repo, deps, clock))
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()

    def resolved() -> float:
        return sum(_value("dunghan_dossiers_resolved_total", agency="SCT", unit=unit, procedure_field="thuong_mai",
                          outcome=outcome) for outcome in ("early", "on_time", "late"))

    try:
        wait_until(lambda: not repo.open_dossiers(unit=unit)
                   and _value("dunghan_consumer_batches_total", queue=queue, result="rolled_back") > rolled_back
                   and resolved() >= 4, timeout=60)
    finally:
        consumer.stop()
        thread.join(30)
    assert resolved() == 4
