"""Two outbox relays with the real Publisher against the real broker: every committed row arrives exactly once."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pika
import pytest
from sqlalchemy import Engine, MetaData, select

from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import EVENTS_EXCHANGE, declare_exchanges
from dunghan.contract.envelope import CloudEvent, decode
from dunghan.db import OutboxRelay, make_engine, messaging_tables, outbox_add

pytestmark = pytest.mark.integration

metadata = MetaData()
_, outbox = messaging_tables(metadata)


@pytest.fixture
def engine(make_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(make_database("relay_broker"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def channel(amqp_url: str, bus_prefix: str) -> Iterator[Any]:
    """A channel on which the prefixed exchanges are declared."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    declare_exchanges(ch, prefix=bus_prefix)
    yield ch
    conn.close()


def bound_queue(ch: Any, bus_prefix: str) -> str:
    """An exclusive queue (gone with the connection) bound to ``intake.#`` on the prefixed events exchange."""
    name: str = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.queue_bind(queue=name, exchange=f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key="intake.#")
    return name


def event(event_id: str) -> CloudEvent:
    return CloudEvent(
        id=event_id, source="/dunghan/intake", type="vn.dunghan.intake.dossier_accepted.v1",
        time=datetime(2025, 3, 3, 2, 0, tzinfo=UTC), subject="H01.1-250303-0001", data={"n": event_id},
    )


def drain(ch: Any, queue: str, expected: int, timeout: float = 20.0) -> list[str]:
    ids: list[str] = []
    deadline = time.monotonic() + timeout
    while len(ids) < expected and time.monotonic() < deadline:
        method, props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            time.sleep(0.02)
            continue
        assert decode(body).id == props.message_id
        ids.append(props.message_id)
    time.sleep(0.2)
    while (got := ch.basic_get(queue, auto_ack=True))[0] is not None:
        ids.append(got[1].message_id)
    return ids


def test_two_relays_with_real_publishers_deliver_each_committed_row_exactly_once(
    engine: Engine, channel: Any, amqp_url: str, bus_prefix: str,
) -> None:
    queue = bound_queue(channel, bus_prefix)
    ids = [f"rb-{i}" for i in range(200)]
    with pytest.raises(RuntimeError), engine.begin() as conn:
        outbox_add(conn, event("rolled-back"))
        raise RuntimeError("the effect failed")
    stop = threading.Event()
    publishers = [Publisher(amqp_url, prefix=bus_prefix, app_id="relay-test") for _ in range(2)]
    relays = [OutboxRelay(engine, p, "svc-broker", batch=15) for p in publishers]
    threads = [threading.Thread(target=r.run, args=(stop, 0.01)) for r in relays]
    for t in threads:
        t.start()
    try:
        for i in range(0, len(ids), 25):
            with engine.begin() as conn:
                for event_id in ids[i:i + 25]:
                    outbox_add(conn, event(event_id))
        received = drain(channel, queue, len(ids))
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        for p in publishers:
            p.close()
    assert sorted(received) == sorted(ids)
    with engine.connect() as conn:
        assert conn.execute(select(outbox.c.event_id).where(outbox.c.published_at.is_(None))).all() == []


def test_an_unroutable_row_stays_in_the_outbox_and_the_others_are_delivered(
    engine: Engine, channel: Any, amqp_url: str, bus_prefix: str,
) -> None:
    queue = bound_queue(channel, bus_prefix)
    with engine.begin() as conn:
        outbox_add(conn, event("u-1"))
        outbox_add(conn, event("u-2"), routing_key="nobody.listens.v1")
        outbox_add(conn, event("u-3"))
    with Publisher(amqp_url, prefix=bus_prefix) as publisher:
        relay = OutboxRelay(engine, publisher, "svc-unroutable")
        relay.run_once()
    # The batch was unroutable as a whole, so it was re-sent row by row: u-1 and u-3 may arrive twice.
    assert sorted(set(drain(channel, queue, 2))) == ["u-1", "u-3"]
    with engine.connect() as conn:
        pending = conn.execute(select(outbox.c.event_id, outbox.c.last_error)
                               .where(outbox.c.published_at.is_(None))).all()
    assert [p.event_id for p in pending] == ["u-2"]
    assert "Unroutable" in pending[0].last_error
