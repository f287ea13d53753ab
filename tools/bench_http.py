"""HTTP benchmark: intake's POST of a lifecycle fact against a bare Flask endpoint, same gunicorn settings."""
from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from bench_cpu import CpuMeter, Parts, cpu_parts, process_tree
from bench_report import figure, log
from flask import Flask, request

from dunghan.clock import LOCAL_TZ
from dunghan.testing.stack import free_port

ROOT = Path(__file__).resolve().parents[1]
HTTP_GOAL = 0.3
ROUNDS = 5

app = Flask("bench_bare")


@app.post("/api/v1/dossiers/<code>/events")
def bare_post(code: str) -> tuple[dict[str, Any], int]:
    fact = request.get_json(silent=True) or {}
    return {"status": "accepted", "code": code, "event_id": fact.get("event_id")}, 201


@app.get("/healthz")
def bare_health() -> dict[str, str]:
    return {"status": "ok"}


TODAY = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0) - timedelta(minutes=1)


def accepted_fact(i: int) -> dict[str, Any]:
    """A new dossier accepted at the counter a minute ago, as the department's real traffic is (a dossier of
    years ago would be overdue at once and cost a breach alert each): one per request, 9,000 codes a day."""
    at = TODAY - timedelta(days=i // 9000)
    code = f"SCT-{at:%y%m%d}-{i % 9000 + 1:04d}"
    return {"fact": "dossier.accepted", "event_id": f"bench-http-{code}", "code": code, "agency": "SCT",
            "occurred_at": at.isoformat(), "procedure_code": "SCT-TM-09", "channel": 1,
            "unit": "SCT-MC", "officer": "SCT-MC-02", "step": "tiếp nhận",
            "applicant": {"name": "Công ty TNHH Thương mại Đồng Nai"}}


@dataclass
class LoadResult:
    ok: int
    failed: int
    elapsed: float
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0


def load(base_url: str, count: int, threads: int, max_seconds: float, headers: dict[str, str],
         first: int = 0) -> LoadResult:
    """POST ``count`` facts from a pool of keep-alive sessions; stops early after ``max_seconds``."""
    lock = threading.Lock()
    state = {"next": first, "ok": 0, "failed": 0}
    statuses: dict[int, int] = {}
    stop_at = time.perf_counter() + max_seconds

    def take() -> int | None:
        with lock:
            if state["next"] >= first + count or time.perf_counter() > stop_at:
                return None
            state["next"] += 1
            return state["next"] - 1

    def worker() -> None:
        with requests.Session() as session:
            session.headers.update(headers)
            while (i := take()) is not None:
                fact = accepted_fact(i)
                try:
                    resp = session.post(f"{base_url}/api/v1/dossiers/{fact['code']}/events", json=fact, timeout=10)
                    code = resp.status_code
                except requests.RequestException:
                    code = 0
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1
                    state["ok" if 200 <= code < 300 else "failed"] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(worker) for _ in range(threads)]:
            f.result()
    return LoadResult(state["ok"], state["failed"], time.perf_counter() - started, statuses)


def wait_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


class BareServer:
    """``bench_http:app`` under gunicorn with the services' config file and worker count."""

    def __init__(self, log_dir: Path, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        prom = log_dir / "prom-bare"
        prom.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(prom), "PORT": str(self.port)}
        cmd = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "deploy/docker/gunicorn.conf.py"),
               "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--pythonpath", str(ROOT / "tools"),
               "bench_http:app"]
        out = (log_dir / "bare-web.log").open("ab")
        self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def __enter__(self) -> BareServer:
        wait_up(self.url + "/healthz")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def http_figures(intake_url: str, system_key: str, log_dir: Path, *, count: int, threads: int,
                 max_seconds: float, workers: int, services: Mapping[str, Any],
                 rss_of: Callable[[int], float], settle: Callable[[], None]) -> tuple[list[dict[str, Any]], float]:
    """The intake figures (throughput; CPU per request, downstream services included), and the bare server's peak
    RSS (web tier, summed) for the RSS baselines.

    Bare and intake runs alternate (``ROUNDS`` of each; the system settled before every run, so a bare run never
    shares the machine with the intake backlog): a machine whose speed drifts during the benchmark moves both
    sides of each pair alike. The ratio is the median of the pairs' ratios."""
    auth = {"Authorization": f"Bearer {system_key}"}
    warm = min(50, count // 10)
    per_round, seconds = count // ROUNDS, max_seconds / ROUNDS
    pairs: list[tuple[LoadResult, LoadResult]] = []
    bare_cpu: dict[str, float] = {}
    ours_cpu: dict[str, float] = {}
    with BareServer(log_dir, workers) as bare:
        load(bare.url, warm, threads, 30, {}, first=0)
        load(intake_url, warm, threads, 30, auth, first=0)
        bare_parts = cpu_parts()
        bare_parts["web"] = functools.partial(process_tree, bare.proc.pid)
        parts = cpu_parts(services)
        parts["intake_web"] = functools.partial(process_tree, services["intake"].web.pid)
        wall = 0.0
        for i in range(ROUNDS):
            settle()
            base = _metered(bare_parts, bare_cpu,
                            functools.partial(load, bare.url, per_round, threads, seconds, {}, first=warm))
            settle()
            started = time.perf_counter()
            ours = _metered(parts, ours_cpu, functools.partial(load, intake_url, per_round, threads, seconds, auth,
                                                               first=warm + i * per_round))
            wall += time.perf_counter() - started
            log(f"http round {i + 1}: bare Flask {base.rate:.0f} req/s, intake {ours.rate:.0f} req/s "
                f"({ours.ok} ok, {ours.failed} failed, statuses {ours.statuses})")
            pairs.append((base, ours))
        bare_rss = rss_of(bare.proc.pid)
    ratios = sorted(o.rate / b.rate for b, o in pairs if b.rate)
    ratio = ratios[len(ratios) // 2] if ratios else 0.0
    base_rate = sorted(b.rate for b, _ in pairs)[len(pairs) // 2]
    rate = sorted(o.rate for _, o in pairs)[len(pairs) // 2]
    ok, failed = sum(o.ok for _, o in pairs), sum(o.failed for _, o in pairs)
    log(f"http: intake {rate:.0f} req/s vs bare Flask {base_rate:.0f} (medians of {ROUNDS} alternating rounds); "
        f"ratio {ratio:.3f}, the median of " + ", ".join(f"{r:.3f}" for r in ratios))
    throughput = figure("intake_http_post_throughput", rate, "requests/s", base_rate, ratio,
                        f"ratio >= {HTTP_GOAL}", failed == 0 and ratio >= HTTP_GOAL)
    per = {name: 1000 * s / max(1, ok) for name, s in ours_cpu.items()}
    total = sum(per.values())
    bare_ms = 1000 * sum(bare_cpu.values()) / max(1, sum(b.ok for b, _ in pairs))
    busy = sum(ours_cpu.values()) / (wall * (os.cpu_count() or 1)) if wall else 0.0
    log("http cpu: " + ", ".join(f"{k} {v:.2f}" for k, v in per.items())
        + f" ms/request (the client is 'sender'); {busy:.0%} of the cores busy")
    cpu = figure("intake_http_cpu_ms_per_request", total, "ms", bare_ms, total / bare_ms if bare_ms else None,
                 None, None)
    return [throughput, cpu], bare_rss


def _metered(parts: Parts, into: dict[str, float], run: Callable[[], LoadResult]) -> LoadResult:
    """``run()``, adding the CPU seconds each part spent meanwhile to ``into``."""
    meter = CpuMeter(parts).start()
    result = run()
    for name, spent in meter.stop().items():
        into[name] = into.get(name, 0.0) + spent
    return result
