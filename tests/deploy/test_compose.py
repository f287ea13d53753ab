"""docker-compose.yml parses and refers only to commands, modules, env vars and ports that exist in the code."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

SERVICES = ("intake", "deadline", "scoring", "notify")
PORTS = {"intake": (8001, 9101), "deadline": (8002, 9102), "scoring": (8003, 9103), "notify": (8004, 9104)}
# Read by libraries, not by a service config: prometheus_client and gunicorn.
EXTERNAL_ENV = {"PROMETHEUS_MULTIPROC_DIR", "WEB_CONCURRENCY", "WEB_THREADS", "GUNICORN_CMD_ARGS"}
INFRA = {"rabbitmq", "postgres", "prometheus", "alertmanager", "grafana", "mailpit"}


def containers(compose: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(s, tier, compose["services"][f"{s}-{tier}"]) for s in SERVICES for tier in ("web", "worker")]


def test_compose_has_every_service_tier_and_the_infrastructure(compose: dict[str, Any]) -> None:
    names = set(compose["services"])
    assert {f"{s}-{t}" for s in SERVICES for t in ("web", "worker")} | INFRA <= names


@pytest.mark.parametrize("name", SERVICES)
def test_service_containers_build_one_image_per_service_and_wait_for_healthy_dependencies(
    compose: dict[str, Any], name: str
) -> None:
    for _, tier, c in (x for x in containers(compose) if x[0] == name):
        assert c["build"]["args"]["SERVICE"] == name and c["build"]["dockerfile"] == "deploy/docker/Dockerfile"
        assert c["image"].startswith(f"dunghan/{name}:")
        assert c["restart"] == "unless-stopped"
        assert {d: v["condition"] for d, v in c["depends_on"].items()} == {
            "postgres": "service_healthy", "rabbitmq": "service_healthy"}
        assert c["healthcheck"]["test"][0] == "CMD", tier


def test_worker_commands_are_console_scripts_declared_in_pyproject(
    compose: dict[str, Any], console_scripts: dict[str, set[str]]
) -> None:
    for s, tier, c in containers(compose):
        if tier == "worker":
            assert c["command"] == [f"{s}-worker"]
            assert f"{s}-worker" in console_scripts[s]
        else:
            assert "command" not in c, "web runs the image's gunicorn CMD"


@pytest.mark.parametrize("name", SERVICES)
def test_web_wsgi_module_exists(root: Path, name: str) -> None:
    package = root / f"services/{name}/src/{name}"
    if not (package / "app.py").exists():
        pytest.skip(f"{name}: app.py not written yet")
    assert (package / "wsgi.py").exists()
    assert re.search(r"^app\s*=", (package / "wsgi.py").read_text(encoding="utf-8"), re.M)


def test_ports_match_the_architecture_and_the_healthchecks(compose: dict[str, Any]) -> None:
    for s, tier, c in containers(compose):
        web, metrics = PORTS[s]
        env = c["environment"]
        assert (int(env["PORT"]), int(env["METRICS_PORT"])) == (web, metrics)
        port = web if tier == "web" else metrics
        assert c["ports"] == [f"{port}:{port}"]
        path = "/healthz" if tier == "web" else "/metrics"
        assert c["healthcheck"]["test"][-1] == f"http://127.0.0.1:{port}{path}"


def test_prometheus_scrapes_every_web_and_worker_and_rabbitmq(root: Path) -> None:
    config = yaml.safe_load((root / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        j["job_name"]: {t for sc in j["static_configs"] for t in sc["targets"]} for j in config["scrape_configs"]
    }
    assert targets["dunghan-web"] == {f"{s}-web:{PORTS[s][0]}" for s in SERVICES}
    assert targets["dunghan-worker"] == {f"{s}-worker:{PORTS[s][1]}" for s in SERVICES}
    assert targets["rabbitmq"] == {"rabbitmq:15692"}


def test_service_env_vars_are_read_by_the_service_config(
    compose: dict[str, Any], service_env: dict[str, set[str] | None]
) -> None:
    unknown: dict[str, list[str]] = {}
    for s, tier, c in containers(compose):
        known = service_env[s]
        if known is None:
            continue
        extra = set(c["environment"]) - known - EXTERNAL_ENV
        if extra:
            unknown[f"{s}-{tier}"] = sorted(extra)
    assert unknown == {}


def test_urls_use_the_service_own_credentials(compose: dict[str, Any]) -> None:
    for s, _, c in containers(compose):
        env = c["environment"]
        assert env["DATABASE_URL"].startswith(f"postgresql+psycopg://{s}:${{{s.upper()}_DB_PASSWORD")
        assert env["DATABASE_URL"].endswith(f"@postgres:5432/dunghan_{s}")
        assert env["AMQP_URL"].startswith(f"amqp://{s}:${{{s.upper()}_AMQP_PASSWORD")


def test_no_secret_is_committed_and_every_secret_is_documented(root: Path) -> None:
    text = (root / "docker-compose.yml").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (root / ".env.example").read_text(encoding="utf-8"), re.M))
    referenced = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert referenced - documented == set()
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", text))
    must_be_set = {v for v in referenced if re.search(r"_DB_PASSWORD|_AMQP_PASSWORD|^POSTGRES|GRAFANA|PEPPER", v)}
    assert must_be_set <= required
    for line in text.splitlines():
        m = re.match(r"\s+([A-Z_]*(PASSWORD|TOKEN|PEPPER))\s*:\s*(.*)$", line)
        if m:
            assert m.group(3).startswith("${"), f"literal secret in docker-compose.yml: {m.group(1)}"
    assert ".env" in (root / ".gitignore").read_text(encoding="utf-8").split()


def test_infrastructure_images_are_tagged_and_configured(compose: dict[str, Any]) -> None:
    svc = compose["services"]
    for name in INFRA | {"rabbitmq-definitions"}:
        image = svc[name]["image"]
        assert ":" in image and not image.endswith(":latest"), name
    assert svc["rabbitmq"]["image"].startswith("rabbitmq:3.13-management")
    assert svc["postgres"]["image"].startswith("postgres:15")
    volumes = " ".join(svc["rabbitmq"]["volumes"])
    assert "enabled_plugins" in volumes and "rabbitmq.conf" in volumes and "/etc/rabbitmq/definitions" in volumes
    assert "GF_SECURITY_ADMIN_PASSWORD" in svc["grafana"]["environment"]
    assert any("docker-entrypoint-initdb.d" in v for v in svc["postgres"]["volumes"])


def test_rabbitmq_config_enables_plugins_per_queue_metrics_and_definitions(root: Path) -> None:
    plugins = (root / "deploy/rabbitmq/enabled_plugins").read_text(encoding="utf-8")
    assert "rabbitmq_management" in plugins and "rabbitmq_prometheus" in plugins and plugins.strip().endswith(".")
    conf = dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition("=") for line in (root / "deploy/rabbitmq/rabbitmq.conf").read_text(
            encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))
    )
    assert conf["prometheus.return_per_object_metrics"] == "true"
    assert conf["load_definitions"] == "/etc/rabbitmq/definitions/definitions.json"
    assert conf["prometheus.tcp.port"] == "15692"
