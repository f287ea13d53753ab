"""Consumer: manual ack after the handler (and its commit) returned; exceptions decide the broker action."""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pika

from dunghan.bus.connection import BROKER_ERRORS, backoff, parameters
from dunghan.bus.delivery import BatchHandler, Delivery, Handler, OnReject, handle_each
from dunghan.bus.errors import Duplicate, Reject, RetryLater
from dunghan.bus.identity import FORGED, Forged, Producers
from dunghan.bus.topology import TOPOLOGY, ConsumerQueue, Topology, declare
from dunghan.metrics import (
    BATCHES,
    CONSUMER_LAG,
    HANDLER_DURATION,
    MESSAGES_CONSUMED,
    MESSAGES_DEAD_LETTERED,
    MESSAGES_FORGED,
    zero_consumer,
)
from dunghan.uow import UnitOfWork

log = logging.getLogger(__name__)
__all__ = ["BatchHandler", "Consumer", "Delivery", "Handler", "OnReject", "handle_each", "is_transient"]

REASON_MAX = 1000
TRANSIENT_ERRORS = frozenset({"OperationalError", "InterfaceError"})


def is_transient(exc: BaseException) -> bool:
    """A lost database connection (SQLAlchemy / DB-API ``OperationalError``, ``InterfaceError``): the message is
    not at fault, so it is retried in place instead of spending the queue's delivery limit."""
    return (any(c.__name__ in TRANSIENT_ERRORS for c in type(exc).__mro__)
            or bool(getattr(exc, "connection_invalidated", False)))


def event_lag(props: Any, now: float) -> float | None:
    """Seconds from the event's time to ``now`` (unix): the ``ce-time`` header our publishers set, else the
    AMQP timestamp; None when the message carries neither (a departmental system may send none)."""
    raw = (getattr(props, "headers", None) or {}).get("ce-time")
    if raw:
        try:
            return max(now - datetime.fromisoformat(str(raw)).timestamp(), 0.0)
        except ValueError:
            pass
    stamp = getattr(props, "timestamp", None)
    if isinstance(stamp, int | float) and stamp > 0:
        return max(now - float(stamp), 0.0)
    return None


class Consumer:
    """Consumes one service queue until ``stop()``; reconnects with backoff when the connection drops.

    With ``unit_of_work`` (the one the handlers open, ``dunghan.uow``), the messages that are already waiting,
    up to ``batch_size``, are handled inside one ``with unit_of_work`` (the handlers' own ``with`` joins it:
    one transaction, one commit) and acked after its commit. If any of them raises, even a ``Reject``, the
    batch is rolled back and its messages are handled again one by one, each with the usual outcome. A
    ``batch_handler`` takes the whole batch at once (to read and write for all its messages in a few statements)
    and returns each message's outcome, ok or duplicate; without one, ``handler`` runs for each message. Under a
    backlog (the last batch held more than one message) a batch waits up to ``batch_linger`` seconds to fill.

    With ``producers``, every message's broker-validated ``user_id`` must be the user of the service that owns
    its routing key (``dunghan.bus.identity``); any other is dead-lettered with reason ``forged`` before a
    handler sees it. The consumer's own retries carry its own user, so only they restore the original sender."""

    def __init__(self, amqp_url: str, queue: ConsumerQueue, handler: Handler, *, prefix: str = "",
                 prefetch: int = 50, on_reject: OnReject | None = None, name: str | None = None,
                 declare_topology: bool = True, transient_retry_seconds: float = 20.0,
                 unit_of_work: UnitOfWork[Any] | None = None, batch_size: int = 50,
                 batch_engine: Any = None,
                 batch_handler: BatchHandler | None = None, batch_linger: float = 0.0,
                 producers: Producers | None = None) -> None:
        self.amqp_url = amqp_url
        self.queue = queue
        self.handler = handler
        self.prefix = prefix
        self.prefetch = prefetch
        self.on_reject = on_reject
        self.name = name or f"{queue.service}-consumer"
        self.declare_topology = declare_topology
        self.transient_retry_seconds = transient_retry_seconds
        if batch_engine is not None and unit_of_work is None:  # transitional: deadline and scoring
            from dunghan.db.ambient import EngineBatch

            unit_of_work = EngineBatch(batch_engine)
        self.unit_of_work = unit_of_work
        self.batch_size = max(1, batch_size)
        self.batch_handler = batch_handler
        self.batch_linger = batch_linger
        self.producers = producers
        self.user = pika.URLParameters(amqp_url).credentials.username
        self._last_batch = 0
        self._buffer: list[tuple[Any, Any, bytes]] = []
        self.sleep: Callable[[float], object] = self._pause
        self._failure_delays = backoff(cap=5.0)
        self.ready = threading.Event()
        self.publish_channel: Any = None
        self._stopping = threading.Event()
        self._conn: pika.BlockingConnection | None = None
        zero_consumer(queue.name)

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
                if self._stopping.is_set():
                    break
                delay = next(delays)
                refused = isinstance(exc, pika.exceptions.ChannelClosedByBroker) and exc.reply_code in (403, 404)
                log.log(logging.ERROR if refused else logging.WARNING,
                        "consumer %s lost the broker (%s: %s); reconnecting in %.1fs",
                        self.name, type(exc).__name__, exc, delay)
                self._stopping.wait(delay)

    def stop(self) -> None:
        """Finish the message in hand, ack it, then close. Safe from any thread (a signal handler too)."""
        self._stopping.set()
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.add_callback_threadsafe(lambda: None)  # wakes process_data_events at once

    def _pause(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _topology(self) -> Topology:
        extra = tuple(n for n in TOPOLOGY.extra_queues if n.startswith(f"{self.queue.name}."))
        return Topology(queues=(self.queue,), exchanges=(self.queue.exchange,), extra_queues=extra)

    def _consume(self) -> None:
        conn = pika.BlockingConnection(parameters(self.amqp_url, self.name))
        self._conn = conn
        try:
            channel = conn.channel()
            if self.declare_topology:
                declare(channel, self._topology(), prefix=self.prefix, only=self.queue.service)
            channel.basic_qos(prefetch_count=self.prefetch)
            self.publish_channel = conn.channel()
            self.publish_channel.confirm_delivery()
            batching = self.unit_of_work is not None and self.batch_size > 1
            callback = self._buffered if batching else self.on_message
            tag = channel.basic_consume(self.queue_name, on_message_callback=callback)
            self.ready.set()
            log.info("consumer %s consuming %s", self.name, self.queue_name)
            while not self._stopping.is_set():
                conn.process_data_events(time_limit=0 if self._buffer else 1)
                if self._buffer:
                    self._linger(conn)
                    self._handle_buffer(channel)
            channel.basic_cancel(tag)
        finally:
            self._buffer = []  # unacked: the broker redelivers them
            self.ready.clear()
            self._conn = None
            if conn.is_open:
                with contextlib.suppress(*BROKER_ERRORS):
                    conn.close()

    def on_message(self, channel: Any, method: Any, props: Any, body: bytes) -> None:
        """pika callback: run the handler, then do exactly one of ack / nack(requeue) for the delivery."""
        if self._stopping.is_set():
            channel.basic_nack(method.delivery_tag, requeue=True)  # prefetched after stop(): back to the queue
            return
        delivery = Delivery.from_pika(method, props, body, self.user)
        outcome, exc = self._run_handler(delivery)
        if outcome != "failed":
            try:
                outcome = self._act(delivery, outcome, exc)
            except (pika.exceptions.UnroutableError, pika.exceptions.NackError):
                log.exception("could not complete %s for a message; requeued", outcome, extra=delivery.log_extra())
                outcome = "failed"
            except BROKER_ERRORS:
                raise  # connection lost: nothing was acked, the broker delivers it again
            except Exception:
                log.exception("could not complete %s for a message; requeued", outcome, extra=delivery.log_extra())
                outcome = "failed"
        if outcome == "failed":
            # Back off before requeueing, longer after each consecutive failure, so that an outage does not
            # spend every message's delivery limit in a second.
            self.sleep(next(self._failure_delays))
            channel.basic_nack(method.delivery_tag, requeue=True)
        else:
            self._failure_delays = backoff(cap=5.0)
            channel.basic_ack(method.delivery_tag)
            self._lag(props)
        MESSAGES_CONSUMED.labels(self.queue.name, outcome).inc()

    def _buffered(self, channel: Any, method: Any, props: Any, body: bytes) -> None:
        self._buffer.append((method, props, body))

    def _linger(self, conn: Any) -> None:
        """Under a backlog (the last batch was not alone), wait up to ``batch_linger`` seconds for the batch to
        fill: fewer, fuller batches cost less per message. A lone message (a quiet queue) goes at once."""
        if self.batch_linger <= 0 or self._last_batch <= 1 or self.unit_of_work is None:
            return
        until = time.monotonic() + self.batch_linger
        while len(self._buffer) < self.batch_size and not self._stopping.is_set():
            left = until - time.monotonic()
            if left <= 0:
                break
            conn.process_data_events(time_limit=left)

    def _handle_buffer(self, channel: Any) -> None:
        items, self._buffer = self._buffer[:self.batch_size], self._buffer[self.batch_size:]
        self._last_batch = len(items)
        outcomes = self._run_batch(items) if len(items) > 1 and not self._stopping.is_set() else None
        if outcomes is None:
            for method, props, body in items:
                self.on_message(channel, method, props, body)
            return
        self._failure_delays = backoff(cap=5.0)
        # Every delivery before these was settled already (batches and their fallbacks go in order): one frame.
        channel.basic_ack(items[-1][0].delivery_tag, multiple=True)
        for outcome in outcomes:
            MESSAGES_CONSUMED.labels(self.queue.name, outcome).inc()
        for _method, props, _body in items:
            self._lag(props)

    def _lag(self, props: Any) -> None:
        lag = event_lag(props, time.time())
        if lag is not None:
            CONSUMER_LAG.labels(self.queue.name).observe(lag)

    def _run_batch(self, items: list[tuple[Any, Any, bytes]]) -> list[str] | None:
        """Outcomes (ok / duplicate) of a committed batch; None when it was rolled back."""
        assert self.unit_of_work is not None
        started = time.perf_counter()
        outcomes: list[str] = []
        deliveries = [Delivery.from_pika(method, props, body, self.user) for method, props, body in items]
        if not all(self._authentic(d) for d in deliveries):
            return None  # one by one: each forged message is dead-lettered alone
        try:
            with self.unit_of_work:
                if self.batch_handler is not None:
                    outcomes = self.batch_handler(deliveries)
                    if len(outcomes) != len(deliveries):
                        raise RuntimeError(f"batch handler gave {len(outcomes)} outcomes for {len(deliveries)}")
                else:
                    outcomes = handle_each(self.handler, deliveries)
        except Exception as exc:
            log.info("batch of %d rolled back (%s); handling its messages one by one", len(items),
                     type(exc).__name__)
            BATCHES.labels(self.queue.name, "rolled_back").inc()
            return None
        each = (time.perf_counter() - started) / len(items)
        for _ in items:
            HANDLER_DURATION.labels(self.queue.name).observe(each)
        BATCHES.labels(self.queue.name, "committed").inc()
        return outcomes

    def _run_handler(self, delivery: Delivery) -> tuple[str, Exception | None]:
        started = time.perf_counter()
        give_up = time.monotonic() + self.transient_retry_seconds
        delays = backoff(base=0.5, cap=5.0)
        try:
            while True:
                try:
                    if self.producers is not None:
                        self.producers.check(delivery.user_id, delivery.routing_key)
                    self.handler(delivery)
                    return "ok", None
                except Duplicate:
                    return "duplicate", None
                except (Reject, RetryLater) as exc:
                    return ("rejected" if isinstance(exc, Reject) else "retried"), exc
                except Exception as exc:
                    if is_transient(exc) and time.monotonic() < give_up and not self._stopping.is_set():
                        delay = next(delays)
                        log.warning("handler lost the database (%s); retrying in %.1fs", type(exc).__name__,
                                    delay, extra=delivery.log_extra())
                        self.sleep(delay)
                        continue
                    log.exception("handler failed (delivery %d); requeued", delivery.delivery_count,
                                  extra=delivery.log_extra())
                    return "failed", exc
        finally:
            HANDLER_DURATION.labels(self.queue.name).observe(time.perf_counter() - started)

    def _authentic(self, delivery: Delivery) -> bool:
        if self.producers is None:
            return True
        try:
            self.producers.check(delivery.user_id, delivery.routing_key)
        except Forged:
            return False
        return True

    def _act(self, delivery: Delivery, outcome: str, exc: Exception | None) -> str:
        if isinstance(exc, Reject):
            if self.on_reject is not None:
                self.on_reject(delivery, exc)
            self._dead_letter(delivery, exc.reason, exc.field)
        elif isinstance(exc, RetryLater):
            return self._retry(delivery, exc.reason)
        return outcome

    def _republish(self, exchange: str, routing_key: str, delivery: Delivery, headers: dict[str, Any]) -> None:
        p = delivery.properties
        props = pika.BasicProperties(
            delivery_mode=2, content_type=delivery.content_type, message_id=delivery.message_id,
            correlation_id=delivery.correlation_id, reply_to=delivery.reply_to, headers=headers,
            content_encoding=getattr(p, "content_encoding", None), type=getattr(p, "type", None),
            app_id=getattr(p, "app_id", None), timestamp=getattr(p, "timestamp", None), user_id=self.user,
        )
        self.publish_channel.basic_publish(exchange, routing_key, delivery.body, props, mandatory=True)

    def _original_headers(self, delivery: Delivery) -> dict[str, Any]:
        return {
            "x-original-routing-key": delivery.routing_key, "x-original-exchange": delivery.exchange,
            "x-original-user-id": delivery.user_id or "",
        }

    def _dead_letter(self, delivery: Delivery, reason: str, field: str | None) -> None:
        kept = {k: v for k, v in delivery.headers.items() if k not in ("x-death", "x-delivery-count")}
        headers = {**kept, **self._original_headers(delivery),
                   "x-rejection-reason": reason[:REASON_MAX], "x-rejection-field": field or ""}
        self._republish(self.queue.dlx(self.prefix), self.queue.dlq(self.prefix), delivery, headers)
        MESSAGES_DEAD_LETTERED.labels(self.queue.name).inc()
        if reason == FORGED:
            MESSAGES_FORGED.labels(self.queue.name).inc()
            log.error("dead-lettered a forged message from %r", delivery.user_id, extra=delivery.log_extra())
            return
        log.warning("dead-lettered: %s", reason[:200], extra=delivery.log_extra())

    def _retry(self, delivery: Delivery, reason: str) -> str:
        attempt = int(delivery.headers.get("x-retry-count") or 0)
        delays = self.queue.retry_delays_ms
        if attempt >= len(delays):
            self._dead_letter(delivery, f"retries exhausted: {reason}", None)
            return "rejected"
        kept = {k: v for k, v in delivery.headers.items() if k not in ("x-death", "x-delivery-count")}
        headers = {**kept, **self._original_headers(delivery),
                   "x-retry-count": attempt + 1, "x-retry-reason": reason[:REASON_MAX]}
        self._republish("", self.queue.retry_queue(delays[attempt], self.prefix), delivery, headers)
        log.info("retry %d in %d ms: %s", attempt + 1, delays[attempt], reason[:200], extra=delivery.log_extra())
        return "retried"
