"""The CPU accounting of the benchmark: per-part deltas from /proc and the figures made of them."""
from __future__ import annotations

import os
import time

from bench_cpu import CpuMeter, cpu_figures, process_tree


def test_the_meter_counts_the_cpu_a_part_spent_between_start_and_stop() -> None:
    meter = CpuMeter({"me": lambda: [os.getpid()], "nobody": lambda: []}).start()
    started = time.process_time()
    while time.process_time() - started < 0.2:
        sum(range(10_000))
    seconds = meter.stop()
    assert 0.1 <= seconds["me"] <= 1.0 and seconds["nobody"] == 0
    assert meter.wall >= 0.15


def test_figures_give_milliseconds_per_event_the_busy_share_and_the_ceiling() -> None:
    meter = CpuMeter({})
    meter.seconds = {"intake_worker": 2.0, "postgresql": 1.0}
    meter.wall = 3.0
    figures = {f["name"]: f for f in cpu_figures(meter, 1000, baseline_ms=0.5, baseline_rate=2000.0)}
    assert figures["pipeline_cpu_ms_per_event"]["value"] == 3.0
    assert figures["pipeline_cpu_ms_per_event"]["ratio"] == 6.0
    cores = os.cpu_count() or 1
    assert figures["pipeline_cpu_busy"]["value"] == round(3.0 / (3.0 * cores), 4)
    assert figures["pipeline_throughput_cpu_ceiling"]["value"] == round(1000 * cores / 3.0, 1)
    assert figures["pipeline_cpu_ms_per_event_intake_worker"]["value"] == 2.0


def test_process_tree_starts_with_the_process_itself() -> None:
    assert process_tree(os.getpid())[0] == os.getpid()
