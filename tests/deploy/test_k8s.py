"""Kubernetes manifests: generated files up to date, probes, resources, autoscaling, the broker on its operators,
monitoring generated from the Compose files, one image tag, and every rendered manifest validated."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from dunghan.bus.definitions import definitions
from dunghan.bus.topology import TOPOLOGY
from dunghan.testing.scripts import load_script

from .kustomize_lite import build

SERVICES = ("intake", "deadline", "scoring", "notify")
OVERLAYS = ("production", "production-cloudnative-pg")


def generator(root: Path) -> ModuleType:
    return load_script(root / "deploy/k8s/generate.py", "dunghan_k8s")


def documents(root: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((root / "deploy/k8s").rglob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def base(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted((root / "deploy/k8s/base").glob("*.yaml")):
        for d in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if d and "metadata" in d:
                docs[(d["kind"], d["metadata"]["name"])] = d
    return docs


def of_kind(root: Path, kind: str) -> list[dict[str, Any]]:
    return [d for (k, _), d in base(root).items() if k == kind]


def test_every_manifest_parses_and_names_its_kind(root: Path) -> None:
    docs = documents(root)
    assert docs and all("kind" in d and "apiVersion" in d for d in docs)


def test_generated_files_equal_a_fresh_generate_run(root: Path) -> None:
    fresh = generator(root).render()
    on_disk = {str(p.relative_to(root / "deploy/k8s")): p.read_text(encoding="utf-8")
               for folder in ("base", "components/cloudnative-pg")
               for p in (root / "deploy/k8s" / folder).glob("*.yaml")}
    assert on_disk == fresh, "run `make k8s` and commit deploy/k8s"


@pytest.mark.parametrize("service", SERVICES)
def test_each_tier_is_a_probed_resourced_non_root_deployment(
    root: Path, service: str, console_scripts: dict[str, set[str]]
) -> None:
    docs = base(root)
    for tier in ("web", "worker"):
        d = docs[("Deployment", f"{service}-{tier}")]
        pod = d["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["resources"]["requests"] and c["resources"]["limits"]["memory"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert {"configMapRef": {"name": "dunghan-config"}} in c["envFrom"]
        assert {"secretRef": {"name": f"dunghan-{service}"}} in c["envFrom"]
        assert ("Service", f"{service}-{tier}") in docs
        env = {e["name"]: e["value"] for e in c["env"]}
        if tier == "worker":
            assert c["command"] == [f"{service}-worker"] and c["command"][0] in console_scripts[service]
            assert "PROMETHEUS_MULTIPROC_DIR" not in env, "even empty, it switches multiprocess mode on"
        else:
            assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    hpa = docs[("HorizontalPodAutoscaler", f"{service}-web")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == f"{service}-web"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_container_env_is_read_by_the_service_config(
    root: Path, service_env: dict[str, set[str] | None]
) -> None:
    for (kind, name), d in base(root).items():
        if kind != "Deployment":
            continue
        known = service_env[name.rsplit("-", 1)[0]]
        if known is not None:
            names = {e["name"] for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}
            assert names - known - {"PROMETHEUS_MULTIPROC_DIR"} == set()


def test_workers_scale_with_keda_on_their_queue_length_and_cpu(root: Path) -> None:
    queues = {q.service: q.name for q in TOPOLOGY.queues}
    scalers = {d["metadata"]["name"]: d for d in of_kind(root, "ScaledObject")}
    assert set(scalers) == {f"{s}-worker" for s in queues}
    for service, queue in queues.items():
        spec = scalers[f"{service}-worker"]["spec"]
        assert spec["scaleTargetRef"]["name"] == f"{service}-worker"
        rabbit = next(t for t in spec["triggers"] if t["type"] == "rabbitmq")
        assert rabbit["metadata"]["queueName"] == queue and rabbit["metadata"]["mode"] == "QueueLength"
        auths = {d["metadata"]["name"] for d in of_kind(root, "TriggerAuthentication")}
        assert rabbit["authenticationRef"]["name"] in auths
        assert any(t["type"] == "cpu" for t in spec["triggers"])
    hpas = of_kind(root, "HorizontalPodAutoscaler")
    assert not [d for d in hpas if d["metadata"]["name"].endswith("-worker")], \
        "KEDA makes the workers' HPAs; a second one would fight it"


def test_rabbitmq_runs_as_a_three_node_cluster_without_a_boot_time_import(root: Path) -> None:
    cluster = base(root)[("RabbitmqCluster", "rabbitmq")]
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    assert cluster["spec"]["replicas"] == 3
    assert {"rabbitmq_management", "rabbitmq_prometheus"} <= set(cluster["spec"]["rabbitmq"]["additionalPlugins"])
    config = cluster["spec"]["rabbitmq"]["additionalConfig"]
    assert "prometheus.return_per_object_metrics = true" in config
    assert "load_definitions" not in config, "a boot-time import removes the operator's default user"


def back_to_definitions(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The Topology Operator resources read back into RabbitMQ definitions."""
    users = {d["metadata"]["name"]: d for d in docs if d["kind"] == "User"}
    name_of = {n: d["spec"]["importCredentialsSecret"]["name"].removeprefix("rabbitmq-user-")
               for n, d in users.items()}
    spec = [(d["kind"], d["spec"]) for d in docs]
    return {
        "users": sorted(({"name": name_of[n], "tags": d["spec"].get("tags", [])} for n, d in users.items()),
                        key=lambda u: u["name"]),
        "permissions": sorted(({"user": name_of[s["userReference"]["name"]], "vhost": s["vhost"],
                                **s["permissions"]}
                               for k, s in spec if k == "Permission"), key=lambda p: p["user"]),
        "exchanges": sorted(({"name": s["name"], "vhost": s["vhost"], "type": s["type"], "durable": s["durable"],
                              "auto_delete": s["autoDelete"], "internal": False,
                              "arguments": s.get("arguments", {})}
                             for k, s in spec if k == "Exchange"), key=lambda e: e["name"]),
        "queues": sorted(({"name": s["name"], "vhost": s["vhost"], "durable": s["durable"],
                           "auto_delete": s["autoDelete"],
                           "arguments": {"x-queue-type": s["type"], **s.get("arguments", {})}}
                          for k, s in spec if k == "Queue"), key=lambda q: q["name"]),
        "bindings": sorted(({"source": s["source"], "vhost": s["vhost"], "destination": s["destination"],
                             "destination_type": s["destinationType"], "routing_key": s["routingKey"],
                             "arguments": s.get("arguments", {})} for k, s in spec if k == "Binding"),
                           key=lambda b: (b["source"], b["destination"], b["routing_key"])),
    }


def test_topology_operator_resources_are_the_definitions(root: Path) -> None:
    docs = [d for d in base(root).values()
            if d["apiVersion"] == "rabbitmq.com/v1beta1" and d["kind"] != "RabbitmqCluster"]
    expected = definitions()
    expected["users"] = sorted(expected["users"], key=lambda u: u["name"])
    expected["permissions"] = sorted(expected["permissions"], key=lambda p: p["user"])
    got = back_to_definitions(docs)
    assert got == {k: expected[k] for k in got}
    assert all(d["spec"]["type"] == "quorum" for d in docs if d["kind"] == "Queue")
    assert all(d["spec"]["rabbitmqClusterReference"] == {"name": "rabbitmq"} for d in docs)


def test_policies_of_the_definitions_become_policy_resources(root: Path) -> None:
    broker = generator(root).broker
    defs = {**definitions(), "policies": [{"name": "dlq-length", "vhost": "/", "pattern": r"\.dlq$",
                                           "apply-to": "queues", "priority": 1,
                                           "definition": {"max-length": 100000}}]}
    (policy,) = [d for d in broker.topology(defs) if d["kind"] == "Policy"]
    assert policy["spec"] == {"name": "dlq-length", "vhost": "/", "pattern": r"\.dlq$", "applyTo": "queues",
                              "priority": 1, "definition": {"max-length": 100000},
                              "rabbitmqClusterReference": {"name": "rabbitmq"}}


def test_monitors_label_series_as_the_alerts_and_dashboards_query_them(root: Path) -> None:
    sources = [*(root / "deploy/prometheus/rules").glob("*.yml"),
               *(root / "deploy/grafana/dashboards").glob("*.json")]
    queried = " ".join(p.read_text(encoding="utf-8") for p in sources)
    jobs = set(re.findall(r'job\s*=~?\s*\\?"([\w-]+)', queried))
    monitors = of_kind(root, "PodMonitor") + of_kind(root, "ServiceMonitor")
    given = set()
    for m in monitors:
        for endpoint in m["spec"].get("podMetricsEndpoints", []) + m["spec"].get("endpoints", []):
            for r in endpoint["relabelings"]:
                if r["targetLabel"] == "job":
                    given.add(r["replacement"])
    assert jobs and jobs <= given
    for m in of_kind(root, "PodMonitor"):
        relabel = m["spec"]["podMetricsEndpoints"][0]["relabelings"]
        assert {"action": "replace", "sourceLabels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
                "targetLabel": "app"} in relabel
        tier = m["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
        port = m["spec"]["podMetricsEndpoints"][0]["port"]
        for d in of_kind(root, "Deployment"):
            if d["metadata"]["labels"]["app.kubernetes.io/component"] == tier:
                assert port in {p["name"] for p in d["spec"]["template"]["spec"]["containers"][0]["ports"]}


def test_prometheus_rules_and_dashboards_are_the_compose_files(root: Path) -> None:
    rules = {d["metadata"]["name"]: d["spec"]["groups"] for d in of_kind(root, "PrometheusRule")}
    for path in (root / "deploy/prometheus/rules").glob("*.yml"):
        assert rules[f"dunghan-{path.stem}"] == yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    maps = {d["metadata"]["name"]: d for d in of_kind(root, "ConfigMap") if "grafana_dashboard" in
            d["metadata"].get("labels", {})}
    files = sorted((root / "deploy/grafana/dashboards").glob("*.json"))
    assert len(maps) == len(files)
    for path in files:
        cm = maps[f"dunghan-dashboard-{path.stem}"]
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert json.loads(cm["data"][path.name]) == json.loads(path.read_text(encoding="utf-8"))


def test_one_image_tag_everywhere(root: Path) -> None:
    version = generator(root).version()
    kustomization = yaml.safe_load((root / "deploy/k8s/base/kustomization.yaml").read_text(encoding="utf-8"))
    assert {i["newTag"] for i in kustomization["images"]} == {version}
    for path in (root / "deploy/k8s/overlays").rglob("kustomization.yaml"):
        images = yaml.safe_load(path.read_text(encoding="utf-8")).get("images", [])
        assert all("newTag" not in i for i in images), \
            f"{path}: set the tag once, in the base"
    for service in SERVICES:
        data = (root / f"services/{service}/pyproject.toml").read_text(encoding="utf-8")
        assert re.search(rf'^version = "{re.escape(version)}"', data, re.M), service
    compose = yaml.safe_load((root / "docker-compose.yml").read_text(encoding="utf-8"))
    tags = {svc["image"].split(":", 1)[1] for svc in compose["services"].values()
            if svc.get("image", "").startswith("dunghan/")}
    assert tags == {f"${{DUNGHAN_VERSION:-{version}}}"}
    assert re.search(rf"^DUNGHAN_VERSION={re.escape(version)}$",
                     (root / ".env.example").read_text(encoding="utf-8"), re.M)
    for overlay in OVERLAYS:
        images = {c["image"] for d in build(root / "deploy/k8s/overlays" / overlay) if d["kind"] == "Deployment"
                  for c in d["spec"]["template"]["spec"]["containers"]}
        assert images == {f"registry.example.gov.vn/dunghan/{s}:{version}" for s in SERVICES}


def test_no_secret_values_in_the_kustomizations(root: Path) -> None:
    kinds = {d["kind"] for d in documents(root) if d.get("kind")}
    in_kustomize = [d for p in (root / "deploy/k8s").rglob("*.yaml") if "example" not in p.name
                    for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d]
    assert "Secret" in kinds
    assert all(d["kind"] != "Secret" for d in in_kustomize)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_render(root: Path, overlay: str) -> None:
    docs = build(root / "deploy/k8s/overlays" / overlay)
    webs = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"].endswith("-web")]
    assert len(webs) == 4 and all(d["spec"]["replicas"] == 3 for d in webs)
    assert all(d["metadata"].get("namespace") == "dunghan" for d in docs if d["kind"] != "Namespace")
    clusters = [d for d in docs if d["kind"] == "Cluster"]
    assert len(clusters) == (1 if overlay.endswith("cloudnative-pg") else 0)


def kubectl_kustomize() -> str | None:
    """Why `kubectl kustomize` cannot render these overlays here, or None when it can."""
    if shutil.which("kubectl") is None:
        return "kubectl not installed (the overlays are rendered by tests/deploy/kustomize_lite.py instead)"
    out = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True, timeout=30).stdout
    m = re.search(r"Kustomize Version: v(\d+)", out)
    if not m or int(m.group(1)) < 4:
        return f"kubectl's kustomize is older than v4 (no `patches`/`components`): {out.strip()!r}"
    return None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubectl_kustomize_renders_what_the_built_in_renderer_does(root: Path, overlay: str) -> None:
    why = kubectl_kustomize()
    if why:
        pytest.skip(why)
    done = subprocess.run(["kubectl", "kustomize", str(root / "deploy/k8s/overlays" / overlay)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    def key(d: dict[str, Any]) -> tuple[str, str]:
        return d["kind"], d["metadata"]["name"]

    rendered = sorted((d for d in yaml.safe_load_all(done.stdout) if d), key=key)
    assert rendered == sorted(build(root / "deploy/k8s/overlays" / overlay), key=key)
