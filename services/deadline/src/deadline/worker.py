"""Worker process: the events consumer, the outbox relay and the threshold scheduler."""
from __future__ import annotations

from typing import Any

from deadline.app import SERVICE, build_deps, sql_repository
from deadline.config import Settings
from deadline.consumer import make_batch_handler, make_handler
from deadline.handlers import Deps
from deadline.metrics import PrometheusMetrics
from deadline.repository import SqlRepository
from deadline.scheduler import SCHEDULER_NAME, ThresholdScan
from dunghan.bus.consumer import Consumer
from dunghan.bus.identity import Producers
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import DEADLINE_EVENTS
from dunghan.db import OutboxRelay, retention_job
from dunghan.logging import configure
from dunghan.worker import Periodic, run_worker


def components(settings: Settings, repo: SqlRepository, deps: Deps, publisher: Any) -> list[Any]:
    return [
        Consumer(settings.amqp_url, DEADLINE_EVENTS, make_handler(repo, deps), prefix=settings.amqp_prefix,
                 unit_of_work=repo.uow, batch_size=settings.consumer_batch_size,
                 batch_handler=make_batch_handler(repo, deps),
                 batch_linger=settings.consumer_batch_linger_ms / 1000,
                 producers=Producers.parse(settings.amqp_producers)),
        OutboxRelay(repo.engine, publisher, SERVICE),
        Periodic(SCHEDULER_NAME, ThresholdScan(repo, deps), settings.scan_interval_seconds),
        retention_job(repo.engine, settings.messaging_retention_days),
    ]


def main() -> None:
    settings = Settings.from_env()
    configure(SERVICE, settings.log_level)
    repo = sql_repository(settings, pre_ping=False)
    deps = build_deps(settings, repo, PrometheusMetrics(), calendar_max_age=settings.calendar_cache_seconds)
    publisher = Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id=SERVICE)
    run_worker(SERVICE, components(settings, repo, deps, publisher), settings.metrics_port)


if __name__ == "__main__":
    main()
