"""The broker topology in one place: exchanges, quorum queues with delivery limits, dead-letter and retry queues.

``declare`` creates it on a live channel; ``dunghan.bus.definitions`` exports the same as RabbitMQ definitions
(``deploy/rabbitmq/definitions.json``), with the users and permissions of ``dunghan.bus.permissions``.
A ``prefix`` isolates test runs on a shared broker.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EVENTS_EXCHANGE = "dunghan.events"
INBOUND_EXCHANGE = "dunghan.inbound"
DELIVERY_LIMIT = 5
RETRY_DELAYS_MS = (5_000, 60_000)


@dataclass(frozen=True)
class ConsumerQueue:
    """A service's work queue: quorum, delivery-limited, with its own DLX/DLQ and delayed retry queues."""

    service: str
    name: str
    exchange: str
    bindings: tuple[str, ...]
    delivery_limit: int = DELIVERY_LIMIT
    retry_delays_ms: tuple[int, ...] = RETRY_DELAYS_MS

    def qname(self, prefix: str = "") -> str:
        return f"{prefix}{self.name}"

    def dlx(self, prefix: str = "") -> str:
        return f"{prefix}{self.name}.dlx"

    def dlq(self, prefix: str = "") -> str:
        return f"{prefix}{self.name}.dlq"

    def retry_queue(self, delay_ms: int, prefix: str = "") -> str:
        return f"{prefix}{self.name}.retry.{delay_ms}ms"


@dataclass(frozen=True)
class Topology:
    queues: tuple[ConsumerQueue, ...]
    exchanges: tuple[str, ...] = (EVENTS_EXCHANGE, INBOUND_EXCHANGE)
    extra_queues: tuple[str, ...] = ()

    def queue(self, name: str) -> ConsumerQueue:
        return next(q for q in self.queues if q.name == name)


INTAKE_INBOUND = ConsumerQueue("intake", "intake.inbound", INBOUND_EXCHANGE, ("#",))
INTAKE_REJECTED = "intake.inbound.rejected"
DEADLINE_EVENTS = ConsumerQueue("deadline", "deadline.events", EVENTS_EXCHANGE, ("intake.#",))
SCORING_EVENTS = ConsumerQueue(
    "scoring", "scoring.events", EVENTS_EXCHANGE,
    ("intake.dossier_accepted.#", "intake.dossier_refused.#", "intake.dossier_submitted.#",
     "intake.dossier_transferred.#", "intake.supplement_requested.#", "intake.supplement_received.#",
     "intake.unit_updated.#", "intake.officer_updated.#", "deadline.#"),
)
NOTIFY_EVENTS = ConsumerQueue(
    "notify", "notify.events", EVENTS_EXCHANGE,
    ("deadline.deadline_approaching.#", "deadline.deadline_breached.#", "deadline.step_overdue.#",
     "deadline.due_date_set.#", "deadline.dossier_classified.#",
     "scoring.phase_closed.#", "intake.unit_updated.#", "intake.officer_updated.#"),
)

TOPOLOGY = Topology(
    queues=(INTAKE_INBOUND, DEADLINE_EVENTS, SCORING_EVENTS, NOTIFY_EVENTS),
    extra_queues=(INTAKE_REJECTED,),
)


def queue_arguments(q: ConsumerQueue, prefix: str = "") -> dict[str, Any]:
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": q.delivery_limit,
        "x-dead-letter-exchange": q.dlx(prefix),
        "x-dead-letter-routing-key": q.dlq(prefix),
    }


def retry_arguments(q: ConsumerQueue, delay_ms: int, prefix: str = "") -> dict[str, Any]:
    return {
        "x-queue-type": "quorum",
        "x-message-ttl": delay_ms,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": q.qname(prefix),
    }


def declare_exchanges(channel: Any, topology: Topology = TOPOLOGY, prefix: str = "") -> None:
    for ex in topology.exchanges:
        channel.exchange_declare(exchange=f"{prefix}{ex}", exchange_type="topic", durable=True)


def declare_queue(channel: Any, q: ConsumerQueue, prefix: str = "") -> None:
    """A consumer queue with its DLX, DLQ, bindings and retry queues. Idempotent."""
    channel.exchange_declare(exchange=q.dlx(prefix), exchange_type="direct", durable=True)
    channel.queue_declare(queue=q.dlq(prefix), durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(queue=q.dlq(prefix), exchange=q.dlx(prefix), routing_key=q.dlq(prefix))
    channel.queue_declare(queue=q.qname(prefix), durable=True, arguments=queue_arguments(q, prefix))
    for key in q.bindings:
        channel.queue_bind(queue=q.qname(prefix), exchange=f"{prefix}{q.exchange}", routing_key=key)
    for delay in q.retry_delays_ms:
        channel.queue_declare(
            queue=q.retry_queue(delay, prefix), durable=True, arguments=retry_arguments(q, delay, prefix)
        )


def declare(channel: Any, topology: Topology = TOPOLOGY, prefix: str = "", only: str | None = None) -> None:
    """Declare exchanges and (all, or only the named service's) queues on a pika channel. Idempotent."""
    declare_exchanges(channel, topology, prefix)
    for q in topology.queues:
        if not only or q.service == only:
            declare_queue(channel, q, prefix)
    for name in topology.extra_queues:
        if not only or name.startswith(only):
            channel.queue_declare(queue=f"{prefix}{name}", durable=True, arguments={"x-queue-type": "quorum"})
