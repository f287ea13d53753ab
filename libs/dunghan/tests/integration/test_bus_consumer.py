"""The consumer against the real broker: acks, dead letters, retries, duplicates, reconnects, graceful stop."""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pika
import pytest

from dunghan.bus.consumer import Consumer, Delivery
from dunghan.bus.errors import Duplicate, Reject, RetryLater
from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import ConsumerQueue
from dunghan.testing.polling import wait_until

pytestmark = pytest.mark.integration

RABBITMQCTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"



class Running:
    """A consumer in a thread that records every delivery and behaves as ``behaviour`` says."""

    def __init__(self, amqp_url: str, prefix: str, queue: ConsumerQueue,
                 behaviour: Callable[[Delivery], None] = lambda d: None, **kwargs: Any) -> None:
        self.seen: list[Delivery] = []

        def handler(d: Delivery) -> None:
            self.seen.append(d)
            behaviour(d)

        self.consumer = Consumer(amqp_url, queue, handler, prefix=prefix, **kwargs)
        self.thread = threading.Thread(target=self.consumer.run, daemon=True)
        self.thread.start()
        assert self.consumer.ready.wait(10)

    def ids(self) -> list[str | None]:
        return [d.message_id for d in self.seen]

    def stop(self) -> None:
        self.consumer.stop()
        self.thread.join(10)
        assert not self.thread.is_alive()


def drain(amqp_url: str, queue: str) -> list[tuple[str | None, dict[str, Any]]]:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    out = []
    while True:
        method, props, _body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            break
        out.append((props.message_id, dict(props.headers or {})))
    conn.close()
    return out


def depth(amqp_url: str, name: str) -> int:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    count = conn.channel().queue_declare(name, passive=True).method.message_count
    conn.close()
    return int(count)


@pytest.fixture
def queue(amqp_url: str, bus_prefix: str) -> Any:
    q = ConsumerQueue("deadline", f"bus{uuid.uuid4().hex[:6]}", "dunghan.events", ("intake.#",),
                      delivery_limit=2, retry_delays_ms=(200, 300))
    yield q
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    retries = [q.retry_queue(d, bus_prefix) for d in q.retry_delays_ms]
    for name in [q.qname(bus_prefix), q.dlq(bus_prefix), *retries]:
        with contextlib.suppress(Exception):
            conn.channel().queue_delete(name)
    with contextlib.suppress(Exception):
        conn.channel().exchange_delete(q.dlx(bus_prefix))
    conn.close()


@pytest.fixture
def publisher(amqp_url: str, bus_prefix: str) -> Any:
    p = Publisher(amqp_url, prefix=bus_prefix, app_id="test")
    yield p
    p.close()


def publish(publisher: Publisher, message_id: str) -> None:
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id=message_id)


def test_confirmed_batch_is_consumed_and_acked(amqp_url, bus_prefix, queue, publisher):
    running = Running(amqp_url, bus_prefix, queue)
    publisher.publish_many([OutgoingMessage("dunghan.events", "intake.x.v1", b"{}", f"m{i}") for i in range(200)])
    wait_until(lambda: len(running.seen) == 200)
    running.stop()
    assert sorted(running.ids()) == sorted(f"m{i}" for i in range(200))
    assert depth(amqp_url, queue.qname(bus_prefix)) == 0


def test_reject_dead_letters_with_the_reason_in_headers(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d: Delivery) -> None:
        raise Reject("thiếu trường code", field="data.code")

    hooked: list[str] = []
    running = Running(amqp_url, bus_prefix, queue, behaviour, on_reject=lambda d, exc: hooked.append(exc.reason))
    publish(publisher, "bad-1")
    wait_until(lambda: depth(amqp_url, queue.dlq(bus_prefix)) == 1)
    running.stop()
    [(mid, headers)] = drain(amqp_url, queue.dlq(bus_prefix))
    assert mid == "bad-1" and headers["x-rejection-field"] == "data.code"
    assert headers["x-rejection-reason"] == "thiếu trường code"
    assert headers["x-original-routing-key"] == "intake.x.v1"
    assert headers["x-original-exchange"] == f"{bus_prefix}dunghan.events"
    assert hooked == ["thiếu trường code"] and depth(amqp_url, queue.qname(bus_prefix)) == 0


def test_poison_message_reaches_the_dlq_after_the_delivery_limit(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d: Delivery) -> None:
        raise RuntimeError("bug")

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publish(publisher, "poison")
    wait_until(lambda: depth(amqp_url, queue.dlq(bus_prefix)) == 1)
    running.stop()
    assert len(running.seen) == queue.delivery_limit + 1
    assert [d.delivery_count for d in running.seen] == list(range(queue.delivery_limit + 1))


def test_transient_failure_is_retried_after_the_delay_then_succeeds(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d: Delivery) -> None:
        if not d.headers.get("x-retry-count"):
            raise RetryLater("database busy")

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    started = time.monotonic()
    publish(publisher, "flaky")
    wait_until(lambda: len(running.seen) == 2)
    elapsed = time.monotonic() - started
    running.stop()
    assert elapsed >= 0.2
    again = running.seen[1]
    assert again.headers["x-retry-count"] == 1 and again.message_id == "flaky"
    assert again.routing_key == "intake.x.v1" and again.exchange == f"{bus_prefix}dunghan.events"
    assert depth(amqp_url, queue.dlq(bus_prefix)) == 0 and depth(amqp_url, queue.qname(bus_prefix)) == 0


def test_retries_exhausted_dead_letter(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d: Delivery) -> None:
        raise RetryLater("still busy")

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publish(publisher, "never")
    wait_until(lambda: depth(amqp_url, queue.dlq(bus_prefix)) == 1)
    running.stop()
    assert len(running.seen) == 1 + len(queue.retry_delays_ms)
    [(_mid, headers)] = drain(amqp_url, queue.dlq(bus_prefix))
    assert headers["x-rejection-reason"] == "retries exhausted: still busy"
    assert headers["x-original-routing-key"] == "intake.x.v1"


def test_duplicate_is_acked_and_skipped(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d: Delivery) -> None:
        if d.message_id == "dup":
            raise Duplicate()

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publish(publisher, "dup")
    publish(publisher, "next")
    wait_until(lambda: "next" in running.ids())
    running.stop()
    assert running.ids() == ["dup", "next"]
    assert depth(amqp_url, queue.qname(bus_prefix)) == 0 and depth(amqp_url, queue.dlq(bus_prefix)) == 0


def connection_pids(name: str) -> set[str]:
    listing = subprocess.run([RABBITMQCTL, "-q", "list_connections", "pid", "client_properties"],
                             capture_output=True, text=True, check=True).stdout
    return {line.split("\t")[0] for line in listing.splitlines() if f'"{name}"' in line}


def test_consumer_reconnects_after_the_broker_closes_its_connection(amqp_url, bus_prefix, queue, publisher):
    if not shutil.which(RABBITMQCTL):
        pytest.skip("rabbitmqctl is not on this machine")
    name = f"reconnect-{uuid.uuid4().hex[:6]}"
    running = Running(amqp_url, bus_prefix, queue, name=name)
    publish(publisher, "before")
    wait_until(lambda: "before" in running.ids())
    [old] = connection_pids(name)
    subprocess.run([RABBITMQCTL, "-q", "close_connection", old, "test: dropped"], check=True)
    wait_until(lambda: connection_pids(name) - {old}, timeout=20)
    publish(publisher, "after")
    wait_until(lambda: "after" in running.ids(), timeout=20)
    running.stop()
    assert running.ids() == ["before", "after"]


def test_graceful_stop_acks_the_message_in_hand_and_leaves_the_rest(amqp_url, bus_prefix, queue, publisher):
    entered = threading.Event()

    def behaviour(d: Delivery) -> None:
        entered.set()
        time.sleep(0.5)

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publisher.publish_many([OutgoingMessage("dunghan.events", "intake.x.v1", b"{}", m) for m in ("slow", "next")])
    assert entered.wait(10)
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 3
    assert running.ids() == ["slow"]
    assert [mid for mid, _ in drain(amqp_url, queue.qname(bus_prefix))] == ["next"]
