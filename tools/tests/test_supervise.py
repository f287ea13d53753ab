"""`make dev`'s supervisor restarts a process killed with -9 once its process group (a gunicorn master's
workers, still holding the port) has gone, within 30 s; a clean stop ends every group."""
from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from supervise import Child, Supervisor, group_alive

# A master like gunicorn's: binds the port (failing while anyone still holds it), forks a worker that inherits
# the listening socket and outlives a killed master, then records "master-pid worker-pid".
MASTER = """
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
worker = os.fork()
if worker == 0:
    while True:
        time.sleep(1)
open(sys.argv[2] + ".tmp", "w").write(f"{os.getpid()} {worker}")
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
while True:
    time.sleep(1)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _pids(path: Path) -> tuple[int, int] | None:
    try:
        master, worker = path.read_text().split()
    except (FileNotFoundError, ValueError):
        return None
    return int(master), int(worker)


def test_a_master_killed_with_9_is_restarted_once_its_workers_are_gone(tmp_path):
    pidfile = tmp_path / "pids"
    child = Child("web", [sys.executable, "-c", MASTER, str(_free_port()), str(pidfile)])
    supervisor = Supervisor([child], min_backoff=0.2, poll=0.05)
    stopping = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stopping.is_set,))
    thread.start()
    try:
        master, _worker = _wait_for(lambda: _pids(pidfile), 30)
        pidfile.unlink()
        killed_at = time.monotonic()
        os.kill(master, signal.SIGKILL)
        new_master, new_worker = _wait_for(lambda: _pids(pidfile), 30)  # bound the port again
        assert time.monotonic() - killed_at < 30
        assert new_master != master and child.restarts == 1
        assert not group_alive(master)  # the old worker went with its group
        assert os.getpgid(new_worker) == new_master
    finally:
        stopping.set()
        thread.join(30)
    assert not thread.is_alive()
    assert not group_alive(child.history[-1])  # a clean stop ends the whole group


def test_a_process_that_keeps_dying_is_restarted_with_a_growing_backoff(tmp_path):
    child = Child("crashing", [sys.executable, "-c", "import sys; sys.exit(3)"])
    supervisor = Supervisor([child], min_backoff=0.1, max_backoff=0.4, poll=0.02)
    stopping = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stopping.is_set,))
    thread.start()
    try:
        _wait_for(lambda: child.restarts >= 4, 30)
    finally:
        stopping.set()
        thread.join(30)
    assert child.backoff == 0.4
