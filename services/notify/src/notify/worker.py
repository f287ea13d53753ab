"""The worker: event consumer, send loop and daily digest, via dunghan.worker.run_worker."""
from __future__ import annotations

from typing import Any

from dunghan.bus.identity import Producers
from dunghan.db import retention_job
from dunghan.logging import configure
from dunghan.worker import Periodic, run_worker
from notify import domain
from notify.app import Services, compose
from notify.config import Settings
from notify.consumer import EventProcessor, make_consumer
from notify.digest import DigestJob
from notify.sender import RetryPolicy, Sender


def components(services: Services) -> list[Any]:
    s, repo = services.settings, services.repo
    windows = domain.parse_windows(s.sms_windows)
    processor = EventProcessor(repo, services.renderer, services.calendar, link_base=s.link_base, tz=s.timezone,
                               sms_windows=windows, available=frozenset(services.channels))
    sender = Sender(
        repo, services.channels, services.calendar,
        policy=RetryPolicy(s.max_attempts, s.retry_base_seconds, s.retry_cap_seconds),
        batch=s.send_batch, lease_seconds=s.claim_lease_seconds, interval=s.send_interval_seconds, tz=s.timezone,
        sms_windows=windows,
    )
    digest = DigestJob(repo, services.renderer, services.calendar, at=s.digest_time, link_base=s.link_base,
                       tz=s.timezone, available=frozenset(services.channels), sms_windows=windows)
    return [make_consumer(s.amqp_url, processor, prefix=s.amqp_prefix, unit_of_work=getattr(repo, "uow", None),
                          batch_size=s.consumer_batch_size,
                          batch_linger=s.consumer_batch_linger_ms / 1000,
                          producers=Producers.parse(s.amqp_producers)), sender,
            Periodic("digest", digest, s.digest_interval_seconds), *_retention(repo, s.messaging_retention_days)]


def _retention(repo: Any, keep_days: float) -> list[Any]:
    """Notify keeps only an inbox (it publishes nothing); a repository without an engine (a fake) has none."""
    engine = getattr(repo, "engine", None)
    if engine is None:
        return []
    return [retention_job(engine, keep_days, tables=("inbox",))]


def main() -> None:
    settings = Settings.from_env()
    configure("notify", settings.log_level)
    run_worker("notify", components(compose(settings, pre_ping=False)), settings.metrics_port)


if __name__ == "__main__":
    main()
