"""Private RabbitMQ and PostgreSQL for the chaos run: restarted and cut off, the shared servers untouched."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dunghan.testing.stack import free_port

RABBITMQ_SERVER = "/usr/sbin/rabbitmq-server"
RABBITMQCTL = "/usr/sbin/rabbitmqctl"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _run(cmd: list[str], timeout: float = 120.0, **kw: object) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return str(done.stdout)


def _chown(path: Path, user: str) -> None:
    subprocess.run(["chown", "-R", f"{user}:{user}", str(path)], check=True)


@dataclass
class PrivateRabbit:
    """A second RabbitMQ node (own name, ports, data and logs) run as the ``rabbitmq`` user."""

    base: Path
    node: str = field(default_factory=lambda: f"chaos-{uuid.uuid4().hex[:8]}@localhost")
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    @property
    def pid_file(self) -> Path:
        return self.base / "rabbit.pid"

    def env(self) -> dict[str, str]:
        return {
            "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port), "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"), "RABBITMQ_PID_FILE": str(self.pid_file),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
        }

    def ctl(self, *args: str, timeout: float = 120.0) -> str:
        return _run([RABBITMQCTL, "-q", "-n", self.node, *args], timeout=timeout)

    def start(self) -> PrivateRabbit:
        if not (self.base / "rabbitmq.conf").exists():
            for d in ("mnesia", "log"):
                (self.base / d).mkdir(parents=True, exist_ok=True)
            (self.base / "enabled_plugins").write_text("[].\n")
            (self.base / "rabbitmq.conf").write_text(
                f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
                "vm_memory_high_watermark.relative = 0.2\ndisk_free_limit.absolute = 50MB\n")
            _chown(self.base, "rabbitmq")
        self.pid_file.unlink(missing_ok=True)
        subprocess.run([RABBITMQ_SERVER, "-detached"], env={**os.environ, **self.env()}, check=True,
                       capture_output=True, timeout=60)
        self.ctl("wait", str(self.pid_file), "--timeout", "90", timeout=120)
        return self

    def stop(self) -> None:
        if self.pid_file.exists():
            self.ctl("stop", str(self.pid_file), timeout=120)
            self.pid_file.unlink(missing_ok=True)

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def close_all_connections(self) -> None:
        self.ctl("close_all_connections", "chaos test")

    def queues(self) -> dict[str, tuple[int, int]]:
        """name → (messages_ready, messages_unacknowledged)."""
        out = self.ctl("list_queues", "--no-table-headers", "name", "messages_ready", "messages_unacknowledged")
        rows: dict[str, tuple[int, int]] = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1].isdigit():
                rows[parts[0]] = (int(parts[1]), int(parts[2]))
        return rows

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL 15 cluster owned by the ``postgres`` user, on its own port and socket directory."""

    base: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> str:
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off"
        return _run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w",
                     "-t", "60", "-o", opts, "-l", str(self.base / "postgres.log"), *args])

    def start(self) -> PrivatePostgres:
        if not self.data.exists():
            self.base.mkdir(parents=True, exist_ok=True)
            _chown(self.base, "postgres")
            _run(["runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(self.data), "-U",
                  "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        self.pg_ctl("start")
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("-m", mode, "stop")

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
