"""Baselines on the same broker: raw pika publish-with-confirms + consume-with-ack, and its round-trip latency."""
from __future__ import annotations

import time
import uuid
from typing import Any

import pika


def raw_pika_throughput(amqp_url: str, bodies: list[bytes]) -> float:
    """Messages per second for publishing ``bodies`` with confirms and consuming them with acks."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    queue = f"bench.raw.{uuid.uuid4().hex[:8]}"
    ch.queue_declare(queue=queue, durable=True, arguments={"x-queue-type": "quorum"})
    ch.confirm_delivery()
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    started = time.perf_counter()
    for body in bodies:
        ch.basic_publish("", queue, body, props, mandatory=True)
    ch.basic_qos(prefetch_count=100)
    received = 0
    for method, _props, _body in ch.consume(queue, inactivity_timeout=10):
        if method is None:
            break
        ch.basic_ack(method.delivery_tag)
        received += 1
        if received == len(bodies):
            break
    elapsed = time.perf_counter() - started
    ch.cancel()
    ch.queue_delete(queue)
    conn.close()
    return received / elapsed


def raw_pika_pipelined_throughput(amqp_url: str, bodies: list[bytes], window: int = 1000,
                                  ack_every: int = 50) -> float:
    """The broker's fast mode: pika's asynchronous connection keeps up to ``window`` unconfirmed persistent
    messages in flight (publisher confirms counted as they come, ``multiple`` included) while a second channel
    consumes them and acks every ``ack_every`` with ``multiple``. Messages per second, both ways done."""
    queue = f"bench.pipe.{uuid.uuid4().hex[:8]}"
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    state = {"sent": 0, "confirmed": 0, "received": 0, "started": 0.0, "ended": 0.0, "tag": 0}
    conn = pika.SelectConnection(pika.URLParameters(amqp_url), on_open_callback=lambda c: c.channel(
        on_open_callback=on_publisher), on_close_callback=lambda c, _e: c.ioloop.stop())
    channels: dict[str, Any] = {}

    def on_publisher(ch: Any) -> None:
        channels["pub"] = ch
        ch.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"},
                         callback=lambda _f: ch.confirm_delivery(on_confirm, callback=lambda _f: start()))

    def start() -> None:
        conn.channel(on_open_callback=on_consumer)

    def on_consumer(ch: Any) -> None:
        channels["sub"] = ch
        ch.basic_qos(prefetch_count=2 * ack_every, callback=lambda _f: begin(ch))

    def begin(ch: Any) -> None:
        ch.basic_consume(queue, on_message)
        state["started"] = time.perf_counter()
        publish_more()

    def publish_more() -> None:
        pub = channels["pub"]
        while state["sent"] < len(bodies) and state["sent"] - state["confirmed"] < window:
            pub.basic_publish("", queue, bodies[int(state["sent"])], props)
            state["sent"] += 1

    def on_confirm(frame: Any) -> None:
        tag, multiple = frame.method.delivery_tag, frame.method.multiple
        state["confirmed"] = tag if multiple else max(state["confirmed"] + 1, tag)
        publish_more()

    def on_message(ch: Any, method: Any, _props: Any, _body: bytes) -> None:
        state["received"] += 1
        if state["received"] % ack_every == 0 or state["received"] == len(bodies):
            ch.basic_ack(method.delivery_tag, multiple=True)
        if state["received"] == len(bodies):
            state["ended"] = time.perf_counter()
            ch.queue_delete(queue, callback=lambda _f: conn.close())

    conn.ioloop.call_later(300, lambda: conn.is_open and conn.close())
    conn.ioloop.start()
    return state["received"] / max(1e-9, state["ended"] - state["started"])


def raw_pika_latencies(amqp_url: str, count: int, rate: float) -> list[float]:
    """Publish→consume latency (seconds) of ``count`` messages sent at ``rate`` per second."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    queue = f"bench.lat.{uuid.uuid4().hex[:8]}"
    ch.queue_declare(queue=queue, durable=True, arguments={"x-queue-type": "quorum"})
    ch.confirm_delivery()
    latencies: list[float] = []
    for i in range(count):
        due = time.perf_counter() + 1 / rate
        sent = time.perf_counter()
        ch.basic_publish("", queue, str(i).encode(), pika.BasicProperties(delivery_mode=2))
        method, _p, _b = ch.basic_get(queue)
        while method is None:
            method, _p, _b = ch.basic_get(queue)
        ch.basic_ack(method.delivery_tag)
        latencies.append(time.perf_counter() - sent)
        time.sleep(max(0.0, due - time.perf_counter()))
    ch.queue_delete(queue)
    conn.close()
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
