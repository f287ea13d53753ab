"""The worker end to end: a fact on the inbound queue comes out as a canonical event on dunghan.events."""
from __future__ import annotations

import json
import threading
import time

import pika
import pytest

from dunghan.bus.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE
from dunghan.worker import run_worker
from intake.bootstrap import bootstrap
from intake.config import Settings
from intake.domain import canonical_event_id
from intake.worker import components, declare_topology

from ..conftest import make_fact, seeded_database  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration


def test_inbound_fact_is_published_as_a_canonical_event(amqp_url, bus_prefix, make_database):
    url, engine, _repo = seeded_database(make_database, "intake_worker")
    engine.dispose()
    settings = Settings(database_url=url, amqp_url=amqp_url, amqp_prefix=bus_prefix, orphan_scan_seconds=1)
    declare_topology(amqp_url, bus_prefix)
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    events_q = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.queue_bind(events_q, f"{bus_prefix}{EVENTS_EXCHANGE}", "intake.#")
    stop = threading.Event()
    parts = components(bootstrap(settings, process="worker"))
    worker = threading.Thread(target=run_worker, args=("intake", parts, 0),
                              kwargs={"stop": stop}, daemon=True)
    worker.start()
    try:
        raw = make_fact("dossier.accepted")
        ch.basic_publish(f"{bus_prefix}{INBOUND_EXCHANGE}", "SCT.dossier.accepted", json.dumps(raw).encode(),
                         pika.BasicProperties(user_id="guest", delivery_mode=2))
        deadline = time.monotonic() + 15
        body = None
        while body is None and time.monotonic() < deadline:
            method, _, body = ch.basic_get(events_q, auto_ack=True)
            if method is None:
                time.sleep(0.1)
        assert body is not None, "no canonical event published"
        ce = json.loads(body)
        assert ce["id"] == canonical_event_id("SCT", raw["event_id"])
        assert ce["type"] == "vn.dunghan.intake.dossier_accepted.v1" and ce["data"]["procedure"]["version"] == 1
    finally:
        stop.set()
        worker.join(15)
        conn.close()
