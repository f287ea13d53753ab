"""Peak resident memory of the services' processes (VmHWM from /proc) against bare baselines."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_cpu import process_tree
from bench_pipeline import BenchSystem
from bench_report import figure


def peak_rss_mib(pids: Sequence[int]) -> float:
    """Sum of VmHWM (peak resident set) over ``pids``, in MiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def bare_worker_rss_mib() -> float:
    """A bare Python process with a worker's libraries imported (pika, SQLAlchemy, psycopg, prometheus_client)."""
    code = ("import pika, sqlalchemy, psycopg, prometheus_client, pathlib;"
            "print([l.split()[1] for l in pathlib.Path('/proc/self/status').read_text().splitlines()"
            " if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return int(out.stdout.strip()) / 1024


def rss_figures(system: BenchSystem, web_baseline: float | None) -> list[dict[str, Any]]:
    """Per service: the web tier (gunicorn master + workers, summed) and the worker process (with children)."""
    worker_baseline = bare_worker_rss_mib()
    out = []
    for name, svc in system.stack.services.items():
        if svc.web is not None:
            web = peak_rss_mib(process_tree(svc.web.pid))
            out.append(figure(f"peak_rss_{name}_web_sum", web, "MiB", web_baseline,
                              web / web_baseline if web_baseline else None, None, None))
        if svc.worker is not None:
            worker = peak_rss_mib(process_tree(svc.worker.pid))
            out.append(figure(f"peak_rss_{name}_worker", worker, "MiB", worker_baseline, worker / worker_baseline,
                              None, None))
    return out
