"""Broker users, permissions, topic permissions and the quarantine policy, as ``definitions`` exports them.

Permissions are regexes over resource names (configure, write, read), as RabbitMQ defines them. The default
exchange is checked as `amq.default`: retry queues dead-letter to it, consumers publish retries and intake its
replies through it. Topic permissions are regexes over routing keys: on publishing (write) and on binding a queue
(read) to a topic exchange. They are what walls the producers and the departments off from one another.
"""
from __future__ import annotations

import re
from typing import Any

from dunghan.bus.identity import DEPARTMENTS, SERVICES, Department
from dunghan.bus.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE

Permissions = dict[str, str]
NOTHING = "^$"

SERVICE_PERMISSIONS: dict[str, Permissions] = {
    "intake": {"configure": r"^(dunghan\..*|intake\..*)$",
               "write": r"^(dunghan\.events|intake\..*|amq\.default)$",
               "read": r"^(intake\..*|dunghan\.inbound)$"},
    "deadline": {"configure": r"^(deadline\..*|dunghan\.events)$",
                 "write": r"^(dunghan\.events|deadline\..*|amq\.default)$",
                 "read": r"^(deadline\..*|dunghan\.events)$"},
    "scoring": {"configure": r"^(scoring\..*|dunghan\.events)$",
                "write": r"^(dunghan\.events|scoring\..*|amq\.default)$",
                "read": r"^(scoring\..*|dunghan\.events)$"},
    "notify": {"configure": r"^(notify\..*|dunghan\.events)$",
               "write": r"^(notify\..*|amq\.default)$",
               "read": r"^(notify\..*|dunghan\.events)$"},
}
# Internal read-only follower (analytics, audits): its own `observer.*` queues bound to the canonical events.
OBSERVER: Permissions = {"configure": r"^(observer\..*)$", "write": r"^(observer\..*)$",
                         "read": r"^(observer\..*|dunghan\.events)$"}

# Quarantine (dead-letter and rejected queues): bounded, oldest dropped first, kept at most 30 days.
QUARANTINE_PATTERN = r"\.(dlq|rejected)$"
QUARANTINE_LIMITS: dict[str, Any] = {
    "max-length": 100_000,
    "max-length-bytes": 512 * 1024 * 1024,
    "overflow": "drop-head",
    "message-ttl": 30 * 24 * 3600 * 1000,
}


def department_permissions(dept: Department) -> Permissions:
    """Its own ``<user>.…`` queues only; publishes to ``dunghan.inbound``; binds its queues to the events."""
    own = re.escape(dept.queue_prefix) + ".*"
    return {"configure": f"^{own}$",
            "write": f"^({re.escape(INBOUND_EXCHANGE)}|{own})$",
            "read": f"^({own}|{re.escape(EVENTS_EXCHANGE)})$"}


def department_topics(dept: Department) -> list[dict[str, str]]:
    """Publishes facts of its own agency only (``<AGENCY>.<fact>``, e.g. ``SCT.dossier.accepted``); binds only
    keys whose last word is its agency, so ``#`` or another agency's events are refused."""
    agency = re.escape(dept.agency)
    return [
        {"exchange": INBOUND_EXCHANGE, "write": f"^{agency}\\.[a-z_]+(\\.[a-z_]+)*$", "read": NOTHING},
        {"exchange": EVENTS_EXCHANGE, "write": NOTHING, "read": f"^(.+\\.)?{agency}$"},
    ]


def service_topics(service: str) -> list[dict[str, str]]:
    """A service publishes on ``dunghan.events`` only the events it owns (``<service>.…``); notify none."""
    write = NOTHING if service == "notify" else f"^{re.escape(service)}\\..+$"
    return [{"exchange": EVENTS_EXCHANGE, "write": write, "read": ".*"}]


def users() -> dict[str, Permissions]:
    """Every non-administrator user and its permissions."""
    out: dict[str, Permissions] = {s: SERVICE_PERMISSIONS[s] for s in SERVICES}
    out["observer"] = OBSERVER
    out.update({d.user: department_permissions(d) for d in DEPARTMENTS})
    return out


def topic_permissions() -> dict[str, list[dict[str, str]]]:
    out = {s: service_topics(s) for s in SERVICES}
    out["observer"] = [{"exchange": INBOUND_EXCHANGE, "write": NOTHING, "read": NOTHING}]
    out.update({d.user: department_topics(d) for d in DEPARTMENTS})
    return out
