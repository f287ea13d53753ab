"""A real Prometheus (the ``prometheus`` binary, Debian's package) with the project's rules, scraping a ``Stack``.

The project's configuration is kept (job names, ``app`` target labels, RabbitMQ's per-object endpoint); targets
point at the stack's ports, intervals are short so a test sees data within seconds, and only the stack's own
queues (its AMQP prefix) are kept from a shared broker.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from dunghan.testing.stack import ROOT, Stack, free_port

RULES = ROOT / "deploy/prometheus/rules"
CONFIG = ROOT / "deploy/prometheus/prometheus.yml"


def live_config(stack: Stack, rules_dir: Path, rabbitmq: str, queue_prefix: str,
                scrape_seconds: int = 1, eval_seconds: int = 2) -> dict[str, Any]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    config["global"] = {**config["global"], "scrape_interval": f"{scrape_seconds}s",
                        "evaluation_interval": f"{eval_seconds}s"}
    config["rule_files"] = [str(rules_dir / "*.yml")]
    config.pop("alerting", None)
    services = stack.services.items()
    targets = {
        "dunghan-web": [{"targets": [f"127.0.0.1:{s.port}"], "labels": {"app": n}} for n, s in services],
        "dunghan-worker": [{"targets": [f"127.0.0.1:{s.metrics_port}"], "labels": {"app": n}}
                           for n, s in services],
        "rabbitmq": [{"targets": [rabbitmq]}],
    }
    jobs = []
    for job in config["scrape_configs"]:
        if job["job_name"] not in targets:
            continue
        job = {**job, "static_configs": targets[job["job_name"]]}
        if job["job_name"] == "rabbitmq":
            job["metric_relabel_configs"] = [
                {"source_labels": ["queue"], "regex": f"({re.escape(queue_prefix)}.*)?", "action": "keep"}]
        jobs.append(job)
    config["scrape_configs"] = jobs
    return config


def live_rules(target: Path, eval_seconds: int = 2) -> Path:
    """The project's rules with every group's interval shortened (their windows stay as written)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in RULES.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in data["groups"]:
            if "interval" in group:
                group["interval"] = f"{eval_seconds}s"
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (target / path.name).write_text(text, encoding="utf-8")
    return target


@dataclass
class Prometheus:
    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, config: dict[str, Any], timeout: float = 30.0) -> Prometheus:
        binary = shutil.which("prometheus")
        if binary is None:
            raise FileNotFoundError("prometheus (apt-get install prometheus)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "prometheus.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        log = (self.workdir / "prometheus.log").open("ab")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={path}", f"--storage.tsdb.path={self.workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1h"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.log_tail()}")
            try:
                if requests.get(self.url + "/-/ready", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"prometheus not ready: {self.log_tail()}")

    def query(self, expr: str) -> list[dict[str, Any]]:
        resp = requests.get(self.url + "/api/v1/query", params={"query": expr}, timeout=10)
        body = resp.json()
        if body.get("status") != "success":
            raise AssertionError(f"{expr}: {body.get('error')}")
        return list(body["data"]["result"])

    def log_tail(self, lines: int = 30) -> str:
        path = self.workdir / "prometheus.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
