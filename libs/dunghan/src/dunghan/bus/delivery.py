"""One consumed message as a handler sees it, and the handler types the consumer takes."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dunghan.bus.errors import Duplicate, Reject


@dataclass(frozen=True)
class Delivery:
    """One message as the handler sees it. After a delayed retry, routing key, exchange and user id are the
    original ones (kept in headers by the consumer), not those of the retry queue's dead-lettering."""

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
    properties: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_pika(cls, method: Any, props: Any, body: bytes, own_user: str | None = None) -> Delivery:
        """With ``own_user`` (the consumer's broker user), the retry headers are believed only on a message that
        user published (the broker validates ``user_id``): anyone else's stays what it is, and is forged."""
        headers = dict(props.headers or {})
        routing_key, exchange, user_id = method.routing_key, method.exchange, props.user_id
        own_retry = own_user is None or props.user_id == own_user
        if exchange == "" and "x-retry-count" in headers and own_retry:
            routing_key = str(headers.get("x-original-routing-key") or routing_key)
            exchange = str(headers.get("x-original-exchange") or "")
            user_id = str(headers.get("x-original-user-id") or "") or None
        return cls(
            body=body, routing_key=routing_key, exchange=exchange, headers=headers,
            message_id=props.message_id, correlation_id=props.correlation_id, reply_to=props.reply_to,
            user_id=user_id, content_type=props.content_type, redelivered=bool(method.redelivered),
            delivery_count=int(headers.get("x-delivery-count") or 0), properties=props,
        )

    def log_extra(self) -> dict[str, Any]:
        return {"event_id": self.message_id, "routing_key": self.routing_key}


Handler = Callable[[Delivery], None]
BatchHandler = Callable[[list[Delivery]], list[str]]
OnReject = Callable[[Delivery, Reject], None]


def handle_each(handler: Handler, deliveries: Iterable[Delivery]) -> list[str]:
    """``handler`` for each message in turn: its outcome, ok or duplicate (other exceptions propagate)."""
    outcomes = []
    for delivery in deliveries:
        try:
            handler(delivery)
            outcomes.append("ok")
        except Duplicate:
            outcomes.append("duplicate")
    return outcomes
