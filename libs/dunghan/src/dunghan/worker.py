"""The worker process: consumers, the outbox relay and scheduled jobs as supervised threads, plus ``/metrics``.

A component is anything with ``name``, a blocking ``run()`` and ``stop()``. A component whose ``run()`` raises
(or returns while the worker is not stopping) is restarted after a growing delay. SIGTERM/SIGINT stop every
component and ``run_worker`` returns once their threads have ended.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dunghan.clock import utc_now
from dunghan.metrics import (
    COMPONENT_RESTARTS,
    COMPONENT_UP,
    JOB_RESULTS,
    SCHEDULED_LAST_SUCCESS,
    SCHEDULED_RUNS,
    WORKER_UP,
    product,
    zero,
)

log = logging.getLogger(__name__)


class Component(Protocol):
    name: str

    def run(self) -> None: ...

    def stop(self) -> None: ...


class Periodic:
    """Calls ``fn(now)`` at start and then every ``interval_seconds``; a failing call is logged and counted
    (``dunghan_scheduled_runs_total{result="failed"}``), not fatal. ``run_worker`` sets ``service``."""

    def __init__(
        self, name: str, fn: Callable[[datetime], Any], interval_seconds: float, *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.name = name
        self.fn = fn
        self.interval = interval_seconds
        self.clock = clock
        self.service = ""
        self._stop = threading.Event()

    def run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                self.fn(self.clock())
            except Exception:
                log.exception("scheduled job %s failed", self.name)
                SCHEDULED_RUNS.labels(self.service, self.name, "failed").inc()
            else:
                SCHEDULED_RUNS.labels(self.service, self.name, "ok").inc()
                SCHEDULED_LAST_SUCCESS.labels(self.service, self.name).set(time.time())
            next_at += self.interval
            now = time.monotonic()
            if next_at < now:
                next_at = now
            self._stop.wait(next_at - now)

    def stop(self) -> None:
        self._stop.set()


@dataclass(frozen=True)
class Backoff:
    """Restart delay: ``initial``, doubling up to ``maximum``; reset after a run lasting ``reset_after`` s."""

    initial: float = 1.0
    maximum: float = 60.0
    reset_after: float = 60.0


def _supervise(component: Component, stopping: threading.Event, backoff: Backoff,
               restarting: set[str] | None = None, service: str = "") -> None:
    delay = backoff.initial
    restarting = restarting if restarting is not None else set()
    while not stopping.is_set():
        started = time.monotonic()
        restarting.discard(component.name)
        try:
            component.run()
        except Exception:
            if stopping.is_set():
                return
            log.exception("component %s died; restarting in %.1f s", component.name, delay)
        else:
            if stopping.is_set():
                return
            log.warning("component %s returned unexpectedly; restarting in %.1f s", component.name, delay)
        restarting.add(component.name)
        COMPONENT_RESTARTS.labels(service, component.name).inc()
        if time.monotonic() - started > backoff.reset_after:
            delay = backoff.initial
        if stopping.wait(delay):
            return
        delay = min(delay * 2, backoff.maximum)


def run_worker(
    service: str, components: Sequence[Component], metrics_port: int, *,
    stop: threading.Event | None = None, backoff: Backoff | None = None, join_timeout: float = 30.0,
) -> None:
    """Run ``components`` until SIGTERM/SIGINT (or ``stop`` is set); ``metrics_port`` 0 serves no HTTP.

    The HTTP port answers ``/metrics``, ``/healthz`` and ``/readyz`` (503 while a component is restarting or
    not yet connected), for Prometheus and for orchestrators' probes."""
    stopping = stop or threading.Event()
    restarting: set[str] = set()
    server = None
    _zero_components(service, components)

    def states() -> dict[str, str]:
        from dunghan.worker_http import component_states

        current = component_states(components, lambda name: name not in restarting)
        for name, state in current.items():
            COMPONENT_UP.labels(service, name).set(1 if state == "running" else 0)
        return current

    if metrics_port:
        from dunghan.worker_http import serve

        server = serve(metrics_port, service, states)
    previous = _install_signals(stopping)
    threads = [
        threading.Thread(target=_supervise, args=(c, stopping, backoff or Backoff(), restarting, service),
                         name=c.name,
                         daemon=True)
        for c in components
    ]
    WORKER_UP.labels(service=service).set(1)
    log.info("worker %s started: %s", service, ", ".join(c.name for c in components))
    try:
        for t in threads:
            t.start()
        while not stopping.wait(0.5):
            pass
        log.info("worker %s stopping", service)
    finally:
        stopping.set()
        for c in components:
            try:
                c.stop()
            except Exception:
                log.exception("stopping %s failed", c.name)
        deadline = time.monotonic() + join_timeout
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
            if t.is_alive():
                log.error("component %s did not stop within %.0f s", t.name, join_timeout)
        WORKER_UP.labels(service=service).set(0)
        for c in components:
            COMPONENT_UP.labels(service, c.name).set(0)
        _restore_signals(previous)
        if server is not None:
            server.shutdown()
            server.server_close()
        log.info("worker %s stopped", service)


def _zero_components(service: str, components: Sequence[Component]) -> None:
    """Every component's restart counter and scheduled-run counters exist at 0 from the start."""
    for c in components:
        COMPONENT_RESTARTS.labels(service, c.name)
        COMPONENT_UP.labels(service, c.name).set(0)
        if isinstance(c, Periodic):
            c.service = c.service or service
            zero(SCHEDULED_RUNS, product(service=[c.service], task=[c.name], result=JOB_RESULTS))


def _install_signals(stopping: threading.Event) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handle(signum: int, _frame: Any) -> None:
        log.info("signal %s received", signal.Signals(signum).name)
        stopping.set()

    return {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
