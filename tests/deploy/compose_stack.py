"""The application containers of docker-compose.yml as local processes, on an isolated vhost and databases."""
from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dunghan.testing.stack import free_port

from .compose_local import (
    Image,
    Translation,
    container_argv,
    healthcheck_argv,
    read_dockerfile,
    resolve,
    wait_for,
)

SERVICES = ("intake", "deadline", "scoring", "notify")
APP_CONTAINERS = [f"{s}-{t}" for s in SERVICES for t in ("web", "worker")] + ["seed"]
DEV_VALUES = ("127.0.0.1", "guest", "change-me", "localhost:5432")


@dataclasses.dataclass
class Isolation:
    """A throwaway vhost (the production definitions, users renamed ``<run>-<user>``) and databases and roles
    made by the compose PostgreSQL's init script (``dunghan_<run><service>``, role ``<run><service>``)."""

    root: Path
    compose_raw: dict[str, Any]
    dotenv: dict[str, str]
    amqp_url: str
    database_admin_url: str
    workdir: Path
    run: str

    @property
    def compose(self) -> dict[str, Any]:
        return resolve(self.compose_raw, self.dotenv)  # type: ignore[no-any-return]

    def with_env(self, overrides: Mapping[str, str]) -> Isolation:
        return dataclasses.replace(self, dotenv={**self.dotenv, **overrides})

    @property
    def broker_users(self) -> dict[str, str]:
        defs = json.loads((self.root / "deploy/rabbitmq/definitions.json").read_text(encoding="utf-8"))
        return {u["name"]: f"{self.run}-{u['name']}" for u in defs["users"]}

    def translation(self, smtp_port: int = 1, **kw: Any) -> Translation:
        amqp, db = urlsplit(self.amqp_url), urlsplit(self.database_admin_url)
        return Translation(
            hosts={("rabbitmq", 5672): (amqp.hostname or "127.0.0.1", amqp.port or 5672),
                   ("postgres", 5432): (db.hostname or "127.0.0.1", db.port or 5432),
                   ("mailpit", 1025): ("127.0.0.1", smtp_port)},
            broker_users=self.broker_users, db_roles={s: f"{self.run}{s}" for s in SERVICES},
            databases={f"dunghan_{s}": f"dunghan_{self.run}{s}" for s in SERVICES}, vhost=self.run, **kw)

    def _rabbitmqctl(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["rabbitmqctl", "-q", *args], input=stdin, capture_output=True, text=True,
                              timeout=120, check=False)

    def create(self) -> None:
        if not os.environ.get("AMQP_URL"):
            raise PermissionError("the broker was started by testcontainers: rabbitmqctl cannot load definitions "
                                  "into it (set AMQP_URL to a local RabbitMQ)")
        if urlsplit(self.amqp_url).hostname not in ("127.0.0.1", "localhost"):
            raise PermissionError("the broker of AMQP_URL is not local: rabbitmqctl cannot load definitions")
        if self._rabbitmqctl("status").returncode != 0:
            raise PermissionError("rabbitmqctl cannot reach the local broker (run as its user or as root)")
        self._load_definitions(self._render_definitions())
        self._init_databases()

    def _render_definitions(self) -> dict[str, Any]:
        """Compose's one-shot `rabbitmq-definitions` step, run as a process: its command, environment, volumes."""
        svc = self.compose["services"]["rabbitmq-definitions"]
        out = self.workdir / "volumes" / "rabbitmq-definitions"
        out.mkdir(parents=True, exist_ok=True)
        paths = {"/out": str(out)}
        for volume in svc["volumes"]:
            source, target = volume.split(":")[:2]
            if source.startswith("."):
                paths[target] = str((self.root / source).resolve())
        argv = Translation(hosts={}, paths=paths).command(list(svc["command"]))
        env = {"PATH": os.environ["PATH"], **svc["environment"]}
        done = subprocess.run([sys.executable, *argv[1:]], env=env, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, f"rabbitmq-definitions failed: {done.stderr}"
        return json.loads((out / "definitions.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def _load_definitions(self, defs: dict[str, Any]) -> None:
        users = self.broker_users
        for user in defs["users"]:
            user["name"] = users[user["name"]]
        for perm in defs["permissions"]:
            perm["user"] = users[perm["user"]]
        for section in ("permissions", "exchanges", "queues", "bindings", "policies"):
            for item in defs.get(section, []):
                item["vhost"] = self.run
        defs["vhosts"] = [{"name": self.run}]
        # On standard input: the broker's own user may not read this run's temporary folder.
        done = self._rabbitmqctl("import_definitions", "--format", "json", stdin=json.dumps(defs))
        assert done.returncode == 0, f"import_definitions failed: {done.stderr}"

    def _init_databases(self) -> None:
        """deploy/postgres/init.sh as the compose postgres service mounts it, with that service's environment."""
        svc = self.compose["services"]["postgres"]
        (script,) = [v.split(":")[0] for v in svc["volumes"] if "docker-entrypoint-initdb.d" in v]
        url = urlsplit(self.database_admin_url)
        env = {"PATH": os.environ["PATH"], "PGHOST": url.hostname or "127.0.0.1", "PGPORT": str(url.port or 5432),
               "POSTGRES_USER": unquote(url.username or "postgres"),
               "POSTGRES_DB": url.path.lstrip("/") or "postgres",
               "DUNGHAN_SERVICES": " ".join(f"{self.run}{s}" for s in SERVICES)}
        if url.password:
            env["PGPASSWORD"] = unquote(url.password)
        for key, value in svc["environment"].items():
            m = re.fullmatch(r"([A-Z]+)_DB_PASSWORD", key)
            env[f"{self.run.upper()}{m.group(1)}_DB_PASSWORD" if m else key] = value
        done = subprocess.run(["bash", str(self.root / script)], env=env, capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 0, f"init.sh failed: {done.stderr}"

    def destroy(self) -> None:
        self._rabbitmqctl("delete_vhost", self.run)
        for user in self.broker_users.values():
            self._rabbitmqctl("delete_user", user)
        from sqlalchemy import create_engine, text

        admin = create_engine(self.database_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for s in SERVICES:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "dunghan_{self.run}{s}" WITH (FORCE)'))
                    conn.execute(text(f'DROP ROLE IF EXISTS "{self.run}{s}"'))
        finally:
            admin.dispose()

    def database_trusts_passwords(self) -> bool:
        """Whether a wrong password gets in (a server with trust authentication cannot tell credentials apart)."""
        import psycopg

        url = urlsplit(self.database_admin_url)
        try:
            psycopg.connect(host=url.hostname or "127.0.0.1", port=url.port or 5432, user=f"{self.run}scoring",
                            password="wrong", dbname=f"dunghan_{self.run}scoring", connect_timeout=10).close()
        except psycopg.OperationalError:
            return False
        return True

    def development_defaults(self, name: str) -> list[str]:
        """Settings of a container that kept a development default because compose does not set them."""
        svc = self.compose["services"][name]
        service = svc["build"]["args"]["SERVICE"]
        settings_cls = importlib.import_module(f"{service}.config").Settings
        settings, defaults = settings_cls.from_env(svc["environment"]), settings_cls()
        left = []
        for f in dataclasses.fields(settings_cls):
            value, default = getattr(settings, f.name), getattr(defaults, f.name)
            dev = isinstance(default, str) and any(v in default for v in DEV_VALUES)
            if value == default and (dev or f.name in ("api_keys", "id_pepper")):
                left.append(f.name)
        return left


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
        tr = self.isolation.translation(self.smtp_port, own_ports={p: free_port() for p in image.exposed},
                                        paths=paths)
        env = tr.environment({**image.env, **svc.get("environment", {})})
        env["PATH"] = env["PATH"].replace("$PATH", os.environ["PATH"])
        env |= {"TMPDIR": str(tmp), "HOME": str(tmp)}
        env.setdefault("WEB_CONCURRENCY", "1")  # resources only: two cores shared by the whole test run
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
        c = self.container(name)
        container_port = int(str(self.compose["services"][name]["ports"][0]).rsplit(":", 1)[1])
        return f"http://127.0.0.1:{c.translation.own_ports[container_port]}"

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
