"""Queue ``notify.events`` → CloudEvent → handler, with the inbox row in the same transaction as the effect."""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from dunghan.bus.topology import NOTIFY_EVENTS
from dunghan.clock import utc_now
from dunghan.contract.envelope import CloudEvent, ContractError, decode
from dunghan.db.ambient import after_commit
from dunghan.logging import log_context
from notify import domain, metrics
from notify.domain import Calendar
from notify.handlers import EVENT_HANDLERS, Context, handle
from notify.render import Renderer
from notify.repository import SqlRepository, Tx, open_batch_tx

log = logging.getLogger(__name__)


HANDLED = frozenset(cls.TYPE for cls in EVENT_HANDLERS)


class TxSource(Protocol):
    def transaction(self) -> AbstractContextManager[Tx]: ...


class EventProcessor:
    """The message callback: decode, dedupe by (source, id), dispatch; failures are the bus's exception types."""

    def __init__(
        self, repo: TxSource, renderer: Renderer, calendar: Calendar, *, link_base: str = "",
        tz: str = domain.DEFAULT_TZ, clock: Callable[[], datetime] = utc_now,
        sms_windows: domain.Windows = domain.WINDOWS, available: frozenset[str] | None = None,
    ) -> None:
        self.repo, self.renderer, self.calendar = repo, renderer, calendar
        self.link_base, self.tz, self.clock = link_base, tz, clock
        self.sms_windows = sms_windows
        self.available = available

    def __call__(self, delivery: Any) -> None:
        self.process(delivery.body, delivery.routing_key)

    def process(self, body: bytes, routing_key: str | None = None) -> Context | None:
        decoded = self._decode(body, routing_key)
        if decoded is None:
            return None
        ctx = self._apply(*decoded)
        if ctx is None:
            from dunghan.bus.errors import Duplicate

            raise Duplicate(f"event {decoded[0].id} already handled")
        return ctx

    def handle_many(self, deliveries: list[Any]) -> list[str]:
        """A consumer batch at once: the inbox rows of all its handled events in one statement, then each event
        in order. A message that does not decode rolls the batch back; the consumer then handles it alone."""
        decoded = [self._decode(d.body, d.routing_key) for d in deliveries]
        tx = open_batch_tx(self.repo)  # type: ignore[arg-type]
        assert tx is not None, "handle_many runs inside the consumer's batch"
        tx.prefetch_inbox([(item[0].source, item[0].id) for item in decoded if item is not None])
        return ["duplicate" if item is not None and self._apply(*item) is None else "ok" for item in decoded]

    def _decode(self, body: bytes, routing_key: str | None = None) -> tuple[CloudEvent, Any] | None:
        """The event and its payload; None for a type notify does not handle."""
        try:
            ce = decode(body, routing_key)
            if ce.type not in HANDLED:
                return None
            event = ce.event()
        except ContractError as exc:
            from dunghan.bus.errors import Reject

            raise Reject(exc.reason, field=exc.field) from exc
        return (ce, event) if type(event) in EVENT_HANDLERS else None

    def _apply(self, ce: CloudEvent, event: Any) -> Context | None:
        """Handle the event with its inbox row in the same transaction; None if it was handled before."""
        ctx = Context(self.renderer, self.calendar, self.clock(), self.link_base, self.tz, self.sms_windows,
                      available=self.available)
        with log_context(event_id=ce.id, dossier=ce.subject), self.repo.transaction() as tx:
            if not tx.inbox_accept(ce.source, ce.id):
                return None
            handle(event, tx, ctx)
        after_commit(lambda: _count(ctx, type(event).__name__))
        return ctx


def _count(ctx: Context, event: str) -> None:
    for n in ctx.suppressed:
        metrics.record(n.channel, "suppressed")
    if ctx.queued:
        log.info("%s: %d notification(s) queued", event, len(ctx.queued))


def make_consumer(amqp_url: str, processor: EventProcessor, *, prefix: str = "", batch_engine: Any = None,
                  batch_size: int = 1, batch_linger: float = 0.0, producers: Any = None) -> Any:
    from dunghan.bus.consumer import Consumer

    batch_handler = processor.handle_many if isinstance(processor.repo, SqlRepository) else None
    return Consumer(amqp_url, NOTIFY_EVENTS, processor, prefix=prefix, batch_engine=batch_engine,
                    batch_size=batch_size, batch_handler=batch_handler, batch_linger=batch_linger,
                    producers=producers)
