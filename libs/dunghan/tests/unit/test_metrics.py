"""Label sets at 0 from start-up, consumer lag, the web tier's process collector (a fake /proc)."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from prometheus_client import CollectorRegistry, Counter, generate_latest

from dunghan.bus.consumer import event_lag
from dunghan.metrics import before_scrape, product, run_scrape_hooks, zero
from dunghan.metrics_process import WebProcessCollector


def test_zero_creates_every_combination_at_zero_without_created_series() -> None:
    registry = CollectorRegistry()
    c = Counter("t_events_total", "Events.", ["unit", "outcome"], registry=registry)
    zero(c, product(unit=["a", "b"], outcome=["ok", "late", "ok"]))
    text = generate_latest(registry).decode()
    assert text.count("t_events_total{") == 4
    assert 't_events_total{outcome="late",unit="b"} 0.0' in text
    assert "_created" not in text


def test_scrape_hooks_run_at_once_then_at_most_once_per_interval_and_survive_failures() -> None:
    calls: list[int] = []

    def hook() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database down")

    before_scrape(hook, every=3600)
    run_scrape_hooks()
    assert calls == [1]


def test_event_lag_reads_the_cloudevents_time_then_the_amqp_timestamp() -> None:
    now = datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC).timestamp()
    ce = SimpleNamespace(headers={"ce-time": "2026-01-01T12:00:00+00:00"}, timestamp=1)
    assert event_lag(ce, now) == 10
    stamped = SimpleNamespace(headers={}, timestamp=int(now) - 4)
    assert event_lag(stamped, now) == 4
    assert event_lag(SimpleNamespace(headers=None, timestamp=None), now) is None


def write_stat(proc: Path, pid: int, ppid: int, ticks: int, pages: int) -> None:
    (proc / str(pid)).mkdir(parents=True)
    fields = ["S", str(ppid)] + ["0"] * 9 + [str(ticks), str(ticks)] + ["0"] * 8 + [str(pages)]
    (proc / str(pid) / "stat").write_text(f"{pid} (gunicorn: worker [x]) " + " ".join(fields))


def test_web_process_collector_reports_the_master_and_each_worker(tmp_path: Path) -> None:
    write_stat(tmp_path, 10, 1, 100, 1000)
    write_stat(tmp_path, 11, 10, 50, 2000)
    write_stat(tmp_path, 12, 10, 20, 3000)
    write_stat(tmp_path, 13, 99, 20, 3000)
    registry = CollectorRegistry()
    registry.register(WebProcessCollector(master=10, proc=tmp_path))
    cpu = "dunghan_web_process_cpu_seconds_total"
    assert registry.get_sample_value(cpu, {"pid": "10", "role": "master"}) == 2
    assert registry.get_sample_value(cpu, {"pid": "11", "role": "worker"}) == 1
    assert registry.get_sample_value("dunghan_web_process_resident_memory_bytes", {"pid": "12", "role": "worker"})
    assert registry.get_sample_value(cpu, {"pid": "13", "role": "worker"}) is None
