"""Batches: many messages in one transaction on the real broker and database; a bad one costs a second pass."""
from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pika
import pytest
from sqlalchemy import Column, Engine, MetaData, String, Table, insert, select

from dunghan.bus.consumer import Consumer, Delivery
from dunghan.bus.errors import Duplicate, Reject
from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import ConsumerQueue, declare
from dunghan.db import inbox_accept, make_engine, messaging_tables
from dunghan.db.unit_of_work import ConnectionUnitOfWork
from dunghan.metrics import BATCHES
from dunghan.testing.polling import wait_until

pytestmark = pytest.mark.integration

metadata = MetaData()
messaging_tables(metadata)
effects = Table("batch_effects", metadata, Column("event_id", String(50), primary_key=True))


@pytest.fixture(scope="module")
def engine(make_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(make_database("batch"), pre_ping=False)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> ConnectionUnitOfWork:
    return ConnectionUnitOfWork(engine)


@pytest.fixture
def queue(amqp_url: str, bus_prefix: str) -> Iterator[ConsumerQueue]:
    q = ConsumerQueue("deadline", f"batch{uuid.uuid4().hex[:6]}", "dunghan.events", ("intake.#",),
                      delivery_limit=3, retry_delays_ms=(200,))
    yield q
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    for name in [q.qname(bus_prefix), q.dlq(bus_prefix), q.retry_queue(200, bus_prefix)]:
        with contextlib.suppress(Exception):
            conn.channel().queue_delete(name)
    with contextlib.suppress(Exception):
        conn.channel().exchange_delete(q.dlx(bus_prefix))
    conn.close()


def effect_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(effects.c.event_id)).scalars())


def apply(uow: ConnectionUnitOfWork, event_id: str) -> None:
    """What a service handler does: inbox row and effect in the unit of work it is handed."""
    with uow as conn:
        if not inbox_accept(conn, "/test", event_id):
            raise Duplicate(event_id)
        conn.execute(insert(effects).values(event_id=event_id))


def test_a_unit_of_work_inside_another_joins_it_and_after_commit_waits_for_its_commit(
        engine: Engine, uow: ConnectionUnitOfWork) -> None:
    ran: list[str] = []
    with uow:
        apply(uow, "j-1")
        apply(uow, "j-2")
        uow.after_commit(lambda: ran.append("done"))
        assert ran == [] and "j-1" not in effect_ids(engine)  # not committed yet: another connection sees nothing
    assert ran == ["done"] and {"j-1", "j-2"} <= set(effect_ids(engine))
    uow.after_commit(lambda: ran.append("outside"))  # none open: at once
    assert ran == ["done", "outside"]


def test_an_error_rolls_the_whole_unit_of_work_back_and_drops_its_callbacks(
        engine: Engine, uow: ConnectionUnitOfWork) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError), uow:
        apply(uow, "r-1")
        uow.after_commit(lambda: ran.append("never"))
        raise RuntimeError("message 2 failed")
    assert "r-1" not in effect_ids(engine) and ran == []


def test_an_explicit_commit_makes_the_work_so_far_durable_and_runs_its_callbacks(
        engine: Engine, uow: ConnectionUnitOfWork) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError), uow as conn:
        conn.execute(insert(effects).values(event_id="c-1"))
        uow.after_commit(lambda: ran.append("committed"))
        uow.commit()
        assert ran == ["committed"] and "c-1" in effect_ids(engine)
        conn.execute(insert(effects).values(event_id="c-2"))
        uow.after_commit(lambda: ran.append("never"))
        raise RuntimeError("fails after the commit")
    assert ran == ["committed"] and "c-2" not in effect_ids(engine)


def test_units_of_work_locking_the_same_key_run_one_after_the_other(
        engine: Engine, uow: ConnectionUnitOfWork) -> None:
    order: list[str] = []
    first_holds = threading.Event()

    def first() -> None:
        with uow as conn:
            uow.lock(["dossier:A", "dossier:B"])
            first_holds.set()
            time.sleep(0.3)
            conn.execute(insert(effects).values(event_id="lock-first"))
            order.append("first committed")

    thread = threading.Thread(target=first)
    thread.start()
    first_holds.wait(5)
    with uow as conn:  # the same object from another thread: a unit of work of its own
        uow.lock(["dossier:B"])
        order.append("second locked")
        assert "lock-first" in conn.execute(select(effects.c.event_id)).scalars().all()  # sees the first write
    thread.join()
    assert order == ["first committed", "second locked"]


def counted(queue: str, result: str) -> float:
    return BATCHES.labels(queue, result)._value.get()  # type: ignore[no-any-return]


def test_waiting_messages_are_handled_in_batches_and_a_bad_one_falls_back_to_one_by_one(
        amqp_url: str, bus_prefix: str, queue: ConsumerQueue, engine: Engine, uow: ConnectionUnitOfWork) -> None:
    seen: list[str] = []

    def handler(d: Delivery) -> None:
        seen.append(d.body.decode())
        if d.body == b"b-050":
            raise Reject("bad message", field="data")
        apply(uow, d.body.decode())

    consumer = Consumer(amqp_url, queue, handler, prefix=bus_prefix, unit_of_work=uow, batch_size=25)
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    declare(conn.channel(), consumer._topology(), prefix=bus_prefix, only=queue.service)
    conn.close()
    # Published before the consumer starts, so that they are waiting and come in batches; b-050 is bad and
    # b-007 comes twice (a redelivery within one batch is a duplicate there too).
    ids = [f"b-{i:03d}" for i in range(120)]
    publisher = Publisher(amqp_url, prefix=bus_prefix, app_id="test")
    publisher.publish_many([OutgoingMessage("dunghan.events", "intake.x.v1", i.encode(), i)
                            for i in [*ids, "b-007"]])
    publisher.close()
    committed_before = counted(queue.name, "committed")
    rolled_back_before = counted(queue.name, "rolled_back")
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(effect_ids_of(engine, "b-")) == 119 and dead_letters(amqp_url, queue, bus_prefix))
    finally:
        consumer.stop()
        thread.join(10)
    assert effect_ids_of(engine, "b-") == [i for i in ids if i != "b-050"]
    assert counted(queue.name, "committed") - committed_before >= 3
    assert counted(queue.name, "rolled_back") - rolled_back_before == 1
    assert seen.count("b-050") == 2  # in its batch, then alone
    assert queue_depth(amqp_url, queue.qname(bus_prefix)) == 0


def effect_ids_of(engine: Engine, prefix: str) -> list[str]:
    return [i for i in effect_ids(engine) if i.startswith(prefix)]


def dead_letters(amqp_url: str, queue: ConsumerQueue, prefix: str) -> bool:
    return queue_depth(amqp_url, queue.dlq(prefix)) == 1


def queue_depth(amqp_url: str, name: str) -> int:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return int(conn.channel().queue_declare(name, passive=True).method.message_count)
    finally:
        conn.close()

