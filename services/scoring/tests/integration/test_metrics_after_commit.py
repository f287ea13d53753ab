"""A consumer batch that rolls back (a message the database refuses, after others of the batch were handled) and
is replayed one by one counts each classified dossier once in the figures /metrics reports, on the real broker
and database."""
from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pika
import pytest
from prometheus_client import REGISTRY

from dunghan.bus.consumer import Consumer
from dunghan.bus.topology import EVENTS_EXCHANGE, SCORING_EVENTS, declare
from dunghan.clock import LOCAL_TZ
from dunghan.contract.envelope import encode, envelope_for
from dunghan.contract.events import DossierClassified, routing_key
from dunghan.testing.polling import wait_until
from scoring import metrics, readers
from scoring.consumer import make_batch_handler, make_handler

pytestmark = pytest.mark.integration
CAMPAIGN = "sct-2017-giai-quyet-nhanh-tthc"


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_rolled_back_batch_replayed_one_by_one_counts_each_dossier_once(amqp_url, bus_prefix, repo):
    unit = f"U{uuid.uuid4().hex[:6]}"
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    declare(ch, prefix=bus_prefix, only="scoring")
    day = datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)
    outcomes = ["early", "on_time", "late", "on_time", "early", "on_time"]
    bodies = []
    for i, outcome in enumerate(outcomes):
        ev = DossierClassified(f"{unit}-{i}", "SCT", unit, "an", "P1", "x", 2, day - timedelta(days=3),
                               day + timedelta(days=i), "result_ready", outcome, -1, 16.0)
        bodies.append((routing_key(ev.TYPE), encode(envelope_for(ev, now=datetime.now(UTC)))))
    poison = DossierClassified(f"{unit}-x", "SCT", unit, "an", "P1", "x" * 150, 2, day - timedelta(days=3), day,
                               "result_ready", "late", 1, 16.0)  # valid by the contract, too long for its column
    bodies.insert(3, (routing_key(poison.TYPE), encode(envelope_for(poison, now=datetime.now(UTC)))))
    for key, body in bodies:  # all waiting before the consumer starts: one batch
        ch.basic_publish(f"{bus_prefix}{EVENTS_EXCHANGE}", key, body,
                         pika.BasicProperties(message_id=uuid.uuid4().hex, delivery_mode=2))
    conn.close()
    queue = SCORING_EVENTS.name
    rolled_back = _value("dunghan_consumer_batches_total", queue=queue, result="rolled_back")
    consumer = Consumer(amqp_url, SCORING_EVENTS, make_handler(repo), prefix=bus_prefix,
                        unit_of_work=repo.uow, batch_size=50, batch_handler=make_batch_handler(repo))
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        def all_scored() -> bool:
            units = readers.standings(repo, CAMPAIGN, "1", "unit").entries
            return any(s.tally.subject == unit and s.tally.handled == len(outcomes) for s in units)

        wait_until(all_scored, timeout=60)
    finally:
        consumer.stop()
        thread.join(30)
    assert _value("dunghan_consumer_batches_total", queue=queue, result="rolled_back") > rolled_back
    with repo.uow as tx:  # what every replica's /metrics reports, read from the database
        seen = metrics.figures(tx, datetime(2017, 4, 20, tzinfo=UTC)).phase_dossiers
    for outcome in ("early", "on_time", "late"):
        assert seen.get((CAMPAIGN, "1", unit, outcome), 0) == outcomes.count(outcome), outcome
