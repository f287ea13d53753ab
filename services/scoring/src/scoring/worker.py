"""Worker process: the events consumer, the outbox relay and the job closing phases at their review date."""
from __future__ import annotations

from prometheus_client import REGISTRY

from dunghan.bus.consumer import Consumer
from dunghan.bus.identity import Producers
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import SCORING_EVENTS
from dunghan.db import OutboxRelay, retention_job
from dunghan.logging import configure
from dunghan.worker import Component, Periodic, run_worker
from scoring import commands
from scoring.bootstrap import SERVICE, ScoringDeps, bootstrap
from scoring.config import Settings
from scoring.consumer import make_batch_handler, make_handler
from scoring.metrics import ScoringCollector
from scoring.repository import SqlRepository


def components(deps: ScoringDeps) -> list[Component]:
    settings, repo, engine = deps.settings, deps.repo, deps.engine
    assert engine is not None and isinstance(repo, SqlRepository), "the worker runs on the database"
    publisher = Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id=SERVICE)
    return [
        Consumer(settings.amqp_url, SCORING_EVENTS, make_handler(repo, deps.clock), prefix=settings.amqp_prefix,
                 unit_of_work=repo.uow, batch_size=settings.consumer_batch_size,
                 batch_handler=make_batch_handler(repo, deps.clock),
                 batch_linger=settings.consumer_batch_linger_ms / 1000,
                 producers=Producers.parse(settings.amqp_producers)),
        OutboxRelay(engine, publisher, SERVICE),
        Periodic("close-phases", lambda now: commands.close_due_phases(repo, now, settings.auto_close_window_days),
                 settings.close_check_seconds, clock=deps.clock),
        retention_job(engine, settings.messaging_retention_days),
    ]


def main() -> None:
    settings = Settings.from_env()
    configure(SERVICE, settings.log_level)
    deps = bootstrap(settings, process="worker")
    REGISTRY.register(ScoringCollector(deps.repo, deps.clock))
    run_worker(SERVICE, components(deps), settings.metrics_port)


if __name__ == "__main__":
    main()
