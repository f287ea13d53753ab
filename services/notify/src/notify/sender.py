"""The send loop: claim due notifications, send them, record the outcome, retry transient failures with backoff."""
from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from dunghan.bus.consumer import is_transient
from dunghan.clock import utc_now
from dunghan.logging import log_context
from notify import domain, metrics
from notify.channels.base import Channel, DeliveryError, Outgoing
from notify.domain import Calendar, Claimed

log = logging.getLogger(__name__)


class SendStore(Protocol):
    def claim_due(self, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]: ...
    def renew_claims(self, ids: list[int], now: datetime, lease_seconds: float) -> set[int]: ...
    def release_claims(self, ids: list[int], now: datetime) -> set[int]: ...
    def mark_sent(self, notification_id: int, provider_id: str, now: datetime) -> None: ...
    def mark_retry(self, notification_id: int, error: str, next_at: datetime, now: datetime) -> None: ...
    def mark_failed(self, notification_id: int, error: str, now: datetime) -> None: ...
    def pending(self, now: datetime) -> dict[str, domain.Pending]: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0


class Sender:
    """Worker component ``sender``: ``run_once()`` sends one batch; ``run()`` loops until ``stop()``."""

    name = "sender"

    def __init__(
        self, store: SendStore, channels: Mapping[str, Channel], calendar: Calendar, *,
        policy: RetryPolicy = RetryPolicy(), batch: int = 20, lease_seconds: float = 60.0,
        interval: float = 2.0, tz: str = domain.DEFAULT_TZ, clock: Callable[[], datetime] = utc_now,
        jitter: Callable[[], float] = random.random, sms_windows: domain.Windows = domain.WINDOWS,
    ) -> None:
        self.sms_windows = sms_windows
        self.store, self.channels, self.calendar = store, channels, calendar
        self.policy, self.batch, self.lease, self.interval, self.tz = policy, batch, lease_seconds, interval, tz
        self.clock, self.jitter = clock, jitter
        self._stop = threading.Event()

    def run_once(self) -> int:
        """One claimed batch. Past half its lease, the claim of what is left is renewed (a message another
        sender took meanwhile is skipped); on ``stop()`` the unsent rest is released for the next sender at
        once. A crash leaves only its claims, which run out after the lease: the one message that was in
        flight may go out again, with the same Message-ID / SMS reference."""
        claimed = self.store.claim_due(self.clock(), self.batch, self.lease)
        renew_at = self.clock() + timedelta(seconds=self.lease / 2)
        for i, n in enumerate(claimed):
            rest = [c.id for c in claimed[i:]]
            if self._stop.is_set():
                released = self.store.release_claims(rest, self.clock())
                log.info("sender stopping: %d claimed notification(s) released", len(released))
                break
            if self.clock() >= renew_at:
                held = self.store.renew_claims(rest, self.clock(), self.lease)
                renew_at = self.clock() + timedelta(seconds=self.lease / 2)
                if n.id not in held:
                    continue
            with log_context(notification=n.id, recipient=n.recipient):
                self._send(n)
        metrics.set_pending(self.store.pending(self.clock()))
        return len(claimed)

    def _send(self, n: Claimed) -> None:
        channel = self.channels.get(n.channel)
        if channel is None:
            self._fail(n, f"no {n.channel} channel configured")
            return
        try:
            provider_id = channel.send(Outgoing(n.id, n.channel, n.address, n.subject, n.text, n.html))
        except DeliveryError as exc:
            self._failed_attempt(n, str(exc), exc.transient)
        except Exception as exc:
            self._failed_attempt(n, f"{type(exc).__name__}: {exc}", True)
        else:
            self._record_sent(n, provider_id)
            metrics.record(n.channel, "sent")
            log.info("notification %s sent by %s to officer %s", n.id, n.channel, n.recipient)

    def _record_sent(self, n: Claimed, provider_id: str, attempts: int = 8) -> None:
        """The message is out: keep trying to record it through a short database outage, since a row left
        'sending' is resent when its lease ends."""
        for attempt in range(attempts):
            try:
                self.store.mark_sent(n.id, provider_id, self.clock())
                return
            except Exception as exc:
                if not is_transient(exc) or attempt == attempts - 1:
                    raise
                log.warning("recording notification %s as sent failed (%s); retrying", n.id, type(exc).__name__)
                self._stop.wait(min(5.0, 0.2 * 2 ** attempt))

    def _failed_attempt(self, n: Claimed, error: str, transient: bool) -> None:
        p = self.policy
        if domain.gives_up(n.attempts, p.max_attempts, transient):
            self._fail(n, error)
            return
        now = self.clock()
        at = domain.next_attempt(now, n.attempts, n.channel, self.calendar, base=p.base_seconds,
                                 cap=p.cap_seconds, jitter=self.jitter, tz=self.tz,
                                 windows=self.sms_windows)
        self.store.mark_retry(n.id, error, at, now)
        metrics.record(n.channel, "retried")
        log.warning("notification %s attempt %d failed, retry at %s: %s", n.id, n.attempts, at.isoformat(), error)

    def _fail(self, n: Claimed, error: str) -> None:
        self.store.mark_failed(n.id, error, self.clock())
        metrics.record(n.channel, "failed")
        log.error("notification %s to officer %s failed for good after %d attempt(s), dead-lettered: %s",
                  n.id, n.recipient, n.attempts, error)

    def run(self) -> None:
        self._stop.clear()
        while not self._stop.is_set():
            try:
                busy = self.run_once() >= self.batch
            except Exception:
                log.exception("send pass failed")
                busy = False
            if not busy:
                self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
