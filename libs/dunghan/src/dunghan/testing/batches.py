"""Helpers of the tests that compare a consumer batch with the same messages handled one by one."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, text

from dunghan.bus.consumer import Delivery, handle_each
from dunghan.contract.events import event_routing_key
from dunghan.uow import UnitOfWork


def delivery(body: bytes, *, routing_key: str | None = None, user_id: str | None = None,
             message_id: str | None = None) -> Delivery:
    """A message as the consumer hands it to a handler; a CloudEvent's routing key is the one its publisher
    would give it (``<service>.<event>.v1.<agency>``) unless one is named."""
    if routing_key is None:
        routing_key = _routing_key_of(body)
    return Delivery(body=body, routing_key=routing_key, exchange="", headers={}, message_id=message_id,
                    correlation_id=None, reply_to=None, user_id=user_id, content_type="application/json",
                    redelivered=False, delivery_count=0)


def one_by_one(handler: Callable[[Delivery], None], groups: Iterable[Sequence[Delivery]]) -> list[str]:
    """Each message alone, as the consumer does outside a batch: its outcome, ok or duplicate."""
    return handle_each(handler, (d for group in groups for d in group))


def in_batches(uow: UnitOfWork[Any], handle_many: Callable[[list[Delivery]], list[str]],
               groups: Iterable[Sequence[Delivery]]) -> list[str]:
    """Each group as one consumer batch (one ``with uow``): the outcomes, in order."""
    outcomes: list[str] = []
    for group in groups:
        with uow:
            outcomes += handle_many(list(group))
    return outcomes


def tables(engine: Engine, queries: Mapping[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of each named query, for comparing two databases."""
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(q))] for name, q in queries.items()}


def _routing_key_of(body: bytes) -> str:
    try:
        raw = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        return ""
    data = raw.get("data")
    return event_routing_key(raw["type"], data if isinstance(data, dict) else {})
