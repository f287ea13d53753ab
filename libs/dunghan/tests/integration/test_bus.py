"""The RabbitMQ plumbing against the real broker: confirms, dead letters, retries, duplicates, reconnects."""
import contextlib
import subprocess
import threading
import time
import uuid

import pika
import pytest

from dunghan.bus.consumer import Consumer, Delivery
from dunghan.bus.errors import Duplicate, Reject, RetryLater, Unroutable
from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import ConsumerQueue

pytestmark = pytest.mark.integration


def make_queue(name: str) -> ConsumerQueue:
    return ConsumerQueue("deadline", name, "dunghan.events", ("intake.#",), delivery_limit=2,
                         retry_delays_ms=(200, 300))


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


class Running:
    """A consumer in a thread that records every delivery and behaves as ``behaviour`` says."""

    def __init__(self, amqp_url, prefix, queue, behaviour=lambda d: None, name=None):
        self.seen: list[Delivery] = []

        def handler(d: Delivery) -> None:
            self.seen.append(d)
            behaviour(d)

        self.consumer = Consumer(amqp_url, queue, handler, prefix=prefix, name=name)
        self.thread = threading.Thread(target=self.consumer.run, daemon=True)
        self.thread.start()
        assert self.consumer.ready.wait(10)

    def ids(self) -> list[str | None]:
        return [d.message_id for d in self.seen]

    def stop(self) -> None:
        self.consumer.stop()
        self.thread.join(10)


def drain(amqp_url: str, queue: str) -> list[tuple[str, dict]]:
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


@pytest.fixture
def queue(amqp_url, bus_prefix):
    q = make_queue(f"bus{uuid.uuid4().hex[:6]}")
    yield q
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    retries = [q.retry_queue(d, bus_prefix) for d in q.retry_delays_ms]
    for name in [q.qname(bus_prefix), q.dlq(bus_prefix), *retries]:
        ch = conn.channel()
        with contextlib.suppress(Exception):
            ch.queue_delete(name)
    with contextlib.suppress(Exception):
        conn.channel().exchange_delete(q.dlx(bus_prefix))
    conn.close()


@pytest.fixture
def publisher(amqp_url, bus_prefix):
    p = Publisher(amqp_url, prefix=bus_prefix, app_id="test")
    yield p
    p.close()


def test_confirmed_batch_is_consumed_and_acked(amqp_url, bus_prefix, queue, publisher):
    running = Running(amqp_url, bus_prefix, queue)
    publisher.publish_many([OutgoingMessage("dunghan.events", "intake.x.v1", b"{}", f"m{i}") for i in range(200)])
    wait_for(lambda: len(running.seen) == 200)
    running.stop()
    assert sorted(running.ids()) == sorted(f"m{i}" for i in range(200))
    assert drain(amqp_url, queue.qname(bus_prefix)) == []


def test_unroutable_mandatory_publish_is_detected(publisher):
    publisher.declare_topology()
    with pytest.raises(Unroutable):
        publisher.publish("dunghan.events", "nobody.listens.v1", b"{}", message_id="lost")


def test_reject_dead_letters_with_the_reason_in_headers(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d):
        raise Reject("thiếu trường code", field="data.code")

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="bad-1")
    wait_for(lambda: running.seen)
    time.sleep(0.3)
    running.stop()
    [(mid, headers)] = drain(amqp_url, queue.dlq(bus_prefix))
    assert mid == "bad-1" and headers["x-rejection-field"] == "data.code"
    assert headers["x-rejection-reason"] == "thiếu trường code"
    assert headers["x-original-routing-key"] == "intake.x.v1"


def test_poison_message_reaches_the_dlq_after_the_delivery_limit(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d):
        raise RuntimeError("bug")

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="poison")
    wait_for(lambda: drain_count(amqp_url, queue.dlq(bus_prefix)) == 1)
    running.stop()
    assert len(running.seen) == queue.delivery_limit + 1


def drain_count(amqp_url: str, name: str) -> int:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    count = conn.channel().queue_declare(name, passive=True).method.message_count
    conn.close()
    return count


def test_transient_failure_is_retried_after_the_delay(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d):
        if not d.headers.get("x-retry-count"):
            raise RetryLater("database busy")

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    started = time.monotonic()
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="flaky")
    wait_for(lambda: len(running.seen) == 2)
    running.stop()
    assert time.monotonic() - started >= 0.2
    assert running.seen[1].headers["x-retry-count"] == 1
    assert drain(amqp_url, queue.dlq(bus_prefix)) == []


def test_retries_exhausted_dead_letter(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d):
        raise RetryLater("still busy")

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="never")
    wait_for(lambda: drain_count(amqp_url, queue.dlq(bus_prefix)) == 1)
    running.stop()
    assert len(running.seen) == 1 + len(queue.retry_delays_ms)
    [(_mid, headers)] = drain(amqp_url, queue.dlq(bus_prefix))
    assert headers["x-rejection-reason"].startswith("retries exhausted")


def test_duplicate_is_acked_and_skipped(amqp_url, bus_prefix, queue, publisher):
    def behaviour(d):
        if d.message_id == "dup":
            raise Duplicate()

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="dup")
    wait_for(lambda: running.seen)
    time.sleep(0.3)
    running.stop()
    assert len(running.seen) == 1
    assert drain(amqp_url, queue.qname(bus_prefix)) == [] and drain(amqp_url, queue.dlq(bus_prefix)) == []


def close_connection_from_broker(name: str) -> None:
    listing = subprocess.run(["rabbitmqctl", "-q", "list_connections", "pid", "client_properties"],
                             capture_output=True, text=True, check=True).stdout
    pids = [line.split("\t")[0] for line in listing.splitlines() if name in line]
    assert pids, f"connection {name} not found"
    for pid in pids:
        subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, "test: dropped"], check=True)


def test_consumer_reconnects_after_the_broker_closes_its_connection(amqp_url, bus_prefix, queue, publisher):
    name = f"reconnect-{uuid.uuid4().hex[:6]}"
    running = Running(amqp_url, bus_prefix, queue, name=name)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="before")
    wait_for(lambda: "before" in running.ids())
    close_connection_from_broker(name)
    wait_for(lambda: not running.consumer.ready.is_set() or True)
    wait_for(lambda: running.consumer.ready.is_set(), timeout=20)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="after")
    wait_for(lambda: "after" in running.ids(), timeout=20)
    running.stop()


def test_graceful_stop_finishes_and_acks_the_message_in_hand(amqp_url, bus_prefix, queue, publisher):
    entered = threading.Event()

    def behaviour(d):
        entered.set()
        time.sleep(0.5)

    running = Running(amqp_url, bus_prefix, queue, behaviour)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="slow")
    assert entered.wait(10)
    running.stop()
    assert not running.thread.is_alive()
    assert running.ids() == ["slow"]
    assert drain(amqp_url, queue.qname(bus_prefix)) == []


def test_publisher_reconnects_after_its_connection_is_closed(amqp_url, bus_prefix, queue, publisher):
    running = Running(amqp_url, bus_prefix, queue)
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="p1")
    close_connection_from_broker("test-publisher")
    publisher.publish("dunghan.events", "intake.x.v1", b"{}", message_id="p2")
    wait_for(lambda: {"p1", "p2"} <= set(running.ids()))
    running.stop()
