"""The Channel port: ``send(message) -> provider id``; failures are TransientError (retry) or PermanentError."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    notification_id: int
    channel: str
    to: str
    subject: str
    text: str
    html: str | None = None


class DeliveryError(Exception):
    transient = False


class TransientError(DeliveryError):
    """Worth retrying later: SMTP 4xx, timeouts, connection errors, gateway 5xx."""

    transient = True


class PermanentError(DeliveryError):
    """Will never succeed as is: SMTP 5xx, gateway 4xx, a bad address."""


class Channel(Protocol):
    def send(self, message: Outgoing) -> str: ...


class FakeChannel:
    """Records what was sent; ``failures`` are raised in order before sends start to succeed."""

    def __init__(self, failures: Iterable[DeliveryError] = ()) -> None:
        self.sent: list[Outgoing] = []
        self.attempts: list[Outgoing] = []
        self.failures = list(failures)
        self._lock = threading.Lock()

    def send(self, message: Outgoing) -> str:
        with self._lock:
            self.attempts.append(message)
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append(message)
            return f"fake-{len(self.sent)}"
