"""Consumer: manual ack after the handler (and its commit) returned; exceptions decide the broker action."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pika

from dunghan.bus.connection import BROKER_ERRORS, backoff, parameters
from dunghan.bus.errors import Duplicate, Reject, RetryLater
from dunghan.bus.topology import TOPOLOGY, ConsumerQueue, declare_exchanges, declare_queue
from dunghan.metrics import HANDLER_DURATION, MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    body: bytes
    routing_key: str
    exchange: str
    headers: dict[str, Any]
    message_id: str | None
    correlation_id: str | None
    reply_to: str | None
    user_id: str | None
    content_type: str | None
    redelivered: bool
    delivery_count: int

    @classmethod
    def from_pika(cls, method: Any, props: Any, body: bytes) -> Delivery:
        headers = dict(props.headers or {})
        return cls(
            body=body, routing_key=method.routing_key, exchange=method.exchange, headers=headers,
            message_id=props.message_id, correlation_id=props.correlation_id, reply_to=props.reply_to,
            user_id=props.user_id, content_type=props.content_type, redelivered=bool(method.redelivered),
            delivery_count=int(headers.get("x-delivery-count") or 0),
        )


Handler = Callable[[Delivery], None]
OnReject = Callable[[Delivery, Reject], None]


class Consumer:
    """Consumes one service queue until ``stop()``; reconnects with backoff when the connection drops."""

    def __init__(self, amqp_url: str, queue: ConsumerQueue, handler: Handler, *, prefix: str = "",
                 prefetch: int = 20, on_reject: OnReject | None = None, name: str | None = None,
                 declare_topology: bool = True) -> None:
        self.amqp_url = amqp_url
        self.queue = queue
        self.handler = handler
        self.prefix = prefix
        self.prefetch = prefetch
        self.on_reject = on_reject
        self.name = name or f"{queue.service}-consumer"
        self.declare_topology = declare_topology
        self.ready = threading.Event()
        self._stopping = threading.Event()
        self._publish_channel: Any = None

    @property
    def queue_name(self) -> str:
        return self.queue.qname(self.prefix)

    def run(self) -> None:
        delays = backoff()
        while not self._stopping.is_set():
            try:
                self._consume()
                delays = backoff()
            except BROKER_ERRORS as exc:
                self.ready.clear()
                if self._stopping.is_set():
                    break
                delay = next(delays)
                log.warning("consumer %s lost the broker (%s); reconnecting in %.1fs",
                            self.name, type(exc).__name__, delay)
                self._stopping.wait(delay)

    def stop(self) -> None:
        """Finish the message in hand, ack it, then close. Safe from any thread."""
        self._stopping.set()

    def _consume(self) -> None:
        conn = pika.BlockingConnection(parameters(self.amqp_url, self.name))
        try:
            channel = conn.channel()
            if self.declare_topology:
                declare_exchanges(channel, TOPOLOGY, self.prefix)
                declare_queue(channel, self.queue, self.prefix)
                for extra in TOPOLOGY.extra_queues:
                    if extra.startswith(self.queue.service):
                        channel.queue_declare(queue=f"{self.prefix}{extra}", durable=True,
                                              arguments={"x-queue-type": "quorum"})
            channel.basic_qos(prefetch_count=self.prefetch)
            self._publish_channel = conn.channel()
            self._publish_channel.confirm_delivery()
            tag = channel.basic_consume(self.queue_name, on_message_callback=self._on_message)
            self.ready.set()
            while not self._stopping.is_set():
                conn.process_data_events(time_limit=0.2)
            channel.basic_cancel(tag)
        finally:
            self.ready.clear()
            if conn.is_open:
                conn.close()

    def _on_message(self, channel: Any, method: Any, props: Any, body: bytes) -> None:
        delivery = Delivery.from_pika(method, props, body)
        started = time.perf_counter()
        outcome = "ok"
        try:
            self.handler(delivery)
        except Duplicate:
            outcome = "duplicate"
        except Reject as exc:
            outcome = "rejected"
            self._dead_letter(delivery, exc.reason, exc.field)
            if self.on_reject is not None:
                self.on_reject(delivery, exc)
        except RetryLater as exc:
            outcome = "retried"
            self._retry(delivery, exc.reason)
        except Exception:
            log.exception("handler failed on %s (delivery %d); requeued", delivery.routing_key,
                          delivery.delivery_count, extra={"event_id": delivery.message_id})
            MESSAGES_CONSUMED.labels(self.queue.name, "failed").inc()
            channel.basic_nack(method.delivery_tag, requeue=True)
            return
        finally:
            HANDLER_DURATION.labels(self.queue.name).observe(time.perf_counter() - started)
        channel.basic_ack(method.delivery_tag)
        MESSAGES_CONSUMED.labels(self.queue.name, outcome).inc()

    def _republish(self, exchange: str, routing_key: str, delivery: Delivery, headers: dict[str, Any]) -> None:
        props = pika.BasicProperties(
            delivery_mode=2, content_type=delivery.content_type, message_id=delivery.message_id,
            correlation_id=delivery.correlation_id, reply_to=delivery.reply_to, headers=headers,
        )
        self._publish_channel.basic_publish(exchange, routing_key, delivery.body, props, mandatory=True)

    def _dead_letter(self, delivery: Delivery, reason: str, field: str | None) -> None:
        headers = {
            **{k: v for k, v in delivery.headers.items() if not k.startswith("x-death")},
            "x-rejection-reason": reason[:1000], "x-rejection-field": field or "",
            "x-original-routing-key": delivery.routing_key, "x-original-exchange": delivery.exchange,
            "x-original-user-id": delivery.user_id or "",
        }
        self._republish(self.queue.dlx(self.prefix), self.queue.dlq(self.prefix), delivery, headers)
        MESSAGES_DEAD_LETTERED.labels(self.queue.name).inc()
        log.info("dead-lettered %s: %s", delivery.routing_key, reason, extra={"event_id": delivery.message_id})

    def _retry(self, delivery: Delivery, reason: str) -> None:
        attempt = int(delivery.headers.get("x-retry-count") or 0)
        delays = self.queue.retry_delays_ms
        if attempt >= len(delays):
            self._dead_letter(delivery, f"retries exhausted: {reason}", None)
            return
        headers = {**delivery.headers, "x-retry-count": attempt + 1, "x-retry-reason": reason[:1000],
                   "x-original-routing-key": delivery.headers.get("x-original-routing-key", delivery.routing_key)}
        self._republish("", self.queue.retry_queue(delays[attempt], self.prefix), delivery, headers)
        log.info("retry %d of %s in %d ms: %s", attempt + 1, delivery.routing_key, delays[attempt], reason,
                 extra={"event_id": delivery.message_id})
