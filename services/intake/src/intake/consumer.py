"""Inbound queue → schema → handler; replies to ``reply_to`` after commit, rejections copied to their queue."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dunghan.bus.errors import Duplicate, Reject
from dunghan.bus.identity import DIRECT_REPLY_TO, reply_allowed
from dunghan.bus.topology import INTAKE_REJECTED
from dunghan.contract import safejson
from dunghan.logging import log_context
from intake import metrics
from intake.cache import TtlCache
from intake.domain import InboundError
from intake.facts import FACTS, Fact
from intake.handlers import Sender, digest_of, record_fact, reject_orphans, rejection_reply
from intake.inbound import load_fact
from intake.ports import Repository

log = logging.getLogger(__name__)


class Replier(Protocol):
    def reply(self, reply_to: str, body: dict[str, Any], correlation_id: str | None) -> None: ...
    def quarantine(self, body: bytes, headers: dict[str, Any], message_id: str | None) -> None: ...


class IntakeReject(Reject):  # type: ignore[misc]
    """A rejection that remembers intake's reason kind and every field error, for the reply."""

    def __init__(self, error: InboundError, event_id: str | None = None) -> None:
        super().__init__(error.reason, error.field)
        self.error = error
        self.event_id = event_id


class BusReplier:
    """Replies and rejection copies through the default exchange (queue name as routing key).

    Replies go on their own connection (``replies``, a publisher that tries once): a reply-to the broker chokes
    on (a forged ``amq.rabbitmq.reply-to.…`` closes the whole connection) costs that connection only, and the
    next reply opens a new one, so the inbound queue never waits on a reply."""

    def __init__(self, publisher: Any, prefix: str = "", replies: Any = None) -> None:
        self.publisher = publisher
        self.replies = replies or publisher
        self.rejected_queue = f"{prefix}{INTAKE_REJECTED}"

    def reply(self, reply_to: str, body: dict[str, Any], correlation_id: str | None) -> None:
        """Best effort: a sender whose reply queue is gone must not block the inbound queue. Direct reply-to
        is published without ``mandatory`` (the broker returns every mandatory one to it)."""
        payload = json.dumps(body, ensure_ascii=False).encode()
        try:
            self.replies.publish("", reply_to, payload, message_id=f"reply:{body.get('event_id')}",
                                 correlation_id=correlation_id, content_type="application/json",
                                 mandatory=not reply_to.startswith(DIRECT_REPLY_TO))
        except Exception as exc:
            log.warning("reply not delivered: %s", type(exc).__name__, extra={"event_id": body.get("event_id")})

    def quarantine(self, body: bytes, headers: dict[str, Any], message_id: str | None) -> None:
        """Copy to ``intake.inbound.rejected`` (the dead-letter queue holds it too, so a failure only logs)."""
        try:
            self.publisher.publish("", self.rejected_queue, body, message_id=message_id or "unknown",
                                   headers=headers, content_type="application/json")
        except Exception as exc:
            log.error("rejected message not copied: %s", type(exc).__name__, extra={"event_id": message_id})


@dataclass(frozen=True)
class _Checked:
    sender: Sender
    raw: dict[str, Any]
    data: Fact


class InboundHandler:
    """``handler(delivery)`` for ``dunghan.bus.consumer.Consumer`` on ``intake.inbound``."""

    def __init__(self, repo: Repository, replier: Replier, *, pepper: str, clock: Callable[[], datetime],
                 max_body_bytes: int = 262_144, max_skew_seconds: float | None = None,
                 cache_seconds: float = 30.0, cache_clock: Callable[[], float] = time.monotonic,
                 reply_prefix: str = "") -> None:
        self.repo = repo
        self.reply_prefix = reply_prefix
        self.senders = TtlCache(cache_seconds, cache_clock)
        self.replier = replier
        self.pepper = pepper
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.max_skew_seconds = max_skew_seconds

    def __call__(self, delivery: Any) -> None:
        duplicate, reply = self._record(delivery, self._prepare(delivery))
        if reply:
            self.repo.facts.after_commit(reply)
        if duplicate:
            raise Duplicate(f"event {delivery.message_id} already recorded")

    def handle_many(self, deliveries: list[Any]) -> list[str]:
        """A consumer batch at once, in the unit of work the consumer holds open: check every message, lock
        their dossiers and read what recording them starts from in two statements, record them in rounds
        (``rounds``). Any rejection rolls the batch back, and the consumer handles its messages one by one
        (``__call__``)."""
        prepared = [self._prepare(d) for d in deliveries]
        keys = [(p.data.agency, p.data.event_id, p.data.code) for p in prepared]
        done: list[tuple[bool, Callable[[], None] | None]] = [(False, None)] * len(keys)
        with self.repo.facts as tx:
            tx.lock_dossiers([c for _, _, c in keys])
            tx.read_ahead(keys)
            for i in rounds(keys):
                tx.message(i)
                done[i] = self._record(deliveries[i], prepared[i])
            for _, reply in done:
                if reply:
                    tx.after_commit(reply)  # in the messages' order
        return ["duplicate" if duplicate else "ok" for duplicate, _ in done]

    def _prepare(self, delivery: Any) -> _Checked:
        """The checks that need no database: sender, size, JSON, routing key, schema."""
        event_id: str | None = None
        try:
            sender = self._sender(delivery.user_id)
            if len(delivery.body) > self.max_body_bytes:
                raise InboundError("too_large", f"thông điệp quá lớn ({len(delivery.body)} byte, tối đa "
                                                f"{self.max_body_bytes})", "body")
            raw = _decode(delivery.body)
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            event_id = event_id if isinstance(event_id, str) and len(event_id) <= 100 else None
            agency, _, fact = (delivery.routing_key or "").partition(".")
            if fact not in FACTS:
                raise InboundError("invalid", f"khóa định tuyến phải là <cơ quan>.<fact>: {fact!r}", "routing_key")
            if agency != sender.agency:
                raise InboundError("forged", f"{sender.name} không được gửi cho cơ quan {agency}", "routing_key")
            return _Checked(sender, raw, load_fact(raw, fact))
        except InboundError as exc:
            raise IntakeReject(exc, event_id) from exc

    def _record(self, delivery: Any, checked: _Checked) -> tuple[bool, Callable[[], None] | None]:
        """Record the fact: whether it was a duplicate, and the answer to ``reply_to`` (for after the commit)."""
        data = checked.data
        try:
            with log_context(event_id=data.event_id, dossier=data.code):
                out = record_fact(self.repo.facts, data, checked.sender, now=self.clock(), pepper=self.pepper,
                                  digest=digest_of(checked.raw), reply_to=self._reply_to(delivery),
                                  correlation_id=delivery.correlation_id, max_skew_seconds=self.max_skew_seconds)
                log.info("inbound %s %s", data.fact, out.reply["status"])
        except InboundError as exc:
            raise IntakeReject(exc, data.event_id) from exc
        reply_to = self._reply_to(delivery)
        if not reply_to:
            return out.duplicate, None
        reply, correlation_id = out.reply, delivery.correlation_id
        return out.duplicate, lambda: self.replier.reply(reply_to, reply, correlation_id)

    def _reply_to(self, delivery: Any) -> str | None:
        """``reply_to`` if it is the sender's direct reply-to or one of its own queues; None (no reply) else."""
        if not delivery.reply_to:
            return None
        if reply_allowed(delivery.reply_to, delivery.user_id, self.reply_prefix):
            return str(delivery.reply_to)
        log.warning("reply_to refused: not the sender's own queue", extra={"event_id": delivery.message_id})
        return None

    def _sender(self, user_id: str | None) -> Sender:
        """The source system of the AMQP user; a known one is remembered (changes apply within the cache time)."""
        sender = self.senders.get_or_load(user_id, lambda: self._load_sender(user_id)) if user_id else None
        if sender is None:
            raise InboundError("unknown_sender", "người gửi (user_id) không có trong danh mục hệ thống", "user_id")
        return sender  # type: ignore[no-any-return]

    def _load_sender(self, user_id: str) -> Sender | None:
        with self.repo.transaction() as tx:
            source = tx.source_by_amqp_user(user_id)
        return None if source is None else Sender(source.name, source.agency)

    def on_reject(self, delivery: Any, exc: Exception) -> None:
        """Count, copy to the rejection queue with the error, and answer ``reply_to``."""
        error = exc.error if isinstance(exc, IntakeReject) else InboundError("invalid", str(exc), None)
        event_id = exc.event_id if isinstance(exc, IntakeReject) else None
        metrics.INBOUND_REJECTED.labels(reason=error.kind).inc()
        log.warning("inbound rejected: %s (%s)", error.kind, error.field, extra={"event_id": event_id})
        headers = {"x-rejection-reason": error.reason, "x-rejection-field": error.field or "",
                   "x-rejection-kind": error.kind, "x-original-routing-key": delivery.routing_key or "",
                   "x-sender": delivery.user_id or ""}
        self.replier.quarantine(delivery.body, headers, delivery.message_id)
        reply_to = self._reply_to(delivery)
        if reply_to:
            self.replier.reply(reply_to, rejection_reply(error, event_id), delivery.correlation_id)


def rounds(keys: list[tuple[str, str, str]]) -> list[int]:
    """The order to record a batch's facts ``(agency, event_id, code)`` in: round by round, a round taking at
    most one fact of a dossier or of an event id, each fact in a later round than every earlier one sharing its
    dossier or event id (so their order holds); the dossiers a round wrote are read back in one statement."""
    last: dict[tuple[str, ...], int] = {}
    round_of = []
    for agency, event_id, code in keys:
        r = 1 + max(last.get(("code", code), -1), last.get(("event", agency, event_id), -1))
        last["code", code] = last["event", agency, event_id] = r
        round_of.append(r)
    return sorted(range(len(keys)), key=lambda i: (round_of[i], i))


def _decode(body: bytes) -> Any:
    """UTF-8 JSON within the bounds of ``dunghan.contract.safejson`` (depth, digits, storable text)."""
    try:
        return safejson.loads(body)
    except safejson.UnsafeJson as exc:
        raise InboundError("not_json" if exc.not_json else "invalid", exc.reason, exc.field) from exc


class OrphanSweeper:
    """Periodic job: buffered facts that never became applicable within the window are rejected and answered
    (what became applicable meanwhile is applied first)."""

    def __init__(self, repo: Repository, replier: Replier, window_seconds: float, pepper: str = "") -> None:
        self.repo = repo
        self.replier = replier
        self.window = window_seconds
        self.pepper = pepper

    def __call__(self, now: datetime) -> int:
        orphans = reject_orphans(self.repo, now=now, window_seconds=self.window, pepper=self.pepper)
        for o in orphans:
            p, error = o.pending, o.error
            headers = {"x-rejection-reason": error.reason, "x-rejection-field": error.field or "",
                       "x-rejection-kind": error.kind, "x-original-routing-key": f"{p.agency}.{p.fact}",
                       "x-sender": p.source}
            self.replier.quarantine(json.dumps(p.body, ensure_ascii=False).encode(), headers, p.event_id)
            if p.reply_to:
                self.replier.reply(p.reply_to, o.reply, p.correlation_id)
        return len(orphans)
