"""The four services as real processes (gunicorn web + worker), for end-to-end tests, chaos runs and benchmarks."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

SERVICES = ("intake", "deadline", "scoring", "notify")
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[5]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServiceProcs:
    name: str
    port: int
    metrics_port: int
    env: dict[str, str]
    log_dir: Path
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def start_web(self, workers: int = 2) -> None:
        mp = Path(self.env["PROMETHEUS_MULTIPROC_DIR"])
        mp.mkdir(parents=True, exist_ok=True)
        for f in mp.glob("*.db"):
            f.unlink()
        cmd = [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/docker/gunicorn.conf.py"), "-w", str(workers),
               "-b", f"127.0.0.1:{self.port}", f"{self.name}.wsgi:app"]
        self.web = _spawn(cmd, self.env, self.log_dir / f"{self.name}-web.log")

    def start_worker(self) -> None:
        env = {k: v for k, v in self.env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        self.worker = _spawn([str(BIN / f"{self.name}-worker")], env, self.log_dir / f"{self.name}-worker.log")

    def kill_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait()

    def stop(self) -> None:
        for p in (self.web, self.worker):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in (self.web, self.worker):
            if p:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()


def _spawn(cmd: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen(cmd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _with_urls(value: str, urls: dict[str, str]) -> str:
    for placeholder, url in urls.items():
        value = value.replace(placeholder, url)
    return value


@dataclass
class Stack:
    """``Stack(common_env, per_service_env, log_dir).start()``; every service gets its own ports;
    ``{url:deadline}`` in an env value is that service's web address (e.g. ``NOTIFY_LINK_BASE``)."""

    common_env: dict[str, str]
    service_env: dict[str, dict[str, str]]
    log_dir: Path
    services: dict[str, ServiceProcs] = field(default_factory=dict)

    def start(self, timeout: float = 90.0, web_workers: int = 2) -> Stack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        ports = {name: (free_port(), free_port()) for name in SERVICES}
        urls = {f"{{url:{name}}}": f"http://127.0.0.1:{web}" for name, (web, _) in ports.items()}
        for name in SERVICES:
            port, metrics_port = ports[name]
            given = {**self.common_env, **self.service_env.get(name, {})}
            own = {k: _with_urls(v, urls) for k, v in given.items()}
            env = {**base, **own, "PORT": str(port),
                   "METRICS_PORT": str(metrics_port),
                   "PROMETHEUS_MULTIPROC_DIR": str(self.log_dir / f"prom-{name}")}
            if "AMQP_PRODUCERS" not in env and env.get("AMQP_URL"):
                # Every service under the one user of AMQP_URL: each trusts that user as every producer.
                env["AMQP_PRODUCERS"] = unquote(urlparse(env["AMQP_URL"]).username or "guest")
            self.services[name] = ServiceProcs(name, port, metrics_port, env, self.log_dir)
        for svc in self.services.values():
            svc.start_worker()
            svc.start_web(web_workers)
        self.wait_ready(timeout)
        return self

    @contextmanager
    def running(self, timeout: float = 90.0, web_workers: int = 2) -> Iterator[Stack]:
        """Started and seeded with the sample organisation, stopped afterwards; on a failure the logs' tails
        are printed."""
        try:
            self.start(timeout, web_workers)
            self.seed_sample()
            yield self
        except Exception:
            for name in self.services:
                print(self.tail(name, 60))
            raise
        finally:
            self.stop()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.services)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                svc = self.services[name]
                for p in (svc.web, svc.worker):
                    if p is not None and p.poll() is not None:
                        raise RuntimeError(f"{name} exited with {p.returncode}:\n{self.tail(name)}")
                try:
                    if requests.get(svc.url + "/readyz", timeout=2).status_code == 200:
                        pending.discard(name)
                except requests.RequestException:
                    pass
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"not ready: {sorted(pending)}\n" + "\n".join(self.tail(n) for n in pending))

    def tail(self, name: str, lines: int = 40) -> str:
        out = []
        for kind in ("web", "worker"):
            log = self.log_dir / f"{name}-{kind}.log"
            if log.exists():
                out.append(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)

    def seed_sample(self, amqp_user: str = "guest", agency: str = "SCT") -> None:
        """Intake's sample catalogue and organisation, and ``amqp_user`` registered as the agency's system."""
        data = ROOT / "services/intake/src/intake/data"
        for args in (["load-org", str(data / "org_sct.yaml")],
                     ["load-catalogue", str(data / "procedures_sct.yaml")],
                     ["create-key", "--name", f"{amqp_user}-system", "--agency", agency, "--role", "system",
                      "--amqp-user", amqp_user]):
            subprocess.run([sys.executable, "-m", "intake.manage", *args], env=self.services["intake"].env,
                           check=True, capture_output=True, timeout=120)

    def url(self, name: str) -> str:
        return self.services[name].url

    def stop(self) -> None:
        for svc in self.services.values():
            svc.stop()
