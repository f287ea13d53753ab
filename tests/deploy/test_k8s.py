"""Kubernetes manifests: generated base up to date, probes, resources, autoscaling, the broker cluster."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

SERVICES = ("intake", "deadline", "scoring", "notify")


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


def test_every_manifest_parses_and_names_its_kind(root: Path) -> None:
    docs = documents(root)
    assert docs and all("kind" in d and "apiVersion" in d for d in docs)


def test_base_equals_a_fresh_generate_run(root: Path) -> None:
    spec = importlib.util.spec_from_file_location("dunghan_k8s", root / "deploy/k8s/generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (root / "deploy/k8s/base").glob("*.yaml")}
    assert on_disk == module.render(), "run `python deploy/k8s/generate.py` and commit deploy/k8s/base"


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
        if tier == "worker":
            assert c["command"] == [f"{service}-worker"] and c["command"][0] in console_scripts[service]
    hpa = docs[("HorizontalPodAutoscaler", f"{service}-web")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == f"{service}-web"


def test_container_env_is_read_by_the_service_config(
    root: Path, service_env: dict[str, set[str] | None]
) -> None:
    for (kind, name), d in base(root).items():
        if kind != "Deployment":
            continue
        service = name.rsplit("-", 1)[0]
        known = service_env[service]
        if known is not None:
            names = {e["name"] for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}
            assert names - known - {"PROMETHEUS_MULTIPROC_DIR"} == set()


def test_rabbitmq_runs_as_a_three_node_cluster_with_the_plugins(root: Path) -> None:
    cluster = base(root)[("RabbitmqCluster", "rabbitmq")]
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    assert cluster["spec"]["replicas"] == 3
    assert {"rabbitmq_management", "rabbitmq_prometheus"} <= set(cluster["spec"]["rabbitmq"]["additionalPlugins"])
    assert "prometheus.return_per_object_metrics = true" in cluster["spec"]["rabbitmq"]["additionalConfig"]


def test_no_secret_values_in_the_kustomizations(root: Path) -> None:
    kinds = {d["kind"] for d in documents(root) if d.get("kind")}
    in_kustomize = [d for p in (root / "deploy/k8s").rglob("*.yaml") if "example" not in p.name
                    for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d]
    assert "Secret" in kinds
    assert all(d["kind"] != "Secret" for d in in_kustomize)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_production_overlay_builds(root: Path) -> None:
    done = subprocess.run(["kubectl", "kustomize", str(root / "deploy/k8s/overlays/production")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    docs = [d for d in yaml.safe_load_all(done.stdout) if d]
    webs = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"].endswith("-web")]
    assert len(webs) == 4 and all(d["spec"]["replicas"] == 3 for d in webs)
    pods = [d["spec"]["template"]["spec"] for d in docs if d["kind"] == "Deployment"]
    images = {c["image"] for pod in pods for c in pod["containers"]}
    assert all(i.startswith("registry.example.gov.vn/dunghan/") for i in images)
