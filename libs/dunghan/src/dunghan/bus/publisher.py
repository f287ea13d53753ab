"""Publisher: persistent messages, publisher confirms (batched), mandatory routing, reconnect with backoff."""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pika
from pika.spec import Basic

from dunghan.bus.connection import BROKER_ERRORS, backoff, parameters
from dunghan.bus.errors import PublishFailed, Unroutable
from dunghan.bus.topology import EVENTS_EXCHANGE, Topology, declare_exchanges
from dunghan.contract.envelope import CONTENT_TYPE, CloudEvent, encode
from dunghan.contract.events import routing_key
from dunghan.metrics import MESSAGES_PUBLISHED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    exchange: str
    routing_key: str
    body: bytes
    message_id: str
    headers: dict[str, Any] | None = None
    reply_to: str | None = None
    correlation_id: str | None = None
    content_type: str = CONTENT_TYPE
    user_id: str | None = None
    mandatory: bool = True


@dataclass
class _Confirms:
    next_tag: int = 1
    pending: dict[int, OutgoingMessage] = field(default_factory=dict)
    nacked: list[OutgoingMessage] = field(default_factory=list)
    returned: list[tuple[str | None, str]] = field(default_factory=list)
    closed: BaseException | None = None
    wake: Any = None  # ends the current process_data_events wait once every confirm is in

    def on_confirm(self, frame: Any) -> None:
        method = frame.method
        tags = [t for t in self.pending if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        for tag in tags:
            message = self.pending.pop(tag, None)
            if message is not None and isinstance(method, Basic.Nack):
                self.nacked.append(message)
        if not self.pending and self.wake is not None:
            self.wake()

    def on_return(self, _channel: Any, method: Any, props: Any, _body: bytes) -> None:
        self.returned.append((props.message_id, f"{method.reply_code} {method.reply_text} {method.routing_key}"))

    def on_close(self, _channel: Any, reason: BaseException) -> None:
        self.closed = reason

    def raise_if_closed(self) -> None:
        """A missing exchange or a refused permission will not heal by reconnecting; anything else may."""
        reason = self.closed
        if reason is None:
            return
        if isinstance(reason, pika.exceptions.ChannelClosedByBroker) and reason.reply_code in (403, 404):
            raise PublishFailed(f"broker closed the channel: {reason.reply_code} {reason.reply_text}")
        raise pika.exceptions.ChannelClosed(getattr(reason, "reply_code", 0), str(reason))


def _noop() -> None:
    pass


class Publisher:
    """One connection, used from one thread. Exchange names are given unprefixed; ``prefix`` is added here."""

    def __init__(self, amqp_url: str, *, prefix: str = "", app_id: str = "", max_attempts: int = 8,
                 confirm_timeout: float = 30.0) -> None:
        self.amqp_url = amqp_url
        self.prefix = prefix
        self.app_id = app_id
        self.max_attempts = max_attempts
        self.confirm_timeout = confirm_timeout
        self._conn: pika.BlockingConnection | None = None
        self._channel: Any = None
        self._blocking_channel: Any = None
        self._confirms = _Confirms()

    def _connect(self) -> None:
        self.close()
        name = f"{self.app_id or 'dunghan'}-publisher"
        self._conn = pika.BlockingConnection(parameters(self.amqp_url, name))
        channel = self._conn.channel()
        conn = self._conn
        self._confirms = _Confirms(wake=lambda: conn.add_callback_threadsafe(_noop))
        # The blocking channel waits for each confirm; its underlying channel lets a batch share one wait.
        self._channel = channel._impl
        self._channel.confirm_delivery(ack_nack_callback=self._confirms.on_confirm)
        self._channel.add_on_return_callback(self._confirms.on_return)
        self._channel.add_on_close_callback(self._confirms.on_close)
        self._blocking_channel = channel

    def declare_topology(self, exchanges: Sequence[str] = (EVENTS_EXCHANGE,)) -> None:
        """Declare the (prefixed) exchanges this publisher writes to; queues belong to their consumers.
        Only what the service's user may configure: intake (or a test) passes ``TOPOLOGY.exchanges``."""
        if self._conn is None or not self._conn.is_open:
            self._connect()
        declare_exchanges(self._blocking_channel, Topology(queues=(), exchanges=tuple(exchanges)), self.prefix)

    def exchange_name(self, exchange: str) -> str:
        return f"{self.prefix}{exchange}" if exchange else ""

    def publish(self, exchange: str, routing_key: str, body: bytes, *, message_id: str,
                headers: dict[str, Any] | None = None, reply_to: str | None = None,
                correlation_id: str | None = None, content_type: str = CONTENT_TYPE,
                user_id: str | None = None, mandatory: bool = True) -> None:
        self.publish_many([OutgoingMessage(exchange, routing_key, body, message_id, headers, reply_to,
                                           correlation_id, content_type, user_id, mandatory)])

    def publish_event(self, ce: CloudEvent, exchange: str = EVENTS_EXCHANGE) -> None:
        self.publish(exchange, routing_key(ce.type), encode(ce), message_id=ce.id,
                     headers={"ce-type": ce.type, "ce-subject": ce.subject or "",
                              "ce-time": ce.time.isoformat()})

    def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        """Publish all, then wait once for their confirms. Raises Unroutable / PublishFailed."""
        if not messages:
            return
        delays = backoff()
        for attempt in range(1, self.max_attempts + 1):
            try:
                self._publish_batch(messages)
                return
            except BROKER_ERRORS as exc:
                if attempt == self.max_attempts:
                    raise PublishFailed(f"broker unavailable after {attempt} attempts: {exc!r}") from exc
                delay = next(delays)
                log.warning("publish failed (%s), reconnecting in %.1fs", type(exc).__name__, delay)
                self.close()
                time.sleep(delay)

    def _publish_batch(self, messages: Sequence[OutgoingMessage]) -> None:
        if self._conn is None or not self._conn.is_open or self._channel is None or not self._channel.is_open:
            self._connect()
        assert self._conn is not None
        confirms = self._confirms
        confirms.returned.clear()
        confirms.nacked.clear()
        for m in messages:
            props = pika.BasicProperties(
                delivery_mode=2, content_type=m.content_type, message_id=m.message_id, headers=m.headers,
                reply_to=m.reply_to, correlation_id=m.correlation_id, app_id=self.app_id or None,
                user_id=m.user_id, timestamp=int(time.time()),
            )
            self._channel.basic_publish(self.exchange_name(m.exchange), m.routing_key, m.body, props,
                                        mandatory=m.mandatory)
            confirms.pending[confirms.next_tag] = m
            confirms.next_tag += 1
        give_up = time.monotonic() + self.confirm_timeout
        while confirms.pending:
            if time.monotonic() > give_up:
                raise pika.exceptions.AMQPConnectionError("timed out waiting for publisher confirms")
            self._conn.process_data_events(time_limit=0.05)
            confirms.raise_if_closed()
        if confirms.returned:
            raise Unroutable("; ".join(f"{mid}: {why}" for mid, why in confirms.returned))
        if confirms.nacked:
            raise PublishFailed(f"broker nacked {len(confirms.nacked)} message(s)")
        for m in messages:
            MESSAGES_PUBLISHED.labels(m.exchange or "default").inc()

    def close(self) -> None:
        conn, self._conn, self._channel, self._blocking_channel = self._conn, None, None, None
        if conn is not None and conn.is_open:
            with contextlib.suppress(*BROKER_ERRORS):
                conn.close()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
