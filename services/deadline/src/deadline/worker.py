"""Worker process: the events consumer, the outbox relay and the threshold scheduler (``deadline-worker``)."""
from __future__ import annotations

from deadline.bootstrap import SERVICE, DeadlineDeps, bootstrap
from deadline.config import Settings
from deadline.consumer import make_batch_handler, make_handler
from deadline.repository import SqlRepository
from deadline.scheduler import SCHEDULER_NAME, ThresholdScan
from dunghan.bus.consumer import Consumer
from dunghan.bus.identity import Producers
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import DEADLINE_EVENTS
from dunghan.db import OutboxRelay, retention_job
from dunghan.logging import configure
from dunghan.worker import Component, Periodic, run_worker


def components(deps: DeadlineDeps) -> list[Component]:
    settings, repo, handler_deps, engine = deps.settings, deps.repo, deps.deps, deps.engine
    assert engine is not None and isinstance(repo, SqlRepository), "the worker runs on the database"
    publisher = Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id=SERVICE)
    return [
        Consumer(settings.amqp_url, DEADLINE_EVENTS, make_handler(repo, handler_deps, deps.clock),
                 prefix=settings.amqp_prefix,
                 unit_of_work=repo.uow, batch_size=settings.consumer_batch_size,
                 batch_handler=make_batch_handler(repo, handler_deps, deps.clock),
                 batch_linger=settings.consumer_batch_linger_ms / 1000,
                 producers=Producers.parse(settings.amqp_producers)),
        OutboxRelay(engine, publisher, SERVICE),
        Periodic(SCHEDULER_NAME, ThresholdScan(repo, handler_deps), settings.scan_interval_seconds),
        retention_job(engine, settings.messaging_retention_days),
    ]


def main() -> None:
    settings = Settings.from_env()
    configure(SERVICE, settings.log_level)
    run_worker(SERVICE, components(bootstrap(settings, process="worker")), settings.metrics_port)


if __name__ == "__main__":
    main()
