"""The intake worker: inbound consumer, outbox relay and the orphan sweeper (``intake-worker``)."""
from __future__ import annotations

from typing import Any

from dunghan.clock import utc_now
from dunghan.logging import configure
from intake.app import migrations_dir
from intake.config import Settings

REPLY_CONFIRM_SECONDS = 2.0


def declare_topology(amqp_url: str, prefix: str) -> None:
    """Exchanges, the inbound queue (with DLQ and retries) and the rejection queue; idempotent."""
    import pika

    from dunghan.bus.topology import declare

    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        declare(conn.channel(), prefix=prefix, only="intake")
    finally:
        conn.close()


def build_components(settings: Settings) -> list[Any]:
    from dunghan.bus.consumer import Consumer
    from dunghan.bus.publisher import Publisher
    from dunghan.bus.topology import INTAKE_INBOUND
    from dunghan.db import OutboxRelay, make_engine, retention_job
    from dunghan.worker import Periodic
    from intake.consumer import BusReplier, InboundHandler, OrphanSweeper
    from intake.metrics import watch_catalogue
    from intake.repository import SqlRepository

    engine = make_engine(settings.database_url, pre_ping=False)
    repo = SqlRepository(engine, cache_seconds=settings.registry_cache_seconds)
    watch_catalogue(engine)

    def publisher() -> Any:
        return Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id="intake")

    def replier() -> BusReplier:
        replies = Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id="intake-replies",
                            max_attempts=1, confirm_timeout=REPLY_CONFIRM_SECONDS)
        return BusReplier(publisher(), settings.amqp_prefix, replies)

    handler = InboundHandler(repo, replier(), pepper=settings.id_pepper,
                             clock=utc_now, max_body_bytes=settings.max_body_bytes,
                             max_skew_seconds=settings.max_clock_skew_seconds,
                             cache_seconds=settings.registry_cache_seconds, reply_prefix=settings.amqp_prefix)
    consumer = Consumer(settings.amqp_url, INTAKE_INBOUND, handler, prefix=settings.amqp_prefix,
                        on_reject=handler.on_reject, unit_of_work=repo.facts,
                        batch_size=settings.consumer_batch_size,
                        batch_handler=handler.handle_many,
                        batch_linger=settings.consumer_batch_linger_ms / 1000)
    relay = OutboxRelay(engine, publisher(), "intake")
    sweeper = Periodic("orphan-sweeper",
                       OrphanSweeper(repo, replier(), settings.orphan_window_seconds, settings.id_pepper),
                       settings.orphan_scan_seconds)
    return [consumer, relay, sweeper, retention_job(engine, settings.messaging_retention_days)]


def main() -> None:
    from dunghan.db import upgrade
    from dunghan.worker import run_worker

    settings = Settings.from_env()
    configure("intake", settings.log_level)
    if settings.migrate:
        upgrade(settings.database_url, migrations_dir())
    declare_topology(settings.amqp_url, settings.amqp_prefix)
    run_worker("intake", build_components(settings), settings.metrics_port)


if __name__ == "__main__":
    main()
