"""The notify service's metrics (names as in docs/ARCHITECTURE.md)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

NOTIFICATIONS = Counter(
    "dunghan_notifications_total", "Notifications by channel and result (sent, failed, retried, suppressed).",
    ["channel", "result"],
)
RETRIES = Counter("dunghan_notification_retries_total", "Send attempts scheduled for a retry.", ["channel"])
PENDING = Gauge("dunghan_notifications_pending", "Notifications queued or being sent.", ["channel"],
                multiprocess_mode="max")
OLDEST_PENDING_AGE = Gauge(
    "dunghan_notification_oldest_pending_age_seconds", "Age of the oldest notification not yet sent or failed.",
    ["channel"], multiprocess_mode="max",
)


def record(channel: str, result: str) -> None:
    NOTIFICATIONS.labels(channel=channel, result=result).inc()


def set_pending(stats: dict[str, tuple[int, float]], channels: tuple[str, ...] = ("email", "sms")) -> None:
    for channel in channels:
        count, age = stats.get(channel, (0, 0.0))
        PENDING.labels(channel=channel).set(count)
        OLDEST_PENDING_AGE.labels(channel=channel).set(age)
