"""History import benchmark: a year of dossiers loaded as history (``history: true``) through the inbound
exchange into the running four services; the time until every fact is taken and every closed dossier
classified, against raw pika moving the same messages, and the notifications it caused (the goal is none)."""
from __future__ import annotations

import itertools
import time
from datetime import date
from typing import Any

from bench_broker import raw_pika_throughput
from bench_pipeline import CLASSIFIED_KEY, BenchSystem, _amqp_user, encode, is_classified
from bench_report import figure, log
from demo_data import as_history, load_plan

from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import INBOUND_EXCHANGE

WARNING_KEYS = ("deadline.deadline_approaching.v1", "deadline.deadline_breached.v1", "deadline.step_overdue.v1")
BATCH = 500


def _months(year: int, chunks: int) -> list[tuple[date, date]]:
    """The year cut into ``chunks`` consecutive spans (a chunk's dossiers are accepted within its span, so the
    daily dossier codes of two chunks never meet)."""
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    step = (last - first + 1) / chunks
    bounds = [first + round(i * step) for i in range(chunks)] + [last + 1]
    return [(date.fromordinal(a), date.fromordinal(b - 1)) for a, b in itertools.pairwise(bounds)]


def _counts(system: BenchSystem) -> tuple[int, int]:
    taken = int(system.scalar("intake", "SELECT count(*) FROM received_facts"))
    classified = int(system.scalar("deadline", "SELECT count(DISTINCT headers->>'ce-subject') FROM outbox "
                                               f"WHERE routing_key LIKE '{CLASSIFIED_KEY}.%'"))
    return taken, classified


def notifications_caused(system: BenchSystem, year: int) -> int:
    """Warnings deadline published plus messages notify queued for the dossiers of ``year`` (codes
    ``<agency>-<yy>mmdd-<n>``; other steps of the bench load live dossiers of other years), digests and phase
    mails aside."""
    keys = ", ".join(f"'{k}.%'" for k in WARNING_KEYS)  # routing keys end in the agency
    yy = f"{year % 100:02d}"
    warnings = int(system.scalar("deadline", f"SELECT count(*) FROM outbox WHERE routing_key LIKE ANY "
                                             f"(ARRAY[{keys}]) AND split_part(headers->>'ce-subject', '-', 2) "
                                             f"LIKE '{yy}%'"))
    queued = int(system.scalar("notify", "SELECT count(*) FROM notifications WHERE kind IN "
                                         "('deadline_approaching', 'deadline_breached', 'step_overdue') "
                                         f"AND split_part(dossier, '-', 2) LIKE '{yy}%'"))
    return warnings + queued


def history_import(system: BenchSystem, dossiers: int, max_seconds: float, *, year: int = 2016,
                   chunks: int = 12) -> list[dict[str, Any]]:
    """Publish ``dossiers`` of ``year`` as history, chunk by chunk (memory stays flat), then wait for the
    pipeline. Figures: seconds (ratio to raw pika for as many messages), events/s, notifications caused."""
    per_chunk = max(1, dossiers // chunks)
    user = _amqp_user(system.amqp_url)
    facts_sent, expected, baseline_rate = 0, 0, 0.0
    started = time.time()
    with Publisher(system.amqp_url, prefix=system.prefix, app_id="bench-history") as publisher:
        for i, (start, end) in enumerate(_months(year, chunks)):
            plan = load_plan(per_chunk, 1000 + i, start, end, id_prefix=f"hist{year}c{i}")
            facts = as_history(sorted((f for d in plan.dossiers for f in d.facts),
                                      key=lambda f: (f["occurred_at"], f["event_id"])))
            expected += sum(is_classified(d) for d in plan.dossiers)
            if i == 0:
                pause = time.time()
                baseline_rate = raw_pika_throughput(system.amqp_url, [encode(f) for f in facts])
                started += time.time() - pause
            for j in range(0, len(facts), BATCH):
                publisher.publish_many([
                    OutgoingMessage(INBOUND_EXCHANGE, f"{f['agency']}.{f['fact']}", encode(f), f["event_id"],
                                    content_type="application/json", user_id=user)
                    for f in facts[j:j + BATCH]])
            facts_sent += len(facts)
            log(f"history: chunk {i + 1}/{chunks} sent ({facts_sent} facts, {time.time() - started:.0f}s)")
    taken = classified = 0
    while time.time() - started < max_seconds:
        taken, classified = _counts(system)
        if taken >= facts_sent and classified >= expected:
            break
        time.sleep(2.0)
    seconds = time.time() - started
    complete = taken >= facts_sent and classified >= expected
    if not complete:
        log(f"history: INCOMPLETE after {max_seconds:.0f}s: {taken}/{facts_sent} facts taken, "
            f"{classified}/{expected} classified")
    caused = notifications_caused(system, year)
    baseline = facts_sent / baseline_rate if baseline_rate else None
    log(f"history: {per_chunk * chunks} dossiers, {facts_sent} facts in {seconds:.0f}s "
        f"(raw pika would take {baseline or 0:.0f}s); notifications caused: {caused}")
    return [
        figure("history_import_seconds", seconds, "s", baseline, seconds / baseline if baseline else None,
               None, complete or None),
        figure("history_import_rate", facts_sent / seconds, "events/s", baseline_rate,
               facts_sent / seconds / baseline_rate if baseline_rate else None, None, None),
        figure("history_import_notifications", caused, "notifications", 0, None, "value == 0", caused == 0),
    ]
