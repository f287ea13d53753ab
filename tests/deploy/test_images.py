"""The Dockerfile, the gunicorn settings, the container healthcheck and the PostgreSQL init script."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from dunghan.testing.scripts import load_script


def test_dockerfile_pins_its_base_installs_from_the_lock_and_runs_as_non_root(root: Path) -> None:
    text = (root / "deploy/docker/Dockerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert bases and all(re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", b) for b in bases)
    assert re.search(r"pip install -c requirements\.lock", text)
    assert "COPY requirements.lock" in text
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert re.search(r"^HEALTHCHECK ", text, re.M)
    final_stage = re.split(r"^FROM\s", text, flags=re.M)[-1]
    assert "PROMETHEUS_MULTIPROC_DIR" not in re.sub(r"#.*", "", final_stage), \
        "an ENV, even empty, switches multiprocess metrics on in the worker processes too"
    assert 'gunicorn --config /etc/dunghan/gunicorn.conf.py \\"${SERVICE}.wsgi:app\\"' in text


def test_gunicorn_sets_the_multiprocess_directory_when_the_image_leaves_it_unset(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "restored-after-the-test")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    load_script(root / "deploy/docker/gunicorn.conf.py", "gunicorn_conf_default")
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "prometheus-multiproc")


def test_dockerignore_keeps_the_virtualenv_git_and_secrets_out_and_the_copied_files_in(root: Path) -> None:
    import fnmatch

    rules = [line.strip() for line in (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]

    def ignored(path: str) -> bool:
        result = False
        for rule in rules:
            negate, pattern = rule.startswith("!"), rule.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*") or \
                    (pattern == "**" and path):
                result = not negate
        return result

    for path in (".venv/bin/python", ".git/HEAD", ".env", "var/prometheus/x.db", ".mypy_cache/x",
                 "services/intake/tests/unit/test_domain.py", "libs/dunghan/src/dunghan/__pycache__/x.pyc"):
        assert ignored(path), path
    text = (root / "deploy/docker/Dockerfile").read_text(encoding="utf-8")
    copied = [s for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M) for s in line.split()[:-1]]
    for source in copied:
        assert not ignored(source.replace("${SERVICE}", "intake") + "/pyproject.toml") or \
            not ignored(source.replace("${SERVICE}", "intake")), source


def test_gunicorn_clears_stale_metric_files_on_start_and_marks_dead_workers(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prom"))
    monkeypatch.setenv("PORT", "8003")
    conf = load_script(root / "deploy/docker/gunicorn.conf.py", "gunicorn_conf")
    assert conf.bind == "0.0.0.0:8003"
    assert conf.control_socket_disable is True
    (tmp_path / "prom").mkdir()
    (tmp_path / "prom" / "counter_41.db").write_bytes(b"stale")
    conf.on_starting(None)
    assert list((tmp_path / "prom").iterdir()) == []
    for kind in ("gauge_livemax_42.db", "gauge_max_42.db", "gauge_livemax_43.db"):
        (tmp_path / "prom" / kind).write_bytes(b"")
    conf.child_exit(None, SimpleNamespace(pid=42))
    assert sorted(p.name for p in (tmp_path / "prom").iterdir()) == ["gauge_livemax_43.db", "gauge_max_42.db"]


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path in ("/healthz", "/metrics") else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_port() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_healthcheck_tries_web_then_worker_ports(root: Path, http_port: int) -> None:
    hc = load_script(root / "deploy/docker/healthcheck.py", "healthcheck")
    assert hc.candidates([], {"PORT": "1", "METRICS_PORT": "2"}) == [
        "http://127.0.0.1:1/healthz", "http://127.0.0.1:2/metrics"]
    assert hc.healthy(f"http://127.0.0.1:{http_port}/metrics")
    assert not hc.healthy(f"http://127.0.0.1:{http_port}/nothing")
    assert not hc.healthy("http://127.0.0.1:9/healthz", timeout=0.5)


def test_postgres_init_script_is_valid_bash(root: Path) -> None:
    subprocess.run(["bash", "-n", str(root / "deploy/postgres/init.sh")], check=True, timeout=10)


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("psql") is None, reason="psql not installed")
def test_postgres_init_script_creates_one_owned_database_per_service_and_is_idempotent(
    root: Path, database_admin_url: str
) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_admin_url)
    token = uuid.uuid4().hex[:8]
    names = [f"dhinit{token}{i}" for i in range(2)]
    env = {"PATH": os.environ["PATH"], "PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432),
           "POSTGRES_USER": url.username or "postgres", "POSTGRES_DB": url.database or "postgres",
           "DUNGHAN_SERVICES": " ".join(names), **{f"{n.upper()}_DB_PASSWORD": "pw'1" for n in names}}
    if url.password:
        env["PGPASSWORD"] = url.password
    admin = create_engine(database_admin_url, isolation_level="AUTOCOMMIT")
    try:
        for _ in range(2):
            subprocess.run(["bash", str(root / "deploy/postgres/init.sh")], env=env, check=True, timeout=60,
                           capture_output=True)
        with admin.connect() as conn:
            owners = conn.execute(text(
                "SELECT d.datname, r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
                "WHERE d.datname = ANY(:names)"), {"names": [f"dunghan_{n}" for n in names]}).all()
            assert sorted(owners) == [(f"dunghan_{n}", n) for n in names]
    finally:
        with admin.connect() as conn:
            for n in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "dunghan_{n}"'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{n}"'))
        admin.dispose()
