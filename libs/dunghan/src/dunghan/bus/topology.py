"""The broker topology in one place: exchanges, quorum queues with delivery limits, dead-letter and retry queues.

``declare`` creates it on a live channel; ``definitions`` exports the same as RabbitMQ definitions
(``deploy/rabbitmq/definitions.json``), with one user per service and least-privilege permissions.
A ``prefix`` isolates test runs on a shared broker.
"""
from __future__ import annotations

from dataclasses import dataclass, field
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
    users: dict[str, dict[str, str]] = field(default_factory=dict)

    def queue(self, name: str) -> ConsumerQueue:
        return next(q for q in self.queues if q.name == name)


INTAKE_INBOUND = ConsumerQueue("intake", "intake.inbound", INBOUND_EXCHANGE, ("#",))
INTAKE_REJECTED = "intake.inbound.rejected"
DEADLINE_EVENTS = ConsumerQueue("deadline", "deadline.events", EVENTS_EXCHANGE, ("intake.#",))
SCORING_EVENTS = ConsumerQueue(
    "scoring", "scoring.events", EVENTS_EXCHANGE,
    ("intake.dossier_accepted.*", "intake.dossier_refused.*", "intake.dossier_submitted.*",
     "intake.dossier_transferred.*", "intake.supplement_requested.*", "intake.supplement_received.*",
     "intake.unit_updated.*", "intake.officer_updated.*", "deadline.#"),
)
NOTIFY_EVENTS = ConsumerQueue(
    "notify", "notify.events", EVENTS_EXCHANGE,
    ("deadline.deadline_approaching.*", "deadline.deadline_breached.*", "deadline.step_overdue.*",
     "deadline.due_date_set.*", "deadline.dossier_classified.*",
     "scoring.phase_closed.*", "intake.unit_updated.*", "intake.officer_updated.*"),
)

# Permissions are regexes over resource names (configure, write, read), as RabbitMQ defines them. The default
# exchange is checked as `amq.default`: retry queues dead-letter to it and consumers publish retries through it.
USERS: dict[str, dict[str, str]] = {
    "intake": {"configure": r"^(dunghan\..*|intake\..*|amq\.gen.*)$",
               "write": r"^(dunghan\.events|intake\..*|amq\.default|)$",
               "read": r"^(intake\..*|dunghan\.inbound)$"},
    "deadline": {"configure": r"^(deadline\..*|dunghan\.events)$",
                 "write": r"^(dunghan\.events|deadline\..*|amq\.default|)$",
                 "read": r"^(deadline\..*|dunghan\.events)$"},
    "scoring": {"configure": r"^(scoring\..*|dunghan\.events)$",
                "write": r"^(dunghan\.events|scoring\..*|amq\.default|)$",
                "read": r"^(scoring\..*|dunghan\.events)$"},
    "notify": {"configure": r"^(notify\..*|dunghan\.events)$",
               "write": r"^(notify\..*|amq\.default|)$",
               "read": r"^(notify\..*|dunghan\.events)$"},
    # Departmental systems publish inbound facts and may bind their own queues to follow canonical events.
    "department": {"configure": r"^(dept\..*|amq\.gen.*)$",
                   "write": r"^(dunghan\.inbound|dept\..*)$",
                   "read": r"^(dept\..*|dunghan\.events|amq\.gen.*)$"},
    # Read-only follower: may only declare/consume its own queues bound to the canonical events.
    "observer": {"configure": r"^(observer\..*)$", "write": r"^(observer\..*)$",
                 "read": r"^(observer\..*|dunghan\.events)$"},
}

TOPOLOGY = Topology(
    queues=(INTAKE_INBOUND, DEADLINE_EVENTS, SCORING_EVENTS, NOTIFY_EVENTS),
    extra_queues=(INTAKE_REJECTED,),
    users=USERS,
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


def definitions(topology: Topology = TOPOLOGY, vhost: str = "/") -> dict[str, Any]:
    """RabbitMQ definitions (load_definitions format) for the topology. Passwords come from the environment at
    deploy time, so users carry no password hash here; the deploy step sets them (see deploy/rabbitmq)."""
    exchanges = [
        {"name": ex, "vhost": vhost, "type": "topic", "durable": True, "auto_delete": False,
         "internal": False, "arguments": {}}
        for ex in topology.exchanges
    ]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for q in topology.queues:
        exchanges.append({"name": q.dlx(), "vhost": vhost, "type": "direct", "durable": True,
                          "auto_delete": False, "internal": False, "arguments": {}})
        queues.append({"name": q.dlq(), "vhost": vhost, "durable": True, "auto_delete": False,
                       "arguments": {"x-queue-type": "quorum"}})
        bindings.append({"source": q.dlx(), "vhost": vhost, "destination": q.dlq(),
                         "destination_type": "queue", "routing_key": q.dlq(), "arguments": {}})
        queues.append({"name": q.qname(), "vhost": vhost, "durable": True, "auto_delete": False,
                       "arguments": queue_arguments(q)})
        bindings.extend(
            {"source": q.exchange, "vhost": vhost, "destination": q.qname(), "destination_type": "queue",
             "routing_key": key, "arguments": {}}
            for key in q.bindings
        )
        queues.extend(
            {"name": q.retry_queue(d), "vhost": vhost, "durable": True, "auto_delete": False,
             "arguments": retry_arguments(q, d)}
            for d in q.retry_delays_ms
        )
    queues.extend({"name": n, "vhost": vhost, "durable": True, "auto_delete": False,
                   "arguments": {"x-queue-type": "quorum"}} for n in topology.extra_queues)
    users = [{"name": u, "tags": []} for u in sorted(topology.users)]
    users.append({"name": "admin", "tags": ["administrator"]})
    permissions = [
        {"user": u, "vhost": vhost, **p} for u, p in sorted(topology.users.items())
    ] + [{"user": "admin", "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}]
    return {
        "rabbit_version": "3.10.0",
        "vhosts": [{"name": vhost}],
        "users": users,
        "permissions": permissions,
        "exchanges": sorted(exchanges, key=lambda e: e["name"]),
        "queues": sorted(queues, key=lambda e: e["name"]),
        "bindings": sorted(bindings, key=lambda b: (b["source"], b["destination"], b["routing_key"])),
    }
