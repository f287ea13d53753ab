"""Connection parameters and reconnection backoff shared by the publisher and the consumer."""
from __future__ import annotations

import random
from collections.abc import Iterator

import pika

HEARTBEAT_SECONDS = 30
BLOCKED_CONNECTION_TIMEOUT_SECONDS = 60
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.AMQPChannelError,
    pika.exceptions.StreamLostError,
    pika.exceptions.ConnectionClosed,
    ConnectionError,
    OSError,
)


def parameters(amqp_url: str, connection_name: str) -> pika.URLParameters:
    params = pika.URLParameters(amqp_url)
    params.heartbeat = HEARTBEAT_SECONDS
    params.blocked_connection_timeout = BLOCKED_CONNECTION_TIMEOUT_SECONDS
    params.connection_attempts = 1
    params.socket_timeout = 5
    params.client_properties = {"connection_name": connection_name}
    return params


def backoff(base: float = 0.2, cap: float = 10.0, rng: random.Random | None = None) -> Iterator[float]:
    """Capped exponential delays with jitter: 0.2, 0.4, 0.8 … up to ``cap`` seconds, forever."""
    rng = rng or random.Random()
    delay = base
    while True:
        yield delay * (0.5 + rng.random() / 2)
        delay = min(cap, delay * 2)
