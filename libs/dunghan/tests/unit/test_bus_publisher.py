"""Publisher confirm bookkeeping and connection settings, without a broker."""
from __future__ import annotations

import random

import pika
import pytest
from pika.frame import Method
from pika.spec import Basic

from dunghan.bus.connection import BLOCKED_CONNECTION_TIMEOUT_SECONDS, HEARTBEAT_SECONDS, backoff, parameters
from dunghan.bus.errors import PublishFailed
from dunghan.bus.publisher import OutgoingMessage, Publisher, _Confirms


def pending(n: int) -> _Confirms:
    confirms = _Confirms()
    for tag in range(1, n + 1):
        confirms.pending[tag] = OutgoingMessage("dunghan.events", "k", b"", f"m{tag}")
    return confirms


def test_a_multiple_ack_confirms_every_tag_up_to_it():
    confirms = pending(5)
    confirms.on_confirm(Method(1, Basic.Ack(delivery_tag=3, multiple=True)))
    assert sorted(confirms.pending) == [4, 5] and confirms.nacked == []
    confirms.on_confirm(Method(1, Basic.Ack(delivery_tag=5, multiple=False)))
    assert sorted(confirms.pending) == [4]


def test_a_nack_is_remembered_as_failed():
    confirms = pending(2)
    confirms.on_confirm(Method(1, Basic.Nack(delivery_tag=2, multiple=True)))
    assert confirms.pending == {} and [m.message_id for m in confirms.nacked] == ["m1", "m2"]


def test_a_returned_message_is_recorded_with_the_reason():
    confirms = _Confirms()
    method = Basic.Return(reply_code=312, reply_text="NO_ROUTE", exchange="x", routing_key="nobody.v1")
    confirms.on_return(None, method, pika.BasicProperties(message_id="lost"), b"")
    assert confirms.returned == [("lost", "312 NO_ROUTE nobody.v1")]


def test_a_missing_exchange_fails_at_once_while_other_closures_reconnect():
    confirms = _Confirms()
    confirms.raise_if_closed()
    confirms.on_close(None, pika.exceptions.ChannelClosedByBroker(404, "NOT_FOUND - no exchange"))
    with pytest.raises(PublishFailed, match="404"):
        confirms.raise_if_closed()
    confirms.on_close(None, pika.exceptions.ChannelClosedByBroker(541, "INTERNAL_ERROR"))
    with pytest.raises(pika.exceptions.ChannelClosed):
        confirms.raise_if_closed()


def test_connection_parameters_carry_heartbeat_blocked_timeout_and_a_name():
    params = parameters("amqp://u:p@broker:5672/%2F", "deadline-consumer")
    assert params.heartbeat == HEARTBEAT_SECONDS
    assert params.blocked_connection_timeout == BLOCKED_CONNECTION_TIMEOUT_SECONDS
    assert params.client_properties == {"connection_name": "deadline-consumer"}


def test_backoff_grows_with_jitter_and_is_capped():
    delays = backoff(base=0.2, cap=2.0, rng=random.Random(1))
    first = [next(delays) for _ in range(10)]
    assert 0.1 <= first[0] <= 0.2 and first[2] > first[0]
    assert all(d <= 2.0 for d in first) and first[-1] >= 1.0


def test_exchange_names_get_the_prefix_but_the_default_exchange_stays_empty():
    publisher = Publisher("amqp://unused", prefix="t1.")
    assert publisher.exchange_name("dunghan.events") == "t1.dunghan.events"
    assert publisher.exchange_name("") == ""


def test_publishing_nothing_needs_no_connection():
    Publisher("amqp://unused").publish_many([])
