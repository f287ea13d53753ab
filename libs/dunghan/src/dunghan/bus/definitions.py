"""RabbitMQ definitions (load_definitions format) of the topology, users and permissions in code.

`python -m dunghan.bus.definitions` prints deploy/rabbitmq/definitions.json. Passwords come from the environment
at deploy time, so users carry no password hash here; the deploy step sets them (deploy/rabbitmq).
"""
from __future__ import annotations

import json
from typing import Any

from dunghan.bus.permissions import QUARANTINE_LIMITS, QUARANTINE_PATTERN, topic_permissions, users
from dunghan.bus.topology import TOPOLOGY, Topology, queue_arguments, retry_arguments

ADMIN = "admin"


def _exchange(name: str, vhost: str, kind: str) -> dict[str, Any]:
    return {"name": name, "vhost": vhost, "type": kind, "durable": True, "auto_delete": False,
            "internal": False, "arguments": {}}


def _queue(name: str, vhost: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": arguments}


def _binding(source: str, destination: str, key: str, vhost: str) -> dict[str, Any]:
    return {"source": source, "vhost": vhost, "destination": destination, "destination_type": "queue",
            "routing_key": key, "arguments": {}}


def definitions(topology: Topology = TOPOLOGY, vhost: str = "/") -> dict[str, Any]:
    exchanges = [_exchange(ex, vhost, "topic") for ex in topology.exchanges]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for q in topology.queues:
        exchanges.append(_exchange(q.dlx(), vhost, "direct"))
        queues.append(_queue(q.dlq(), vhost, {"x-queue-type": "quorum"}))
        bindings.append(_binding(q.dlx(), q.dlq(), q.dlq(), vhost))
        queues.append(_queue(q.qname(), vhost, queue_arguments(q)))
        bindings.extend(_binding(q.exchange, q.qname(), key, vhost) for key in q.bindings)
        queues.extend(_queue(q.retry_queue(d), vhost, retry_arguments(q, d)) for d in q.retry_delays_ms)
    queues.extend(_queue(n, vhost, {"x-queue-type": "quorum"}) for n in topology.extra_queues)
    perms = users()
    return {
        "rabbit_version": "3.10.0",
        "vhosts": [{"name": vhost}],
        "users": [{"name": u, "tags": []} for u in sorted(perms)] + [{"name": ADMIN, "tags": ["administrator"]}],
        "permissions": [{"user": u, "vhost": vhost, **p} for u, p in sorted(perms.items())]
        + [{"user": ADMIN, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}],
        "topic_permissions": [{"user": u, "vhost": vhost, **t}
                              for u, ts in sorted(topic_permissions().items()) for t in ts],
        "policies": [{"vhost": vhost, "name": "quarantine-limits", "pattern": QUARANTINE_PATTERN,
                      "apply-to": "queues", "priority": 10, "definition": QUARANTINE_LIMITS}],
        "exchanges": sorted(exchanges, key=lambda e: e["name"]),
        "queues": sorted(queues, key=lambda e: e["name"]),
        "bindings": sorted(bindings, key=lambda b: (b["source"], b["destination"], b["routing_key"])),
    }


def render() -> str:
    return json.dumps(definitions(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
