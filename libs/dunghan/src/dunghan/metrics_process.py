"""CPU and memory of a web tier's processes (gunicorn master and workers), read from ``/proc`` at scrape time.

prometheus_client's multiprocess mode drops ``process_*``: each worker's own figures would be summed meaninglessly.
Here each process keeps its own series, labelled by ``pid`` and ``role`` (master, worker), so a panel sums them
per service (``sum by (app)``) and a restarted worker shows as a new pid. Off Linux the collector reports nothing.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

PROC = Path("/proc")


def _ticks() -> float:
    try:
        return float(os.sysconf("SC_CLK_TCK"))
    except (ValueError, OSError, AttributeError):
        return 100.0


def _page_size() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4096


def read_stat(pid: int, proc: Path = PROC) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds user+system, resident bytes) of ``pid``; None if it is gone."""
    try:
        raw = (proc / str(pid) / "stat").read_text()
        # The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
        fields = raw[raw.rindex(")") + 2:].split()
        ppid, utime, stime, rss = int(fields[1]), int(fields[11]), int(fields[12]), int(fields[21])
    except (OSError, ValueError, IndexError):
        return None
    return ppid, (utime + stime) / _ticks(), rss * _page_size()


def children(parent: int, proc: Path = PROC) -> list[int]:
    found = []
    for entry in proc.iterdir() if proc.is_dir() else ():
        if entry.name.isdigit():
            stat = read_stat(int(entry.name), proc)
            if stat is not None and stat[0] == parent:
                found.append(int(entry.name))
    return sorted(found)


class WebProcessCollector(Collector):
    """The master (this process's parent, under gunicorn) and every worker it runs."""

    def __init__(self, master: int | None = None, proc: Path = PROC) -> None:
        self.master = master
        self.proc = proc

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        cpu = CounterMetricFamily("dunghan_web_process_cpu_seconds", "CPU time (user + system) of a web process.",
                                  labels=["pid", "role"])
        rss = GaugeMetricFamily("dunghan_web_process_resident_memory_bytes", "Resident memory of a web process.",
                                labels=["pid", "role"])
        master = self.master if self.master is not None else os.getppid()
        for pid, role in [(master, "master"), *((c, "worker") for c in children(master, self.proc))]:
            stat = read_stat(pid, self.proc)
            if stat is not None:
                cpu.add_metric([str(pid), role], stat[1])
                rss.add_metric([str(pid), role], float(stat[2]))
        yield cpu
        yield rss
