"""The publisher against the real broker: persistent confirmed messages, mandatory routing, reconnects."""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pika
import pytest

from dunghan.bus.errors import PublishFailed, Unroutable
from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import EVENTS_EXCHANGE, TOPOLOGY
from dunghan.contract.envelope import CONTENT_TYPE, decode, envelope_for
from dunghan.contract.events import DossierRefused, routing_key
from dunghan.metrics import MESSAGES_PUBLISHED

pytestmark = pytest.mark.integration

RABBITMQCTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"


@pytest.fixture
def app_id() -> str:
    return f"pubtest-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def publisher(amqp_url: str, bus_prefix: str, app_id: str) -> Any:
    p = Publisher(amqp_url, prefix=bus_prefix, app_id=app_id)
    p.declare_topology(TOPOLOGY.exchanges)
    yield p
    p.close()


@pytest.fixture
def bound(amqp_url: str, bus_prefix: str) -> Any:
    """A queue bound to every key of the prefixed events exchange; yields a function taking what arrived."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    name = f"{bus_prefix}probe"
    ch.queue_declare(name, durable=True)
    ch.queue_bind(name, f"{bus_prefix}{EVENTS_EXCHANGE}", routing_key="#")

    def take(expected: int, timeout: float = 5.0) -> list[tuple[Any, Any, bytes]]:
        got: list[tuple[Any, Any, bytes]] = []
        deadline = time.monotonic() + timeout
        while len(got) < expected and time.monotonic() < deadline:
            method, props, body = ch.basic_get(name, auto_ack=True)
            if method is None:
                time.sleep(0.05)
            else:
                got.append((method, props, body))
        return got

    yield take
    with contextlib.suppress(Exception):
        conn.channel().queue_delete(name)
    conn.close()


def test_published_messages_are_persistent_and_keep_their_properties(publisher, bound, app_id):
    before = MESSAGES_PUBLISHED.labels(EVENTS_EXCHANGE)._value.get()
    publisher.publish(EVENTS_EXCHANGE, "intake.x.v1", b'{"a": 1}', message_id="m-1", headers={"h": "v"},
                      reply_to="r.q", correlation_id="c-1")
    [(method, props, body)] = bound(1)
    assert body == b'{"a": 1}' and method.routing_key == "intake.x.v1"
    assert props.delivery_mode == 2 and props.message_id == "m-1" and props.app_id == app_id
    assert props.headers == {"h": "v"} and props.reply_to == "r.q" and props.correlation_id == "c-1"
    assert props.content_type == CONTENT_TYPE
    assert MESSAGES_PUBLISHED.labels(EVENTS_EXCHANGE)._value.get() == before + 1


def test_publish_event_routes_by_the_event_type_and_agency_and_round_trips(publisher, bound):
    now = datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    ce = envelope_for(DossierRefused(code="HS-1", agency="STP", occurred_at=now, reason="thiếu giấy tờ"), now=now)
    publisher.publish_event(ce)
    [(method, props, body)] = bound(1)
    assert routing_key(DossierRefused) == "intake.dossier_refused.v1"
    assert method.routing_key == "intake.dossier_refused.v1.STP"
    assert props.message_id == ce.id and props.headers["ce-type"] == ce.type
    assert decode(body) == ce


def test_a_batch_is_confirmed_as_a_whole(publisher, bound):
    publisher.publish_many([OutgoingMessage(EVENTS_EXCHANGE, "intake.x.v1", b"{}", f"b{i}") for i in range(500)])
    assert len(bound(500)) == 500


def test_unroutable_mandatory_publish_raises(publisher):
    with pytest.raises(Unroutable, match="lost"):
        publisher.publish(EVENTS_EXCHANGE, "nobody.listens.v1", b"{}", message_id="lost")


def test_unroutable_in_a_batch_still_delivers_the_routable_ones(publisher, bound):
    batch = [OutgoingMessage(EVENTS_EXCHANGE, "intake.x.v1", b"{}", "ok-1"),
             OutgoingMessage("dunghan.inbound", "nobody.v1", b"{}", "lost-1"),
             OutgoingMessage(EVENTS_EXCHANGE, "intake.x.v1", b"{}", "ok-2")]
    with pytest.raises(Unroutable, match="lost-1"):
        publisher.publish_many(batch)
    assert [p.message_id for _m, p, _b in bound(2)] == ["ok-1", "ok-2"]


def test_a_missing_exchange_fails_fast_instead_of_retrying(amqp_url, bus_prefix):
    with Publisher(amqp_url, prefix=f"{bus_prefix}missing.", app_id="pubtest") as p:
        started = time.monotonic()
        with pytest.raises(PublishFailed, match="404"):
            p.publish(EVENTS_EXCHANGE, "intake.x.v1", b"{}", message_id="m")
        assert time.monotonic() - started < 5


def test_publisher_reconnects_after_the_broker_closes_its_connection(publisher, bound, app_id):
    if not shutil.which(RABBITMQCTL):
        pytest.skip("rabbitmqctl is not on this machine")
    publisher.publish(EVENTS_EXCHANGE, "intake.x.v1", b"{}", message_id="p1")
    listing = subprocess.run([RABBITMQCTL, "-q", "list_connections", "pid", "client_properties"],
                             capture_output=True, text=True, check=True).stdout
    [pid] = [line.split("\t")[0] for line in listing.splitlines() if f'"{app_id}-publisher"' in line]
    subprocess.run([RABBITMQCTL, "-q", "close_connection", pid, "test: dropped"], check=True)
    publisher.publish(EVENTS_EXCHANGE, "intake.x.v1", b"{}", message_id="p2")
    assert [p.message_id for _m, p, _b in bound(2)] == ["p1", "p2"]
