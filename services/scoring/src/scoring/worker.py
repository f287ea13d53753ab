"""Worker process: the events consumer, the outbox relay and the job closing phases at their review date."""
from __future__ import annotations

from prometheus_client import REGISTRY

from dunghan.bus.consumer import Consumer
from dunghan.bus.identity import Producers
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import SCORING_EVENTS
from dunghan.clock import utc_now
from dunghan.db import OutboxRelay, make_engine, retention_job, upgrade
from dunghan.logging import configure
from dunghan.worker import Component, Periodic, run_worker
from scoring import handlers
from scoring.app import migrations_path
from scoring.config import Settings
from scoring.consumer import make_batch_handler, make_handler
from scoring.metrics import ScoringCollector
from scoring.repository import SqlRepository


def main() -> None:
    settings = Settings.from_env()
    configure("scoring", settings.log_level)
    if settings.migrate_on_start:
        upgrade(settings.database_url, migrations_path())
    engine = make_engine(settings.database_url, pre_ping=False)
    repo = SqlRepository(engine)
    if settings.load_sample_campaign and settings.sample_campaign:
        handlers.load_campaign_file(repo, settings.sample_campaign, if_absent=True)
    REGISTRY.register(ScoringCollector(repo, utc_now))
    publisher = Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id="scoring")
    components: list[Component] = [
        Consumer(settings.amqp_url, SCORING_EVENTS, make_handler(repo), prefix=settings.amqp_prefix,
                 unit_of_work=repo.uow, batch_size=settings.consumer_batch_size,
                 batch_handler=make_batch_handler(repo),
                 batch_linger=settings.consumer_batch_linger_ms / 1000,
                 producers=Producers.parse(settings.amqp_producers)),
        OutboxRelay(engine, publisher, "scoring"),
        Periodic("close-phases", lambda now: handlers.close_due_phases(repo, now, settings.auto_close_window_days),
                 settings.close_check_seconds),
        retention_job(engine, settings.messaging_retention_days),
    ]
    run_worker("scoring", components, settings.metrics_port)


if __name__ == "__main__":
    main()
