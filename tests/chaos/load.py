"""The steady inbound load (a departmental system publishing facts) and the seeded fault schedule."""
from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pika

from dunghan.bus.errors import PublishFailed
from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE

BATCH = 50


def to_message(fact: dict[str, Any], user: str) -> OutgoingMessage:
    body = json.dumps(fact, ensure_ascii=False).encode()
    return OutgoingMessage(INBOUND_EXCHANGE, f"{fact['agency']}.{fact['fact']}", body, fact["event_id"],
                           content_type="application/json", user_id=user)


class Load(threading.Thread):
    """Publishes ``facts`` in order at ``rate`` per second with confirms; a failed batch is sent again."""

    def __init__(self, amqp_url: str, prefix: str, facts: Sequence[dict[str, Any]], rate: float,
                 user: str = "guest") -> None:
        super().__init__(name="chaos-load", daemon=True)
        self.amqp_url, self.prefix, self.facts, self.rate, self.user = amqp_url, prefix, facts, rate, user
        self.sent = 0
        self.republished_batches = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:
            self.error = exc

    def _run(self) -> None:
        started = time.monotonic()
        with Publisher(self.amqp_url, prefix=self.prefix, app_id="chaos-load", max_attempts=40) as publisher:
            for i in range(0, len(self.facts), BATCH):
                batch = [to_message(f, self.user) for f in self.facts[i:i + BATCH]]
                give_up = time.monotonic() + 180
                while True:
                    try:
                        publisher.publish_many(batch)
                        break
                    except PublishFailed:
                        self.republished_batches += 1
                        if time.monotonic() > give_up:
                            raise
                        time.sleep(1)
                self.sent += len(batch)
                ahead = started + self.sent / self.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)


def send_bad(amqp_url: str, prefix: str, bad: dict[tuple[str, str], int], user: str = "guest") -> int:
    """Deliberately malformed messages (not JSON): ``{(exchange, routing_key): count}``."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    sent = 0
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        for (exchange, key), count in bad.items():
            for n in range(count):
                props = pika.BasicProperties(content_type="application/json", delivery_mode=2, user_id=user,
                                             message_id=f"chaos-bad-{key}-{n}")
                ch.basic_publish(f"{prefix}{exchange}", key, b"\xff{not json at all", props, mandatory=True)
                sent += 1
    finally:
        conn.close()
    return sent


BAD = {(INBOUND_EXCHANGE, "SCT.dossier.accepted"): 10,
       (EVENTS_EXCHANGE, "intake.dossier_accepted.v1"): 4,      # deadline + scoring
       (EVENTS_EXCHANGE, "deadline.due_date_set.v1"): 3}        # scoring + notify
EXPECTED_DLQ = {"intake.inbound.dlq": 10, "deadline.events.dlq": 4, "scoring.events.dlq": 7,
                "notify.events.dlq": 3}


@dataclass(frozen=True)
class Fault:
    at: float
    kind: str          # kill_worker | close_connections | restart_rabbitmq | restart_postgres
    target: str = ""
    down: float = 0.0


def schedule(rng: random.Random, duration: float, services: Sequence[str], kills_each: int = 2) -> list[Fault]:
    """Every fault once (each worker killed ``kills_each`` times), in a seeded order, each at a seeded moment
    inside its own slot of the load window (5% … 85% of ``duration``)."""
    kinds = [("kill_worker", s) for s in services for _ in range(kills_each)]
    kinds += [("close_connections", ""), ("restart_rabbitmq", ""), ("restart_postgres", "")]
    rng.shuffle(kinds)
    start, span = 0.05 * duration, 0.80 * duration
    slot = span / len(kinds)
    return [Fault(round(start + i * slot + rng.uniform(0.1, 0.9) * slot, 2), kind, target,
                  round(rng.uniform(0.3, 2.5), 2))
            for i, (kind, target) in enumerate(kinds)]


class Injector(threading.Thread):
    """Runs the schedule against the clock started at ``start()``; ``actions`` map a fault kind to a callable."""

    def __init__(self, faults: Sequence[Fault], actions: dict[str, Callable[[Fault], None]]) -> None:
        super().__init__(name="chaos-faults", daemon=True)
        self.faults, self.actions = faults, actions
        self.done: Counter[str] = Counter()
        self.log: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        began = time.monotonic()
        try:
            for f in self.faults:
                wait = began + f.at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                t0 = time.monotonic()
                self.actions[f.kind](f)
                self.done[f.kind] += 1
                self.log.append(f"{time.monotonic() - began:7.1f}s {f.kind} {f.target} "
                                f"({time.monotonic() - t0:.1f}s)")
                print("chaos:", self.log[-1], flush=True)
        except BaseException as exc:
            self.error = exc
