from __future__ import annotations

import threading
import time

import pika
import pytest
from deadline_factories import accepted, at, cloud, result_ready

from dunghan.bus.topology import DEADLINE_EVENTS, EVENTS_EXCHANGE, declare
from dunghan.contract import decode, encode
from dunghan.contract.events import routing_key

pytestmark = pytest.mark.integration
pytest.importorskip("dunghan.bus.errors")
consumer_mod = pytest.importorskip("dunghan.bus.consumer")
publisher_mod = pytest.importorskip("dunghan.bus.publisher")


def test_canonical_events_in_due_date_set_and_classification_out(amqp_url, bus_prefix, repo, deps):
    from deadline.consumer import make_handler
    from dunghan.db import OutboxRelay

    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    declare(ch, prefix=bus_prefix, only="deadline")
    observed = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.queue_bind(queue=observed, exchange=f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key="deadline.#")

    handler = make_handler(repo, deps, clock=lambda: at(2024, 5, 8))
    consumer = consumer_mod.Consumer(amqp_url, DEADLINE_EVENTS, handler, prefix=bus_prefix)
    relay = OutboxRelay(repo.engine, publisher_mod.Publisher(amqp_url, prefix=bus_prefix), "deadline",
                        interval=0.1)
    threads = [threading.Thread(target=c.run, daemon=True) for c in (consumer, relay)]
    for t in threads:
        t.start()
    try:
        for e in (accepted("SCT-240506-0001", at(2024, 5, 6)), result_ready("SCT-240506-0001", at(2024, 5, 8))):
            ce = cloud(e)
            ch.basic_publish(f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key(ce.type), encode(ce),
                             pika.BasicProperties(message_id=ce.id, delivery_mode=2))
        got: list[str] = []
        deadline = time.monotonic() + 20
        while len(got) < 2 and time.monotonic() < deadline:
            method, _props, body = ch.basic_get(observed, auto_ack=True)
            if method is None:
                conn.sleep(0.1)
                continue
            got.append(decode(body).type)
        assert got == ["vn.dunghan.deadline.due_date_set.v1", "vn.dunghan.deadline.dossier_classified.v1"]
    finally:
        consumer.stop()
        relay.stop()
        for t in threads:
            t.join(10)
        conn.close()
