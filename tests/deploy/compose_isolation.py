"""A throwaway broker vhost and databases for running docker-compose.yml's containers as local processes."""
from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .compose_local import Translation, resolve

SERVICES = ("intake", "deadline", "scoring", "notify")
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
        for section in ("permissions", "topic_permissions"):
            for perm in defs.get(section, []):
                perm["user"] = users[perm["user"]]
        for section in ("permissions", "topic_permissions", "exchanges", "queues", "bindings", "policies"):
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
