"""The worker: event consumer, send loop and daily digest (``notify-worker``)."""
from __future__ import annotations

from dunghan.bus.identity import Producers
from dunghan.db import retention_job
from dunghan.logging import configure
from dunghan.worker import Component, Periodic, run_worker
from notify import domain
from notify.bootstrap import SERVICE, NotifyDeps, bootstrap
from notify.config import Settings
from notify.consumer import EventProcessor, make_consumer
from notify.digest import DigestJob
from notify.sender import RetryPolicy, Sender


def components(deps: NotifyDeps) -> list[Component]:
    """Notify keeps only an inbox (it publishes nothing): its retention job has no outbox to clear."""
    s, repo, available = deps.settings, deps.repo, frozenset(deps.channels)
    windows = domain.parse_windows(s.sms_windows)
    processor = EventProcessor(repo, deps.renderer, deps.calendar, link_base=s.link_base, tz=s.timezone,
                               sms_windows=windows, available=available, clock=deps.clock)
    sender = Sender(
        repo, deps.channels, deps.calendar,
        policy=RetryPolicy(s.max_attempts, s.retry_base_seconds, s.retry_cap_seconds),
        batch=s.send_batch, lease_seconds=s.claim_lease_seconds, interval=s.send_interval_seconds, tz=s.timezone,
        sms_windows=windows, clock=deps.clock,
    )
    digest = DigestJob(repo, deps.renderer, deps.calendar, at=s.digest_time, link_base=s.link_base,
                       tz=s.timezone, available=available, sms_windows=windows)
    consumer = make_consumer(s.amqp_url, processor, prefix=s.amqp_prefix,
                             unit_of_work=getattr(repo, "uow", None),
                             batch_size=s.consumer_batch_size, batch_linger=s.consumer_batch_linger_ms / 1000,
                             producers=Producers.parse(s.amqp_producers))
    jobs: list[Component] = [consumer, sender,
                             Periodic("digest", digest, s.digest_interval_seconds, clock=deps.clock)]
    if deps.engine is not None:
        jobs.append(retention_job(deps.engine, s.messaging_retention_days, tables=("inbox",)))
    return jobs


def main() -> None:
    settings = Settings.from_env()
    configure(SERVICE, settings.log_level)
    run_worker(SERVICE, components(bootstrap(settings, process="worker")), settings.metrics_port)


if __name__ == "__main__":
    main()
