"""Over the real broker: events consumed from scoring.events, PhaseClosed relayed once to dunghan.events."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pika
import pytest

from dunghan.bus.topology import EVENTS_EXCHANGE, SCORING_EVENTS, declare
from dunghan.clock import LOCAL_TZ
from dunghan.contract.envelope import decode, encode, envelope_for
from dunghan.contract.events import DossierClassified, routing_key
from dunghan.db import OutboxRelay, make_engine, upgrade
from dunghan.testing.polling import wait_until
from scoring import campaign_file, commands, readers
from scoring.bootstrap import MIGRATIONS
from scoring.config import SAMPLE_CAMPAIGN
from scoring.repository import SqlRepository

pytestmark = pytest.mark.integration
errors_mod = pytest.importorskip("dunghan.bus.errors")
publisher_mod = pytest.importorskip("dunghan.bus.publisher")
consumer_mod = pytest.importorskip("dunghan.bus.consumer")
CAMPAIGN = "sct-2017-giai-quyet-nhanh-tthc"



def test_events_in_standings_out_and_phase_closed_published_once(
    amqp_url: str, bus_prefix: str, make_database: Callable[[str], str]
) -> None:
    from scoring.consumer import make_handler

    url = make_database("scoring_bus")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    repo = SqlRepository(engine)
    campaign_file.load_campaign_file(repo, SAMPLE_CAMPAIGN)
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    declare(ch, prefix=bus_prefix, only="scoring")
    watch = f"{bus_prefix}watch.phase_closed"
    ch.queue_declare(queue=watch, exclusive=True)
    ch.queue_bind(queue=watch, exchange=f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key="scoring.phase_closed.#")
    consumer = consumer_mod.Consumer(amqp_url, SCORING_EVENTS, make_handler(repo), prefix=bus_prefix)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        day = datetime(2017, 4, 3, 9, tzinfo=LOCAL_TZ)
        for i in range(6):
            ev = DossierClassified(
                f"D{i}", "SCT", "KTAT", "an", "P1", "x", 2, day - timedelta(days=3), day + timedelta(days=i),
                "result_ready", "early", -1, 16.0)
            ce = envelope_for(ev, now=datetime.now(UTC))
            for _ in range(2 if i == 0 else 1):  # one redelivery: deduplicated by the inbox
                ch.basic_publish(f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key(ce.type), encode(ce),
                                 pika.BasicProperties(message_id=ce.id, delivery_mode=2))

        def six() -> bool:
            entries = readers.standings(repo, CAMPAIGN, "1", "officer").entries
            return bool(entries) and entries[0].tally.handled == 6

        wait_until(six)
        commands.close_phase(repo, CAMPAIGN, "1", datetime(2017, 6, 30, 10, tzinfo=UTC))
        publisher = publisher_mod.Publisher(amqp_url, prefix=bus_prefix, app_id="scoring")
        relay = OutboxRelay(engine, publisher, "scoring")
        assert relay.run_once() == 1
        assert relay.run_once() == 0
        bodies: list[bytes] = []

        def got_one() -> bool:
            _method, _props, body = ch.basic_get(watch, auto_ack=True)
            if body:
                bodies.append(body)
            return bool(bodies)

        wait_until(got_one)
        time.sleep(0.3)
        assert ch.basic_get(watch, auto_ack=True)[2] is None
        data = decode(bodies[0]).data
        officers = [s for s in data["standings"] if s["kind"] == "officer"]
        assert data["campaign"] == CAMPAIGN and officers[0]["subject"] == "an" and officers[0]["rank"] == 1
        officer_awards = [p for p in data["proposals"] if p["kind"] == "officer" and p["subject"] == "an"]
        assert 363_000 in {p["amount_vnd"] for p in officer_awards}
    finally:
        consumer.stop()
        thread.join(10)
        conn.close()
        engine.dispose()


def test_submissions_and_refusals_reach_the_scoring_queue_and_are_stored(
    amqp_url: str, bus_prefix: str, make_database: Callable[[str], str]
) -> None:
    from sqlalchemy import text

    from dunghan.contract.events import DossierRefused, DossierSubmitted
    from scoring.consumer import make_handler

    url = make_database("scoring_intake_bus")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    repo = SqlRepository(engine)
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    declare(ch, prefix=bus_prefix, only="scoring")
    consumer = consumer_mod.Consumer(amqp_url, SCORING_EVENTS, make_handler(repo), prefix=bus_prefix)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        at = datetime(2017, 4, 3, 2, tzinfo=UTC)
        for ev in (DossierSubmitted("SCT-170403-0001", "SCT", at, "P1"),
                   DossierRefused("SCT-170403-0001", "SCT", at + timedelta(hours=2), "thiếu", "P1", 2, "VP")):
            ce = envelope_for(ev, now=at)
            ch.basic_publish(f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key(ce.type), encode(ce),
                             pika.BasicProperties(message_id=ce.id, delivery_mode=2))

        def stored() -> list[tuple[str, int | None, str | None]]:
            with engine.connect() as c:
                return [tuple(r) for r in c.execute(  # type: ignore[misc]
                    text("SELECT kind, channel, unit FROM intake_events ORDER BY kind"))]

        wait_until(lambda: len(stored()) == 2)
        assert stored() == [("refused", 2, "VP"), ("submitted", 2, None)]
    finally:
        consumer.stop()
        thread.join(10)
        conn.close()
        engine.dispose()
