"""Least privilege: each service's broker user, with the permissions of the definitions, can do its job.

A throwaway vhost and users are made with rabbitmqctl (the broker must be local); names carry no prefix there.
"""
from __future__ import annotations

import shutil
import subprocess
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterator

import pika
import pytest

from dunghan.bus.consumer import Consumer, Delivery
from dunghan.bus.errors import Reject, RetryLater
from dunghan.bus.identity import Department
from dunghan.bus.permissions import SERVICE_PERMISSIONS, department_permissions
from dunghan.bus.publisher import Publisher
from dunghan.bus.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE, INTAKE_REJECTED, ConsumerQueue
from dunghan.testing.polling import wait_until

pytestmark = pytest.mark.integration

RABBITMQCTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"


def ctl(*args: str) -> None:
    subprocess.run([RABBITMQCTL, "-q", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def urls(amqp_url: str) -> Iterator[dict[str, str]]:
    """``urls[role]``: an AMQP URL for a fresh user with the role's permissions in a fresh vhost."""
    if not shutil.which(RABBITMQCTL):
        pytest.skip("rabbitmqctl is not on this machine")
    base = pika.URLParameters(amqp_url)
    vhost = f"t{uuid.uuid4().hex[:8]}"
    ctl("add_vhost", vhost)
    out: dict[str, str] = {}
    try:
        for role in ("intake", "deadline", "department"):
            user, password = f"{vhost}-{role}", uuid.uuid4().hex
            ctl("add_user", user, password)
            perms = SERVICE_PERMISSIONS.get(role) or department_permissions(Department("dept.stp", "STP"))
            ctl("set_permissions", "-p", vhost, user, perms["configure"], perms["write"], perms["read"])
            out[role] = f"amqp://{user}:{password}@{base.host}:{base.port}/{urllib.parse.quote(vhost, safe='')}"
        yield out
    finally:
        for role in out:
            subprocess.run([RABBITMQCTL, "-q", "delete_user", f"{vhost}-{role}"], capture_output=True)
        subprocess.run([RABBITMQCTL, "-q", "delete_vhost", vhost], capture_output=True)



def start(url: str, queue: ConsumerQueue,
          behaviour: Callable[[Delivery], None]) -> tuple[Consumer, list[Delivery]]:
    seen: list[Delivery] = []

    def handler(d: Delivery) -> None:
        seen.append(d)
        behaviour(d)

    consumer = Consumer(url, queue, handler)
    threading.Thread(target=consumer.run, daemon=True).start()
    assert consumer.ready.wait(10), "the consumer could not declare its topology or consume"
    return consumer, seen


def queue_depth(url: str, name: str) -> int:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return int(conn.channel().queue_declare(name, passive=True).method.message_count)
    finally:
        conn.close()


def flaky(d: Delivery) -> None:
    if d.message_id == "bad":
        raise Reject("không hợp lệ", field="data.code")
    if d.message_id == "flaky" and not d.headers.get("x-retry-count"):
        raise RetryLater("busy")


def test_deadline_user_consumes_retries_and_dead_letters_its_queue(urls):
    queue = ConsumerQueue("deadline", "deadline.events", EVENTS_EXCHANGE, ("intake.#",), retry_delays_ms=(200,))
    consumer, seen = start(urls["deadline"], queue, flaky)
    try:
        with Publisher(urls["intake"], app_id="intake") as intake, Publisher(urls["deadline"], app_id="dl") as own:
            intake.declare_topology()
            own.declare_topology()
            for mid in ("bad", "flaky"):
                intake.publish(EVENTS_EXCHANGE, "intake.x.v1", b"{}", message_id=mid)
            own.publish(EVENTS_EXCHANGE, "intake.y.v1", b"{}", message_id="own")
        wait_until(lambda: sorted(d.message_id or "" for d in seen) == ["bad", "flaky", "flaky", "own"])
        assert queue_depth(urls["deadline"], queue.dlq()) == 1
    finally:
        consumer.stop()


def test_intake_user_takes_inbound_facts_and_keeps_the_sender_across_a_retry(urls):
    queue = ConsumerQueue("intake", "intake.inbound", INBOUND_EXCHANGE, ("#",), retry_delays_ms=(200,))
    consumer, seen = start(urls["intake"], queue, flaky)
    sender = pika.URLParameters(urls["department"]).credentials.username
    try:
        with Publisher(urls["department"], app_id="dept") as dept:
            dept.publish(INBOUND_EXCHANGE, "stp.dossier_received", b"{}", message_id="flaky", user_id=sender)
        wait_until(lambda: len(seen) == 2)
        assert [d.user_id for d in seen] == [sender, sender]
        assert [d.routing_key for d in seen] == ["stp.dossier_received"] * 2
        assert queue_depth(urls["intake"], INTAKE_REJECTED) == 0
    finally:
        consumer.stop()
