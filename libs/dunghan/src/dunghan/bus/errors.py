"""Handler outcomes as exception types: the consumer maps each to a broker action; handlers never ack."""
from __future__ import annotations


class Reject(Exception):
    """The message can never be processed: dead-letter it with the reason (and the offending field)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


class RetryLater(Exception):
    """A transient failure: send the message to the delayed retry queue, then dead-letter when retries run out."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class Duplicate(Exception):
    """Already processed (inbox hit): ack and skip."""

    def __init__(self, message: str = "duplicate") -> None:
        super().__init__(message)


class Unroutable(Exception):
    """A mandatory publish that no queue was bound to receive."""


class PublishFailed(Exception):
    """The broker nacked a message, or it could not be published after every reconnection attempt."""
