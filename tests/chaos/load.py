"""The steady inbound load (a departmental system publishing facts) and the seeded fault schedule."""
from __future__ import annotations

import json
import random
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pika
import requests

from dunghan.bus.errors import PublishFailed
from dunghan.bus.publisher import OutgoingMessage, Publisher
from dunghan.bus.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE

BATCH = 50


def to_message(fact: dict[str, Any], user: str) -> OutgoingMessage:
    body = json.dumps(fact, ensure_ascii=False).encode()
    return OutgoingMessage(INBOUND_EXCHANGE, f"{fact['agency']}.{fact['fact']}", body, fact["event_id"],
                           content_type="application/json", user_id=user)


class HttpSender:
    """The second door: a departmental system posting facts over HTTP. One dossier's facts go through one of
    ``threads`` ordered lanes (a system sends a dossier's steps in order); each fact is retried (same event id)
    until intake answers 201 or 202, as a real sender does through outages."""

    def __init__(self, base_url: str, api_key: str, threads: int = 4, give_up_seconds: float = 300) -> None:
        self.base_url, self.headers = base_url, {"Authorization": f"Bearer {api_key}"}
        self.lanes = [ThreadPoolExecutor(1, thread_name_prefix=f"chaos-http-{i}") for i in range(threads)]
        self.give_up = give_up_seconds
        self.local = threading.local()
        self.futures: list[Future[int]] = []
        self.retries = 0

    def submit(self, fact: dict[str, Any]) -> None:
        lane = self.lanes[zlib.crc32(fact["code"].encode()) % len(self.lanes)]
        self.futures.append(lane.submit(self._post, fact))

    def _post(self, fact: dict[str, Any]) -> int:
        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        url = f"{self.base_url}/api/v1/dossiers/{fact['code']}/events"
        give_up = time.monotonic() + self.give_up
        while True:
            try:
                r = session.post(url, json=fact, headers=self.headers, timeout=30)
                if r.status_code in (201, 202):
                    return r.status_code
                if r.status_code < 500:
                    raise AssertionError(f"HTTP {r.status_code} for {fact['event_id']}: {r.text[:200]}")
            except requests.RequestException:
                pass
            if time.monotonic() > give_up:
                raise AssertionError(f"intake never took {fact['event_id']} over HTTP")
            self.retries += 1
            time.sleep(0.5)

    def join(self) -> int:
        """Wait for every post; the number sent (raises the first sender error)."""
        for f in self.futures:
            f.result()
        for lane in self.lanes:
            lane.shutdown()
        return len(self.futures)


class Load(threading.Thread):
    """Publishes ``facts`` in order at ``rate`` per second with confirms; a failed batch is sent again. With an
    ``http`` sender, a seeded share of the dossiers goes over HTTP: some wholly (a system that only posts), the
    others split at the acceptance as a one-stop desk and a specialist unit would use the two doors at once —
    the facts up to the acceptance through one door, the rest through the other (either way round), so the
    later facts race the acceptance and wait in intake's buffer when they win. Each door keeps a dossier's facts
    in order. Not split: a dossier withdrawn after its online submission was accepted, since that withdrawal
    also fits the submitted dossier and a door that delivers it first would make the acceptance a lifecycle
    rejection (intake buffers facts that come before their acceptance, it does not reorder a dossier's history)."""

    def __init__(self, amqp_url: str, prefix: str, facts: Sequence[dict[str, Any]], rate: float,
                 user: str = "guest", http: HttpSender | None = None, http_share: float = 0.3,
                 seed: int = 2017) -> None:
        super().__init__(name="chaos-load", daemon=True)
        self.amqp_url, self.prefix, self.facts, self.rate, self.user = amqp_url, prefix, facts, rate, user
        self.http, self.http_share, self.rng = http, http_share, random.Random(seed)
        self.split: dict[str, str] = {}  # code -> "http" (all), "desk"/"unit" (that side over HTTP), "" (none)
        self.accepted: set[str] = set()
        self.unsplittable = _withdrawn_after_submission(facts)
        self.sent = 0
        self.sent_http = 0
        self.republished_batches = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:
            self.error = exc

    def _over_http(self, fact: dict[str, Any]) -> bool:
        code = fact["code"]
        if code not in self.split:
            r = self.rng.random()
            mode = "" if r >= self.http_share else "http" if r < self.http_share / 3 else \
                "desk" if r < 2 * self.http_share / 3 else "unit"
            self.split[code] = "http" if mode in ("desk", "unit") and code in self.unsplittable else mode
        after = code in self.accepted
        if fact["fact"] in ("dossier.accepted", "dossier.refused"):
            self.accepted.add(code)
        mode = self.split[code]
        return mode == "http" or (mode == "desk" and not after) or (mode == "unit" and after)

    def _door(self, facts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send this slice's HTTP share over HTTP; the rest is for the queue."""
        if self.http is None:
            return list(facts)
        queued = []
        for f in facts:
            if self._over_http(f):
                self.http.submit(f)
                self.sent_http += 1
            else:
                queued.append(f)
        return queued

    def _run(self) -> None:
        started = time.monotonic()
        with Publisher(self.amqp_url, prefix=self.prefix, app_id="chaos-load", max_attempts=40) as publisher:
            for i in range(0, len(self.facts), BATCH):
                chunk = self.facts[i:i + BATCH]
                batch = [to_message(f, self.user) for f in self._door(chunk)]
                give_up = time.monotonic() + 180
                while batch:
                    try:
                        publisher.publish_many(batch)
                        break
                    except PublishFailed:
                        self.republished_batches += 1
                        if time.monotonic() > give_up:
                            raise
                        time.sleep(1)
                self.sent += len(chunk)
                ahead = started + self.sent / self.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)


def _withdrawn_after_submission(facts: Sequence[dict[str, Any]]) -> set[str]:
    kinds: dict[str, set[str]] = {}
    for f in facts:
        kinds.setdefault(f["code"], set()).add(f["fact"])
    return {c for c, k in kinds.items() if {"dossier.submitted", "dossier.accepted", "dossier.withdrawn"} <= k}


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
