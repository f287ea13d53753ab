"""The generated production definitions, loaded into a throwaway vhost of the local broker, wall everyone off:
a department cannot touch another's queues or read another agency's events, a service cannot publish another
service's events, and forged events are dead-lettered with reason ``forged`` before any handler sees them.

Users are global on a broker, so each is imported as ``<vhost>-<name>`` and deleted afterwards; the permissions,
topic permissions, policies, exchanges, queues and bindings are those of deploy/rabbitmq/definitions.json.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pika
import pytest

from dunghan.bus.consumer import Consumer, Delivery
from dunghan.bus.errors import Reject
from dunghan.bus.identity import DIRECT_REPLY_TO, FORGED, Producers
from dunghan.bus.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE, SCORING_EVENTS
from dunghan.contract.envelope import ContractError, decode
from dunghan.metrics import MESSAGES_FORGED
from dunghan.testing.polling import wait_until
from dunghan.testing.scripts import load_script

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[4]
RABBITMQCTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
ACCEPTED = "vn.dunghan.intake.dossier_accepted.v1"


def _render_module() -> Any:
    return load_script(ROOT / "deploy/rabbitmq/render_definitions.py", "render_definitions")


def throwaway(definitions: dict[str, Any], vhost: str, passwords: dict[str, str]) -> dict[str, Any]:
    """The definitions moved to ``vhost``, every user renamed ``<vhost>-<name>`` (no administrator)."""
    users = {u["name"] for u in definitions["users"] if "administrator" not in u["tags"]}
    out = json.loads(json.dumps(definitions).replace('"vhost": "/"', f'"vhost": "{vhost}"'))
    out["vhosts"] = [{"name": vhost}]
    out["users"] = [{**u, "name": f"{vhost}-{u['name']}"} for u in out["users"] if u["name"] in users]
    for key in ("permissions", "topic_permissions"):
        out[key] = [{**p, "user": f"{vhost}-{p['user']}"} for p in out[key] if p["user"] in users]
    env = {_render_module().password_variable(u["name"]): passwords[u["name"]] for u in out["users"]}
    return _render_module().render(out, env)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def broker(amqp_url: str) -> Iterator[Callable[[str], str]]:
    """``broker(name)``: the AMQP URL of the production user ``name`` in a vhost loaded from the definitions."""
    if not shutil.which(RABBITMQCTL):
        pytest.skip("rabbitmqctl is not on this machine")
    base = pika.URLParameters(amqp_url)
    vhost = f"walls{uuid.uuid4().hex[:8]}"
    definitions = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    passwords = {f"{vhost}-{u['name']}": uuid.uuid4().hex for u in definitions["users"]}
    loaded = throwaway(definitions, vhost, passwords)
    # rabbitmqctl reads the file as the broker's OS user, and imports asynchronously.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(loaded, f)
    os.chmod(f.name, 0o644)
    try:
        subprocess.run([RABBITMQCTL, "-q", "import_definitions", f.name], check=True, capture_output=True,
                       timeout=120)
        wait_until(lambda: len(queue_policies(vhost)) == len(definitions["queues"]), timeout=60)

        def url(name: str) -> str:
            user = f"{vhost}-{name}"
            return (f"amqp://{urllib.parse.quote(user, safe='')}:{passwords[user]}@{base.host}:{base.port}/"
                    f"{urllib.parse.quote(vhost, safe='')}")

        url.vhost = vhost  # type: ignore[attr-defined]
        yield url
    finally:
        os.unlink(f.name)
        for u in loaded["users"]:
            subprocess.run([RABBITMQCTL, "-q", "delete_user", u["name"]], capture_output=True)
        subprocess.run([RABBITMQCTL, "-q", "delete_vhost", vhost], capture_output=True)


def refused(url: str, action: Callable[[Any], object]) -> bool:
    """Whether the broker refuses ``action(channel)``: 403 ACCESS_REFUSED, or 406 for a ``user_id`` that is not
    the connection's user, closes the channel."""
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        try:
            action(ch)
        except pika.exceptions.ChannelClosedByBroker as exc:
            assert exc.reply_code in (403, 406), exc
            return True
        return False
    finally:
        if conn.is_open:
            conn.close()


def publish(exchange: str, key: str, body: bytes = b"{}", **props: Any) -> Callable[[Any], object]:
    return lambda ch: ch.basic_publish(exchange, key, body, pika.BasicProperties(**props), mandatory=False)


def test_a_department_keeps_to_its_own_queues_and_its_own_agency(broker):
    sct, stp = broker("dept.sct"), broker("dept.stp")
    assert not refused(stp, lambda ch: ch.queue_declare("dept.stp.follow", durable=True))
    assert not refused(stp, lambda ch: ch.queue_bind("dept.stp.follow", EVENTS_EXCHANGE, "*.*.*.STP"))
    # A's own queue, bound to its own agency's events: allowed.
    assert not refused(sct, lambda ch: ch.queue_declare("dept.sct.follow", durable=True))
    assert not refused(sct, lambda ch: ch.queue_bind("dept.sct.follow", EVENTS_EXCHANGE, "#.SCT"))
    # B's queues: not declared, read, bound, purged, deleted, or written to by A. (A passive declare is not
    # checked by RabbitMQ: it tells whether a name exists, nothing of its messages' content.)
    for n, action in enumerate((
                   lambda ch: ch.queue_declare("dept.stp.follow", durable=True),
                   lambda ch: ch.basic_get("dept.stp.follow"),
                   lambda ch: ch.queue_bind("dept.stp.follow", EVENTS_EXCHANGE, "*.*.*.STP"),
                   lambda ch: ch.queue_purge("dept.stp.follow"),
                   lambda ch: ch.queue_delete("dept.stp.follow"),
                   publish("", "dept.stp.follow", b'{"status":"accepted"}'))):
        assert refused(sct, action), n
    # B's events, or everyone's: no binding of A's own queue catches them.
    for key in ("#", "*.*.*.STP", "intake.#", "*.*.*.*", "#.STP", "intake.dossier_accepted.v1.*"):
        assert refused(sct, lambda ch, key=key: ch.queue_bind("dept.sct.follow", EVENTS_EXCHANGE, key)), key
    # Nor any service queue, the inbound exchange, or the events exchange for writing.
    for action in (lambda ch: ch.basic_get("intake.inbound"), lambda ch: ch.basic_get("scoring.events.dlq"),
                   lambda ch: ch.basic_get("intake.inbound.rejected"),
                   lambda ch: ch.queue_bind("dept.sct.follow", INBOUND_EXCHANGE, "#"),
                   publish(EVENTS_EXCHANGE, "intake.dossier_accepted.v1.SCT"),
                   publish(INBOUND_EXCHANGE, "STP.dossier.accepted"),
                   publish(INBOUND_EXCHANGE, "#")):
        assert refused(sct, action)
    assert not refused(sct, publish(INBOUND_EXCHANGE, "SCT.dossier.accepted", user_id=f"{broker.vhost}-dept.sct"))


def test_a_department_follows_its_own_agency_and_gets_replies_on_direct_reply_to(broker):
    sct, intake = broker("dept.sct"), broker("intake")
    conn = pika.BlockingConnection(pika.URLParameters(sct))
    try:
        ch = conn.channel()
        ch.queue_declare("dept.sct.mine", exclusive=True)
        ch.queue_bind("dept.sct.mine", EVENTS_EXCHANGE, "*.*.*.SCT")
        replies: list[bytes] = []
        ch.basic_consume(DIRECT_REPLY_TO, lambda _c, _m, _p, body: replies.append(body), auto_ack=True)
        with pika.BlockingConnection(pika.URLParameters(intake)) as ic:
            ich = ic.channel()
            ich.queue_purge("intake.inbound")  # what the other tests sent
            ch.basic_publish(INBOUND_EXCHANGE, "SCT.dossier.accepted", b"{}",
                             pika.BasicProperties(reply_to=DIRECT_REPLY_TO, user_id=f"{broker.vhost}-dept.sct"))
            method, props, _ = _get(ich, "intake.inbound")
            ich.basic_ack(method.delivery_tag)
            ich.basic_publish("", props.reply_to, b'{"status":"accepted"}')
            for agency in ("SCT", "STP", "_"):
                ich.basic_publish(EVENTS_EXCHANGE, f"intake.dossier_accepted.v1.{agency}", agency.encode())
        wait_until(lambda: conn.process_data_events(0.05) or len(replies) == 1, timeout=10)
        assert replies == [b'{"status":"accepted"}']
        wait_until(lambda: ch.queue_declare("dept.sct.mine", passive=True).method.message_count == 1, timeout=10)
        assert ch.basic_get("dept.sct.mine", auto_ack=True)[2] == b"SCT"
    finally:
        conn.close()


def _get(ch: Any, queue: str) -> tuple[Any, Any, bytes]:
    got: list[tuple[Any, Any, bytes]] = []
    wait_until(lambda: bool(got.append(ch.basic_get(queue)) or got[-1][0] is not None), timeout=10)
    return got[-1]


def test_a_service_publishes_only_its_own_events(broker):
    for service, key in (("deadline", "intake.dossier_accepted.v1.SCT"), ("scoring", "deadline.x.v1.SCT"),
                         ("intake", "deadline.dossier_classified.v1.SCT"), ("notify", "notify.x.v1.SCT"),
                         ("notify", "intake.dossier_accepted.v1.SCT"), ("observer", "intake.x.v1.SCT")):
        assert refused(broker(service), publish(EVENTS_EXCHANGE, key)), (service, key)
    for service in ("intake", "deadline", "scoring"):
        assert not refused(broker(service), publish(EVENTS_EXCHANGE, f"{service}.x.v1.SCT")), service
    # user_id is validated by the broker: nobody publishes as someone else.
    assert refused(broker("deadline"), publish(EVENTS_EXCHANGE, "deadline.x.v1.SCT",
                                               user_id=f"{broker.vhost}-intake"))


def _event(event_type: str, event_id: str) -> bytes:
    return json.dumps({"specversion": "1.0", "id": event_id, "source": "/dunghan/intake", "type": event_type,
                       "time": "2017-03-06T08:00:00+07:00", "data": {"agency": "SCT"}}).encode()


def test_forged_events_are_dead_lettered_as_forged_and_never_reach_the_handler(broker):
    vhost = broker.vhost
    applied: list[str] = []

    def handler(d: Delivery) -> None:
        try:
            applied.append(decode(d.body, d.routing_key).id)  # what scoring's handler does first
        except ContractError as exc:
            raise Reject(exc.reason, exc.field) from exc

    with pika.BlockingConnection(pika.URLParameters(broker("scoring"))) as sc:
        for queue in (SCORING_EVENTS.name, SCORING_EVENTS.dlq()):  # what the other tests routed there
            sc.channel().queue_purge(queue)
    producers = Producers.parse(f"intake:{vhost}-intake,deadline:{vhost}-deadline,scoring:{vhost}-scoring")
    consumer = Consumer(broker("scoring"), SCORING_EVENTS, handler, producers=producers)
    threading.Thread(target=consumer.run, daemon=True).start()
    assert consumer.ready.wait(15), "scoring could not consume its queue under its own user"
    before = MESSAGES_FORGED.labels(SCORING_EVENTS.name)._value.get()
    try:
        with pika.BlockingConnection(pika.URLParameters(broker("intake"))) as ic, \
                pika.BlockingConnection(pika.URLParameters(broker("deadline"))) as dc:
            intake, deadline = ic.channel(), dc.channel()
            as_intake = pika.BasicProperties(user_id=f"{vhost}-intake")
            as_deadline = pika.BasicProperties(user_id=f"{vhost}-deadline")
            # deadline's own key, intake's type in the body
            deadline.basic_publish(EVENTS_EXCHANGE, "deadline.dossier_classified.v1.SCT", _event(ACCEPTED, "f1"),
                                   as_deadline)
            # straight into scoring's queue through the default exchange, once plain, once as a fake retry
            intake.basic_publish("", "scoring.events", _event(ACCEPTED, "f2"), as_intake)
            retry = {"x-retry-count": 1, "x-original-routing-key": "intake.dossier_accepted.v1.SCT",
                     "x-original-exchange": EVENTS_EXCHANGE, "x-original-user-id": f"{vhost}-intake"}
            deadline.basic_publish("", "scoring.events", _event(ACCEPTED, "f3"),
                                   pika.BasicProperties(headers=retry, user_id=f"{vhost}-deadline"))
            # an event without user_id, and the genuine one
            intake.basic_publish(EVENTS_EXCHANGE, "intake.dossier_accepted.v1.SCT", _event(ACCEPTED, "f4"))
            intake.basic_publish(EVENTS_EXCHANGE, "intake.dossier_accepted.v1.SCT", _event(ACCEPTED, "ok"),
                                 as_intake)
        def forged() -> float:
            return MESSAGES_FORGED.labels(SCORING_EVENTS.name)._value.get() - before  # type: ignore[no-any-return]

        wait_until(lambda: forged() == 4 and applied == ["ok"], timeout=20)
        with pika.BlockingConnection(pika.URLParameters(broker("scoring"))) as sc:
            ch = sc.channel()
            dead = [ch.basic_get(SCORING_EVENTS.dlq(), auto_ack=True) for _ in range(4)]
        assert sorted(json.loads(b)["id"] for _m, _p, b in dead) == ["f1", "f2", "f3", "f4"]
        assert {p.headers["x-rejection-reason"] for _m, p, _b in dead} == {FORGED}
    finally:
        consumer.stop()


def queue_policies(vhost: str) -> dict[str, str | None]:
    out = subprocess.run([RABBITMQCTL, "-q", "list_queues", "-p", vhost, "name", "policy", "--formatter", "json"],
                         capture_output=True, text=True).stdout
    try:
        return {q["name"]: q["policy"] for q in json.loads(out or "[]")}
    except ValueError:
        return {}


def test_quarantine_queues_are_bounded_by_the_policy(broker):
    policies = queue_policies(broker.vhost)
    assert policies["intake.inbound.rejected"] == "quarantine-limits"
    assert all(policies[f"{s}.events.dlq"] == "quarantine-limits" for s in ("deadline", "scoring", "notify"))
    assert policies["scoring.events"] in ("", None)
