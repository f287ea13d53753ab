"""Pipeline metrics shared by every service (one prefix, base units, small fixed label sets).

Every labelled counter's known label sets are created at 0 when the process starts (``zero``): Prometheus's first
sample of a series is then 0, so ``increase()`` counts the first event and first-event alerts fire. No
``_created`` series: they double the series count and nothing here reads them.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()
log = logging.getLogger(__name__)

CONSUMED_OUTCOMES = ("ok", "rejected", "retried", "duplicate", "failed")
BATCH_RESULTS = ("committed", "rolled_back")
JOB_RESULTS = ("ok", "failed")

MESSAGES_CONSUMED = Counter(
    "dunghan_messages_consumed_total", "Messages taken from a queue, by outcome.", ["queue", "outcome"]
)
MESSAGES_DEAD_LETTERED = Counter(
    "dunghan_messages_dead_lettered_total", "Messages sent to a dead-letter queue by a consumer.", ["queue"]
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
CONSUMER_LAG = Histogram(
    "dunghan_consumer_lag_seconds",
    "From the event's time (CloudEvents time, else the AMQP publish timestamp) to its handling by the consumer.",
    ["queue"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
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
COMPONENT_UP = Gauge(
    "dunghan_component_up",
    "1 while a worker component (consumer, relay, scheduled job) runs and is connected; 0 while it restarts.",
    ["service", "component"], multiprocess_mode="max",
)
COMPONENT_RESTARTS = Counter(
    "dunghan_component_restarts_total", "Times the worker restarted a component that died or returned.",
    ["service", "component"],
)
SCHEDULED_RUNS = Counter(
    "dunghan_scheduled_runs_total", "Runs of a worker's scheduled job, by result (ok, failed).",
    ["service", "task", "result"],
)
SCHEDULED_LAST_SUCCESS = Gauge(
    "dunghan_scheduled_last_success_timestamp_seconds", "Unix time of a scheduled job's last successful run.",
    ["service", "task"], multiprocess_mode="max",
)


def zero(metric: Any, label_sets: Iterable[Mapping[str, str]]) -> None:
    """Create each label set's series at 0 (a counter or histogram), so its first event is counted."""
    for labels in label_sets:
        metric.labels(**labels)


def product(**values: Iterable[str]) -> list[dict[str, str]]:
    """Every combination of the given label values: ``product(queue=["q"], outcome=["ok", "failed"])``."""
    sets: list[dict[str, str]] = [{}]
    for name, options in values.items():
        options = list(dict.fromkeys(options))
        sets = [{**s, name: v} for s in sets for v in options]
    return sets


def zero_consumer(queue: str) -> None:
    """A consumer's series at 0 from its start: outcomes, dead letters, batches."""
    zero(MESSAGES_CONSUMED, product(queue=[queue], outcome=CONSUMED_OUTCOMES))
    zero(MESSAGES_DEAD_LETTERED, [{"queue": queue}])
    zero(BATCHES, product(queue=[queue], result=BATCH_RESULTS))


class _Throttled:
    def __init__(self, fn: Callable[[], None], every: float) -> None:
        self.fn, self.every, self.at = fn, every, float("-inf")
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            if time.monotonic() - self.at < self.every:
                return
            self.at = time.monotonic()
        try:
            self.fn()
        except Exception:  # a scrape must answer even when the database does not
            log.warning("refreshing metric label sets failed", exc_info=True)


_SCRAPE_HOOKS: list[_Throttled] = []


def before_scrape(fn: Callable[[], None], every: float = 60.0) -> None:
    """Run ``fn`` before a ``/metrics`` answer, at most once per ``every`` seconds (and at once on the first).
    For label sets read from a database (a new unit, procedure or field): they appear at 0 before their first
    event. The web's and the worker's ``/metrics`` call ``run_scrape_hooks``."""
    hook = _Throttled(fn, every)
    _SCRAPE_HOOKS.append(hook)
    hook()


def run_scrape_hooks() -> None:
    for hook in list(_SCRAPE_HOOKS):
        hook()
