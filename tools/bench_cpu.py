"""CPU time of the processes taking part in a run (from /proc): where a benchmark's cycles went."""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench_report import figure, log

TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def named(fragment: str) -> list[int]:
    """Processes of this machine whose command line contains ``fragment`` (PostgreSQL, RabbitMQ's BEAM)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if fragment.encode() in (entry / "cmdline").read_bytes():
                    out.append(int(entry.name))
            except OSError:
                continue
    return out


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds of ``pids`` (processes gone meanwhile count as 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


class CpuMeter:
    """CPU seconds per named part between ``start()`` and ``stop()``; each part is a function giving its pids,
    asked at both ends (a process started in between is counted from its start)."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self._start: dict[str, dict[int, float]] = {}
        self.seconds: dict[str, float] = {}
        self.wall = 0.0
        self._t0 = 0.0

    def _sample(self) -> dict[str, dict[int, float]]:
        return {name: {pid: cpu_seconds([pid]) for pid in pids()} for name, pids in self.parts.items()}

    def start(self) -> CpuMeter:
        self._start = self._sample()
        self._t0 = time.perf_counter()
        return self

    def stop(self) -> dict[str, float]:
        self.wall = time.perf_counter() - self._t0
        end = self._sample()
        self.seconds = {name: sum(cpu - self._start[name].get(pid, 0.0) for pid, cpu in end[name].items())
                        for name in self.parts}
        return self.seconds


Parts = dict[str, Callable[[], Sequence[int]]]


def cpu_parts(services: Mapping[str, Any] | None = None) -> Parts:
    """The processes whose CPU a run costs: this process (it publishes), the broker, the database, and each
    service's worker (the web tier is idle in the pipeline). A broker or database elsewhere is not seen."""
    own = os.getpid()
    parts: Parts = {"sender": lambda: [own], "rabbitmq": lambda: named("beam.smp"),
                    "postgresql": lambda: named("postgres")}
    for name, svc in (services or {}).items():
        if svc.worker is not None:
            parts[f"{name}_worker"] = functools.partial(process_tree, svc.worker.pid)
    return parts


def cpu_figures(meter: CpuMeter, events: int, baseline_ms: float, baseline_rate: float) -> list[dict[str, Any]]:
    """CPU milliseconds per event, in all and per part; how busy the machine's cores were; and the ceiling: the
    events per second that this CPU cost allows when every core does nothing else, against the baseline's rate."""
    total = sum(meter.seconds.values())
    cores = os.cpu_count() or 1
    busy = total / (meter.wall * cores) if meter.wall else 0.0
    per = {name: 1000 * s / events for name, s in meter.seconds.items()}
    log("cpu: " + ", ".join(f"{k} {v:.2f} ms/event" for k, v in per.items())
        + f"; {busy:.0%} of {cores} cores busy")
    ms = 1000 * total / events
    ceiling = 1000 * cores / ms if ms else 0.0
    return [figure("pipeline_cpu_ms_per_event", ms, "ms", baseline_ms, ms / baseline_ms if baseline_ms else None,
                   None, None),
            figure("pipeline_cpu_busy", busy, "fraction of all cores", None, None, None, None),
            figure("pipeline_throughput_cpu_ceiling", ceiling, "events/s", baseline_rate,
                   ceiling / baseline_rate if baseline_rate else None, None, None),
            *(figure(f"pipeline_cpu_ms_per_event_{k}", v, "ms", None, None, None, None) for k, v in per.items())]
