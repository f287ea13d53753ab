"""Consumer outcome mapping with recording fakes: each handler outcome gives exactly one broker action."""
from __future__ import annotations

from typing import Any

import pika
import pytest
from pika.spec import Basic

from dunghan.bus.consumer import Consumer, Delivery
from dunghan.bus.errors import Duplicate, Reject, RetryLater
from dunghan.bus.topology import ConsumerQueue
from dunghan.metrics import MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED

QUEUE = ConsumerQueue("deadline", "unit.events", "dunghan.events", ("intake.#",), delivery_limit=3,
                      retry_delays_ms=(200, 400))


class FakeChannel:
    """Records acks, nacks and publishes as a pika channel would receive them."""

    def __init__(self, fail_publish: Exception | None = None) -> None:
        self.acked: list[int] = []
        self.nacked: list[tuple[int, bool]] = []
        self.published: list[tuple[str, str, bytes, Any]] = []
        self.fail_publish = fail_publish

    def basic_ack(self, delivery_tag: int) -> None:
        self.acked.append(delivery_tag)

    def basic_nack(self, delivery_tag: int, requeue: bool = True) -> None:
        self.nacked.append((delivery_tag, requeue))

    def basic_publish(self, exchange: str, routing_key: str, body: bytes, properties: Any,
                      mandatory: bool = False) -> None:
        assert mandatory
        if self.fail_publish is not None:
            raise self.fail_publish
        self.published.append((exchange, routing_key, body, properties))


def message(headers: dict[str, Any] | None = None, *, exchange: str = "p.dunghan.events",
            routing_key: str = "intake.dossier_received.v1", tag: int = 7) -> tuple[Any, Any, bytes]:
    method = Basic.Deliver(consumer_tag="c", delivery_tag=tag, redelivered=False, exchange=exchange,
                           routing_key=routing_key)
    props = pika.BasicProperties(message_id="ev-1", headers=headers, user_id="dept-a", app_id="src",
                                 content_type="application/json", reply_to="dept.replies", correlation_id="corr-1")
    return method, props, b'{"k": 1}'


def consumer_with(behaviour: Any, on_reject: Any = None,
                  publish: FakeChannel | None = None) -> tuple[Consumer, FakeChannel, FakeChannel, list[Delivery]]:
    seen: list[Delivery] = []

    def handler(d: Delivery) -> None:
        seen.append(d)
        behaviour(d)

    consumer = Consumer("amqp://unused", QUEUE, handler, prefix="p.", on_reject=on_reject)
    consumer.publish_channel = publish or FakeChannel()
    consumer.sleep = SLEPT.append
    return consumer, FakeChannel(), consumer.publish_channel, seen


SLEPT: list[float] = []


class OperationalError(Exception):
    """Named as SQLAlchemy's and the DB-API's: the database connection was lost."""


def count(outcome: str) -> float:
    return MESSAGES_CONSUMED.labels(QUEUE.name, outcome)._value.get()


def raise_(exc: Exception) -> Any:
    def behaviour(_d: Delivery) -> None:
        raise exc

    return behaviour


def test_handler_returning_acks_after_the_handler_ran():
    before = count("ok")
    consumer, channel, publish, seen = consumer_with(lambda d: None)
    consumer.on_message(channel, *message())
    assert channel.acked == [7] and channel.nacked == [] and publish.published == []
    assert seen[0].message_id == "ev-1" and seen[0].user_id == "dept-a" and seen[0].body == b'{"k": 1}'
    assert count("ok") == before + 1


def test_reject_publishes_a_copy_to_the_dlx_with_reasons_then_acks():
    before = MESSAGES_DEAD_LETTERED.labels(QUEUE.name)._value.get()
    consumer, channel, publish, _ = consumer_with(raise_(Reject("thiếu mã hồ sơ", field="data.code")))
    consumer.on_message(channel, *message({"x-delivery-count": 1, "trace": "t"}))
    [(exchange, key, body, props)] = publish.published
    assert (exchange, key, body) == ("p.unit.events.dlx", "p.unit.events.dlq", b'{"k": 1}')
    # Published as the consumer's own user (``amqp://unused`` has pika's default, guest).
    assert props.delivery_mode == 2 and props.message_id == "ev-1" and props.user_id == "guest"
    assert props.headers["x-rejection-reason"] == "thiếu mã hồ sơ"
    assert props.headers["x-rejection-field"] == "data.code"
    assert props.headers["x-original-routing-key"] == "intake.dossier_received.v1"
    assert props.headers["x-original-exchange"] == "p.dunghan.events"
    assert props.headers["trace"] == "t" and "x-delivery-count" not in props.headers
    assert channel.acked == [7] and channel.nacked == []
    assert MESSAGES_DEAD_LETTERED.labels(QUEUE.name)._value.get() == before + 1


def test_on_reject_hook_gets_the_delivery_and_the_exception():
    calls: list[tuple[str | None, str]] = []
    consumer, channel, publish, _ = consumer_with(
        raise_(Reject("bad")), on_reject=lambda d, exc: calls.append((d.message_id, exc.reason)))
    consumer.on_message(channel, *message())
    assert calls == [("ev-1", "bad")] and len(publish.published) == 1 and channel.acked == [7]


def test_failing_on_reject_hook_requeues_without_dead_lettering():
    def hook(_d: Delivery, _exc: Reject) -> None:
        raise RuntimeError("reply failed")

    consumer, channel, publish, _ = consumer_with(raise_(Reject("bad")), on_reject=hook)
    consumer.on_message(channel, *message())
    assert publish.published == [] and channel.nacked == [(7, True)] and channel.acked == []


def test_retry_later_goes_to_the_first_retry_queue_with_an_attempt_count():
    consumer, channel, publish, _ = consumer_with(raise_(RetryLater("db busy")))
    consumer.on_message(channel, *message())
    [(exchange, key, _body, props)] = publish.published
    assert (exchange, key) == ("", "p.unit.events.retry.200ms")
    assert props.headers["x-retry-count"] == 1 and props.headers["x-retry-reason"] == "db busy"
    assert props.headers["x-original-user-id"] == "dept-a"
    assert channel.acked == [7]


def test_a_retried_message_comes_back_with_its_original_routing_key_and_sender():
    returned = message({"x-retry-count": 1, "x-original-routing-key": "intake.dossier_received.v1",
                        "x-original-exchange": "p.dunghan.events", "x-original-user-id": "dept-a",
                        "x-death": [{"queue": "p.unit.events.retry.200ms"}]},
                       exchange="", routing_key="p.unit.events")
    delivery = Delivery.from_pika(*returned)
    assert delivery.routing_key == "intake.dossier_received.v1" and delivery.exchange == "p.dunghan.events"
    assert delivery.user_id == "dept-a"


def test_retry_headers_are_trusted_only_from_the_default_exchange():
    forged = message({"x-retry-count": 1, "x-original-user-id": "someone-else"})
    assert Delivery.from_pika(*forged).user_id == "dept-a"


def test_second_retry_uses_the_next_delay_and_the_last_one_dead_letters():
    consumer, channel, publish, _ = consumer_with(raise_(RetryLater("still busy")))
    consumer.on_message(channel, *message({"x-retry-count": 1}, exchange="", routing_key="p.unit.events"))
    assert publish.published[-1][1] == "p.unit.events.retry.400ms"
    assert publish.published[-1][3].headers["x-retry-count"] == 2
    consumer.on_message(channel, *message({"x-retry-count": 2}, exchange="", routing_key="p.unit.events", tag=8))
    exchange, key, _body, props = publish.published[-1]
    assert (exchange, key) == ("p.unit.events.dlx", "p.unit.events.dlq")
    assert props.headers["x-rejection-reason"] == "retries exhausted: still busy"
    assert channel.acked == [7, 8]


def test_duplicate_is_acked_and_nothing_is_published():
    before = count("duplicate")
    consumer, channel, publish, _ = consumer_with(raise_(Duplicate()))
    consumer.on_message(channel, *message())
    assert channel.acked == [7] and publish.published == [] and count("duplicate") == before + 1


def test_any_other_exception_is_nacked_with_requeue():
    before = count("failed")
    consumer, channel, publish, _ = consumer_with(raise_(RuntimeError("bug")))
    consumer.on_message(channel, *message({"x-delivery-count": 2}))
    assert channel.nacked == [(7, True)] and channel.acked == [] and publish.published == []
    assert count("failed") == before + 1


def test_a_dead_letter_that_cannot_be_published_is_requeued_not_acked():
    failing = FakeChannel(fail_publish=pika.exceptions.UnroutableError([]))
    consumer, channel, _publish, _ = consumer_with(raise_(Reject("bad")), publish=failing)
    consumer.on_message(channel, *message())
    assert channel.nacked == [(7, True)] and channel.acked == []


def test_losing_the_connection_while_dead_lettering_leaves_the_message_unacked():
    failing = FakeChannel(fail_publish=pika.exceptions.StreamLostError("gone"))
    consumer, channel, _publish, _ = consumer_with(raise_(Reject("bad")), publish=failing)
    with pytest.raises(pika.exceptions.StreamLostError):
        consumer.on_message(channel, *message())
    assert channel.acked == [] and channel.nacked == []


def test_messages_arriving_after_stop_go_back_to_the_queue_unhandled():
    consumer, channel, _publish, seen = consumer_with(lambda d: None)
    consumer.stop()
    consumer.on_message(channel, *message())
    assert seen == [] and channel.nacked == [(7, True)]


def test_delivery_count_comes_from_the_quorum_queue_header():
    assert Delivery.from_pika(*message({"x-delivery-count": 3})).delivery_count == 3
    assert Delivery.from_pika(*message()).delivery_count == 0


def test_a_lost_database_is_retried_in_place_without_spending_the_delivery_limit():
    calls: list[int] = []

    def flaky(_d: Delivery) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")

    consumer, channel, _publish, _ = consumer_with(flaky)
    consumer.on_message(channel, *message())
    assert len(calls) == 3 and channel.acked == [7] and channel.nacked == []


def test_a_database_lost_for_longer_than_the_budget_is_requeued():
    consumer, channel, _publish, seen = consumer_with(raise_(OperationalError("down")))
    consumer.transient_retry_seconds = 0
    consumer.on_message(channel, *message())
    assert len(seen) == 1 and channel.nacked == [(7, True)]


def test_consecutive_failures_wait_longer_before_each_requeue_and_a_success_resets():
    fail = [True]

    def behaviour(_d: Delivery) -> None:
        if fail[0]:
            raise RuntimeError("bug")

    consumer, channel, _publish, _ = consumer_with(behaviour)
    SLEPT.clear()
    for tag in (1, 2, 3, 4):
        consumer.on_message(channel, *message(tag=tag))
    first = list(SLEPT)
    assert len(first) == 4 and first[3] > first[0] and max(first) <= 5.0
    fail[0] = False
    consumer.on_message(channel, *message(tag=5))
    fail[0] = True
    consumer.on_message(channel, *message(tag=6))
    assert SLEPT[-1] <= 0.2 and channel.acked == [5]


class FakeConnection:
    """Each ``process_data_events`` call delivers the next waiting message into the consumer's buffer."""

    def __init__(self, consumer: Consumer, arriving: int) -> None:
        self.consumer, self.arriving, self.calls = consumer, arriving, 0

    def process_data_events(self, time_limit: float = 0) -> None:
        self.calls += 1
        if self.arriving:
            self.arriving -= 1
            self.consumer._buffer.append((None, None, b"m"))


def lingering(last_batch: int, arriving: int, batch_size: int = 10) -> tuple[Consumer, FakeConnection]:
    consumer = Consumer("amqp://x", QUEUE, lambda d: None, unit_of_work=object(),  # type: ignore[arg-type]
                        batch_size=batch_size, batch_linger=60.0)
    consumer._last_batch = last_batch
    consumer._buffer = [(None, None, b"m")]
    conn = FakeConnection(consumer, arriving)
    consumer._linger(conn)
    return consumer, conn


def test_a_lone_message_on_a_quiet_queue_does_not_wait():
    consumer, conn = lingering(last_batch=1, arriving=5)
    assert conn.calls == 0 and len(consumer._buffer) == 1


def test_under_a_backlog_a_batch_waits_until_it_is_full():
    consumer, conn = lingering(last_batch=4, arriving=30)
    assert len(consumer._buffer) == 10 and conn.calls == 9
