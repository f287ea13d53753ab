"""Outbox relay on the real PostgreSQL with a recording fake publisher: committed rows only, each exactly once."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, MetaData, select, text

from dunghan.bus.errors import PublishFailed, Unroutable
from dunghan.bus.publisher import OutgoingMessage
from dunghan.contract.envelope import CloudEvent, decode
from dunghan.db import OutboxRelay, make_engine, messaging_tables, outbox_add

pytestmark = pytest.mark.integration

metadata = MetaData()
_, outbox = messaging_tables(metadata)


class FakePublisher:
    """Records every confirmed message; ``fail`` makes the next calls raise (a broker outage), ``unroutable``
    names routing keys no queue is bound to (the whole batch raises Unroutable, as the real publisher does)."""

    def __init__(self, fail: int = 0, unroutable: tuple[str, ...] = ()) -> None:
        self.published: list[OutgoingMessage] = []
        self.calls = 0
        self.fail = fail
        self.unroutable = unroutable
        self.lock = threading.Lock()

    def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        with self.lock:
            self.calls += 1
            if self.fail:
                self.fail -= 1
                raise PublishFailed("broker unreachable")
            self.published.extend(messages)
            returned = [m.message_id for m in messages if m.routing_key in self.unroutable]
            if returned:
                raise Unroutable(", ".join(returned))

    def ids(self) -> list[str]:
        return [m.message_id for m in self.published]


@pytest.fixture(scope="module")
def engine(make_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(make_database("outbox"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def empty_outbox(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox"))


def event(event_id: str) -> CloudEvent:
    return CloudEvent(
        id=event_id, source="/dunghan/intake", type="vn.dunghan.intake.dossier_accepted.v1",
        time=datetime(2025, 3, 3, 2, 0, tzinfo=UTC), subject="H01.1-250303-0001", data={"n": event_id},
    )


def add(engine: Engine, *event_ids: str, **kwargs: Any) -> None:
    with engine.begin() as conn:
        for event_id in event_ids:
            outbox_add(conn, event(event_id), **kwargs)


def rows(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {r.event_id: r for r in conn.execute(select(outbox)).all()}


def gauge(name: str, service: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service})


def test_relay_publishes_committed_rows_in_order_and_marks_them(engine: Engine) -> None:
    add(engine, "a-1", "a-2", headers={"x-correlation-id": "c-9"})
    publisher = FakePublisher()
    assert OutboxRelay(engine, publisher, "svc-a").run_once() == 2
    assert publisher.ids() == ["a-1", "a-2"]
    assert publisher.calls == 1
    first = publisher.published[0]
    assert (first.exchange, first.routing_key) == ("dunghan.events", "intake.dossier_accepted.v1._")  # no agency
    assert first.headers is not None and first.headers["x-correlation-id"] == "c-9"
    assert first.headers["ce-type"] == "vn.dunghan.intake.dossier_accepted.v1"
    assert first.content_type == "application/cloudevents+json"
    assert decode(first.body).id == "a-1"
    assert all(r.published_at is not None and r.attempts == 1 for r in rows(engine).values())
    assert OutboxRelay(engine, publisher, "svc-a").run_once() == 0
    assert len(publisher.published) == 2


def test_a_row_added_in_a_rolled_back_transaction_is_never_published(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        outbox_add(conn, event("never"))
        raise RuntimeError("the effect failed")
    add(engine, "kept")
    publisher = FakePublisher()
    OutboxRelay(engine, publisher, "svc-b").run_once()
    assert publisher.ids() == ["kept"]


def test_batch_limits_one_pass(engine: Engine) -> None:
    add(engine, *[f"b-{i}" for i in range(5)])
    publisher = FakePublisher()
    relay = OutboxRelay(engine, publisher, "svc-c", batch=2)
    assert [relay.run_once() for _ in range(4)] == [2, 2, 1, 0]
    assert publisher.ids() == [f"b-{i}" for i in range(5)]


def test_two_concurrent_relays_publish_each_row_exactly_once(engine: Engine) -> None:
    ids = [f"c-{i}" for i in range(300)]
    publisher = FakePublisher()
    stop = threading.Event()
    relays = [OutboxRelay(engine, publisher, "svc-d", batch=7) for _ in range(2)]
    threads = [threading.Thread(target=r.run, args=(stop, 0.01)) for r in relays]
    for t in threads:
        t.start()
    try:
        for i in range(0, len(ids), 20):
            add(engine, *ids[i:i + 20])
        deadline = time.monotonic() + 20
        while len(publisher.published) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        for t in threads:
            t.join(5)
    assert sorted(publisher.ids()) == sorted(ids)
    assert len(publisher.ids()) == len(set(publisher.ids()))
    assert all(r.published_at is not None for r in rows(engine).values())


def test_publisher_failure_leaves_the_row_unpublished_and_it_is_retried_later(engine: Engine) -> None:
    add(engine, "f-1")
    publisher = FakePublisher(fail=2)
    relay = OutboxRelay(engine, publisher, "svc-e", gauge_interval=0)
    assert relay.run_once() == 0
    assert relay.run_once() == 0
    row = rows(engine)["f-1"]
    assert row.published_at is None and row.attempts == 2
    assert "broker unreachable" in row.last_error
    assert gauge("dunghan_outbox_backlog", "svc-e") == 1
    assert relay.run_once() == 1
    row = rows(engine)["f-1"]
    assert row.published_at is not None and row.attempts == 3 and row.last_error is None
    assert publisher.ids() == ["f-1"]
    assert gauge("dunghan_outbox_backlog", "svc-e") == 0
    assert gauge("dunghan_outbox_oldest_unpublished_age_seconds", "svc-e") == 0


def test_a_crash_between_publish_and_commit_republishes_the_row(engine: Engine) -> None:
    add(engine, "crash-1")

    class CrashAfterPublish(FakePublisher):
        def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
            super().publish_many(messages)
            raise SystemExit("process killed after the broker confirmed")

    crashing = CrashAfterPublish()
    with pytest.raises(SystemExit):
        OutboxRelay(engine, crashing, "svc-f").run_once()
    assert crashing.ids() == ["crash-1"]
    assert rows(engine)["crash-1"].published_at is None
    publisher = FakePublisher()
    assert OutboxRelay(engine, publisher, "svc-f").run_once() == 1
    assert publisher.ids() == ["crash-1"]


def test_gauges_report_backlog_and_age_of_the_oldest_unpublished_row(engine: Engine) -> None:
    add(engine, "g-1", "g-2")
    with engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET created_at = now() - interval '90 seconds' WHERE event_id = 'g-1'"))
    relay = OutboxRelay(engine, FakePublisher(), "svc-g")
    relay.update_gauges()
    assert gauge("dunghan_outbox_backlog", "svc-g") == 2
    age = gauge("dunghan_outbox_oldest_unpublished_age_seconds", "svc-g")
    assert age is not None and 90 <= age < 120


def test_an_unroutable_row_does_not_hold_up_the_rows_behind_it(engine: Engine) -> None:
    add(engine, "h-1")
    add(engine, "h-2", routing_key="nobody.listens.v1")
    add(engine, "h-3")
    publisher = FakePublisher(unroutable=("nobody.listens.v1",))
    relay = OutboxRelay(engine, publisher, "svc-h")
    assert relay.run_once() == 2 and relay.failed_last_pass == 1
    state = rows(engine)
    assert [k for k, r in state.items() if r.published_at is None] == ["h-2"]
    assert state["h-2"].attempts == 1 and "Unroutable" in state["h-2"].last_error


def test_run_backs_off_after_failures_and_publishes_once_the_broker_is_back(engine: Engine) -> None:
    add(engine, "r-1")
    publisher = FakePublisher(fail=3)
    relay = OutboxRelay(engine, publisher, "svc-r", interval=0.01, max_backoff=0.05)
    t = threading.Thread(target=relay.run)
    t.start()
    try:
        deadline = time.monotonic() + 10
        while not publisher.published and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        relay.stop()
        t.join(5)
    assert not t.is_alive()
    assert publisher.ids() == ["r-1"]
    assert rows(engine)["r-1"].attempts == 4


def test_a_committed_row_wakes_a_waiting_relay_before_its_poll_interval(engine: Engine) -> None:
    publisher = FakePublisher()
    stop = threading.Event()
    relay = OutboxRelay(engine, publisher, "svc-n", interval=30.0)
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        time.sleep(1.0)  # the first pass found nothing; the relay now waits up to 30 s
        add(engine, "n-1")
        started = time.monotonic()
        while not publisher.published and time.monotonic() - started < 10:
            time.sleep(0.01)
        assert publisher.ids() == ["n-1"] and time.monotonic() - started < 5
    finally:
        stop.set()
        thread.join(5)
