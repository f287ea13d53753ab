"""`make dev`: every service's web (gunicorn) and worker in the foreground against local RabbitMQ/PostgreSQL."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from supervise import Child, Supervisor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_broker import DEV_VHOST, provision

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVICES = {"intake": (8001, 9101), "deadline": (8002, 9102), "scoring": (8003, 9103), "notify": (8004, 9104)}


DEV_OPERATOR_KEY = "dev-operator-key"
DEV_ROLE_KEYS = {"union": "dev-union-key", "leadership": "dev-leadership-key"}  # reward proposals' workflow
DEPARTMENT = "dept.sct"
DATA = ROOT / "services/intake/src/intake/data"
ORG_FILE = DATA / "org_sct.yaml"
DEV_PAGE_ROLES = "SCT-VP-02:leadership;SCT-VP-04:operator"  # the sample organisation names no leadership


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
    subprocess.run([*manage, "load-org", str(DATA / "org_sct.yaml")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "load-catalogue", str(DATA / "procedures_sct.yaml")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    # deadline learns the catalogue from intake's announcements (the due-date preview); a database made before
    # announcements existed has never had them
    subprocess.run([*manage, "announce-catalogue"], env=env, check=True, stdout=subprocess.DEVNULL)
    if first_time:
        subprocess.run([*manage, "create-key", "--name", "dev-department", "--agency", "SCT", "--role", "system",
                        "--amqp-user", DEPARTMENT], env=env, check=True, stdout=subprocess.DEVNULL)


def make_url_amqp(amqp_url: str) -> tuple[str, int]:
    """Host and port of the local broker (``make dev`` provisions it with rabbitmqctl)."""
    parsed = urlparse(amqp_url)
    return parsed.hostname or "127.0.0.1", parsed.port or 5672


def enable_rabbitmq_prometheus() -> None:
    """RabbitMQ's rabbitmq_prometheus plugin (per-queue series on :15692) for the queue dashboards and alerts; a
    broker on another machine, or without ``rabbitmq-plugins`` here, is left as it is."""
    try:
        done = subprocess.run(["rabbitmq-plugins", "enable", "rabbitmq_prometheus"], capture_output=True,
                              text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"rabbitmq_prometheus not enabled ({type(exc).__name__}): queue panels will be empty")
        return
    if done.returncode != 0:
        print(f"rabbitmq_prometheus not enabled: {done.stderr.strip()[:200]}")


def main() -> int:
    enable_rabbitmq_prometheus()
    admin = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    admin = admin.replace("postgresql://", "postgresql+psycopg://", 1)
    children: list[Child] = []
    multiproc_root = ROOT / "var" / "prometheus"
    dev_key_hash = hashlib.sha256(DEV_OPERATOR_KEY.encode()).hexdigest()
    keys = os.environ.get("API_KEYS") or ";".join(
        [f"dev:SCT:operator:{dev_key_hash}"] + [f"dev-{role}:SCT:{role}:{hashlib.sha256(key.encode()).hexdigest()}"
                                                for role, key in DEV_ROLE_KEYS.items()])
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
            # the staff pages: the development sign-in (this machine only) over the sample organisation
            "PAGES_DEV_LOGIN": os.environ.get("PAGES_DEV_LOGIN", "1"),
            "PAGES_ORG_FILE": os.environ.get("PAGES_ORG_FILE", str(ORG_FILE)),
            "PAGES_ROLES": os.environ.get("PAGES_ROLES", DEV_PAGE_ROLES),
            "NOTIFY_LINK_BASE": os.environ.get("NOTIFY_LINK_BASE",
                                               f"http://127.0.0.1:{SERVICES['deadline'][0]}/ho-so/"),
        }
        if service == "intake":
            seed_intake(env, created)
        (multiproc_root / service).mkdir(parents=True, exist_ok=True)
        for f in (multiproc_root / service).glob("*.db"):
            f.unlink()
        web = [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/docker/gunicorn.conf.py"),
               "-b", f"127.0.0.1:{port}", f"{service}.wsgi:app"]
        children.append(Child(f"{service}-web", web, env))
        worker_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        children.append(Child(f"{service}-worker", [str(BIN / f"{service}-worker")], worker_env))
        print(f"{service}: web http://127.0.0.1:{port}  worker metrics http://127.0.0.1:{metrics_port}/metrics")
    print("staff pages (development sign-in): http://127.0.0.1:8002/don-vi (dossiers), "
          "http://127.0.0.1:8003/thi-dua (campaign, reports)")
    print(f"broker vhost {DEV_VHOST}: every service under its own user, as in production "
          "(deploy/rabbitmq/definitions.json)")
    print(f"departmental system SCT (AMQP user {DEPARTMENT}): {amqp[DEPARTMENT]}")
    print(f"  make demo: {BIN / 'python'} tools/demo.py --close-phases --amqp-url '{amqp[DEPARTMENT]}'")
    if not os.environ.get("API_KEYS"):
        print(f"API key (operator): {DEV_OPERATOR_KEY}  e.g. curl -H 'Authorization: Bearer {DEV_OPERATOR_KEY}' "
              "http://127.0.0.1:8001/api/v1/dossiers")
        print("API keys for reward proposals: " + ", ".join(f"{r}: {k}" for r, k in DEV_ROLE_KEYS.items()))

    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Each process leads its own process group: a dead one's group (a gunicorn master's orphaned workers,
    # still holding the port) is killed and waited for before it starts again; Ctrl-C stops every group.
    Supervisor(children).run(stopping.is_set)
    return 0


if __name__ == "__main__":
    sys.exit(main())
