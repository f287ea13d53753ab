"""Gunicorn settings of every service's web tier, with prometheus_client's multiprocess mode done right."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

# Before prometheus_client is imported anywhere: the web's metrics are multiprocess (one file per gunicorn worker).
# The image leaves the variable unset, so that the worker processes keep prometheus_client's in-memory values.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "prometheus-multiproc"))

from prometheus_client import multiprocess

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads per worker (gthread): a request waiting on PostgreSQL leaves the CPU to another one.
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None
errorlog = "-"
# No control socket: unused here, it would go to $HOME/.gunicorn (read-only in the image; on a machine running
# several gunicorns, `make dev` and the tests, one path for all of them).
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Start from an empty metrics directory: files left by a previous run would be summed into this one."""
    path = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges so they stop counting."""
    multiprocess.mark_process_dead(worker.pid)
