"""Kubernetes base manifests as code: writes deploy/k8s/base/*.yaml (plain dicts, deterministic output)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

BASE = Path(__file__).resolve().parent / "base"
SERVICES = {"intake": (8001, 9101), "deadline": (8002, 9102), "scoring": (8003, 9103), "notify": (8004, 9104)}
Doc = dict[str, Any]


def labels(service: str, tier: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/component": tier,
            "app.kubernetes.io/part-of": "dunghan"}


def probe(path: str, port: str, *, period: int, failures: int) -> Doc:
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": period, "timeoutSeconds": 3,
            "failureThreshold": failures}


def container(service: str, tier: str) -> Doc:
    web, metrics = SERVICES[service]
    port, name = (web, "http") if tier == "web" else (metrics, "metrics")
    env = [{"name": "PORT", "value": str(web)}, {"name": "METRICS_PORT", "value": str(metrics)}]
    if tier == "worker":
        env.append({"name": "PROMETHEUS_MULTIPROC_DIR", "value": ""})
    spec: Doc = {
        "name": tier, "image": f"dunghan/{service}", "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": name, "containerPort": port}],
        "env": env,
        "envFrom": [{"configMapRef": {"name": "dunghan-config"}}, {"secretRef": {"name": f"dunghan-{service}"}}],
        "readinessProbe": probe("/readyz", name, period=10, failures=3),
        "livenessProbe": probe("/healthz", name, period=20, failures=3),
        "startupProbe": probe("/healthz", name, period=5, failures=24),
        "resources": {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"memory": "512Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if tier == "worker":
        spec["command"] = [f"{service}-worker"]
    return spec


def deployment(service: str, tier: str) -> Doc:
    port = SERVICES[service][0 if tier == "web" else 1]
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": f"{service}-{tier}", "labels": labels(service, tier)},
        "spec": {
            "replicas": 2 if tier == "web" else 1,
            "selector": {"matchLabels": labels(service, tier)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels(service, tier), "annotations": {
                    "prometheus.io/scrape": "true", "prometheus.io/port": str(port),
                    "prometheus.io/path": "/metrics"}},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                        "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "terminationGracePeriodSeconds": 30,
                    "containers": [container(service, tier)],
                    "volumes": [{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}],
                },
            },
        },
    }


def service_port(service: str, tier: str) -> Doc:
    port, name = (SERVICES[service][0], "http") if tier == "web" else (SERVICES[service][1], "metrics")
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": f"{service}-{tier}", "labels": labels(service, tier)},
        "spec": {"selector": labels(service, tier), "ports": [{"name": name, "port": port, "targetPort": name}]},
    }


def autoscaler(service: str) -> Doc:
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": f"{service}-web", "labels": labels(service, "web")},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service}-web"},
            "minReplicas": 2, "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
        },
    }


def disruption_budget(service: str) -> Doc:
    return {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": f"{service}-web", "labels": labels(service, "web")},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(service, "web")}},
    }


def rabbitmq() -> Doc:
    return {
        "apiVersion": "rabbitmq.com/v1beta1", "kind": "RabbitmqCluster",
        "metadata": {"name": "rabbitmq", "labels": {"app.kubernetes.io/part-of": "dunghan"}},
        "spec": {
            "replicas": 3,
            "image": "rabbitmq:3.13-management",
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
            "persistence": {"storage": "20Gi"},
            "rabbitmq": {
                "additionalPlugins": ["rabbitmq_management", "rabbitmq_prometheus"],
                "additionalConfig": "\n".join([
                    "load_definitions = /etc/rabbitmq/definitions/definitions.json",
                    "prometheus.return_per_object_metrics = true",
                    "cluster_partition_handling = pause_minority",
                    "vm_memory_high_watermark.relative = 0.6",
                    "heartbeat = 30",
                    "max_message_size = 1048576",
                ]) + "\n",
            },
            "override": {"statefulSet": {"spec": {"template": {"spec": {
                "containers": [{"name": "rabbitmq", "volumeMounts": [
                    {"name": "definitions", "mountPath": "/etc/rabbitmq/definitions", "readOnly": True}]}],
                "volumes": [{"name": "definitions", "secret": {"secretName": "rabbitmq-definitions"}}],
            }}}}},
        },
    }


def config_map() -> Doc:
    return {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dunghan-config"},
        "data": {"LOG_LEVEL": "INFO", "AMQP_PREFIX": ""},
    }


def kustomization() -> Doc:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "namespace": "dunghan",
        "resources": ["namespace.yaml", "config.yaml", "rabbitmq.yaml", *(f"{s}.yaml" for s in SERVICES)],
        "images": [{"name": f"dunghan/{s}", "newTag": "0.1.0"} for s in SERVICES],
    }


def files() -> dict[str, list[Doc]]:
    out: dict[str, list[Doc]] = {
        "kustomization.yaml": [kustomization()],
        "namespace.yaml": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dunghan"}}],
        "config.yaml": [config_map()],
        "rabbitmq.yaml": [rabbitmq()],
    }
    for s in SERVICES:
        out[f"{s}.yaml"] = [deployment(s, "web"), service_port(s, "web"), autoscaler(s), disruption_budget(s),
                            deployment(s, "worker"), service_port(s, "worker")]
    return out


def render() -> dict[str, str]:
    header = "# Generated by deploy/k8s/generate.py: edit that, then run it.\n"
    return {name: header + yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, width=110)
            for name, docs in files().items()}


def main() -> int:
    BASE.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (BASE / name).write_text(text, encoding="utf-8")
        print(f"wrote {BASE / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
