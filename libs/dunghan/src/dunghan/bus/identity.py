"""Who may publish what on the broker, and who may read it.

- Each service publishes under its own AMQP user; RabbitMQ checks that a message's ``user_id`` property equals
  the connection's user, so ``user_id`` is the broker-validated producer. An event's routing key starts with the
  service that owns its type (``vn.dunghan.<service>.…`` → ``<service>.<event>.v<major>.<agency>``), and
  ``Producers`` maps that service to the user that alone may publish it. Anything else is forged.
- Each departmental system is one AMQP user (``DEPARTMENTS``) whose queues are all named ``<user>.…``: it may
  read its own queues only, bind them to ``dunghan.events`` only with keys ending in its own agency, and publish
  inbound facts only for its own agency (topic permissions). Intake replies only to ``amq.rabbitmq.reply-to`` or
  to the sender's own queues (``reply_allowed``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dunghan.bus.errors import Reject

SERVICES = ("intake", "deadline", "scoring", "notify")
FORGED = "forged"
DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
# What RabbitMQ 3.x issues after ``amq.rabbitmq.reply-to.``: base64 words joined by dots, a few hundred bytes.
_DIRECT_REPLY_SUFFIX = re.compile(r"[A-Za-z0-9+/=_-]{8,}(\.[A-Za-z0-9+/=_-]+){0,3}")
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,255}")


@dataclass(frozen=True)
class Department:
    """A registered departmental system: its AMQP user and the one agency whose dossiers it sends and follows."""

    user: str
    agency: str

    @property
    def queue_prefix(self) -> str:
        return f"{self.user}."


# Registered departmental systems. To add one: a line here, `make definitions`, its password at deploy time
# (`<USER>_AMQP_PASSWORD`, see deploy/rabbitmq/README.md), and `intake.manage create-key --amqp-user <user>`.
DEPARTMENTS: tuple[Department, ...] = (
    Department("dept.sct", "SCT"),
    Department("dept.stp", "STP"),
)


class Forged(Reject):
    """The broker-validated sender is not the producer that owns the message's type: dead-letter, reason forged."""

    def __init__(self, detail: str) -> None:
        super().__init__(FORGED, "user_id")
        self.detail = detail


@dataclass(frozen=True)
class Producers:
    """Owner service of an event type → the AMQP user that alone may publish it (``AMQP_PRODUCERS``)."""

    users: Mapping[str, str] = field(default_factory=lambda: {s: s for s in SERVICES})

    @classmethod
    def parse(cls, text: str) -> Producers:
        """``""``: every service under its own name (production). ``"intake:u1,deadline:u2"``: those users, the
        others under their names. A bare ``"guest"``: every service under that one user (a single-user test)."""
        text = text.strip()
        users = {s: s for s in SERVICES}
        if text and ":" not in text and "," not in text:
            return cls({s: text for s in SERVICES})
        for item in filter(None, (p.strip() for p in text.split(","))):
            service, sep, user = item.partition(":")
            if not sep or service.strip() not in SERVICES or not user.strip():
                raise ValueError(f"AMQP_PRODUCERS: expected <service>:<user>, got {item!r}")
            users[service.strip()] = user.strip()
        return cls(users)

    def owner(self, routing_key: str) -> str | None:
        return self.users.get(routing_key.partition(".")[0])

    def check(self, user_id: str | None, routing_key: str) -> None:
        """Raise ``Forged`` unless ``user_id`` is the user of the service that owns ``routing_key``."""
        owner = self.owner(routing_key)
        if owner is None or user_id != owner:
            raise Forged(f"{routing_key!r} published by {user_id or 'no user_id'!r}, owner {owner or 'none'!r}")


def reply_allowed(reply_to: str, sender_user: str | None, prefix: str = "") -> bool:
    """A reply may go to the sender's direct reply-to pseudo-queue (well-formed), or to a queue of its own
    (``<prefix><user>.…``); never to another system's or a service's queue."""
    if not reply_to or len(reply_to) > 255:
        return False
    if reply_to.startswith(DIRECT_REPLY_TO + "."):
        return bool(_DIRECT_REPLY_SUFFIX.fullmatch(reply_to[len(DIRECT_REPLY_TO) + 1:]))
    if not sender_user or not _QUEUE_NAME.fullmatch(reply_to):
        return False
    own = f"{prefix}{sender_user}."
    return reply_to.startswith(own) and len(reply_to) > len(own)
