"""`make dev`'s supervisor: each process in its own process group, restarted when it dies.

A gunicorn master killed with -9 leaves its workers alive and holding the port, so a restart of the master
alone fails to bind. Each process is therefore started as the leader of a new process group; when it dies, the
whole group is killed and waited for (until no member is left), and only then is the process started again,
with a backoff that grows while it keeps dying and resets once it has run for a while.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("dev")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def wait_group_gone(pgid: int, timeout: float) -> bool:
    """True once no process of the group is left (an orphan reaped by init counts as gone)."""
    deadline = time.monotonic() + timeout
    while group_alive(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    history: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.proc = subprocess.Popen(list(self.argv), env=dict(self.env) if self.env is not None else None,
                                     start_new_session=True)
        self.started_at = time.monotonic()
        self.history.append(self.proc.pid)


class Supervisor:
    """``run(stop)`` starts every child and keeps them running until ``stop()`` returns True."""

    def __init__(self, children: Sequence[Child], *, min_backoff: float = 0.5, max_backoff: float = 10.0,
                 stable_after: float = 30.0, group_timeout: float = 10.0, poll: float = 0.2) -> None:
        self.children = list(children)
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.stable_after, self.group_timeout, self.poll = stable_after, group_timeout, poll

    def start(self) -> None:
        for child in self.children:
            child.start()

    def check(self) -> None:
        """One pass: a dead child's group is killed and waited for, and the child started again when due."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restart_at = None
                    child.restarts += 1
                    child.start()
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            code = child.proc.returncode
            pgid = child.proc.pid
            kill_group(pgid)
            if not wait_group_gone(pgid, self.group_timeout):
                log.warning("%s: process group %d still has members after %.0f s", child.name, pgid,
                            self.group_timeout)
            ran = now - child.started_at
            child.backoff = self.min_backoff if ran >= self.stable_after or not child.backoff \
                else min(self.max_backoff, child.backoff * 2)
            child.restart_at = time.monotonic() + child.backoff
            log.warning("%s exited (%s); restarting in %.1f s", child.name, code, child.backoff)
            print(f"{child.name} exited ({code}); restarting in {child.backoff:.1f} s", flush=True)

    def run(self, stop: Callable[[], bool]) -> None:
        self.start()
        try:
            while not stop():
                self.check()
                time.sleep(self.poll)
        finally:
            self.shutdown()

    def shutdown(self, timeout: float = 20.0) -> None:
        """SIGTERM to every group, then SIGKILL to what is left after ``timeout``."""
        live = [c.proc for c in self.children if c.proc is not None]
        for proc in live:
            kill_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in live:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
            kill_group(proc.pid, signal.SIGKILL)
            proc.poll()
            wait_group_gone(proc.pid, 5.0)
