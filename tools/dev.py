"""`make dev`: every service's web (gunicorn) and worker in the foreground against local RabbitMQ/PostgreSQL."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_broker import DEV_VHOST, provision

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVICES = {"intake": (8001, 9101), "deadline": (8002, 9102), "scoring": (8003, 9103), "notify": (8004, 9104)}


DEV_OPERATOR_KEY = "dev-operator-key"
DEPARTMENT = "dept.sct"
DATA = ROOT / "services/intake/src/intake/data"


def ensure_database(admin_url: str, name: str) -> tuple[str, bool]:
    """The database's URL, and whether it was created just now."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    created = False
    with engine.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            created = True
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), created


def seed_intake(env: dict[str, str], first_time: bool) -> None:
    """The sample catalogue and organisation (idempotent); on a new database, the AMQP user ``dept.sct`` as the
    departmental system of SCT."""
    manage = [sys.executable, "-m", "intake.manage"]
    subprocess.run([*manage, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "load-catalogue", str(DATA / "procedures_sct.yaml")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "load-org", str(DATA / "org_sct.yaml")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    if first_time:
        subprocess.run([*manage, "create-key", "--name", "dev-department", "--agency", "SCT", "--role", "system",
                        "--amqp-user", DEPARTMENT], env=env, check=True, stdout=subprocess.DEVNULL)


def make_url_amqp(amqp_url: str) -> tuple[str, int]:
    """Host and port of the local broker (``make dev`` provisions it with rabbitmqctl)."""
    parsed = urlparse(amqp_url)
    return parsed.hostname or "127.0.0.1", parsed.port or 5672


def main() -> int:
    admin = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    admin = admin.replace("postgresql://", "postgresql+psycopg://", 1)
    procs: list[subprocess.Popen[bytes]] = []
    multiproc_root = ROOT / "var" / "prometheus"
    dev_key_hash = hashlib.sha256(DEV_OPERATOR_KEY.encode()).hexdigest()
    keys = os.environ.get("API_KEYS") or f"dev:SCT:operator:{dev_key_hash}"
    broker = make_url_amqp(os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    amqp = provision(*broker)
    for service, (port, metrics_port) in SERVICES.items():
        url, created = ensure_database(admin, f"dunghan_{service}")
        env = {
            **os.environ,
            "API_KEYS": keys,
            "AMQP_URL": amqp[service],
            "AMQP_PRODUCERS": "",
            "DATABASE_URL": url,
            "PORT": str(port),
            "METRICS_PORT": str(metrics_port),
            "PROMETHEUS_MULTIPROC_DIR": str(multiproc_root / service),
        }
        if service == "intake":
            seed_intake(env, created)
        (multiproc_root / service).mkdir(parents=True, exist_ok=True)
        for f in (multiproc_root / service).glob("*.db"):
            f.unlink()
        web = [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/docker/gunicorn.conf.py"),
               "-b", f"127.0.0.1:{port}", f"{service}.wsgi:app"]
        procs.append(subprocess.Popen(web, env=env))
        worker_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        procs.append(subprocess.Popen([str(BIN / f"{service}-worker")], env=worker_env))
        print(f"{service}: web http://127.0.0.1:{port}  worker metrics http://127.0.0.1:{metrics_port}/metrics")
    print(f"broker vhost {DEV_VHOST}: every service under its own user, as in production "
          "(deploy/rabbitmq/definitions.json)")
    print(f"departmental system SCT (AMQP user {DEPARTMENT}): {amqp[DEPARTMENT]}")
    print(f"  make demo: {BIN / 'python'} tools/demo.py --close-phases --amqp-url '{amqp[DEPARTMENT]}'")
    if not os.environ.get("API_KEYS"):
        print(f"API key (operator): {DEV_OPERATOR_KEY}  e.g. curl -H 'Authorization: Bearer {DEV_OPERATOR_KEY}' "
              "http://127.0.0.1:8001/api/v1/dossiers")

    def stop(*_: object) -> None:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


if __name__ == "__main__":
    sys.exit(main())
