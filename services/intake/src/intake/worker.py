"""The intake worker: inbound consumer, outbox relay and the orphan sweeper (``intake-worker``)."""
from __future__ import annotations

from typing import Any

import pika

from dunghan.bus.consumer import Consumer
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import INTAKE_INBOUND, declare
from dunghan.db import OutboxRelay, retention_job
from dunghan.logging import configure
from dunghan.worker import Component, Periodic, run_worker
from intake.bootstrap import SERVICE, IntakeDeps, bootstrap
from intake.config import Settings
from intake.consumer import BusReplier, InboundHandler, OrphanSweeper

REPLY_CONFIRM_SECONDS = 2.0


def declare_topology(amqp_url: str, prefix: str) -> None:
    """Exchanges, the inbound queue (with DLQ and retries) and the rejection queue; idempotent."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        declare(conn.channel(), prefix=prefix, only=SERVICE)
    finally:
        conn.close()


def components(deps: IntakeDeps) -> list[Component]:
    settings, repo, engine = deps.settings, deps.repo, deps.engine
    assert engine is not None, "the worker runs on the database"

    def publisher() -> Any:
        return Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id=SERVICE)

    def replier() -> BusReplier:
        replies = Publisher(settings.amqp_url, prefix=settings.amqp_prefix, app_id="intake-replies",
                            max_attempts=1, confirm_timeout=REPLY_CONFIRM_SECONDS)
        return BusReplier(publisher(), settings.amqp_prefix, replies)

    handler = InboundHandler(repo, replier(), pepper=settings.id_pepper,
                             clock=deps.clock, max_body_bytes=settings.max_body_bytes,
                             max_skew_seconds=settings.max_clock_skew_seconds,
                             cache_seconds=settings.registry_cache_seconds, reply_prefix=settings.amqp_prefix)
    consumer = Consumer(settings.amqp_url, INTAKE_INBOUND, handler, prefix=settings.amqp_prefix,
                        on_reject=handler.on_reject, unit_of_work=repo.facts,
                        batch_size=settings.consumer_batch_size,
                        batch_handler=handler.handle_many,
                        batch_linger=settings.consumer_batch_linger_ms / 1000)
    relay = OutboxRelay(engine, publisher(), SERVICE)
    sweeper = Periodic("orphan-sweeper",
                       OrphanSweeper(repo, replier(), settings.orphan_window_seconds, settings.id_pepper),
                       settings.orphan_scan_seconds)
    return [consumer, relay, sweeper, retention_job(engine, settings.messaging_retention_days)]


def main() -> None:
    settings = Settings.from_env()
    configure(SERVICE, settings.log_level)
    deps = bootstrap(settings, process="worker")
    declare_topology(settings.amqp_url, settings.amqp_prefix)
    run_worker(SERVICE, components(deps), settings.metrics_port)


if __name__ == "__main__":
    main()
