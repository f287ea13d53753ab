"""run_worker supervision and Periodic, with components that record what happened (no network)."""
from __future__ import annotations

import threading
import time
import urllib.request
from datetime import UTC, datetime

from prometheus_client import REGISTRY

from dunghan.worker import Backoff, Periodic, run_worker

FAST = Backoff(initial=0.01, maximum=0.05)


class Blocking:
    def __init__(self, name: str) -> None:
        self.name = name
        self.runs = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        self.runs += 1
        self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()


class CrashingTwice(Blocking):
    def run(self) -> None:
        self.runs += 1
        if self.runs <= 2:
            raise RuntimeError("boom")
        self.stopped.wait()


def wait_until(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def start(components, stop: threading.Event, port: int = 0) -> threading.Thread:  # type: ignore[no-untyped-def]
    t = threading.Thread(target=run_worker, args=("svc", components, port), kwargs={"stop": stop, "backoff": FAST})
    t.start()
    return t


def worker_up(service: str = "svc") -> float | None:
    return REGISTRY.get_sample_value("dunghan_worker_up", {"service": service})


def test_each_component_runs_in_its_own_thread_and_all_stop_on_request() -> None:
    a, b, stop = Blocking("a"), Blocking("b"), threading.Event()
    t = start([a, b], stop)
    wait_until(lambda: a.runs == 1 and b.runs == 1 and worker_up() == 1)
    stop.set()
    t.join(5)
    assert not t.is_alive()
    assert a.stopped.is_set() and b.stopped.is_set()
    assert worker_up() == 0


def test_component_that_raises_is_restarted_with_backoff() -> None:
    crashing, stop = CrashingTwice("crashing"), threading.Event()
    t = start([crashing], stop)
    wait_until(lambda: crashing.runs == 3)
    stop.set()
    t.join(5)
    assert not t.is_alive() and crashing.runs == 3


def test_metrics_are_served_on_the_metrics_port() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stop = threading.Event()
    t = start([Blocking("a")], stop, port)
    try:
        wait_until(lambda: worker_up() == 1)
        body = ""
        deadline = time.monotonic() + 5
        while "dunghan_worker_up" not in body and time.monotonic() < deadline:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1).read().decode()
            except OSError:
                time.sleep(0.02)
        assert 'dunghan_worker_up{service="svc"} 1.0' in body
    finally:
        stop.set()
        t.join(5)


def test_periodic_calls_fn_with_the_injected_utc_clock_until_stopped() -> None:
    instant = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    calls: list[datetime] = []
    job = Periodic("scan", calls.append, 0.01, clock=lambda: instant)
    t = threading.Thread(target=job.run)
    t.start()
    wait_until(lambda: len(calls) >= 3)
    job.stop()
    t.join(2)
    assert not t.is_alive()
    assert set(calls) == {instant}


def test_periodic_default_clock_is_timezone_aware_utc_and_failures_do_not_stop_the_schedule() -> None:
    calls: list[datetime] = []

    def flaky(now: datetime) -> None:
        calls.append(now)
        if len(calls) == 1:
            raise ValueError("first call fails")

    job = Periodic("flaky", flaky, 0.01)
    t = threading.Thread(target=job.run)
    t.start()
    wait_until(lambda: len(calls) >= 2)
    job.stop()
    t.join(2)
    assert calls[0].tzinfo is not None and calls[0].utcoffset() == UTC.utcoffset(None)


def test_periodic_runs_as_a_worker_component() -> None:
    calls: list[datetime] = []
    stop = threading.Event()
    t = start([Periodic("tick", calls.append, 0.01)], stop)
    wait_until(lambda: len(calls) >= 2)
    stop.set()
    t.join(5)
    assert not t.is_alive()


class SignalsOnStart(Blocking):
    def run(self) -> None:
        self.runs += 1
        import os
        import signal

        os.kill(os.getpid(), signal.SIGTERM)
        self.stopped.wait()


def test_sigterm_stops_every_component_and_run_worker_returns() -> None:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    sender, other = SignalsOnStart("sender"), Blocking("other")
    run_worker("svc-signal", [sender, other], 0, backoff=FAST)
    assert sender.stopped.is_set() and other.stopped.is_set()
    assert worker_up("svc-signal") == 0
    assert signal.getsignal(signal.SIGTERM) == before


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_a_crash_looping_component_is_counted_while_the_worker_stays_up() -> None:
    crashing, stop = CrashingTwice("looping"), threading.Event()
    assert sample("dunghan_component_restarts_total", service="svc", component="looping") is None
    t = start([crashing], stop)
    wait_until(lambda: crashing.runs == 3)
    assert sample("dunghan_component_restarts_total", service="svc", component="looping") == 2
    assert worker_up() == 1
    stop.set()
    t.join(5)


def test_component_health_is_refreshed_at_each_scrape() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    class Connecting(Blocking):
        def __init__(self, name: str) -> None:
            super().__init__(name)
            self.ready = threading.Event()

    conn, stop = Connecting("health-consumer"), threading.Event()
    t = start([conn], stop, port)
    wait_until(lambda: conn.runs == 1)
    url = f"http://127.0.0.1:{port}/metrics"
    wait_until(lambda: _scrape(url) is not None)
    assert 'dunghan_component_up{component="health-consumer",service="svc"} 0.0' in (_scrape(url) or "")
    conn.ready.set()
    assert 'dunghan_component_up{component="health-consumer",service="svc"} 1.0' in (_scrape(url) or "")
    assert "_created" not in (_scrape(url) or "")
    stop.set()
    t.join(5)


def _scrape(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return str(resp.read().decode())
    except OSError:
        return None


def test_a_failing_scheduled_job_is_counted_from_zero() -> None:
    calls: list[datetime] = []

    def job(now: datetime) -> None:
        calls.append(now)
        if len(calls) == 2:
            raise RuntimeError("boom")

    periodic, stop = Periodic("counted-job", job, 0.01), threading.Event()
    t = threading.Thread(target=run_worker, args=("jobsvc", [periodic], 0), kwargs={"stop": stop, "backoff": FAST})
    t.start()
    wait_until(lambda: len(calls) >= 3)
    stop.set()
    t.join(5)
    assert sample("dunghan_scheduled_runs_total", service="jobsvc", task="counted-job", result="failed") == 1
    assert (sample("dunghan_scheduled_runs_total", service="jobsvc", task="counted-job", result="ok") or 0) >= 2
    assert (sample("dunghan_scheduled_last_success_timestamp_seconds", service="jobsvc", task="counted-job")
            or 0) > 0
