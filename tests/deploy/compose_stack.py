"""The application containers of docker-compose.yml as local processes, on an isolated vhost and databases."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dunghan.testing.stack import free_port

from .compose_isolation import SERVICES, Isolation
from .compose_local import Image, Translation, container_argv, healthcheck_argv, read_dockerfile, wait_for

APP_CONTAINERS = [f"{s}-{t}" for s in SERVICES for t in ("web", "worker")] + ["idp", "seed"]


@dataclasses.dataclass
class Container:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    tmp: Path
    health: list[str] | None
    translation: Translation
    process: subprocess.Popen[bytes] | None = None


class ComposeStack:
    def __init__(self, isolation: Isolation, smtp_port: int) -> None:
        self.isolation = isolation
        self.compose = isolation.compose
        self.smtp_port = smtp_port
        self.dir = isolation.workdir / f"stack-{uuid.uuid4().hex[:6]}"
        self.containers: dict[str, Container] = {}
        self.seed_output = ""
        # Every published port of an application container gets its local stand-in up front: other containers
        # reach it by service name (idp:9000), people and redirects by the published host port (:18002).
        self.listens: dict[tuple[str, int], int] = {}
        self.published: dict[int, int] = {}
        for name in APP_CONTAINERS:
            for spec in self.compose["services"][name].get("ports", []):
                host_port, container_port = (int(p) for p in str(spec).rsplit(":", 2)[-2:])
                self.listens[(name, container_port)] = self.published[host_port] = free_port()

    def image(self, svc: Mapping[str, Any]) -> Image:
        build = svc["build"]
        return read_dockerfile(self.isolation.root / build["dockerfile"], self.isolation.root, build["args"])

    def container(self, name: str) -> Container:
        if name in self.containers:
            return self.containers[name]
        svc = self.compose["services"][name]
        image = self.image(svc)
        tmp = self.dir / name / "tmp"
        tmp.mkdir(parents=True)
        paths = {path: str(local) for path, local in image.files.items()}
        paths |= {"/opt/venv": sys.prefix, "/tmp": str(tmp)}
        for volume in svc.get("volumes", []):  # bind mounts of files from the checkout
            source, target = str(volume).split(":")[:2]
            if source.startswith(("./", "/")):
                paths[target] = str((self.isolation.root / source).resolve())
        own = {p: free_port() for p in image.exposed}
        own |= {cp: lp for (n, cp), lp in self.listens.items() if n == name}
        tr = self.isolation.translation(self.smtp_port, own_ports=own, paths=paths)
        tr.hosts |= {(n, cp): ("127.0.0.1", lp) for (n, cp), lp in self.listens.items()}
        tr.published = self.published
        env = tr.environment({**image.env, **svc.get("environment", {})})
        env["PATH"] = env["PATH"].replace("$PATH", os.environ["PATH"])
        env |= {"TMPDIR": str(tmp), "HOME": str(tmp)}
        env.setdefault("WEB_CONCURRENCY", "1")  # resources only: two cores shared by the whole test run
        users = self.isolation.broker_users  # this run's stand-ins for the production user names
        env["AMQP_PRODUCERS"] = ",".join(f"{s}:{users[s]}" for s in ("intake", "deadline", "scoring", "notify"))
        health = tr.command(healthcheck_argv(svc)) if "healthcheck" in svc else None
        c = Container(name, tr.command(container_argv(svc, image)), env, Path(tr.path(image.workdir)), tmp,
                      health, tr)
        self.containers[name] = c
        return c

    def start(self, names: list[str], health_timeout: float = 240.0) -> None:
        """In waves, as Compose does: a container starts once those it depends on are healthy or completed."""
        services = self.compose["services"]
        done: set[str] = set()
        while len(done) < len(names):
            wave = [n for n in names if n not in done
                    and all(d in done or d not in names for d in services[n].get("depends_on", {}))]
            assert wave, f"unsatisfiable depends_on among {names}"
            for n in wave:
                if services[n].get("restart") == "no":
                    result = self.run_once(n)
                    assert result.returncode == 0, f"{n} failed:\n{result.stdout}\n{result.stderr}"
                    self.seed_output += result.stdout
                else:
                    self.spawn(n)
            for n in wave:
                if services[n].get("restart") != "no":
                    self.wait_healthy(n, health_timeout)
            done |= set(wave)

    def spawn(self, name: str) -> None:
        c = self.container(name)
        log = (self.dir / f"{name}.log").open("ab")
        c.process = subprocess.Popen(c.argv, env=c.env, cwd=c.cwd, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def run_once(self, name: str) -> subprocess.CompletedProcess[str]:
        c = self.container(name)
        return subprocess.run(c.argv, env=c.env, cwd=c.cwd, capture_output=True, text=True, timeout=300,
                              check=False)

    def wait_healthy(self, name: str, timeout: float) -> None:
        c = self.container(name)
        health = c.health
        assert health, f"{name} has no healthcheck"

        def healthy() -> bool:
            if c.process and c.process.poll() is not None:
                raise AssertionError(f"{name} exited with {c.process.returncode} before it was healthy:\n"
                                     + self.tail(name))
            return subprocess.run(health, env=c.env, capture_output=True, timeout=30,
                                  check=False).returncode == 0

        try:
            wait_for(healthy, timeout, f"{name} to be healthy")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.tail(name)}") from None

    def published_url(self, name: str) -> str:
        """Where a person reaches a container's published port (here: its local stand-in)."""
        container_port = int(str(self.compose["services"][name]["ports"][0]).rsplit(":", 1)[1])
        return f"http://127.0.0.1:{self.listens[(name, container_port)]}"

    def local_url(self, url: str) -> str:
        """A URL as a person's browser would follow it (a published host port) to its local stand-in."""
        return self.container("seed").translation.url(url)

    def department_url(self) -> str:
        return self.container("seed").env["DEPARTMENT_AMQP_URL"]

    def department_user(self) -> str:
        return unquote(urlsplit(self.department_url()).username or "")

    def worker_metric_files(self) -> dict[str, list[str]]:
        found = {n: [p.name for p in c.tmp.rglob("*.db")] for n, c in self.containers.items()
                 if n.endswith("-worker")}
        return {n: files for n, files in found.items() if files}

    def web_metric_files(self) -> dict[str, list[str]]:
        return {n: [p.name for p in c.tmp.rglob("*.db")] for n, c in self.containers.items() if n.endswith("-web")}

    def tail(self, name: str, lines: int = 30) -> str:
        log = self.dir / f"{name}.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return f"--- {name}\n" + "\n".join(text.splitlines()[-lines:])

    def tails(self) -> str:
        return "\n".join(self.tail(n) for n in self.containers)

    def stop(self) -> None:
        running = [c.process for c in self.containers.values() if c.process and c.process.poll() is None]
        for p in running:
            os.killpg(p.pid, signal.SIGTERM)
        for p in running:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
