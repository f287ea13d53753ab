"""Baselines on the same broker: raw pika publish-with-confirms + consume-with-ack, and its round-trip latency."""
from __future__ import annotations

import time
import uuid

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
