"""Pipeline benchmark: the four services as real processes; throughput, latency and peak RSS against raw pika."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pika
from bench_broker import percentile, raw_pika_latencies, raw_pika_pipelined_throughput, raw_pika_throughput
from bench_cpu import CpuMeter, cpu_figures, cpu_parts
from bench_report import figure, log
from demo_data import DossierPlan, load_plan
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from dunghan.bus.topology import INBOUND_EXCHANGE
from dunghan.testing.fixtures import delete_prefixed, to_sqlalchemy_url
from dunghan.testing.sinks import SmsGatewayStub, SmtpSink
from dunghan.testing.stack import Stack
from dunghan.web import hash_key

SYSTEM_KEY = "bench-sct-system-key"
OPERATOR_KEY = "bench-operator-key"
TERMINAL = frozenset({"result.ready", "dossier.refused", "dossier.withdrawn", "dossier.stopped"})
CLASSIFIED_KEY = "deadline.dossier_classified.v1"  # then .<agency>
THROUGHPUT_GOAL, LATENCY_P99_GOAL = 0.2, 0.5
BASELINE_RUNS = 3  # a short burst of raw pika varies by half from run to run here: the median of three


@dataclass
class BenchSystem:
    stack: Stack
    amqp_url: str
    prefix: str
    databases: dict[str, str]
    engines: dict[str, Engine]

    def scalar(self, service: str, sql: str) -> Any:
        with self.engines[service].connect() as conn:
            return conn.execute(text(sql)).scalar()

    def rows(self, service: str, sql: str) -> list[Any]:
        with self.engines[service].connect() as conn:
            return list(conn.execute(text(sql)))


@contextmanager
def running_system(amqp_url: str, database_url: str, log_dir: Path) -> Iterator[BenchSystem]:
    """Fresh databases and a fresh bus prefix; everything is dropped afterwards."""
    run = uuid.uuid4().hex[:6]
    prefix = f"bench{run}."
    admin_url = to_sqlalchemy_url(database_url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    names = {svc: f"bench_{svc}_{run}" for svc in ("intake", "deadline", "scoring", "notify")}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    urls = {svc: make_url(admin_url).set(database=name).render_as_string(hide_password=False)
            for svc, name in names.items()}
    smtp, sms = SmtpSink().start(), SmsGatewayStub().start()
    keys = f"ops:SCT:operator:{hash_key(OPERATOR_KEY)};sct:SCT:system:{hash_key(SYSTEM_KEY)}"
    common = {"AMQP_URL": amqp_url, "AMQP_PREFIX": prefix, "API_KEYS": keys, "LOG_LEVEL": "WARNING"}
    per_service = {
        "intake": {"DATABASE_URL": urls["intake"]},
        "deadline": {"DATABASE_URL": urls["deadline"]},
        "scoring": {"DATABASE_URL": urls["scoring"], "SCORING_LOAD_SAMPLE_CAMPAIGN": "false"},
        "notify": {"DATABASE_URL": urls["notify"], "NOTIFY_SMTP_HOST": "127.0.0.1",
                   "NOTIFY_SMTP_PORT": str(smtp.port), "NOTIFY_SMS_PROVIDER": "http",
                   "NOTIFY_SMS_HTTP_URL": sms.url, "NOTIFY_SMS_WINDOWS": "always"},
    }
    stack = Stack(common, per_service, log_dir)
    engines = {svc: create_engine(url) for svc, url in urls.items()}
    try:
        log("starting the four services (gunicorn web + worker each)")
        stack.start(timeout=180)
        stack.seed_sample(amqp_user=_amqp_user(amqp_url))
        yield BenchSystem(stack, amqp_url, prefix, urls, engines)
    finally:
        stack.stop()
        smtp.stop()
        sms.stop()
        for engine in engines.values():
            engine.dispose()
        delete_prefixed(amqp_url, prefix)
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settle(system: BenchSystem, max_seconds: float = 120.0) -> None:
    """Wait (bounded) until every service queue is empty and every outbox is published, twice in a row."""
    from dunghan.bus.topology import TOPOLOGY

    queues = [q.qname(system.prefix) for q in TOPOLOGY.queues]
    started, quiet = time.time(), 0
    try:
        conn = pika.BlockingConnection(pika.URLParameters(system.amqp_url))
        ch = conn.channel()
        while time.time() - started < max_seconds and quiet < 2:
            busy = sum(ch.queue_declare(queue=q, passive=True).method.message_count for q in queues)
            busy += sum(int(system.scalar(svc, "SELECT count(*) FROM outbox WHERE published_at IS NULL"))
                        for svc in system.engines)
            quiet = quiet + 1 if busy == 0 else 0
            conn.sleep(1.0)
        conn.close()
    except Exception as exc:
        log(f"settle: could not check ({exc!r}); going on")
        return
    log(f"settled in {time.time() - started:.0f}s" if quiet >= 2 else f"NOT settled after {max_seconds:.0f}s")


def _amqp_user(amqp_url: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(amqp_url).username or "guest")


def is_classified(d: DossierPlan) -> bool:
    """Deadline classifies an accepted dossier once its clock stops (result, refusal, withdrawal, stop)."""
    kinds = [f["fact"] for f in d.facts]
    return "dossier.accepted" in kinds and any(k in TERMINAL for k in kinds[kinds.index("dossier.accepted"):])


def plan_dossiers(n: int, year: int, seed: int) -> list[DossierPlan]:
    plan = load_plan(n, seed, date(year, 1, 1), date(year, 12, 31), id_prefix=f"bench{year}")
    return list(plan.dossiers)


class InboundSender:
    """Publishes facts as a departmental system does: persistent, mandatory, user_id, one confirm per message."""

    def __init__(self, system: BenchSystem) -> None:
        self.conn = pika.BlockingConnection(pika.URLParameters(system.amqp_url))
        self.ch = self.conn.channel()
        self.ch.confirm_delivery()
        self.exchange = f"{system.prefix}{INBOUND_EXCHANGE}"
        self.user = _amqp_user(system.amqp_url)

    def send(self, fact: dict[str, Any], body: bytes | None = None) -> None:
        props = pika.BasicProperties(content_type="application/json", delivery_mode=2, user_id=self.user,
                                     message_id=fact["event_id"])
        self.ch.basic_publish(self.exchange, f"{fact['agency']}.{fact['fact']}", body or encode(fact), props,
                              mandatory=True)

    def close(self) -> None:
        self.conn.close()


def encode(fact: dict[str, Any]) -> bytes:
    return json.dumps(fact, ensure_ascii=False).encode()


def _classified_at(system: BenchSystem) -> dict[str, float]:
    rows = system.rows("deadline", "SELECT headers->>'ce-subject', extract(epoch FROM created_at) FROM outbox "
                                   f"WHERE routing_key LIKE '{CLASSIFIED_KEY}.%'")
    return {code: float(at) for code, at in rows}


def _intake_done(system: BenchSystem) -> tuple[int, float]:
    count, last = system.rows("intake", "SELECT count(*), extract(epoch FROM max(received_at)) "
                                        "FROM received_facts")[0]
    return int(count), float(last or 0.0)


def throughput(system: BenchSystem, dossiers: int, max_seconds: float) -> list[dict[str, Any]]:
    """Facts per second from the first inbound publish to the last classification stored (and every fact taken),
    with the CPU the run cost against the CPU of the raw pika baseline per message."""
    plan = plan_dossiers(dossiers, 2017, seed=2017)
    facts = sorted((f for d in plan for f in d.facts), key=lambda f: (f["occurred_at"], f["event_id"]))
    expected = {d.code for d in plan if is_classified(d)}
    bodies = [encode(f) for f in facts]
    log(f"throughput: baseline raw pika with {len(bodies)} messages, {BASELINE_RUNS} runs (median)")
    base_meter = CpuMeter(cpu_parts()).start()
    runs = sorted(raw_pika_throughput(system.amqp_url, bodies) for _ in range(BASELINE_RUNS))
    baseline_ms = 1000 * sum(base_meter.stop().values()) / (len(bodies) * BASELINE_RUNS)
    baseline = runs[len(runs) // 2]
    log("throughput: raw pika runs " + ", ".join(f"{r:.0f}" for r in runs) + " msg/s")
    fast = sorted(raw_pika_pipelined_throughput(system.amqp_url, bodies) for _ in range(BASELINE_RUNS))
    fastest = fast[len(fast) // 2]
    log("throughput: raw pika, pipelined confirms, runs " + ", ".join(f"{r:.0f}" for r in fast) + " msg/s")
    log(f"throughput: publishing {len(facts)} facts of {len(plan)} dossiers ({len(expected)} to classify)")
    meter = CpuMeter(cpu_parts(system.stack.services)).start()
    sender = InboundSender(system)
    started = time.time()
    for fact, body in zip(facts, bodies, strict=True):
        sender.send(fact, body)
    sender.close()
    log(f"throughput: published in {time.time() - started:.1f}s; waiting for the pipeline")
    limit = started + max_seconds
    done_codes: set[str] = set()
    taken, last_taken = 0, 0.0
    while time.time() < limit:
        classified = _classified_at(system)
        done_codes = expected & classified.keys()
        taken, last_taken = _intake_done(system)
        if len(done_codes) == len(expected) and taken >= len(facts):
            break
        time.sleep(0.5)
    meter.stop()
    classified = _classified_at(system)
    complete = len(done_codes) == len(expected) and taken >= len(facts)
    if complete:
        end = max([classified[c] for c in expected] + [last_taken])
        value = len(facts) / (end - started)
    else:
        log(f"throughput: INCOMPLETE after {max_seconds:.0f}s: {len(done_codes)}/{len(expected)} classified, "
            f"{taken}/{len(facts)} facts taken by intake")
        value = len(facts) * len(done_codes) / max(1, len(expected)) / max_seconds
    unexpected = set(classified) - expected
    if unexpected:
        log(f"throughput: {len(unexpected)} dossiers classified beyond the predicted set")
    log(f"throughput: {value:.1f} events/s vs raw pika {baseline:.0f} msg/s")
    return [figure("pipeline_throughput", value, "events/s", baseline, value / baseline,
                   f"ratio >= {THROUGHPUT_GOAL}", complete and value / baseline >= THROUGHPUT_GOAL),
            figure("pipeline_throughput_vs_pipelined_pika", value, "events/s", fastest, value / fastest,
                   None, None),
            *cpu_figures(meter, len(facts), baseline_ms, baseline)]


def latency(system: BenchSystem, rate: float, seconds: float) -> list[dict[str, Any]]:
    """Steady ``rate`` facts/s, each dossier's facts in order; latency = its stopping fact sent → classified."""
    budget = int(rate * seconds)
    chosen: list[list[dict[str, Any]]] = []
    for d in plan_dossiers(max(50, budget // 3), 2018, seed=2018):
        if not is_classified(d):
            continue
        kinds = [f["fact"] for f in d.facts]
        stop = max(i for i, k in enumerate(kinds) if k in TERMINAL)
        chosen.append(list(d.facts[:stop + 1]))
        if sum(map(len, chosen)) >= budget:
            break
    facts = [f for group in chosen for f in group]
    log(f"latency: {len(facts)} facts of {len(chosen)} dossiers at {rate:.0f}/s")
    sender = InboundSender(system)
    sent_at: dict[str, float] = {}
    started = time.perf_counter()
    for i, fact in enumerate(facts):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            sender.conn.sleep(delay)
        if fact["fact"] in TERMINAL:
            sent_at[fact["code"]] = time.time()
        sender.send(fact)
    sender.close()
    limit = time.time() + 60
    classified = _classified_at(system)
    while time.time() < limit and not sent_at.keys() <= classified.keys():
        time.sleep(0.2)
        classified = _classified_at(system)
    lat = [classified[c] - t for c, t in sent_at.items() if c in classified]
    missing = len(sent_at) - len(lat)
    if missing:
        log(f"latency: {missing} dossiers not classified within 60s (counted as 60s)")
        lat += [60.0] * missing
    log(f"latency: baseline raw pika round trip, {len(sent_at)} messages at {rate:.0f}/s")
    raw = raw_pika_latencies(system.amqp_url, len(sent_at), rate)
    p50, p99, r50, r99 = percentile(lat, 0.5), percentile(lat, 0.99), percentile(raw, 0.5), percentile(raw, 0.99)
    log(f"latency: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (raw pika p50 {r50 * 1000:.1f} ms, "
        f"p99 {r99 * 1000:.1f} ms)")
    return [figure("pipeline_latency_p50", p50, "s", r50, p50 / r50, None, None),
            figure("pipeline_latency_p99", p99, "s", r99, p99 / r99, f"value <= {LATENCY_P99_GOAL}",
                   p99 <= LATENCY_P99_GOAL)]
