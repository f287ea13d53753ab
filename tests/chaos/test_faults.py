"""Under a steady load: kill -9 every worker twice, close every broker connection, restart RabbitMQ and
PostgreSQL; afterwards nothing is lost, nothing happens twice, and only the bad messages are dead-lettered."""
from __future__ import annotations

import importlib
import os
import random
import sys
import time
from datetime import date
from typing import Any

import pytest

from . import checks
from .conftest import ROOT, SYSTEM_KEY, ChaosSystem
from .load import BAD, EXPECTED_DLQ, Fault, HttpSender, Injector, Load, schedule, send_bad

pytestmark = pytest.mark.chaos

DOSSIERS = int(os.environ.get("CHAOS_DOSSIERS", "800"))
SEED = int(os.environ.get("CHAOS_SEED", "2017"))
RATE = float(os.environ.get("CHAOS_RATE", "40"))
HTTP_SHARE = float(os.environ.get("CHAOS_HTTP_SHARE", "0.3"))
SETTLE_SECONDS = float(os.environ.get("CHAOS_SETTLE_SECONDS", "420"))


def plan_facts() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "tools"))
    demo_data = importlib.import_module("demo_data")
    plan = demo_data.load_plan(DOSSIERS, SEED, date(2017, 1, 1), date(2017, 12, 31), id_prefix="chaos")
    return list(plan.facts())


def actions(system: ChaosSystem) -> dict[str, Any]:
    def kill(f: Fault) -> None:
        svc = system.stack.services[f.target]
        svc.kill_worker()
        time.sleep(f.down)
        svc.start_worker()

    return {
        "kill_worker": kill,
        "close_connections": lambda f: system.rabbit.close_all_connections(),
        "restart_rabbitmq": lambda f: system.rabbit.restart(f.down),
        "restart_postgres": lambda f: system.postgres.restart(f.down),
    }


def settle(system: ChaosSystem, timeout: float) -> dict[str, int]:
    """Wait until nothing is in flight (twice in a row, 2 s apart); returns what was left at the timeout."""
    deadline = time.monotonic() + timeout
    quiet, left = 0, {"not checked": 1}
    while time.monotonic() < deadline:
        try:
            left = checks.backlog(system)
        except Exception as exc:
            left = {f"unreachable: {type(exc).__name__}": 1}
        quiet = quiet + 1 if not left else 0
        if quiet >= 3:
            return {}
        time.sleep(2)
    return left


@pytest.mark.timeout(1800)
def test_nothing_lost_or_duplicated_under_faults(chaos_system: ChaosSystem) -> None:
    system = chaos_system
    started = time.monotonic()
    facts = plan_facts()
    bad_sent = send_bad(system.rabbit.url, system.prefix, BAD)
    faults = schedule(random.Random(SEED), len(facts) / RATE, list(system.stack.services))
    http = HttpSender(system.stack.services["intake"].url, SYSTEM_KEY)
    load = Load(system.rabbit.url, system.prefix, facts, RATE, http=http, http_share=HTTP_SHARE, seed=SEED)
    injector = Injector(faults, actions(system))
    load.start()
    injector.start()
    load.join()
    assert load.error is None, f"load failed: {load.error!r}"
    http.join()
    injector.join()
    assert injector.error is None, f"fault injection failed: {injector.error!r}"
    published_at = time.monotonic() - started
    left = settle(system, SETTLE_SECONDS)
    fig = checks.Figures()
    checks.pipeline(system, facts, fig)
    checks.notifications(system, fig)
    checks.broker(system, EXPECTED_DLQ, fig)
    dead = [f"{n} {k}" for n, s in system.stack.services.items()
            for k, p in (("web", s.web), ("worker", s.worker)) if p is None or p.poll() is not None]
    print(checks.to_json(fig, {
        "faults": dict(injector.done), "bad_messages": bad_sent,
        "rate": RATE, "seed": SEED, "load_republished_batches": load.republished_batches,
        "sent_over_http": load.sent_http, "http_retries": http.retries,
        "published_seconds": round(published_at, 1), "elapsed_seconds": round(time.monotonic() - started, 1),
        "unsettled": left, "dead_processes": dead,
    }), flush=True)
    assert not left, f"still in flight after {SETTLE_SECONDS}s: {left}"
    assert sum(injector.done.values()) == len(faults)
    assert not dead, dead
    assert not fig.lost, {k: v[:10] for k, v in fig.lost.items()}
    assert not fig.duplicated, {k: v[:10] for k, v in fig.duplicated.items()}
