"""Identity on every queue: the producer table, forged messages dead-lettered, replies only to the sender's own."""
from __future__ import annotations

from typing import Any

import pika
import pytest
from pika.spec import Basic

from dunghan.bus.consumer import Consumer, Delivery
from dunghan.bus.identity import FORGED, Forged, Producers, reply_allowed
from dunghan.bus.topology import ConsumerQueue
from dunghan.contract.envelope import ContractError, decode
from dunghan.contract.events import agency_word, event_routing_key
from dunghan.metrics import MESSAGES_FORGED

from .test_bus_consumer import FakeChannel

QUEUE = ConsumerQueue("scoring", "unit.events", "dunghan.events", ("intake.#",), retry_delays_ms=(200,))
BODY = (b'{"specversion":"1.0","id":"e1","source":"/dunghan/intake",'
        b'"type":"vn.dunghan.intake.dossier_accepted.v1","time":"2017-01-01T00:00:00+00:00","data":{}}')


def message(user_id: str | None, routing_key: str = "intake.dossier_accepted.v1.SCT", *, exchange: str = "x",
            headers: dict[str, Any] | None = None) -> tuple[Any, Any, bytes]:
    method = Basic.Deliver(consumer_tag="c", delivery_tag=7, redelivered=False, exchange=exchange,
                           routing_key=routing_key)
    return method, pika.BasicProperties(message_id="ev-1", user_id=user_id, headers=headers), BODY


def consumer(seen: list[Delivery]) -> tuple[Consumer, FakeChannel, FakeChannel]:
    c = Consumer("amqp://scoring:pw@h/v", QUEUE, seen.append, prefix="p.",
                 producers=Producers.parse("intake:svc-intake"))
    c.publish_channel = FakeChannel()
    c.sleep = lambda _s: None
    return c, FakeChannel(), c.publish_channel


def test_producer_table_defaults_to_each_service_under_its_own_name():
    p = Producers.parse("")
    assert p.owner("intake.dossier_accepted.v1.SCT") == "intake" and p.owner("deadline.x.v1") == "deadline"
    assert p.owner("evil.x.v1") is None
    assert Producers.parse("guest").owner("scoring.phase_closed.v1._") == "guest"
    assert Producers.parse("intake:a, deadline:b").users == {"intake": "a", "deadline": "b", "scoring": "scoring",
                                                            "notify": "notify"}
    with pytest.raises(ValueError):
        Producers.parse("intake=a,deadline:b")


@pytest.mark.parametrize("user_id", [None, "deadline", "dept.sct", "svc-intake2"])
def test_an_event_from_anyone_but_its_owner_is_dead_lettered_as_forged_before_the_handler(user_id):
    seen: list[Delivery] = []
    c, channel, published = consumer(seen)
    before = MESSAGES_FORGED.labels(QUEUE.name)._value.get()
    c.on_message(channel, *message(user_id))
    assert seen == [] and channel.acked == [7]
    [(exchange, key, _body, props)] = published.published
    assert (exchange, key) == ("p.unit.events.dlx", "p.unit.events.dlq")
    assert props.headers["x-rejection-reason"] == FORGED and props.headers["x-rejection-field"] == "user_id"
    assert props.headers["x-original-user-id"] == (user_id or "")
    assert MESSAGES_FORGED.labels(QUEUE.name)._value.get() == before + 1


def test_an_event_from_its_owner_reaches_the_handler():
    seen: list[Delivery] = []
    c, channel, published = consumer(seen)
    c.on_message(channel, *message("svc-intake"))
    assert [d.user_id for d in seen] == ["svc-intake"] and published.published == []


def test_retry_headers_restore_the_sender_only_on_the_consumers_own_retry():
    retry = {"x-retry-count": 1, "x-original-routing-key": "intake.dossier_accepted.v1.SCT",
             "x-original-exchange": "p.dunghan.events", "x-original-user-id": "svc-intake"}
    own = Delivery.from_pika(*message("scoring", "p.unit.events", exchange="", headers=retry), own_user="scoring")
    assert (own.user_id, own.routing_key) == ("svc-intake", "intake.dossier_accepted.v1.SCT")
    forged = Delivery.from_pika(*message("deadline", "p.unit.events", exchange="", headers=retry),
                                own_user="scoring")
    assert (forged.user_id, forged.routing_key) == ("deadline", "p.unit.events")
    with pytest.raises(Forged):
        Producers.parse("intake:svc-intake").check(forged.user_id, forged.routing_key)


def test_a_body_whose_type_disagrees_with_its_routing_key_is_forged():
    assert decode(BODY, "intake.dossier_accepted.v1.SCT").id == "e1"
    assert decode(BODY, "intake.dossier_accepted.v1").id == "e1"
    for key in ("deadline.dossier_classified.v1.SCT", "intake.dossier_accepted.v10.SCT", "unit.events"):
        with pytest.raises(ContractError) as err:
            decode(BODY, key)
        assert (err.value.field, err.value.reason) == ("type", FORGED)


def test_events_are_routed_with_their_agency():
    assert event_routing_key("vn.dunghan.intake.dossier_accepted.v1", {"agency": "SCT"}) == \
        "intake.dossier_accepted.v1.SCT"
    assert event_routing_key("vn.dunghan.scoring.phase_closed.v1", {}) == "scoring.phase_closed.v1._"
    for hostile in ("#", "SCT.#", "*", "", "sct", 7, "S" * 40):
        assert agency_word(hostile) == "_"


@pytest.mark.parametrize(("reply_to", "user", "ok"), [
    ("amq.rabbitmq.reply-to.g1h2AA1yZXBseUA5MjQ4ODg0AAAWWAAAAABrDPZr.nE1SEFrTp/L3m9ZymO6vxA==", "dept.sct", True),
    ("amq.rabbitmq.reply-to.<garbage>", "dept.sct", False),
    ("amq.rabbitmq.reply-to", "dept.sct", False),
    ("dept.sct.replies", "dept.sct", True),
    ("t1.dept.sct.replies", "dept.sct", False),
    ("dept.sct.", "dept.sct", False),
    ("dept.stp.replies", "dept.sct", False),
    ("deadline.events", "dept.sct", False),
    ("intake.inbound.rejected", "dept.sct", False),
    ("amq.gen-abc", "dept.sct", False),
    ("dept.sct.replies", None, False),
    ("", "dept.sct", False),
    ("dept.sct." + "x" * 300, "dept.sct", False),
])
def test_replies_go_only_to_direct_reply_to_or_the_senders_own_queues(reply_to, user, ok):
    assert reply_allowed(reply_to, user) is ok


def test_own_reply_queues_carry_the_test_prefix():
    assert reply_allowed("t1.guest.replies", "guest", prefix="t1.")
    assert not reply_allowed("guest.replies", "guest", prefix="t1.")
