"""Fixtures of the deployment tests: the repository's files, parsed, and what the code declares."""
from __future__ import annotations

import contextlib
import importlib
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "deadline", "scoring", "notify")
# Series that come from elsewhere than our code: Prometheus itself and RabbitMQ's rabbitmq_prometheus plugin
# (per-queue series need prometheus.return_per_object_metrics = true, set in deploy/rabbitmq/rabbitmq.conf).
# Prometheus's ALERTS, and prometheus_client's own process_* of the (single-process) workers.
EXTERNAL_METRICS = {
    "up", "ALERTS", "rabbitmq_queue_messages", "rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked",
    "rabbitmq_queue_consumers", "process_cpu_seconds_total", "process_resident_memory_bytes",
}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset",
                "bool", "inf", "nan"}


class EnvProbe(Mapping[str, str]):
    """An empty environment that records every name a ``Settings.from_env(env)`` asks for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def promql_metric_names(expr: str) -> set[str]:
    """Metric names an expression selects (strings, matchers, ranges and grouping clauses removed)."""
    e = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\$\w+", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*", e):
        if e[m.end():].lstrip().startswith("(") or m.group().lower() in PROMQL_WORDS:
            continue
        names.add(m.group())
    return names


def exposed_names(kind: str, name: str) -> set[str]:
    """The series names prometheus_client exposes for a metric defined as ``Kind("name", ...)``."""
    if kind == "Counter":
        return {name if name.endswith("_total") else f"{name}_total"}
    if kind == "Histogram":
        return {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    if kind == "Summary":
        return {f"{name}_sum", f"{name}_count"}
    return {name}


def metrics_in_source(text: str) -> set[str]:
    """Metrics defined as ``Counter("name", ...)`` and the like, or collected as
    ``CounterMetricFamily("name", ...)`` (a custom collector: read from a database or /proc at scrape time)."""
    found: set[str] = set()
    pattern = r"\b(Counter|Gauge|Histogram|Summary)(?:MetricFamily)?\(\s*[\"']([a-zA-Z_:][\w:]*)[\"']"
    for kind, name in re.findall(pattern, text):
        found |= exposed_names(kind, name)
    return found


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def external_metrics() -> set[str]:
    return EXTERNAL_METRICS


@pytest.fixture(scope="session")
def metric_names() -> Callable[[str], set[str]]:
    return promql_metric_names


@pytest.fixture(scope="session")
def rule_groups() -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for path in sorted((ROOT / "deploy/prometheus/rules").glob("*.yml")):
        groups += yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    return groups


@pytest.fixture(scope="session")
def recorded(rule_groups: list[dict[str, Any]]) -> set[str]:
    return {r["record"] for g in rule_groups for r in g["rules"] if "record" in r}


@pytest.fixture(scope="session")
def code_metrics() -> dict[str, set[str]]:
    """Owner ("dunghan" or a service) -> series names its metrics.py defines; owners without metrics.py absent."""
    files = {"dunghan": sorted((ROOT / "libs/dunghan/src/dunghan").glob("metrics*.py"))}
    files |= {s: sorted((ROOT / f"services/{s}/src/{s}").glob("metrics*.py")) for s in SERVICES}
    return {owner: set().union(*(metrics_in_source(p.read_text(encoding="utf-8")) for p in paths))
            for owner, paths in files.items() if paths}


@pytest.fixture(scope="session")
def documented_metrics() -> dict[str, str]:
    """Series name -> owner, from the metric names section of docs/ARCHITECTURE.md (the contract)."""
    text = (ROOT / "docs/ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Metric names", 1)[1].split("\n## ", 1)[0]
    owners: dict[str, str] = {}
    owner = "dunghan"
    for line in section.splitlines():
        head = re.match(r"-\s+(\w+):", line)
        if head and head.group(1) in SERVICES:
            owner = head.group(1)
        for name, after in re.findall(r"`(dunghan_\w+)(?:\{[^}]*\})?`(\s*\(histogram)?", line):
            owners[name] = owner
            if after:
                owners |= {f"{name}{suffix}": owner for suffix in ("_bucket", "_sum", "_count")}
    return owners


@pytest.fixture(scope="session")
def service_env() -> dict[str, set[str] | None]:
    """Service -> env names its config reads (asked by from_env or named in config.py); None if not written."""
    result: dict[str, set[str] | None] = {}
    for s in SERVICES:
        path = ROOT / f"services/{s}/src/{s}/config.py"
        if not path.exists():
            result[s] = None
            continue
        names = set(re.findall(r"[\"']([A-Z][A-Z0-9_]{2,})[\"']", path.read_text(encoding="utf-8")))
        probe = EnvProbe()
        with contextlib.suppress(Exception):  # a config being written: its literals still count
            importlib.import_module(f"{s}.config").Settings.from_env(probe)
        result[s] = names | probe.asked
    return result


@pytest.fixture(scope="session")
def console_scripts() -> dict[str, set[str]]:
    scripts: dict[str, set[str]] = {}
    for s in SERVICES:
        data = tomllib.loads((ROOT / f"services/{s}/pyproject.toml").read_text(encoding="utf-8"))
        scripts[s] = set(data["project"].get("scripts", {}))
    return scripts
