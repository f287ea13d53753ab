"""The notify service's metrics (names as in docs/ARCHITECTURE.md). Every (channel, result) exists at 0 from
start-up, so the first failure of a channel is counted by ``increase()``."""
from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter, Gauge

from dunghan.metrics import product, zero
from notify.domain import CHANNELS, Pending

RESULTS = ("sent", "failed", "retried", "suppressed")

NOTIFICATIONS = Counter(
    "dunghan_notifications_total", "Notifications by channel and result (sent, failed, retried, suppressed).",
    ["channel", "result"],
)
PENDING = Gauge("dunghan_notifications_pending", "Notifications queued or being sent.", ["channel"],
                multiprocess_mode="max")
OLDEST_PENDING_AGE = Gauge(
    "dunghan_notification_oldest_pending_age_seconds", "Age of the oldest notification not yet sent or failed.",
    ["channel"], multiprocess_mode="max",
)
DUE = Gauge(
    "dunghan_notifications_due",
    "Pending notifications whose next attempt is due now (not those held for SMS quiet hours or a retry delay).",
    ["channel"], multiprocess_mode="max",
)
OLDEST_DUE_AGE = Gauge(
    "dunghan_notification_oldest_due_age_seconds",
    "How long the longest-waiting due notification has waited since its attempt came due.",
    ["channel"], multiprocess_mode="max",
)

zero(NOTIFICATIONS, product(channel=CHANNELS, result=RESULTS))


def record(channel: str, result: str) -> None:
    NOTIFICATIONS.labels(channel=channel, result=result).inc()


def set_pending(stats: Mapping[str, Pending], channels: tuple[str, ...] = CHANNELS) -> None:
    for channel in channels:
        p = stats.get(channel, Pending())
        PENDING.labels(channel=channel).set(p.count)
        OLDEST_PENDING_AGE.labels(channel=channel).set(p.oldest_age)
        DUE.labels(channel=channel).set(p.due)
        OLDEST_DUE_AGE.labels(channel=channel).set(p.oldest_due_age)
