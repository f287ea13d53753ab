"""The inbound queue on the real RabbitMQ and PostgreSQL: valid, duplicate, malformed, unauthorised, forged,
out-of-order facts, with acceptance and rejection replies carrying the correlation id."""
from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import timedelta

import pika
import pytest

pytest.importorskip("dunghan.bus.consumer")
pytest.importorskip("dunghan.bus.publisher")

from dunghan.bus.consumer import Consumer
from dunghan.bus.identity import DIRECT_REPLY_TO
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import INBOUND_EXCHANGE, INTAKE_INBOUND, INTAKE_REJECTED
from intake.consumer import BusReplier, InboundHandler
from intake.worker import declare_topology

from ..conftest import T0, make_fact, seeded_database  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration


@pytest.fixture
def bus(amqp_url, bus_prefix, make_database):
    _url, engine, repo = seeded_database(make_database, "intake_queue")
    declare_topology(amqp_url, bus_prefix)
    replies = Publisher(amqp_url, prefix=bus_prefix, max_attempts=1, confirm_timeout=2)  # as the worker's
    replier = BusReplier(Publisher(amqp_url, prefix=bus_prefix), bus_prefix, replies)
    handler = InboundHandler(repo, replier, pepper="p",
                             clock=lambda: T0 + timedelta(minutes=1), reply_prefix=bus_prefix)
    consumer = Consumer(amqp_url, INTAKE_INBOUND, handler, prefix=bus_prefix, on_reject=handler.on_reject)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    reply_q = ch.queue_declare(queue=f"{bus_prefix}guest.replies", exclusive=True).method.queue
    yield Client(ch, bus_prefix, reply_q), repo
    consumer.stop()
    thread.join(10)
    conn.close()
    engine.dispose()


class Client:
    """Sends as the departmental system ``guest``; replies come to its own queue or to direct reply-to."""

    def __init__(self, ch, prefix, reply_q):
        self.ch, self.prefix, self.reply_q = ch, prefix, reply_q
        self.direct: list[tuple[str, bytes]] = []
        ch.basic_consume(DIRECT_REPLY_TO, lambda _c, _m, p, b: self.direct.append((p.correlation_id, b)),
                         auto_ack=True)

    def send(self, raw, *, user_id="guest", routing_key=None, body=None, reply_to=None):
        corr = uuid.uuid4().hex
        props = pika.BasicProperties(user_id=user_id, reply_to=reply_to or self.reply_q, correlation_id=corr,
                                     content_type="application/json", delivery_mode=2)
        rk = routing_key or f"{raw['agency']}.{raw['fact']}"
        self.ch.basic_publish(f"{self.prefix}{INBOUND_EXCHANGE}", rk,
                              body if body is not None else json.dumps(raw).encode(), props)
        return corr

    def reply(self, corr, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, props, body = self.ch.basic_get(self.reply_q, auto_ack=True)
            if method is not None:
                assert props.correlation_id == corr
                return json.loads(body)
            for got, direct in self.direct:
                if got == corr:
                    return json.loads(direct)
            self.ch.connection.process_data_events(time_limit=0.05)
        raise AssertionError("no reply")

    def rejected(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, props, body = self.ch.basic_get(f"{self.prefix}{INTAKE_REJECTED}", auto_ack=True)
            if method is not None:
                return props.headers, body
            time.sleep(0.05)
        raise AssertionError("nothing in the rejection queue")


def test_valid_then_duplicate_get_the_same_acceptance_reply(bus):
    client, repo = bus
    raw = make_fact("dossier.accepted")
    first = client.reply(client.send(raw))
    assert first["status"] == "accepted"
    assert client.reply(client.send(raw)) == first
    with repo.transaction() as tx:
        assert len(tx.history(raw["code"])) == 1


def test_malformed_message_is_rejected_with_a_reply_and_a_copy(bus):
    client, _ = bus
    corr = client.send(None, routing_key="SCT.dossier.accepted", body=b"{oops")
    reply = client.reply(corr)
    assert reply["status"] == "rejected" and reply["errors"][0]["field"] == "body"
    headers, body = client.rejected()
    assert body == b"{oops" and headers["x-rejection-kind"] == "not_json"


def test_unauthorised_and_forged_messages_are_rejected(bus):
    client, _ = bus
    # No sender, so no queue of its own: the answer goes to direct reply-to only.
    reply = client.reply(client.send(make_fact("dossier.accepted"), user_id=None, reply_to=DIRECT_REPLY_TO))
    assert reply["errors"][0]["field"] == "user_id"
    forged = make_fact("dossier.accepted", code="STP-170306-0001", agency="STP", procedure_code="STP-01")
    reply = client.reply(client.send(forged))
    assert reply["status"] == "rejected" and reply["reason"] == "forged"


def test_out_of_order_facts_are_buffered_then_applied(bus):
    client, repo = bus
    code = "SCT-170306-0020"
    ready = make_fact("result.ready", code=code, at=T0 + timedelta(days=2))
    assert client.reply(client.send(ready))["status"] == "buffered"
    assert client.reply(client.send(make_fact("dossier.accepted", code=code)))["status"] == "accepted"
    with repo.transaction() as tx:
        assert tx.get_dossier(code).status == 9  # type: ignore[union-attr]


def test_a_hostile_reply_to_gets_no_reply_and_never_blocks_the_queue(bus):
    """A forged direct reply-to makes the broker close the reply connection (541): replies have their own,
    which the next reply reopens. A service queue or another system's gets nothing."""
    client, _ = bus
    ch = client.ch
    victim = ch.queue_declare(queue=f"{client.prefix}deadline.events.victim", exclusive=True).method.queue
    hostile = ["amq.rabbitmq.reply-to.g1h2AA5yZXBseUAxNjgzMjU4OQAAAAAAAAAAAAAAAAAAAAA=.abc",
               "amq.rabbitmq.reply-to.<garbage>", victim, "dept.stp.replies"]
    for n, target in enumerate(hostile * 2):
        client.send(make_fact("dossier.accepted", code=f"SCT-170306-{40 + n:04d}"), reply_to=target)
    started = time.monotonic()
    reply = client.reply(client.send(make_fact("dossier.accepted", code="SCT-170306-0060")), timeout=30)
    assert reply["status"] == "accepted" and time.monotonic() - started < 10
    assert ch.queue_declare(queue=victim, passive=True).method.message_count == 0
