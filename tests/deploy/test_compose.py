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
        if tier == "web":
            host = f"${{DUNGHAN_BIND_ADDRESS:-127.0.0.1}}:${{DUNGHAN_{s.upper()}_PORT:-1{web}}}"
            assert c["ports"] == [f"{host}:{web}"]
        else:
            assert "ports" not in c, "workers are scraped inside the Compose network, not published"
        assert c["healthcheck"]["test"][-1] == f"http://127.0.0.1:{port}/readyz"


def published(compose: dict[str, Any], root: Path) -> dict[str, list[tuple[str, int, int]]]:
    """Service -> (bind address, host port, container port), with the defaults of .env.example."""
    from .compose_local import interpolate, read_env_file

    env = read_env_file(root / ".env.example")
    out: dict[str, list[tuple[str, int, int]]] = {}
    for name, svc in compose["services"].items():
        for spec in svc.get("ports", []):
            address, host, container = interpolate(str(spec), env).rsplit(":", 2)
            out.setdefault(name, []).append((address, int(host), int(container)))
    return out


def test_only_what_a_person_opens_is_published_away_from_local_servers_and_make_dev(
    compose: dict[str, Any], root: Path
) -> None:
    ports = published(compose, root)
    assert set(ports) == {f"{s}-web" for s in SERVICES} | {"grafana", "mailpit", "rabbitmq", "idp"}
    assert [p[2] for p in ports["rabbitmq"]] == [5672], "AMQP only (departmental systems, make demo)"
    host_ports = [p[1] for entries in ports.values() for p in entries]
    assert len(host_ports) == len(set(host_ports))
    taken = {5432, 5672, 15672, 15692, 3000, 9090, 9093, 1025, 8025} | {p for pair in PORTS.values() for p in pair}
    assert not set(host_ports) & taken
    assert {p[0] for entries in ports.values() for p in entries} == {"127.0.0.1"}
    for spec in (str(s) for svc in compose["services"].values() for s in svc.get("ports", [])):
        assert spec.startswith("${DUNGHAN_BIND_ADDRESS:-127.0.0.1}:${DUNGHAN_"), spec
    documented = (root / "README.md").read_text(encoding="utf-8") + (root / "deploy/README.md").read_text(
        encoding="utf-8")
    ranges = [range(int(a), int(b) + 1) for a, b in re.findall(r"\b(\d{4,5})–(\d{4,5})\b", documented)]
    for port in host_ports:
        assert str(port) in documented or any(port in r for r in ranges), f"host port {port} is not documented"


def test_workers_leave_the_multiprocess_directory_unset_and_webs_set_it(compose: dict[str, Any]) -> None:
    for _, tier, c in containers(compose):
        if tier == "worker":
            assert "PROMETHEUS_MULTIPROC_DIR" not in c["environment"]
        else:
            assert c["environment"]["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")


def test_postgres_is_healthy_only_over_tcp_after_its_init(compose: dict[str, Any]) -> None:
    test = compose["services"]["postgres"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "pg_isready"] and test[test.index("-h") + 1] == "127.0.0.1"


def test_the_seed_runs_once_after_every_service_is_healthy(compose: dict[str, Any]) -> None:
    seed = compose["services"]["seed"]
    assert seed["restart"] == "no" and seed["image"].startswith("dunghan/intake:")
    assert seed["command"] == ["python", "/etc/dunghan/seed.py"]
    assert {d: v["condition"] for d, v in seed["depends_on"].items()} == {
        f"{s}-{t}": "service_healthy" for s in SERVICES for t in ("web", "worker")}
    assert seed["environment"]["DEPARTMENT_AMQP_URL"].startswith("amqp://dept.sct:${DEPT_SCT_AMQP_PASSWORD")


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
    must_be_set = {v for v in referenced
                   if re.search(r"_DB_PASSWORD|_AMQP_PASSWORD|^POSTGRES|GRAFANA_ADMIN|PEPPER|OPERATOR_KEY", v)}
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
    assert "GF_USERS_DEFAULT_LANGUAGE" in svc["grafana"]["environment"]
    assert not any(k.startswith("GF_DEFAULT_") for k in svc["grafana"]["environment"]), "not a Grafana setting"
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
