"""Pipeline metrics shared by every service (one prefix, base units, small fixed label sets)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_CONSUMED = Counter(
    "dunghan_messages_consumed_total", "Messages taken from a queue, by outcome.", ["queue", "outcome"]
)
MESSAGES_DEAD_LETTERED = Counter(
    "dunghan_messages_dead_lettered_total", "Messages sent to a dead-letter queue by a consumer.", ["queue"]
)
MESSAGES_FORGED = Counter(
    "dunghan_messages_forged_total",
    "Messages dead-lettered as forged: their broker-validated sender is not the producer of their type.",
    ["queue"],
)
BATCHES = Counter(
    "dunghan_consumer_batches_total",
    "Batches of messages handled in one transaction, by result (committed; rolled_back, then one by one).",
    ["queue", "result"],
)
HANDLER_DURATION = Histogram(
    "dunghan_handler_duration_seconds", "Time a message handler took.", ["queue"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
MESSAGES_PUBLISHED = Counter(
    "dunghan_messages_published_total", "Messages published and confirmed by the broker.", ["exchange"]
)
OUTBOX_BACKLOG = Gauge(
    "dunghan_outbox_backlog", "Outbox rows not yet published.", ["service"], multiprocess_mode="max"
)
OUTBOX_OLDEST_AGE = Gauge(
    "dunghan_outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox row.", ["service"],
    multiprocess_mode="max",
)
HTTP_REQUEST_DURATION = Histogram(
    "dunghan_http_request_duration_seconds", "HTTP request duration by route template.",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
WORKER_UP = Gauge("dunghan_worker_up", "1 while the service's worker runs.", ["service"], multiprocess_mode="max")
