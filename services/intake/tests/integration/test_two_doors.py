"""Two doors, one dossier: facts of the same dossier arriving over AMQP and HTTP at once, on the real RabbitMQ,
PostgreSQL and a real HTTP server. Every fact is applied exactly once and nothing is left in the buffer, with no
orphan sweep to rescue it."""
from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pika
import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from dunghan.bus.consumer import Consumer
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import INBOUND_EXCHANGE, INTAKE_INBOUND
from dunghan.db import make_engine, upgrade
from dunghan.web.auth import hash_key
from intake import tables as t
from intake.app import create_app
from intake.bootstrap import MIGRATIONS
from intake.config import Settings
from intake.consumer import BusReplier, InboundHandler
from intake.records import SourceSystem
from intake.repository import SqlRepository
from intake.worker import declare_topology

from ..conftest import T0, make_fact, seed, seeded_database  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration
KEY = {"Authorization": "Bearer key-sct"}
RESULT_AT = T0 + timedelta(days=3)


class Doors:
    """The intake worker (two consumers, batched, as two replicas) and the web app on a real HTTP port."""

    def __init__(self, amqp_url: str, prefix: str, url: str) -> None:
        self.amqp_url, self.prefix = amqp_url, prefix
        self.engine = make_engine(url)
        repo = SqlRepository(self.engine)
        seed(repo)
        with repo.transaction() as tx:
            tx.save_source(SourceSystem("motcua-sct", "SCT", "system", amqp_user="guest"))
            tx.save_source(SourceSystem("api-sct", "SCT", "system", api_key_sha256=hash_key("key-sct")))
        declare_topology(amqp_url, prefix)
        self.consumers = []
        for _ in range(2):
            replier = BusReplier(Publisher(amqp_url, prefix=prefix), prefix)
            own = SqlRepository(self.engine)
            handler = InboundHandler(own, replier, pepper="p", clock=lambda: T0 + timedelta(minutes=1))
            self.consumers.append(Consumer(amqp_url, INTAKE_INBOUND, handler, prefix=prefix,
                                           on_reject=handler.on_reject, unit_of_work=own.facts, batch_size=50,
                                           batch_handler=handler.handle_many, batch_linger=0.01))
        self.threads = [threading.Thread(target=c.run, daemon=True) for c in self.consumers]
        app = create_app(Settings(database_url=url, id_pepper="p", migrate=False),
                         clock=lambda: T0 + timedelta(minutes=1))
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.threads.append(threading.Thread(target=self.server.serve_forever, daemon=True))
        for th in self.threads:
            th.start()
        self.local = threading.local()

    def publish(self, raw: dict[str, Any]) -> None:
        ch = getattr(self.local, "ch", None)
        if ch is None:
            conn = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
            ch = self.local.ch = conn.channel()
            ch.confirm_delivery()
        props = pika.BasicProperties(user_id="guest", content_type="application/json", delivery_mode=2)
        ch.basic_publish(f"{self.prefix}{INBOUND_EXCHANGE}", f"SCT.{raw['fact']}", json.dumps(raw).encode(), props)

    def post(self, raw: dict[str, Any]) -> int:
        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        r = session.post(f"{self.base}/api/v1/dossiers/{raw['code']}/events", json=raw, headers=KEY, timeout=30)
        assert r.status_code in (201, 202), r.text
        return r.status_code

    def fate(self, event_id: str) -> dict[str, Any]:
        r = requests.get(f"{self.base}/api/v1/facts/{event_id}", headers=KEY, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def wait_resolved(self, codes: list[str], timeout: float = 60.0) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while True:
            with self.engine.connect() as c:
                rows = dict(c.execute(select(t.dossiers.c.code, t.dossiers.c.status)
                                      .where(t.dossiers.c.code.in_(codes))).all())
                pending = c.execute(select(func.count()).select_from(t.pending_facts)).scalar_one()
            if (len(rows) == len(codes) and all(s == 9 for s in rows.values()) and pending == 0) \
                    or time.monotonic() > deadline:
                return rows

    def history_counts(self, codes: list[str]) -> dict[str, list[str]]:
        h = t.dossier_history.c
        with self.engine.connect() as c:
            rows = c.execute(select(h.code, h.fact).where(h.code.in_(codes)).order_by(h.code, h.seq)).all()
        out: dict[str, list[str]] = {code: [] for code in codes}
        for code, fact in rows:
            out[code].append(fact)
        return out

    def close(self) -> None:
        for c in self.consumers:
            c.stop()
        self.server.shutdown()
        for th in self.threads:
            th.join(10)
        self.engine.dispose()


@pytest.fixture
def doors(amqp_url: str, bus_prefix: str, make_database: Callable[[str], str]) -> Iterator[Doors]:
    url = make_database("intake_doors")
    upgrade(url, MIGRATIONS)
    d = Doors(amqp_url, bus_prefix, url)
    yield d
    d.close()


def _pair(n: int, first: int) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    codes = [f"SCT-170306-{first + i:04d}" for i in range(n)]
    accepted = [make_fact("dossier.accepted", code=c) for c in codes]
    ready = [make_fact("result.ready", code=c, at=RESULT_AT) for c in codes]
    return codes, accepted, ready


def _assert_each_applied_once(doors: Doors, codes: list[str]) -> None:
    statuses = doors.wait_resolved(codes)
    stranded = [c for c in codes if statuses.get(c) != 9]
    assert stranded == [], f"{len(stranded)} of {len(codes)} dossiers not resolved"
    history = doors.history_counts(codes)
    assert {c: h for c, h in history.items() if sorted(h) != ["dossier.accepted", "result.ready"]} == {}


def test_acceptance_over_amqp_and_result_over_http_moments_later_are_both_applied(doors: Doors) -> None:
    codes, accepted, ready = _pair(400, 1)
    rnd = random.Random(14)

    def later(raw: dict[str, Any]) -> int:
        time.sleep(rnd.uniform(0, 0.03))
        return doors.post(raw)

    with ThreadPoolExecutor(8) as pool:
        futures = []
        for a, r in zip(accepted, ready, strict=True):
            doors.publish(a)
            futures.append(pool.submit(later, r))
        answers = [f.result() for f in futures]
    _assert_each_applied_once(doors, codes)
    buffered = [r for r, status in zip(ready, answers, strict=True) if status == 202]
    for raw in buffered[:20]:  # a sender told 202 learns the final fate
        assert doors.fate(raw["event_id"])["status"] == "applied"


def test_both_facts_over_http_from_several_threads_are_both_applied(doors: Doors) -> None:
    codes, accepted, ready = _pair(200, 2001)
    jobs = [raw for pair in zip(accepted, ready, strict=True) for raw in random.Random(7).sample(pair, 2)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(doors.post, jobs))
    _assert_each_applied_once(doors, codes)


def test_result_before_acceptance_across_the_two_doors_is_applied_once_the_dossier_exists(doors: Doors) -> None:
    codes, accepted, ready = _pair(200, 3001)
    with ThreadPoolExecutor(8) as pool:
        futures = []
        for i, (a, r) in enumerate(zip(accepted, ready, strict=True)):
            if i % 2:  # result over HTTP, then acceptance over AMQP
                futures.append(pool.submit(doors.post, r))
                doors.publish(a)
            else:  # result over AMQP, then acceptance over HTTP
                doors.publish(r)
                futures.append(pool.submit(doors.post, a))
        for f in futures:
            f.result()
    _assert_each_applied_once(doors, codes)
    for raw in ready[:10]:
        assert doors.fate(raw["event_id"])["status"] == "applied"


def test_a_batch_that_rolls_back_and_replays_one_by_one_counts_each_fact_once(
        amqp_url: str, bus_prefix: str, make_database: Callable[[str], str]) -> None:
    from intake import metrics

    _url, engine, repo = seeded_database(make_database, "intake_once")
    declare_topology(amqp_url, bus_prefix)
    codes = [f"SCT-170306-{5001 + i:04d}" for i in range(20)]
    facts = [make_fact("dossier.accepted", code=c) for c in codes]
    facts.insert(10, make_fact("dossier.accepted", code=codes[0]))  # a second acceptance: rejected in the batch
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    ch.confirm_delivery()
    for raw in facts:
        ch.basic_publish(f"{bus_prefix}{INBOUND_EXCHANGE}", "SCT.dossier.accepted", json.dumps(raw).encode(),
                         pika.BasicProperties(user_id="guest", content_type="application/json", delivery_mode=2))
    conn.close()
    counter = metrics.LIFECYCLE_EVENTS.labels(agency="SCT", kind="dossier.accepted")
    before = counter._value.get()
    handler = InboundHandler(repo, BusReplier(Publisher(amqp_url, prefix=bus_prefix), bus_prefix), pepper="p",
                             clock=lambda: T0 + timedelta(minutes=1))
    consumer = Consumer(amqp_url, INTAKE_INBOUND, handler, prefix=bus_prefix, on_reject=handler.on_reject,
                        unit_of_work=repo.facts, batch_size=50, batch_handler=handler.handle_many)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while counter._value.get() - before < len(codes) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert counter._value.get() - before == len(codes)
    finally:
        consumer.stop()
        thread.join(10)
        engine.dispose()
